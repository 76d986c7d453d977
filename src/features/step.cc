// The step registry, exact JSON for fitted numbers, and statistics shared by the steps.
#include "features/step.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kiln::features {

namespace {

// Pipeline order: datetime parts are numeric and get imputed; encoders see raw categories;
// scaling and PCA see imputed numbers; selection sees the final features.
constexpr StepKind kSteps[] = {
    {"datetime", &CreateDatetimeStep}, {"impute", &CreateImputeStep},
    {"native", &CreateNativeStep},     {"one_hot", &CreateOneHotStep},
    {"ordinal", &CreateOrdinalStep},   {"target", &CreateTargetStep},
    {"scale", &CreateScaleStep},       {"pca", &CreatePcaStep},
    {"select", &CreateSelectStep},
};

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

Status FieldError(std::string_view context, std::string_view field, std::string_view expected) {
  return MakeError(ErrorCode::kData, "feature pipeline {}: field '{}' is missing or not {}",
                   context, field, expected);
}

const nlohmann::json* Member(const nlohmann::json& object, std::string_view field) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(field);
  return it == object.end() ? nullptr : &*it;
}

Result<double> ToDouble(const nlohmann::json& value, std::string_view field,
                        std::string_view context) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (text == "nan") return kNan;
    if (text == "inf") return std::numeric_limits<double>::infinity();
    if (text == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return FieldError(context, field, "a number");
}

}  // namespace

std::span<const StepKind> StepRegistry() {
  return kSteps;
}

const StepKind* FindStepKind(std::string_view name) {
  for (const StepKind& kind : kSteps) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

Status MismatchError(std::string_view step, std::string_view what) {
  return MakeError(ErrorCode::kData,
                   "feature pipeline step '{}' does not match its inputs: {}; the pipeline is "
                   "corrupt or from another Kiln version, refit it",
                   step, what);
}

nlohmann::json DoubleJson(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

nlohmann::json DoublesJson(std::span<const double> values) {
  nlohmann::json array = nlohmann::json::array();
  for (double v : values) array.push_back(DoubleJson(v));
  return array;
}

Result<double> ReadDouble(const nlohmann::json& object, std::string_view field,
                          std::string_view context) {
  const nlohmann::json* value = Member(object, field);
  if (value == nullptr) return FieldError(context, field, "a number");
  return ToDouble(*value, field, context);
}

Result<std::vector<double>> ReadDoubles(const nlohmann::json& object, std::string_view field,
                                        std::string_view context) {
  KILN_ASSIGN_OR_RETURN(const nlohmann::json* array, ReadArray(object, field, context));
  std::vector<double> out;
  out.reserve(array->size());
  for (const nlohmann::json& v : *array) {
    KILN_ASSIGN_OR_RETURN(double d, ToDouble(v, field, context));
    out.push_back(d);
  }
  return out;
}

Result<int64_t> ReadInt(const nlohmann::json& object, std::string_view field,
                        std::string_view context, int64_t lowest, int64_t highest) {
  const nlohmann::json* value = Member(object, field);
  if (value == nullptr || !value->is_number_integer()) {
    return FieldError(context, field, "an integer");
  }
  // Unsigned values above INT64_MAX are out of range whatever the bounds.
  if (value->is_number_unsigned() &&
      value->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return FieldError(context, field, fmt::format("an integer in [{}, {}]", lowest, highest));
  }
  const int64_t v = value->get<int64_t>();
  if (v < lowest || v > highest) {
    return FieldError(context, field, fmt::format("an integer in [{}, {}]", lowest, highest));
  }
  return v;
}

Result<std::vector<int64_t>> ReadInts(const nlohmann::json& object, std::string_view field,
                                      std::string_view context, int64_t lowest, int64_t highest) {
  KILN_ASSIGN_OR_RETURN(const nlohmann::json* array, ReadArray(object, field, context));
  std::vector<int64_t> out;
  out.reserve(array->size());
  const std::string expected = fmt::format("an array of integers in [{}, {}]", lowest, highest);
  for (const nlohmann::json& v : *array) {
    if (!v.is_number_integer()) return FieldError(context, field, expected);
    if (v.is_number_unsigned() &&
        v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError(context, field, expected);
    }
    const int64_t i = v.get<int64_t>();
    if (i < lowest || i > highest) return FieldError(context, field, expected);
    out.push_back(i);
  }
  return out;
}

Result<bool> ReadBool(const nlohmann::json& object, std::string_view field,
                      std::string_view context) {
  const nlohmann::json* value = Member(object, field);
  if (value == nullptr || !value->is_boolean()) return FieldError(context, field, "a boolean");
  return value->get<bool>();
}

Result<std::string> ReadString(const nlohmann::json& object, std::string_view field,
                               std::string_view context) {
  const nlohmann::json* value = Member(object, field);
  if (value == nullptr || !value->is_string()) return FieldError(context, field, "a string");
  return value->get<std::string>();
}

Result<std::vector<std::string>> ReadStrings(const nlohmann::json& object, std::string_view field,
                                             std::string_view context) {
  KILN_ASSIGN_OR_RETURN(const nlohmann::json* array, ReadArray(object, field, context));
  std::vector<std::string> out;
  out.reserve(array->size());
  for (const nlohmann::json& v : *array) {
    if (!v.is_string()) return FieldError(context, field, "an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<const nlohmann::json*> ReadArray(const nlohmann::json& object, std::string_view field,
                                        std::string_view context) {
  const nlohmann::json* value = Member(object, field);
  if (value == nullptr || !value->is_array()) return FieldError(context, field, "an array");
  return value;
}

double MeanIgnoringNan(std::span<const double> values) {
  double sum = 0;
  size_t count = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++count;
  }
  return count == 0 ? kNan : sum / static_cast<double>(count);
}

double QuantileIgnoringNan(std::span<const double> values, double q) {
  std::vector<double> present;
  present.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) present.push_back(v);
  }
  if (present.empty()) return kNan;
  std::sort(present.begin(), present.end());
  const double position = q * static_cast<double>(present.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, present.size() - 1);
  const double fraction = position - static_cast<double>(below);
  // numpy's form of the interpolation, so robust scaling matches scikit-learn to the last bit
  // more often than not.
  const double diff = present[above] - present[below];
  return fraction >= 0.5 ? present[above] - diff * (1 - fraction)
                         : present[below] + diff * fraction;
}

}  // namespace kiln::features
