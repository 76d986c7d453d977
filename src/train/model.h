// Model families: what every trainable model offers (fit, predict, save, load) and the registry
// that finds a family by the name kiln.yaml's `models:` uses ("baseline", "logistic", "ridge",
// "xgboost", "random_forest"). Adding a family is one new file that defines its ModelFamily and
// one line in model.cc's list of built-in families. (The list is explicit, not self-registering
// static objects: a static library drops object files that nothing refers to.)
//
// Scores follow evaluate/predictions.h: binary P(class 1) per row, multiclass row-major
// probabilities (classes per row, each row summing to 1), regression the predicted value.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "features/pipeline.h"

namespace kiln {

// What a family is trained on. `x` rows line up with `y` (class index 0..classes-1, or the value
// for regression) and `weights` (empty = every row weighs 1). `valid_x`/`valid_y`, when set, are a
// held-out split for early stopping; families without early stopping ignore them.
struct TrainData {
  TaskType task = TaskType::kBinary;
  size_t classes = 2;  // classification only
  const FeatureMatrix* x = nullptr;
  std::span<const double> y;
  std::span<const double> weights;
  const FeatureMatrix* valid_x = nullptr;
  std::span<const double> valid_y;
  uint64_t seed = 42;
  int threads = 0;  // 0 = every core
};

class Model {
 public:
  virtual ~Model() = default;

  // The registry name, e.g. "xgboost".
  virtual std::string family() const = 0;

  // Scores for every row of `x`, which must have the columns the model was trained on (kUsage
  // otherwise). Missing values (NaN) are handled: trees route them, linear models never see
  // them because the feature pipeline imputes for them.
  virtual Result<std::vector<double>> Predict(const FeatureMatrix& x) const = 0;

  // Self-contained bytes that the family's loader turns back into a model that predicts
  // identically. Binary-safe (may hold any byte).
  virtual Result<std::string> Save() const = 0;

  // Facts worth recording with the run: trees actually grown after early stopping, iterations a
  // solver took, the best iteration, as a flat JSON object text ("{}" when none).
  virtual std::string Summary() const { return "{}"; }

  // One non-negative score per feature column (gain for trees, |coefficient| for linear models),
  // for reports and selection; empty when the family has none.
  virtual std::vector<double> Importance() const { return {}; }

  // When the boosting rounds of the fit that made this model began and ended, so that training
  // can report the wall time spent boosting even when folds boost side by side; empty for
  // families that do not boost and for loaded models.
  struct Window {
    std::chrono::steady_clock::time_point begin, end;
  };
  virtual std::optional<Window> BoostWindow() const { return std::nullopt; }
};

// How a family's features should be prepared: trees keep NaN and take native categories, linear
// models need imputed, one-hot, scaled inputs.
struct FamilyTraits {
  bool keep_missing = false;
  bool native_categorical = false;
  bool wants_scaling = false;
  bool supports_weights = true;
};

struct ModelFamily {
  std::string name;
  std::string description;
  FamilyTraits traits;
  std::function<bool(TaskType)> supports;
  std::function<Result<std::unique_ptr<Model>>(const ModelSpec&, const TrainData&)> train;
  std::function<Result<std::unique_ptr<Model>>(std::string_view bytes)> load;
};

// The built-in families, one per file under train/.
ModelFamily BaselineFamily();
ModelFamily LogisticFamily();
ModelFamily RidgeFamily();
ModelFamily XgboostFamily();
ModelFamily RandomForestFamily();

// nullptr for an unknown name.
const ModelFamily* FindModelFamily(std::string_view name);
std::vector<std::string> ModelFamilyNames();

// Trains the family `spec.family` names. kUsage for an unknown family (with the nearest known
// name) or one that does not support the task; kData for unusable training data (no rows, a
// single class, non-finite targets).
Result<std::unique_ptr<Model>> TrainModel(const ModelSpec& spec, const TrainData& data);

// Loads bytes written by Model::Save() of family `family`. kData when the bytes are not a model of
// that family this Kiln can read.
Result<std::unique_ptr<Model>> LoadModel(std::string_view family, std::string_view bytes);

// Checks shapes and values shared by every family: rows, y per row, weights per row and
// non-negative with a positive sum, class indices inside 0..classes-1, finite values.
Status ValidateTrainData(const TrainData& data);

}  // namespace kiln
