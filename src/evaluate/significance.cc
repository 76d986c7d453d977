// Bootstrap intervals, the paired bootstrap and DeLong's test. Resampling draws row indices from a
// seeded generator of Kiln's own (see Resampler), so the same seed gives the same interval on
// every build and platform; a resample on which the metric is undefined (say, one class drawn) is
// skipped and not counted.
#include "evaluate/significance.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <future>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel.h"
#include "evaluate/binary_sweep.h"

namespace kiln {
namespace {

// The q-th quantile (0..1) with linear interpolation between order statistics (numpy's default).
double Quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

double NormalUpperTail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

// The z with P(Z > z) = tail, by bisection: exact enough and needs no table of coefficients.
double NormalUpperQuantile(double tail) {
  double low = -40, high = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = (low + high) / 2;
    (NormalUpperTail(mid) > tail ? low : high) = mid;
  }
  return (low + high) / 2;
}

// Draws resample indices. Resample b has a stream of its own (SplitMix64 seeded from the seed
// and b), so resamples can be computed in any order, on any number of threads, with the same
// result; bounded draws use Lemire's multiply-shift with rejection, which is unbiased and, unlike
// std::uniform_int_distribution, gives the same numbers with every standard library. Below 2^32
// rows each 64-bit output gives two 32-bit draws.
class Resampler {
 public:
  Resampler(size_t rows, uint64_t seed) : rows_(rows), seed_(seed), indices_(rows) {}

  const std::vector<size_t>& Draw(uint64_t b) {
    Draw(b, indices_);
    return indices_;
  }

  void Draw(uint64_t b, std::vector<size_t>& out) const {
    out.resize(rows_);
    size_t k = 0;
    Each(b, [&](size_t i) { out[k++] = i; });
  }

  // Calls visit(i) for each drawn index i of resample b, in draw order.
  template <typename Visit>
  void Each(uint64_t b, Visit&& visit) const {
    uint64_t state = Mix(seed_ ^ Mix(b + 0x632BE59BD9B4E019ull));
    if (rows_ >= (uint64_t{1} << 32)) {
      for (size_t k = 0; k < rows_; ++k) visit(Below64(state, rows_));
      return;
    }
    const auto n = static_cast<uint32_t>(rows_);
    const uint32_t threshold = (0u - n) % n;
    uint64_t bits = 0;
    bool spare = false;
    for (size_t k = 0; k < rows_;) {
      uint32_t word;
      if (spare) {
        word = static_cast<uint32_t>(bits >> 32);
      } else {
        bits = Next(state);
        word = static_cast<uint32_t>(bits);
      }
      spare = !spare;
      const uint64_t product = static_cast<uint64_t>(word) * n;
      if (static_cast<uint32_t>(product) < threshold) continue;  // rejected: keeps it unbiased
      visit(static_cast<size_t>(product >> 32));
      ++k;
    }
  }

 private:
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  static uint64_t Next(uint64_t& state) {
    state += 0x9E3779B97F4A7C15ull;
    return Mix(state);
  }
  static size_t Below64(uint64_t& state, uint64_t n) {
    __extension__ using Wide = unsigned __int128;
    Wide product = static_cast<Wide>(Next(state)) * n;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        product = static_cast<Wide>(Next(state)) * n;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<size_t>(product >> 64);
  }

  size_t rows_;
  uint64_t seed_;
  std::vector<size_t> indices_;
};

// Fills `out` with the rows of `p` at `indices`, reusing its buffers.
void Gather(const Predictions& p, const std::vector<size_t>& indices, Predictions& out) {
  const size_t width = p.task == TaskType::kMulticlass ? p.classes : 1;
  out.task = p.task;
  out.classes = p.classes;
  out.labels = p.labels;
  out.threshold = p.threshold;
  out.truth.resize(indices.size());
  out.scores.resize(indices.size() * width);
  out.weights.resize(p.weights.empty() ? 0 : indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const size_t i = indices[k];
    out.truth[k] = p.truth[i];
    std::copy_n(p.scores.begin() + static_cast<std::ptrdiff_t>(i * width), width,
                out.scores.begin() + static_cast<std::ptrdiff_t>(k * width));
    if (!p.weights.empty()) out.weights[k] = p.weights[i];
  }
}

Status CheckResampling(int resamples, double level, std::string_view what) {
  if (resamples < 1) {
    return MakeError(ErrorCode::kUsage, "{} needs at least 1 resample, got {}", what, resamples);
  }
  if (!(level > 0 && level < 1)) {
    return MakeError(ErrorCode::kUsage, "{} needs a level strictly between 0 and 1, got {}", what,
                     level);
  }
  return Status::Ok();
}

// Both models must be scored on the same rows: same task, truth and weights, in the same order.
Status CheckPaired(const Predictions& candidate, const Predictions& baseline) {
  if (candidate.task != baseline.task || candidate.classes != baseline.classes) {
    return MakeError(ErrorCode::kUsage,
                     "the candidate ({}, {} classes) and the baseline ({}, {} classes) were "
                     "scored on different tasks",
                     TaskTypeName(candidate.task), candidate.classes, TaskTypeName(baseline.task),
                     baseline.classes);
  }
  if (candidate.rows() != baseline.rows()) {
    return MakeError(ErrorCode::kUsage,
                     "the candidate has {} rows and the baseline {}; score both on the same rows",
                     candidate.rows(), baseline.rows());
  }
  for (size_t i = 0; i < candidate.rows(); ++i) {
    if (candidate.truth[i] != baseline.truth[i]) {
      return MakeError(ErrorCode::kUsage,
                       "the truth differs at row {} ({} for the candidate, {} for the baseline); "
                       "score both models on the same rows in the same order",
                       i, candidate.truth[i], baseline.truth[i]);
    }
  }
  if (candidate.weights != baseline.weights) {
    return MakeError(ErrorCode::kUsage, "the candidate and the baseline carry different weights");
  }
  return Status::Ok();
}

// For one model: the AUC and the structural components, V10 per positive (the share of negatives
// it outranks) and V01 per negative (the share of positives that outrank it).
struct Components {
  double auc = 0;
  std::vector<double> v10, v01;
};

// Sun & Xu's fast DeLong needs three sets of midranks (1-based, ties sharing the mean of their
// ranks): of each row among all rows, and among the rows of its own class. One sort of all rows
// gives the three: within a run of equal scores holding p positives and q negatives, after P
// positives and N negatives with lower scores, a positive's midrank among positives is
// P + (p + 1) / 2 and a negative's among negatives N + (q + 1) / 2. Midranks are halves of
// integers, so every figure below is exact and the AUC's sum does not depend on its order.
Components DeLongComponents(const std::vector<double>& positives,
                            const std::vector<double>& negatives) {
  const size_t m = positives.size(), n = negatives.size();
  std::vector<std::pair<double, size_t>> all(m + n);  // score, then position: positives first
  for (size_t i = 0; i < m; ++i) all[i] = {positives[i], i};
  for (size_t j = 0; j < n; ++j) all[m + j] = {negatives[j], m + j};
  std::sort(all.begin(), all.end());

  Components c;
  c.v10.resize(m);
  c.v01.resize(n);
  const double dm = static_cast<double>(m), dn = static_cast<double>(n);
  double rank_sum = 0;
  size_t positives_below = 0, negatives_below = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i, p = 0;
    for (; j < all.size() && all[j].first == all[i].first; ++j) p += all[j].second < m;
    const size_t q = j - i - p;
    const double tz = 0.5 * static_cast<double>(i + j - 1) + 1;
    const double tx = static_cast<double>(positives_below) + 0.5 * static_cast<double>(p + 1);
    const double ty = static_cast<double>(negatives_below) + 0.5 * static_cast<double>(q + 1);
    for (size_t k = i; k < j; ++k) {
      const size_t at = all[k].second;
      if (at < m) {
        c.v10[at] = (tz - tx) / dn;
        rank_sum += tz;
      } else {
        c.v01[at - m] = 1 - (tz - ty) / dm;
      }
    }
    positives_below += p;
    negatives_below += q;
    i = j;
  }
  c.auc = rank_sum / dm / dn - (dm + 1) / (2 * dn);
  return c;
}

// Sample variance of a - b (ddof = 1).
double VarianceOfDifference(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = a.size();
  std::vector<double> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = a[i] - b[i];
  const double mean = std::accumulate(d.begin(), d.end(), 0.0) / static_cast<double>(n);
  double sum = 0;
  for (double x : d) sum += (x - mean) * (x - mean);
  return sum / static_cast<double>(n - 1);
}

}  // namespace

Result<Interval> BootstrapInterval(std::string_view metric, const Predictions& p,
                                   const MetricParams& params, int resamples, double level,
                                   uint64_t seed) {
  KILN_RETURN_IF_ERROR(CheckResampling(resamples, level, "the bootstrap interval"));
  Interval interval;
  KILN_ASSIGN_OR_RETURN(interval.value, ComputeMetric(metric, p, params));

  Resampler resampler(p.rows(), seed);
  Predictions sample;
  std::vector<double> values;
  for (int b = 0; b < resamples; ++b) {
    Gather(p, resampler.Draw(static_cast<uint64_t>(b)), sample);
    Result<double> value = ComputeMetric(metric, sample, params);
    if (value.ok()) values.push_back(*value);
  }
  if (values.empty()) {
    return MakeError(ErrorCode::kData, "{} was undefined on all {} bootstrap resamples of {} rows",
                     metric, resamples, p.rows());
  }

  interval.low = Quantile(values, (1 - level) / 2);
  interval.high = Quantile(values, (1 + level) / 2);
  interval.resamples = static_cast<int>(values.size());
  return interval;
}

struct PreparedResamples {
  BinarySweep sweep;
  int resamples = 0;
  uint64_t seed = 0;
  std::vector<double> truth, scores;  // what it was made from
  // Resample b's count of the row at each sweep position, rows() bytes per resample.
  std::vector<uint8_t> counts;
  std::vector<BinarySweep::Sums> sums;  // per resample, at the threshold it was made with

  explicit PreparedResamples(const Predictions& p) : sweep(p) {}

  bool Matches(const Predictions& p, int r, uint64_t s) const {
    return r == resamples && s == seed && p.task == TaskType::kBinary && p.weights.empty() &&
           p.truth == truth && p.scores == scores;
  }

  // Resample b's sums at a threshold whose prediction prefix is `predicted` positions long. With
  // every weight 1 the counts are exact integers, so counting the prefix gives the sweep's
  // figures to the bit.
  BinarySweep::Sums At(size_t b, size_t predicted) const {
    BinarySweep::Sums s = sums[b];
    const uint8_t* c = counts.data() + b * sweep.rows();
    const uint8_t* positive = sweep.positive_flags().data();
    uint64_t drawn = 0, drawn_positive = 0;
    for (size_t k = 0; k < predicted; ++k) {
      drawn += c[k];
      drawn_positive += static_cast<uint64_t>(c[k] * positive[k]);
    }
    s.tp_at = static_cast<double>(drawn_positive);
    s.fp_at = static_cast<double>(drawn - drawn_positive);
    return s;
  }
};

std::shared_ptr<const PreparedResamples> PrepareResamples(const Predictions& p, int resamples,
                                                          uint64_t seed, int threads) {
  constexpr size_t kMaxBytes = size_t{64} << 20;
  if (p.task != TaskType::kBinary || !p.weights.empty() || resamples < 1 ||
      !ValidatePredictions(p).ok() || p.rows() == 0 ||
      p.rows() > kMaxBytes / static_cast<size_t>(resamples)) {
    return nullptr;
  }
  auto prepared = std::make_shared<PreparedResamples>(p);
  PreparedResamples& r = *prepared;
  r.resamples = resamples;
  r.seed = seed;
  r.truth = p.truth;
  r.scores = p.scores;
  const size_t n = p.rows();
  r.counts.resize(n * static_cast<size_t>(resamples));
  r.sums.resize(static_cast<size_t>(resamples));
  const Resampler resampler(n, seed);
  // Each resample writes only its own counts and sums, so workers take every workers-th one.
  const int workers = std::min(CoresToUse(threads), resamples);
  std::atomic<bool> overflow{false};
  (void)ParallelFor(static_cast<size_t>(workers), workers, [&](size_t w) -> Status {
    std::vector<uint32_t> counts(n);
    for (size_t b = w; b < static_cast<size_t>(resamples); b += static_cast<size_t>(workers)) {
      std::fill(counts.begin(), counts.end(), 0u);
      resampler.Each(b, [&](size_t i) { ++counts[r.sweep.position(i)]; });
      uint8_t* out = r.counts.data() + b * n;
      uint32_t largest = 0;
      for (size_t k = 0; k < n; ++k) {
        largest = std::max(largest, counts[k]);
        out[k] = static_cast<uint8_t>(counts[k]);
      }
      if (largest > 255) overflow = true;  // a row drawn 256 times: never in practice
      r.sums[b] = r.sweep.Sweep(counts);
    }
    return Status::Ok();
  });
  if (overflow) return nullptr;
  return prepared;
}

Result<std::map<std::string, Interval>> BootstrapIntervals(
    const std::vector<std::string>& metrics, const Predictions& p, const MetricParams& params,
    int resamples, double level, uint64_t seed, const PreparedResamples* prepared,
    const std::map<std::string, double>* values_on_all) {
  KILN_RETURN_IF_ERROR(CheckResampling(resamples, level, "the bootstrap intervals"));
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  const std::vector<std::string>& swept = BinarySweep::Names();
  std::vector<size_t> fast, slow;  // indices into `metrics`
  for (size_t m = 0; m < metrics.size(); ++m) {
    const bool in_sweep = std::find(swept.begin(), swept.end(), metrics[m]) != swept.end();
    (p.task == TaskType::kBinary && in_sweep ? fast : slow).push_back(m);
  }
  if (prepared != nullptr && (fast.empty() || !prepared->Matches(p, resamples, seed))) {
    prepared = nullptr;
  }
  std::optional<BinarySweep> sweep;
  if (!fast.empty() && prepared == nullptr) sweep.emplace(p);
  const size_t predicted = prepared != nullptr ? prepared->sweep.PredictedAt(p.threshold) : 0;
  const Resampler resampler(p.rows(), seed);

  // values[m][b]: metric m on resample b, NaN where undefined.
  std::vector<std::vector<double>> values(metrics.size(),
                                          std::vector<double>(static_cast<size_t>(resamples)));
  const auto run = [&](int first, int step) {
    std::vector<size_t> drawn;
    std::vector<uint32_t> counts(p.rows());
    std::map<std::string, double> swept_values;
    Predictions sample;
    for (int b = first; b < resamples; b += step) {
      std::vector<size_t> pending = slow;
      if (prepared != nullptr) {
        if (BinarySweep::Metrics(prepared->At(static_cast<size_t>(b), predicted), &swept_values)) {
          for (size_t m : fast) values[m][static_cast<size_t>(b)] = swept_values.at(metrics[m]);
        } else {
          pending.insert(pending.end(), fast.begin(), fast.end());
        }
      } else if (sweep) {
        // Counts straight from the stream; the indices themselves are drawn again below only
        // when some metric needs the gathered resample.
        std::fill(counts.begin(), counts.end(), 0u);
        resampler.Each(static_cast<uint64_t>(b), [&](size_t i) { ++counts[sweep->position(i)]; });
        if (sweep->Compute(counts, &swept_values)) {
          for (size_t m : fast) values[m][static_cast<size_t>(b)] = swept_values.at(metrics[m]);
        } else {
          pending.insert(pending.end(), fast.begin(), fast.end());
        }
      }
      if (pending.empty()) continue;
      resampler.Draw(static_cast<uint64_t>(b), drawn);
      Gather(p, drawn, sample);
      for (size_t m : pending) {
        Result<double> v = ComputeMetric(metrics[m], sample, params);
        values[m][static_cast<size_t>(b)] = v.ok() ? *v : std::nan("");
      }
    }
  };
  const int workers =
      static_cast<int>(std::clamp<unsigned>(std::thread::hardware_concurrency(), 1u, 8u));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w, workers);
  run(0, workers);
  for (std::thread& t : pool) t.join();

  std::map<std::string, Interval> out;
  for (size_t m = 0; m < metrics.size(); ++m) {
    std::optional<double> value;  // empty: undefined on all rows
    if (values_on_all == nullptr) {
      if (Result<double> computed = ComputeMetric(metrics[m], p, params); computed.ok()) {
        value = *computed;
      }
    } else if (const auto it = values_on_all->find(metrics[m]); it != values_on_all->end()) {
      value = it->second;
    }
    if (!value) continue;
    std::vector<double> defined;
    for (double v : values[m]) {
      if (!std::isnan(v)) defined.push_back(v);
    }
    if (defined.empty()) continue;
    Interval& interval = out[metrics[m]];
    interval.value = *value;
    interval.low = Quantile(defined, (1 - level) / 2);
    interval.high = Quantile(defined, (1 + level) / 2);
    interval.resamples = static_cast<int>(defined.size());
  }
  return out;
}

// The p-value counts the resamples where the candidate is not better, with the +1 correction
// that keeps a finite number of resamples from claiming p = 0. The interval of the difference is
// the central percentile interval at level 1 - alpha.
Result<Comparison> PairedBootstrap(std::string_view metric, const Predictions& candidate,
                                   const Predictions& baseline, const MetricParams& params,
                                   int resamples, double alpha, uint64_t seed) {
  KILN_RETURN_IF_ERROR(CheckResampling(resamples, 1 - alpha, "the paired bootstrap"));
  KILN_RETURN_IF_ERROR(CheckPaired(candidate, baseline));
  Comparison result;
  result.method = "paired_bootstrap";
  KILN_ASSIGN_OR_RETURN(result.candidate, ComputeMetric(metric, candidate, params));
  KILN_ASSIGN_OR_RETURN(result.baseline, ComputeMetric(metric, baseline, params));
  // A lower-is-better metric (log_loss, rmse) improves when it falls: baseline - candidate.
  const double sign = DirectionOf(metric) == MetricDirection::kLowerIsBetter ? -1.0 : 1.0;
  result.difference = sign * (result.candidate - result.baseline);

  Resampler resampler(candidate.rows(), seed);
  Predictions c_sample, b_sample;
  std::vector<double> differences;
  int not_better = 0;
  for (int b = 0; b < resamples; ++b) {
    const std::vector<size_t>& rows = resampler.Draw(static_cast<uint64_t>(b));
    Gather(candidate, rows, c_sample);
    Gather(baseline, rows, b_sample);
    Result<double> c = ComputeMetric(metric, c_sample, params);
    Result<double> base = ComputeMetric(metric, b_sample, params);
    if (!c.ok() || !base.ok()) continue;
    differences.push_back(sign * (*c - *base));
    if (differences.back() <= 0) ++not_better;
  }
  if (differences.empty()) {
    return MakeError(ErrorCode::kData, "{} was undefined on all {} bootstrap resamples of {} rows",
                     metric, resamples, candidate.rows());
  }

  result.low = Quantile(differences, alpha / 2);
  result.high = Quantile(differences, 1 - alpha / 2);
  result.p_value = (not_better + 1.0) / (static_cast<double>(differences.size()) + 1.0);
  result.significant = result.p_value < alpha;
  return result;
}

// Fast DeLong (Sun & Xu 2014): the covariance of the two AUCs from midrank-based structural
// components; z = difference / its standard error, one-sided p = P(Z >= z).
Result<Comparison> DeLongTest(const Predictions& candidate, const Predictions& baseline,
                              double alpha) {
  if (candidate.task != TaskType::kBinary) {
    return MakeError(ErrorCode::kUsage, "DeLong's test compares binary ROC AUCs, got a {} task",
                     TaskTypeName(candidate.task));
  }
  if (!candidate.weights.empty() || !baseline.weights.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "DeLong's test does not take row weights; use the paired bootstrap");
  }
  if (!(alpha > 0 && alpha < 1)) {
    return MakeError(ErrorCode::kUsage, "alpha must be strictly between 0 and 1, got {}", alpha);
  }
  KILN_RETURN_IF_ERROR(CheckPaired(candidate, baseline));
  KILN_RETURN_IF_ERROR(ValidatePredictions(candidate));
  KILN_RETURN_IF_ERROR(ValidatePredictions(baseline));

  std::vector<double> c_pos, c_neg, b_pos, b_neg;
  for (size_t i = 0; i < candidate.rows(); ++i) {
    const bool positive = candidate.truth[i] == 1;
    (positive ? c_pos : c_neg).push_back(candidate.scores[i]);
    (positive ? b_pos : b_neg).push_back(baseline.scores[i]);
  }
  if (c_pos.size() < 2 || c_neg.size() < 2) {
    return MakeError(ErrorCode::kData,
                     "DeLong's test needs at least 2 rows of each class, got {} positive and {} "
                     "negative",
                     c_pos.size(), c_neg.size());
  }

  // The two models' components are independent; the baseline's are worked out beside.
  std::future<Components> baseline_components =
      std::async(std::launch::async, [&] { return DeLongComponents(b_pos, b_neg); });
  const Components c = DeLongComponents(c_pos, c_neg);
  const Components b = baseline_components.get();
  const double variance = VarianceOfDifference(c.v10, b.v10) / static_cast<double>(c_pos.size()) +
                          VarianceOfDifference(c.v01, b.v01) / static_cast<double>(c_neg.size());
  Comparison result;
  result.method = "delong";
  result.candidate = c.auc;
  result.baseline = b.auc;
  result.difference = c.auc - b.auc;
  const double se = std::sqrt(std::max(variance, 0.0));
  // Identical rankings leave no variance: the difference is then exactly what was observed.
  if (se == 0) {
    result.p_value = result.difference > 0 ? 0.0 : 1.0;
  } else {
    result.z = result.difference / se;
    result.p_value = NormalUpperTail(result.z);
  }
  const double half_width = NormalUpperQuantile(alpha / 2) * se;
  result.low = result.difference - half_width;
  result.high = result.difference + half_width;
  result.significant = result.p_value < alpha;
  return result;
}

}  // namespace kiln
