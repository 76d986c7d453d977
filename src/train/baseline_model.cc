// The "baseline" family: a model that ignores the features and predicts one constant row, the
// yardstick every candidate must beat. Its strategies follow scikit-learn's DummyClassifier and
// DummyRegressor exactly, weights included:
//   classification "prior" (default): the weighted class frequencies as probabilities;
//   classification "most_frequent": probability 1 for the class of largest weight (the lowest
//     index on a tie), 0 for the others, so log loss is infinite wherever another class occurs;
//   regression "mean" (default): the weighted mean;
//   regression "median": without weights the middle value (the mean of the two middle ones for an
//     even count, as numpy's median); with weights the lower weighted median, the first value in
//     sorted order at which the cumulative weight reaches half the total.
#include <algorithm>
#include <array>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "core/text_distance.h"
#include "train/model.h"
#include "train/model_bytes.h"

namespace kiln {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr int64_t kMaxColumns = int64_t{1} << 31;
constexpr int64_t kMaxClasses = int64_t{1} << 16;
constexpr std::array<std::string_view, 2> kClassifierStrategies = {"prior", "most_frequent"};
constexpr std::array<std::string_view, 2> kRegressorStrategies = {"mean", "median"};

double Weight(const TrainData& data, size_t row) {
  return data.weights.empty() ? 1.0 : data.weights[row];
}

class BaselineModel final : public Model {
 public:
  BaselineModel(TaskType task, size_t cols, std::string strategy, std::vector<double> row)
      : task_(task), cols_(cols), strategy_(std::move(strategy)), row_(std::move(row)) {}

  std::string family() const override { return "baseline"; }

  Result<std::vector<double>> Predict(const FeatureMatrix& x) const override {
    if (x.cols != cols_) {
      return MakeError(ErrorCode::kUsage,
                       "the baseline was trained on {} feature columns; the "
                       "matrix to predict has {}: transform the rows with the model's own "
                       "feature pipeline",
                       cols_, x.cols);
    }
    std::vector<double> out;
    out.reserve(x.rows * row_.size());
    for (size_t r = 0; r < x.rows; ++r) out.insert(out.end(), row_.begin(), row_.end());
    return out;
  }

  Result<std::string> Save() const override {
    train::ModelWriter writer("baseline", kFormatVersion);
    writer.Int("task", static_cast<int64_t>(task_));
    writer.Int("cols", static_cast<int64_t>(cols_));
    writer.Text("strategy", strategy_);
    writer.Doubles("row", row_);
    return writer.Finish();
  }

  std::string Summary() const override { return fmt::format(R"({{"strategy": "{}"}})", strategy_); }

 private:
  TaskType task_;
  size_t cols_;
  std::string strategy_;
  std::vector<double> row_;  // the scores of every row, per evaluate/predictions.h
};

std::vector<double> ClassRow(const TrainData& data, std::string_view strategy) {
  std::vector<double> mass(data.classes, 0.0);
  for (size_t i = 0; i < data.y.size(); ++i) {
    mass[static_cast<size_t>(data.y[i])] += Weight(data, i);
  }
  const double total = std::accumulate(mass.begin(), mass.end(), 0.0);
  std::vector<double> p(data.classes, 0.0);
  if (strategy == "most_frequent") {
    p[static_cast<size_t>(std::max_element(mass.begin(), mass.end()) - mass.begin())] = 1;
  } else {
    for (size_t c = 0; c < p.size(); ++c) p[c] = mass[c] / total;
  }
  if (data.task == TaskType::kBinary) return {p[1]};
  return p;
}

double Median(const TrainData& data) {
  std::vector<size_t> order(data.y.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return data.y[a] < data.y[b]; });
  const size_t n = order.size();
  if (data.weights.empty()) {
    const double upper = data.y[order[n / 2]];
    return n % 2 == 1 ? upper : (data.y[order[n / 2 - 1]] + upper) / 2;
  }
  // The cumulative sum runs in sorted order, as scikit-learn's does, so that the comparison with
  // half the total rounds the same way.
  std::vector<double> cumulative(n);
  double sum = 0;
  for (size_t i = 0; i < n; ++i) cumulative[i] = sum += data.weights[order[i]];
  const double half = 0.5 * sum;
  const size_t at = static_cast<size_t>(
      std::lower_bound(cumulative.begin(), cumulative.end(), half) - cumulative.begin());
  return data.y[order[std::min(at, n - 1)]];
}

double Mean(const TrainData& data) {
  double sum = 0, weight = 0;
  for (size_t i = 0; i < data.y.size(); ++i) {
    sum += Weight(data, i) * data.y[i];
    weight += Weight(data, i);
  }
  return sum / weight;
}

Result<std::string> ChooseStrategy(const ModelSpec& spec, TaskType task) {
  const bool regression = task == TaskType::kRegression;
  const std::span<const std::string_view> known =
      regression ? std::span<const std::string_view>(kRegressorStrategies)
                 : std::span<const std::string_view>(kClassifierStrategies);
  if (spec.strategy.empty()) return std::string(known[0]);
  if (std::find(known.begin(), known.end(), spec.strategy) != known.end()) return spec.strategy;
  const auto nearest = NearestName(spec.strategy, known);
  return MakeError(ErrorCode::kConfig,
                   "models: baseline strategy '{}' is not one for {} tasks{}; "
                   "use {} or {}",
                   spec.strategy, TaskTypeName(task),
                   nearest ? fmt::format(" (did you mean '{}'?)", *nearest) : "", known[0],
                   known[1]);
}

Result<std::unique_ptr<Model>> TrainBaseline(const ModelSpec& spec, const TrainData& data) {
  KILN_ASSIGN_OR_RETURN(std::string strategy, ChooseStrategy(spec, data.task));
  KILN_RETURN_IF_ERROR(ValidateTrainData(data));
  std::vector<double> row;
  if (data.task == TaskType::kRegression) {
    row = {strategy == "median" ? Median(data) : Mean(data)};
  } else {
    row = ClassRow(data, strategy);
  }
  std::unique_ptr<Model> model =
      std::make_unique<BaselineModel>(data.task, data.x->cols, std::move(strategy), std::move(row));
  return model;
}

Result<std::unique_ptr<Model>> LoadBaseline(std::string_view bytes) {
  KILN_ASSIGN_OR_RETURN(train::ModelReader reader,
                        train::ModelReader::Open(bytes, "baseline", kFormatVersion));
  KILN_ASSIGN_OR_RETURN(const int64_t task_code, reader.Int("task"));
  if (task_code < 0 || task_code > static_cast<int64_t>(TaskType::kRegression)) {
    return reader.Invalid("task", fmt::format("holds {}, which is no task", task_code));
  }
  const auto task = static_cast<TaskType>(task_code);
  KILN_ASSIGN_OR_RETURN(const int64_t cols, reader.Int("cols"));
  if (cols < 0 || cols > kMaxColumns) return reader.Invalid("cols", fmt::format("holds {}", cols));
  KILN_ASSIGN_OR_RETURN(std::string strategy, reader.Text("strategy"));
  const auto& known = task == TaskType::kRegression ? kRegressorStrategies : kClassifierStrategies;
  if (std::find(known.begin(), known.end(), strategy) == known.end()) {
    return reader.Invalid(
        "strategy", fmt::format("holds '{}', unknown for {} tasks", strategy, TaskTypeName(task)));
  }
  KILN_ASSIGN_OR_RETURN(std::vector<double> row,
                        reader.Doubles("row", static_cast<uint64_t>(kMaxClasses)));
  const bool width_ok = task == TaskType::kMulticlass ? row.size() >= 2 : row.size() == 1;
  const bool probabilities =
      task == TaskType::kRegression ||
      std::all_of(row.begin(), row.end(), [](double p) { return p >= 0 && p <= 1; });
  if (!width_ok || !probabilities) {
    return reader.Invalid("row", fmt::format("holds {} values that are not scores for a {} task",
                                             row.size(), TaskTypeName(task)));
  }
  KILN_RETURN_IF_ERROR(reader.Done());
  std::unique_ptr<Model> model = std::make_unique<BaselineModel>(
      task, static_cast<size_t>(cols), std::move(strategy), std::move(row));
  return model;
}

}  // namespace

ModelFamily BaselineFamily() {
  ModelFamily family;
  family.name = "baseline";
  family.description = "a constant prediction (class frequencies, mean or median) to beat";
  // The features are never read, so they may come in whatever form is cheapest to make.
  family.traits.keep_missing = true;
  family.traits.native_categorical = true;
  family.traits.wants_scaling = false;
  family.traits.supports_weights = true;
  family.supports = [](TaskType) { return true; };
  family.train = TrainBaseline;
  family.load = LoadBaseline;
  return family;
}

}  // namespace kiln
