// The leakage check of leakage.h. Every measure works on at most LeakOptions::max_rows evenly
// spaced rows and costs one sort per column plus linear passes; the search for a combination
// works on the columns' correlation matrix, built in one pass, so trying subsets of columns costs
// nothing per row.
#include "profile/leakage.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kiln {
namespace {

// Below this many rows with a target (or with a value, for one column) nothing is scored: the
// measures would be noise.
constexpr size_t kMinRows = 30;
// Numeric columns are cut into at most this many bins of equal count for the binned measures.
constexpr size_t kMaxBins = 64;
// A pivot this small in the Cholesky factor of a correlation matrix marks a column that is a
// linear function of the ones before it; it adds nothing to the fit and is skipped.
constexpr double kCollinearPivot = 1e-10;

// One feature column over the sampled rows: the value as a double (the category code for
// categorical columns), NaN where missing.
struct Feature {
  std::string name;
  bool categorical = false;
  bool identifier = false;
  std::vector<double> x;
  std::vector<uint32_t> sorted;  // positions of the present values, ascending by value
  size_t present = 0;
  size_t distinct = 0;  // among present values
};

struct Bins {
  std::vector<size_t> of;  // per sampled row
  size_t count = 0;
};

struct Score {
  double value = 0;
  const char* measure = "";
};

// The rows to check: those of `rows` (all when empty) with a target, thinned evenly to at most
// `max_rows`.
std::vector<size_t> SampleRows(const Frame& frame, std::span<const size_t> rows,
                               const Target& target, size_t max_rows) {
  std::vector<size_t> candidates;
  const size_t n = rows.empty() ? frame.rows() : rows.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t row = rows.empty() ? i : rows[i];
    if (std::isfinite(target.values[row])) candidates.push_back(row);
  }
  if (candidates.size() <= max_rows || max_rows == 0) return candidates;
  std::vector<size_t> sample(max_rows);
  for (size_t i = 0; i < max_rows; ++i) sample[i] = candidates[i * candidates.size() / max_rows];
  return sample;
}

// An unsigned key with the order of the double (IEEE 754: negative values have every bit flipped,
// the others only the sign bit). -0.0 is made +0.0 first, so equal values have equal keys.
uint64_t OrderKey(double v) {
  if (v == 0) v = 0;
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

// Positions of the values that are not NaN, ascending by value and by position among equals. A
// least-significant-digit radix sort on the keys, skipping digits all keys share: it is stable,
// which gives the order among equals, and several times faster than a comparison sort, which
// matters at one sort per column.
std::vector<uint32_t> SortedPositions(const std::vector<double>& v) {
  std::vector<uint64_t> keys;
  std::vector<uint32_t> positions;
  keys.reserve(v.size());
  positions.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) continue;
    keys.push_back(OrderKey(v[i]));
    positions.push_back(static_cast<uint32_t>(i));
  }
  const size_t n = keys.size();
  std::vector<uint64_t> next_keys(n);
  std::vector<uint32_t> next_positions(n);
  for (int shift = 0; shift < 64; shift += 8) {
    std::array<size_t, 257> start{};
    for (uint64_t k : keys) ++start[((k >> shift) & 0xff) + 1];
    if (std::any_of(start.begin(), start.end(), [n](size_t c) { return c == n; })) continue;
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (size_t i = 0; i < n; ++i) {
      const size_t to = start[(keys[i] >> shift) & 0xff]++;
      next_keys[to] = keys[i];
      next_positions[to] = positions[i];
    }
    keys.swap(next_keys);
    positions.swap(next_positions);
  }
  return positions;
}

// Ranks 1..m of the `sorted` positions of `v`, ties sharing their mean rank; NaN elsewhere.
std::vector<double> MidRanks(const std::vector<double>& v, const std::vector<uint32_t>& sorted) {
  std::vector<double> ranks(v.size(), std::numeric_limits<double>::quiet_NaN());
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && v[sorted[j]] == v[sorted[i]]) ++j;
    const double mid = (static_cast<double>(i + j) + 1) / 2;
    for (size_t k = i; k < j; ++k) ranks[sorted[k]] = mid;
    i = j;
  }
  return ranks;
}

Feature ReadFeature(const Column& column, const std::vector<size_t>& sample) {
  Feature f;
  f.name = column.name;
  f.categorical = column.type == ColumnType::kCategorical;
  f.x.reserve(sample.size());
  for (size_t row : sample) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (!column.is_missing(row)) v = f.categorical ? column.codes[row] : column.AsDouble(row);
    f.x.push_back(std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN());
  }
  f.sorted = SortedPositions(f.x);
  f.present = f.sorted.size();
  for (size_t i = 0; i < f.sorted.size(); ++i) {
    f.distinct += i == 0 || f.x[f.sorted[i]] != f.x[f.sorted[i - 1]] ? 1 : 0;
  }
  f.identifier =
      column.type == ColumnType::kInteger && f.present >= kMinRows && f.distinct == f.present;
  return f;
}

double Pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

// Bins of equal count over the present values (a bin per value when there are few), equal values
// always in one bin, and one more bin for missing values. Empty when the bins would hold fewer
// than `min_rows` rows on average.
Bins NumericBins(const Feature& f, size_t min_rows) {
  const size_t wanted = std::min(kMaxBins, f.present / std::max<size_t>(min_rows, 1));
  if (wanted < 2) return {};
  const std::vector<uint32_t>& order = f.sorted;
  const bool per_value = f.distinct <= wanted;

  Bins bins;
  bins.of.assign(f.x.size(), 0);
  size_t bin = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const bool new_value = i > 0 && f.x[order[i]] != f.x[order[i - 1]];
    if (new_value && (per_value || i * wanted / order.size() > bin)) ++bin;
    bins.of[order[i]] = bin;
  }
  bins.count = bin + 1;
  if (f.present < f.x.size()) {
    for (size_t i = 0; i < f.x.size(); ++i) {
      if (std::isnan(f.x[i])) bins.of[i] = bins.count;
    }
    ++bins.count;
  }
  return bins;
}

// A bin per category present, and one for missing values; empty when the categories hold fewer
// than `min_rows` rows on average (an identifier, a free-text-like column).
Bins CategoryBins(const Feature& f, size_t min_rows) {
  if (f.distinct < 2 || f.present < min_rows * f.distinct) return {};
  Bins bins;
  bins.of.assign(f.x.size(), f.distinct);  // missing rows keep the last bin
  size_t bin = 0;
  for (size_t i = 0; i < f.sorted.size(); ++i) {
    if (i > 0 && f.x[f.sorted[i]] != f.x[f.sorted[i - 1]]) ++bin;
    bins.of[f.sorted[i]] = bin;
  }
  bins.count = f.distinct + 1;
  return bins;
}

// The share of the target's variance explained by its mean per bin.
double BinnedR2(const Bins& bins, const std::vector<double>& y) {
  std::vector<double> sum(bins.count, 0), count(bins.count, 0);
  for (size_t i = 0; i < y.size(); ++i) {
    sum[bins.of[i]] += y[i];
    count[bins.of[i]] += 1;
  }
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  double total = 0, within = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double bin_mean = sum[bins.of[i]] / count[bins.of[i]];
    total += (y[i] - mean) * (y[i] - mean);
    within += (y[i] - bin_mean) * (y[i] - bin_mean);
  }
  return total > 0 ? 1 - within / total : 0;
}

// Balanced accuracy of predicting, per bin, the class most over-represented there relative to
// its overall share (the choice that maximises balanced accuracy).
double BalancedAccuracy(const Bins& bins, const std::vector<size_t>& cls, size_t classes) {
  std::vector<double> counts(bins.count * classes, 0), prior(classes, 0);
  for (size_t i = 0; i < cls.size(); ++i) {
    counts[bins.of[i] * classes + cls[i]] += 1;
    prior[cls[i]] += 1;
  }
  std::vector<double> recall(classes, 0);
  for (size_t b = 0; b < bins.count; ++b) {
    size_t best = 0;
    double best_ratio = -1;
    for (size_t c = 0; c < classes; ++c) {
      const double ratio = prior[c] > 0 ? counts[b * classes + c] / prior[c] : -1;
      if (ratio > best_ratio) {
        best_ratio = ratio;
        best = c;
      }
    }
    recall[best] += best_ratio > 0 ? best_ratio : 0;
  }
  double sum = 0, present = 0;
  for (size_t c = 0; c < classes; ++c) {
    if (prior[c] == 0) continue;
    sum += recall[c];
    present += 1;
  }
  return present > 0 ? sum / present : 0;
}

// The mean over classes of the one-vs-rest ROC AUC of the value, taking each class's better
// direction (a column that is high for one class and low for another leaks just the same).
double OneVsRestAuc(const std::vector<double>& ranks, const std::vector<size_t>& cls,
                    size_t classes) {
  std::vector<double> rank_sum(classes, 0), count(classes, 0);
  for (size_t i = 0; i < cls.size(); ++i) {
    rank_sum[cls[i]] += ranks[i];
    count[cls[i]] += 1;
  }
  const double n = static_cast<double>(cls.size());
  double sum = 0, scored = 0;
  for (size_t c = 0; c < classes; ++c) {
    const double pos = count[c], neg = n - count[c];
    if (pos == 0 || neg == 0) continue;
    const double auc = (rank_sum[c] - pos * (pos + 1) / 2) / (pos * neg);
    sum += std::max(auc, 1 - auc);
    scored += 1;
    if (classes == 2) break;  // the other class's AUC is the same
  }
  return scored > 0 ? sum / scored : 0;
}

void Keep(Score& best, double value, const char* measure) {
  if (std::isfinite(value) && value > best.value) best = {value, measure};
}

// The target over the sampled rows, with what the measures need computed once.
struct TargetSample {
  std::vector<double> y;
  std::vector<double> y_ranks;  // regression: midranks over every sampled row
  std::vector<size_t> cls;      // classification: the class index of each row
  size_t classes = 0;
};

Score RegressionScore(const Feature& f, const TargetSample& t, size_t min_rows) {
  Score best;
  const Bins bins = f.categorical ? CategoryBins(f, min_rows) : NumericBins(f, min_rows);
  if (bins.count > 0) Keep(best, BinnedR2(bins, t.y), "binned R²");
  if (f.categorical) return best;

  // Pearson and Spearman over the rows where the column has a value; the target is ranked
  // again only when some are missing.
  const std::vector<double> x_ranks = MidRanks(f.x, f.sorted);
  std::vector<double> y_ranks = t.y_ranks;
  if (f.present < f.x.size()) {
    std::vector<double> y_present(t.y.size(), std::numeric_limits<double>::quiet_NaN());
    for (uint32_t i : f.sorted) y_present[i] = t.y[i];
    y_ranks = MidRanks(y_present, SortedPositions(y_present));
  }
  std::vector<double> xs, ys, xr, yr;
  for (size_t i = 0; i < f.x.size(); ++i) {
    if (std::isnan(f.x[i])) continue;
    xs.push_back(f.x[i]);
    ys.push_back(t.y[i]);
    xr.push_back(x_ranks[i]);
    yr.push_back(y_ranks[i]);
  }
  Keep(best, std::abs(Pearson(xs, ys)), "|Pearson|");
  Keep(best, std::abs(Pearson(xr, yr)), "|Spearman|");
  return best;
}

Score ClassificationScore(const Feature& f, const TargetSample& t, size_t min_rows) {
  Score best;
  const Bins bins = f.categorical ? CategoryBins(f, min_rows) : NumericBins(f, min_rows);
  if (bins.count > 0) Keep(best, BalancedAccuracy(bins, t.cls, t.classes), "balanced accuracy");
  if (f.categorical) return best;
  const std::vector<double> ranks = MidRanks(f.x, f.sorted);
  std::vector<double> present_ranks;
  std::vector<size_t> present_cls;
  for (uint32_t i : f.sorted) {
    present_ranks.push_back(ranks[i]);
    present_cls.push_back(t.cls[i]);
  }
  Keep(best, OneVsRestAuc(present_ranks, present_cls, t.classes), "ROC AUC");
  return best;
}

// ----- Linear combinations ---------------------------------------------------------------------

// R² of the least-squares fit of the target on the columns `subset`, from the columns'
// correlation matrix `corr` (p x p, row-major) and their correlations `with_y` with the target:
// R² = c' C^-1 c, through a Cholesky factor that skips collinear columns.
double SubsetR2(const std::vector<double>& corr, const std::vector<double>& with_y, size_t p,
                const std::vector<size_t>& subset) {
  const size_t k = subset.size();
  std::vector<double> l(k * k, 0);
  std::vector<double> z(k, 0);  // L^-1 c, whose squared norm is R²
  std::vector<uint8_t> used(k, 0);
  double r2 = 0;
  for (size_t i = 0; i < k; ++i) {
    double diag = corr[subset[i] * p + subset[i]];
    for (size_t j = 0; j < i; ++j) diag -= used[j] ? l[i * k + j] * l[i * k + j] : 0;
    if (diag < kCollinearPivot) continue;
    const double pivot = std::sqrt(diag);
    l[i * k + i] = pivot;
    used[i] = 1;
    for (size_t r = i + 1; r < k; ++r) {
      double v = corr[subset[r] * p + subset[i]];
      for (size_t j = 0; j < i; ++j) v -= used[j] ? l[r * k + j] * l[i * k + j] : 0;
      l[r * k + i] = v / pivot;
    }
    double zi = with_y[subset[i]];
    for (size_t j = 0; j < i; ++j) zi -= used[j] ? l[i * k + j] * z[j] : 0;
    z[i] = zi / pivot;
    r2 += z[i] * z[i];
  }
  return std::min(r2, 1.0);
}

struct Combination {
  std::vector<size_t> features;  // indices into the feature list
  double r2 = 0;
};

// Fits the target on every candidate column, then drops columns one at a time (the one whose loss
// costs least) while R² stays at or above the threshold: what remains is a minimal set that
// reproduces the target. Nullopt when even the full fit falls short.
std::optional<Combination> FindCombination(const std::vector<Feature>& features,
                                           const std::vector<double>& y,
                                           const LeakOptions& options) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < features.size(); ++i) {
    const Feature& f = features[i];
    const double missing = 1 - static_cast<double>(f.present) / static_cast<double>(f.x.size());
    if (!f.categorical && !f.identifier && f.distinct > 1 &&
        missing <= options.max_missing_for_combination) {
      candidates.push_back(i);
    }
  }
  if (candidates.size() < 2) return std::nullopt;

  std::vector<size_t> rows;
  for (size_t r = 0; r < y.size(); ++r) {
    const bool complete = std::all_of(candidates.begin(), candidates.end(),
                                      [&](size_t c) { return !std::isnan(features[c].x[r]); });
    if (complete) rows.push_back(r);
  }
  if (rows.size() < kMinRows || rows.size() <= candidates.size() + 1) return std::nullopt;

  // Standardised columns: their cross products over the rows are correlations.
  const size_t p = candidates.size();
  std::vector<std::vector<double>> z(p + 1);
  for (size_t c = 0; c <= p; ++c) {
    for (size_t r : rows) z[c].push_back(c < p ? features[candidates[c]].x[r] : y[r]);
    const double n = static_cast<double>(rows.size());
    const double mean = std::accumulate(z[c].begin(), z[c].end(), 0.0) / n;
    double ss = 0;
    for (double& v : z[c]) {
      v -= mean;
      ss += v * v;
    }
    if (ss <= 0) return std::nullopt;
    for (double& v : z[c]) v /= std::sqrt(ss);
  }
  std::vector<double> corr(p * p), with_y(p);
  for (size_t a = 0; a < p; ++a) {
    with_y[a] = std::inner_product(z[a].begin(), z[a].end(), z[p].begin(), 0.0);
    for (size_t b = 0; b <= a; ++b) {
      corr[a * p + b] = corr[b * p + a] =
          std::inner_product(z[a].begin(), z[a].end(), z[b].begin(), 0.0);
    }
  }

  std::vector<size_t> subset(p);
  std::iota(subset.begin(), subset.end(), size_t{0});
  double r2 = SubsetR2(corr, with_y, p, subset);
  if (r2 < options.combination_r2) return std::nullopt;
  while (subset.size() > 1) {
    size_t drop = 0;
    double drop_r2 = -1;
    for (size_t i = 0; i < subset.size(); ++i) {
      std::vector<size_t> rest = subset;
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
      const double rest_r2 = SubsetR2(corr, with_y, p, rest);
      if (rest_r2 > drop_r2) {
        drop_r2 = rest_r2;
        drop = i;
      }
    }
    if (drop_r2 < options.combination_r2) break;
    subset.erase(subset.begin() + static_cast<std::ptrdiff_t>(drop));
    r2 = drop_r2;
  }
  Combination out;
  for (size_t i : subset) out.features.push_back(candidates[i]);
  out.r2 = r2;
  return out;
}

std::vector<LeakFinding> CombinationFindings(const std::vector<Feature>& features,
                                             const Combination& combination,
                                             const LeakOptions& options) {
  std::vector<std::string> names;
  for (size_t i : combination.features) names.push_back(features[i].name);
  const std::string message = fmt::format(
      "{} reproduce {} (R² {:.4f}): they are derived from the target; add them to "
      "data.exclude_columns",
      fmt::join(names, " + "), options.target_name, combination.r2);
  std::vector<LeakFinding> out;
  for (const std::string& name : names) {
    out.push_back({name, "linear_combination", combination.r2, names, message});
  }
  return out;
}

LeakFinding SingleFinding(const Feature& f, const Score& score, bool classification,
                          const LeakOptions& options) {
  const std::string message = fmt::format(
      "{} alone {} {} ({} {:.4f}): it is likely derived from the target; add it to "
      "data.exclude_columns",
      f.name, classification ? "separates the classes of" : "predicts", options.target_name,
      score.measure, score.value);
  return {f.name, "single_feature", score.value, {}, message};
}

Result<std::vector<Feature>> ReadFeatures(const Frame& frame,
                                          const std::vector<std::string>& feature_columns,
                                          const std::vector<size_t>& sample) {
  std::vector<Feature> features;
  for (const std::string& name : feature_columns) {
    const std::optional<size_t> index = frame.Find(name);
    if (!index) {
      return MakeError(ErrorCode::kUsage,
                       "leakage check: feature column '{}' is not in the frame; pass the names "
                       "of its columns",
                       name);
    }
    if (frame.column(*index).type == ColumnType::kText) continue;
    features.push_back(ReadFeature(frame.column(*index), sample));
  }
  return features;
}

TargetSample SampleTarget(const Target& target, const std::vector<size_t>& sample) {
  TargetSample t;
  for (size_t row : sample) t.y.push_back(target.values[row]);
  if (target.task == TaskType::kRegression) {
    t.y_ranks = MidRanks(t.y, SortedPositions(t.y));
    return t;
  }
  t.classes = target.classes.size();
  for (double v : t.y) {
    t.cls.push_back(static_cast<size_t>(std::max(v, 0.0)));
    t.classes = std::max(t.classes, t.cls.back() + 1);
  }
  return t;
}

Status CheckInputs(const Frame& frame, std::span<const size_t> rows, const Target& target) {
  if (target.values.size() != frame.rows()) {
    return MakeError(ErrorCode::kUsage,
                     "leakage check: the target has {} values for a frame of {} rows; extract it "
                     "from the same frame",
                     target.values.size(), frame.rows());
  }
  for (size_t row : rows) {
    if (row >= frame.rows()) {
      return MakeError(ErrorCode::kUsage, "leakage check: row {} is outside the frame of {} rows",
                       row, frame.rows());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<LeakFinding>> FindLeaks(const Frame& frame, std::span<const size_t> rows,
                                           const Target& target,
                                           const std::vector<std::string>& feature_columns,
                                           const LeakOptions& options) {
  KILN_RETURN_IF_ERROR(CheckInputs(frame, rows, target));
  const std::vector<size_t> sample = SampleRows(frame, rows, target, options.max_rows);
  if (sample.size() < kMinRows) {
    return MakeError(ErrorCode::kData,
                     "leakage check: only {} rows have a value for {}; it needs at least {}",
                     sample.size(), options.target_name, kMinRows);
  }
  KILN_ASSIGN_OR_RETURN(const std::vector<Feature> features,
                        ReadFeatures(frame, feature_columns, sample));
  const bool classification = target.task != TaskType::kRegression;
  const TargetSample t = SampleTarget(target, sample);

  std::vector<LeakFinding> findings;
  std::vector<uint8_t> reported(features.size(), 0);
  if (target.task != TaskType::kMulticlass) {
    const std::optional<Combination> combination = FindCombination(features, t.y, options);
    if (combination && combination->features.size() >= 2 &&
        combination->features.size() <= options.max_combination_columns) {
      findings = CombinationFindings(features, *combination, options);
      for (size_t i : combination->features) reported[i] = 1;
    }
  }
  for (size_t i = 0; i < features.size(); ++i) {
    const Feature& f = features[i];
    if (reported[i] || f.identifier || f.distinct < 2 || f.present < kMinRows) continue;
    const Score score = classification ? ClassificationScore(f, t, options.min_rows_per_category)
                                       : RegressionScore(f, t, options.min_rows_per_category);
    const double threshold =
        classification ? options.class_score_threshold : options.correlation_threshold;
    if (score.value >= threshold) {
      findings.push_back(SingleFinding(f, score, classification, options));
    }
  }
  std::stable_sort(findings.begin(), findings.end(),
                   [](const LeakFinding& a, const LeakFinding& b) { return a.score > b.score; });
  return findings;
}

}  // namespace kiln
