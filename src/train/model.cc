// The registry of model families and the checks every family's training data must pass.
#include "train/model.h"

#include <cmath>

#include <fmt/ranges.h>

#include "core/text_distance.h"

namespace kiln {
namespace {

std::vector<ModelFamily> BuiltinFamilies() {
  std::vector<ModelFamily> families;
  // One line per family file under train/.
  families.push_back(BaselineFamily());
  families.push_back(LogisticFamily());
  families.push_back(RidgeFamily());
  families.push_back(XgboostFamily());
  families.push_back(RandomForestFamily());
  return families;
}

const std::vector<ModelFamily>& Families() {
  static const std::vector<ModelFamily> families = BuiltinFamilies();
  return families;
}

}  // namespace

const ModelFamily* FindModelFamily(std::string_view name) {
  for (const ModelFamily& family : Families()) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

std::vector<std::string> ModelFamilyNames() {
  std::vector<std::string> names;
  for (const ModelFamily& family : Families()) names.push_back(family.name);
  return names;
}

Status ValidateTrainData(const TrainData& data) {
  if (data.x == nullptr || data.x->rows == 0) {
    return MakeError(ErrorCode::kData, "no training rows; check the dataset and its filters");
  }
  const size_t n = data.x->rows;
  if (data.x->values.size() != n * data.x->cols) {
    return MakeError(ErrorCode::kInternal, "feature matrix holds {} values for {} x {}",
                     data.x->values.size(), n, data.x->cols);
  }
  if (data.y.size() != n) {
    return MakeError(ErrorCode::kUsage, "{} targets for {} training rows", data.y.size(), n);
  }
  if (!data.weights.empty() && data.weights.size() != n) {
    return MakeError(ErrorCode::kUsage, "{} weights for {} training rows", data.weights.size(), n);
  }
  double weight_sum = data.weights.empty() ? static_cast<double>(n) : 0.0;
  for (double w : data.weights) {
    if (!std::isfinite(w) || w < 0) {
      return MakeError(ErrorCode::kData, "row weight {} is negative or not finite", w);
    }
    weight_sum += w;
  }
  if (weight_sum <= 0) return MakeError(ErrorCode::kData, "row weights sum to zero");

  const bool classification = data.task != TaskType::kRegression;
  std::vector<char> seen(classification ? data.classes : 0, 0);
  for (size_t i = 0; i < n; ++i) {
    const double v = data.y[i];
    if (!std::isfinite(v)) {
      return MakeError(ErrorCode::kData, "training target of row {} is missing or not finite", i);
    }
    if (classification) {
      if (v < 0 || v >= static_cast<double>(data.classes) || v != std::floor(v)) {
        return MakeError(ErrorCode::kData, "training target {} of row {} is not a class index", v,
                         i);
      }
      seen[static_cast<size_t>(v)] = 1;
    }
  }
  if (classification) {
    size_t present = 0;
    for (char s : seen) present += s;
    if (present < 2) {
      return MakeError(ErrorCode::kData,
                       "the training rows hold a single class; a classifier needs at least two "
                       "(check the target column and the split)");
    }
  }
  if (data.valid_x != nullptr) {
    if (data.valid_x->cols != data.x->cols || data.valid_y.size() != data.valid_x->rows) {
      return MakeError(ErrorCode::kUsage,
                       "validation split has {} columns and {} targets for {} "
                       "rows; training has {} columns",
                       data.valid_x->cols, data.valid_y.size(), data.valid_x->rows, data.x->cols);
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<Model>> TrainModel(const ModelSpec& spec, const TrainData& data) {
  const ModelFamily* family = FindModelFamily(spec.family);
  if (family == nullptr) {
    const std::vector<std::string> names = ModelFamilyNames();
    const auto nearest = NearestName(spec.family, names);
    return MakeError(ErrorCode::kUsage, "unknown model family '{}'{}; known: {}", spec.family,
                     nearest ? fmt::format(" (did you mean '{}'?)", *nearest) : "",
                     fmt::join(names, ", "));
  }
  if (!family->supports(data.task)) {
    return MakeError(ErrorCode::kUsage, "model family '{}' does not support {} tasks", spec.family,
                     TaskTypeName(data.task));
  }
  KILN_RETURN_IF_ERROR(ValidateTrainData(data));
  return family->train(spec, data);
}

Result<std::unique_ptr<Model>> LoadModel(std::string_view family_name, std::string_view bytes) {
  const ModelFamily* family = FindModelFamily(family_name);
  if (family == nullptr) {
    return MakeError(ErrorCode::kData,
                     "the bundle holds a model of family '{}', which this Kiln "
                     "does not know; use the Kiln version that trained it",
                     family_name);
  }
  return family->load(bytes);
}

}  // namespace kiln
