// The cross-validation splits of split.h. Shuffling uses std::mt19937_64 (whose output sequence
// the standard fixes) with Kiln's own bounded draw and Fisher–Yates loop, because std::shuffle
// and std::uniform_int_distribution are left to each standard library and would give different
// folds on different platforms for the same seed.
#include "train/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <utility>

#include "core/log.h"

namespace kiln {
namespace {

// A uniform draw from [0, bound) without modulo bias: values below 2^64 mod bound are rejected,
// which leaves a whole number of copies of [0, bound) to reduce.
uint64_t UniformBelow(std::mt19937_64& rng, uint64_t bound) {
  const uint64_t reject_below = (0 - bound) % bound;
  uint64_t x = rng();
  while (x < reject_below) x = rng();
  return x % bound;
}

void Shuffle(std::vector<size_t>& items, std::mt19937_64& rng) {
  for (size_t i = items.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(UniformBelow(rng, i));
    std::swap(items[i - 1], items[j]);
  }
}

// Folds from each row's fold number: a fold's test part is its rows, its train part the rest.
std::vector<Fold> FoldsFromAssignment(const std::vector<size_t>& fold_of, size_t folds) {
  std::vector<Fold> out(folds);
  for (size_t row = 0; row < fold_of.size(); ++row) {
    for (size_t f = 0; f < folds; ++f)
      (f == fold_of[row] ? out[f].test : out[f].train).push_back(row);
  }
  return out;
}

Status CheckAtLeastTwoFolds(const ValidationSpec& spec) {
  if (spec.folds < 2) {
    return MakeError(ErrorCode::kConfig,
                     "validation.folds is {}: cross-validation needs at least 2 folds; set "
                     "validation.folds to 2 or more (5 is the usual choice)",
                     spec.folds);
  }
  return Status::Ok();
}

Status CheckFoldCount(const ValidationSpec& spec, size_t units, const char* unit) {
  KILN_RETURN_IF_ERROR(CheckAtLeastTwoFolds(spec));
  if (static_cast<size_t>(spec.folds) > units) {
    return MakeError(ErrorCode::kConfig,
                     "validation.folds is {} but there are only {} {} to split with "
                     "validation.split: {}; lower validation.folds to at most {}",
                     spec.folds, units, unit, SplitKindName(spec.split), units);
  }
  return Status::Ok();
}

Status CheckLength(size_t got, size_t rows, const char* what) {
  if (got == rows) return Status::Ok();
  return MakeError(ErrorCode::kUsage,
                   "split inputs: {} has {} entries for {} rows; pass one per row", what, got,
                   rows);
}

Result<std::vector<Fold>> KFold(const ValidationSpec& spec, size_t rows) {
  KILN_RETURN_IF_ERROR(CheckFoldCount(spec, rows, "rows"));
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(spec.seed);
  Shuffle(order, rng);

  // Consecutive runs of the shuffled order; the first rows % folds folds take one extra row.
  const size_t folds = static_cast<size_t>(spec.folds);
  std::vector<size_t> fold_of(rows);
  size_t next = 0;
  for (size_t f = 0; f < folds; ++f) {
    const size_t size = rows / folds + (f < rows % folds ? 1 : 0);
    for (size_t i = 0; i < size; ++i) fold_of[order[next++]] = f;
  }
  return FoldsFromAssignment(fold_of, folds);
}

Result<std::vector<Fold>> StratifiedKFold(const ValidationSpec& spec, const SplitInputs& in) {
  KILN_RETURN_IF_ERROR(CheckLength(in.classes.size(), in.rows, "classes"));
  KILN_RETURN_IF_ERROR(CheckFoldCount(spec, in.rows, "rows"));
  std::vector<std::vector<size_t>> members;
  for (size_t row = 0; row < in.rows; ++row) {
    const double c = in.classes[row];
    if (!(c >= 0) || c != std::floor(c) || c > 1e9) {
      return MakeError(ErrorCode::kUsage,
                       "split inputs: classes[{}] is {}, not a class index; drop rows with a "
                       "missing target before splitting",
                       row, c);
    }
    const size_t index = static_cast<size_t>(c);
    if (index >= members.size()) members.resize(index + 1);
    members[index].push_back(row);
  }

  // Each class's rows are shuffled, the classes laid end to end, and the result dealt to the
  // folds in turn. Dealing keeps every class's count per fold within one of the others and every
  // fold's size within one of the others, whatever the class sizes.
  const size_t folds = static_cast<size_t>(spec.folds);
  std::mt19937_64 rng(spec.seed);
  std::vector<size_t> fold_of(in.rows);
  size_t dealt = 0;
  for (size_t c = 0; c < members.size(); ++c) {
    if (!members[c].empty() && members[c].size() < folds) {
      spdlog::warn("class {} has {} rows, fewer than validation.folds = {}: some folds test none",
                   c, members[c].size(), folds);
    }
    Shuffle(members[c], rng);
    for (size_t row : members[c]) fold_of[row] = dealt++ % folds;
  }
  return FoldsFromAssignment(fold_of, folds);
}

// Largest group first, each to the fold with the fewest rows so far (the lowest-numbered fold on
// a tie), as scikit-learn's GroupKFold does. Groups of equal size go in ascending code order;
// scikit-learn leaves that order to an unstable sort.
Result<std::vector<Fold>> GroupKFold(const ValidationSpec& spec, const SplitInputs& in) {
  KILN_RETURN_IF_ERROR(CheckLength(in.groups.size(), in.rows, "groups"));
  std::vector<int64_t> codes(in.groups.begin(), in.groups.end());
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  KILN_RETURN_IF_ERROR(CheckFoldCount(spec, codes.size(), "distinct groups"));

  std::vector<size_t> group_of(in.rows);
  std::vector<size_t> group_size(codes.size(), 0);
  for (size_t row = 0; row < in.rows; ++row) {
    const auto it = std::lower_bound(codes.begin(), codes.end(), in.groups[row]);
    group_of[row] = static_cast<size_t>(it - codes.begin());
    ++group_size[group_of[row]];
  }
  std::vector<size_t> order(codes.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return group_size[a] > group_size[b]; });

  const size_t folds = static_cast<size_t>(spec.folds);
  std::vector<size_t> fold_size(folds, 0);
  std::vector<size_t> fold_of_group(codes.size());
  for (size_t g : order) {
    const size_t lightest = static_cast<size_t>(
        std::min_element(fold_size.begin(), fold_size.end()) - fold_size.begin());
    fold_of_group[g] = lightest;
    fold_size[lightest] += group_size[g];
  }
  std::vector<size_t> fold_of(in.rows);
  for (size_t row = 0; row < in.rows; ++row) fold_of[row] = fold_of_group[group_of[row]];
  return FoldsFromAssignment(fold_of, folds);
}

// Cuts are positions in time order: the first row on a cut's right. RunStart moves a cut back to
// the start of the run of equal times it falls in, so the run is not divided.
size_t RunStart(std::span<const double> sorted_times, size_t cut) {
  if (sorted_times.empty() || cut >= sorted_times.size()) return cut;
  while (cut > 0 && sorted_times[cut - 1] == sorted_times[cut]) --cut;
  return cut;
}

// A test fold's first cut: back to the start of its run of equal times, or forward past the run
// when going back would reach `floor` (the previous fold's cut) and empty that fold.
size_t SnapTestCut(std::span<const double> sorted_times, size_t cut, size_t floor) {
  const size_t back = RunStart(sorted_times, cut);
  if (back > floor || sorted_times.empty()) return back;
  while (cut < sorted_times.size() && sorted_times[cut] == sorted_times[back]) ++cut;
  return cut;
}

// Row positions in time order (stable, so equal times keep their row order), their times (empty
// when the rows are already in time order) and the number of distinct times.
struct TimeOrder {
  std::vector<size_t> order;
  std::vector<double> sorted_times;
  size_t distinct = 0;
};

Result<TimeOrder> OrderByTime(const SplitInputs& in) {
  TimeOrder t;
  t.order.resize(in.rows);
  std::iota(t.order.begin(), t.order.end(), size_t{0});
  t.distinct = in.rows;
  if (in.times.empty()) return t;
  KILN_RETURN_IF_ERROR(CheckLength(in.times.size(), in.rows, "times"));
  for (size_t row = 0; row < in.rows; ++row) {
    if (std::isnan(in.times[row])) {
      return MakeError(ErrorCode::kUsage,
                       "split inputs: times[{}] is missing; drop rows without a time before a "
                       "time-series split",
                       row);
    }
  }
  std::stable_sort(t.order.begin(), t.order.end(),
                   [&](size_t a, size_t b) { return in.times[a] < in.times[b]; });
  for (size_t row : t.order) t.sorted_times.push_back(in.times[row]);
  t.distinct = in.rows == 0 ? 0 : 1;
  for (size_t i = 1; i < in.rows; ++i) {
    t.distinct += t.sorted_times[i] != t.sorted_times[i - 1] ? 1 : 0;
  }
  return t;
}

Result<std::vector<Fold>> TimeSeriesSplit(const ValidationSpec& spec, const SplitInputs& in) {
  const size_t n = in.rows;
  if (spec.gap < 0) {
    return MakeError(ErrorCode::kConfig,
                     "validation.gap is {}: it counts rows left out between the training window "
                     "and the test fold; set it to 0 or more",
                     spec.gap);
  }
  KILN_ASSIGN_OR_RETURN(const TimeOrder time, OrderByTime(in));
  const size_t distinct = time.distinct;
  const std::vector<double>& sorted_times = time.sorted_times;
  const std::vector<size_t>& order = time.order;

  // folds + 1 blocks of time: the first only ever trains.
  KILN_RETURN_IF_ERROR(CheckAtLeastTwoFolds(spec));
  const size_t folds = static_cast<size_t>(spec.folds);
  if (folds + 1 > distinct) {
    return MakeError(ErrorCode::kConfig,
                     "validation.folds is {} but a time-series split needs folds + 1 blocks of "
                     "time and there are only {} {}; lower validation.folds to at most {}",
                     folds, distinct, in.times.empty() ? "rows" : "distinct times",
                     distinct == 0 ? 0 : distinct - 1);
  }

  // scikit-learn's TimeSeriesSplit: test folds of n / (folds + 1) rows end at the last row.
  const size_t gap = static_cast<size_t>(spec.gap);
  const size_t test_size = n / (folds + 1);
  if (n <= gap + test_size * folds) {
    return MakeError(ErrorCode::kConfig,
                     "validation.folds = {} with validation.gap = {} leaves no training rows in "
                     "the first fold of {} rows; lower validation.folds or validation.gap",
                     folds, gap, n);
  }
  std::vector<size_t> cuts;  // folds + 1 cuts: each test fold is [cuts[f], cuts[f + 1])
  for (size_t f = 0; f < folds; ++f) cuts.push_back(n - (folds - f) * test_size);
  cuts.push_back(n);
  for (size_t f = 0; f < folds; ++f) {
    cuts[f] = SnapTestCut(sorted_times, cuts[f], f == 0 ? 0 : cuts[f - 1]);
  }

  std::vector<Fold> out(folds);
  for (size_t f = 0; f < folds; ++f) {
    const size_t train_end = cuts[f] < gap ? 0 : RunStart(sorted_times, cuts[f] - gap);
    if (cuts[f] >= cuts[f + 1] || train_end == 0) {
      return MakeError(ErrorCode::kConfig,
                       "validation.split: time_series cannot make fold {} of {}: too many rows "
                       "share a time for {} folds with validation.gap = {}; lower "
                       "validation.folds or validation.gap",
                       f + 1, folds, folds, gap);
    }
    for (size_t i = 0; i < train_end; ++i) out[f].train.push_back(order[i]);
    for (size_t i = cuts[f]; i < cuts[f + 1]; ++i) out[f].test.push_back(order[i]);
    std::sort(out[f].train.begin(), out[f].train.end());
    std::sort(out[f].test.begin(), out[f].test.end());
  }
  return out;
}

}  // namespace

Result<std::vector<Fold>> MakeFolds(const ValidationSpec& spec, const SplitInputs& inputs) {
  switch (spec.split) {
    case SplitKind::kKFold:
      return KFold(spec, inputs.rows);
    case SplitKind::kStratifiedKFold:
      return StratifiedKFold(spec, inputs);
    case SplitKind::kGroupKFold:
      return GroupKFold(spec, inputs);
    case SplitKind::kTimeSeries:
      return TimeSeriesSplit(spec, inputs);
  }
  return MakeError(ErrorCode::kInternal, "validation.split holds an unknown split kind");
}

}  // namespace kiln
