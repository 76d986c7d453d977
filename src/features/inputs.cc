// Reading a frame's input columns into the workspace; see inputs.h.
#include "features/inputs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/text_distance.h"

namespace kiln::features {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

const char* RoleName(InputRole role) {
  switch (role) {
    case InputRole::kNumeric:
      return "numeric";
    case InputRole::kBoolean:
      return "boolean";
    case InputRole::kDatetime:
      return "datetime";
    case InputRole::kCategorical:
      return "categorical";
  }
  return "numeric";
}

std::optional<InputRole> ParseRole(std::string_view name) {
  for (InputRole role :
       {InputRole::kNumeric, InputRole::kBoolean, InputRole::kDatetime, InputRole::kCategorical}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

Status AbsentColumnError(const Frame& frame, const std::string& name) {
  std::vector<std::string> names;
  for (const Column& column : frame.columns()) names.push_back(column.name);
  const std::optional<std::string> nearest = NearestName(name, names);
  return MakeError(ErrorCode::kData, "input column '{}' is not in the data{}", name,
                   nearest ? fmt::format(" (did you mean '{}'?)", *nearest) : std::string());
}

void BuildIndex(InputColumn& input) {
  input.index.clear();
  for (size_t i = 0; i < input.categories.size(); ++i) {
    input.index.emplace(input.categories[i], static_cast<int32_t>(i));
  }
}

// Categories seen in the training rows, most frequent first, ties broken by label.
void FitCategories(const Column& column, std::span<const size_t> rows, InputColumn& input) {
  std::vector<size_t> counts(column.dictionary.size(), 0);
  for (size_t row : rows) {
    if (column.is_missing(row)) {
      input.had_missing = true;
      continue;
    }
    const auto code = static_cast<size_t>(column.codes[row]);
    if (code < counts.size()) ++counts[code];
  }
  std::vector<size_t> order;
  for (size_t code = 0; code < counts.size(); ++code) {
    if (counts[code] > 0) order.push_back(code);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (counts[a] != counts[b]) return counts[a] > counts[b];
    return column.dictionary[a] < column.dictionary[b];
  });
  for (size_t code : order) input.categories.push_back(column.dictionary[code]);
  BuildIndex(input);
}

template <typename Get>
void Gather(std::span<const size_t> rows, size_t frame_rows, std::vector<double>& out, Get get) {
  if (rows.empty()) {
    out.resize(frame_rows);
    for (size_t i = 0; i < frame_rows; ++i) out[i] = get(i);
  } else {
    out.resize(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) out[i] = get(rows[i]);
  }
}

}  // namespace

Status InputReader::Fit(const Frame& frame, std::span<const size_t> rows,
                        const std::vector<std::string>& columns) {
  inputs_.clear();
  names_.clear();
  skipped_.clear();
  for (const std::string& name : columns) {
    const std::optional<size_t> index = frame.Find(name);
    if (!index) return AbsentColumnError(frame, name);
    const Column& column = frame.column(*index);
    InputColumn input;
    input.name = name;
    switch (column.type) {
      case ColumnType::kText:
        skipped_.push_back(name);
        continue;
      case ColumnType::kInteger:
      case ColumnType::kFloat:
        input.role = InputRole::kNumeric;
        break;
      case ColumnType::kBoolean:
        input.role = InputRole::kBoolean;
        break;
      case ColumnType::kDatetime:
        input.role = InputRole::kDatetime;
        break;
      case ColumnType::kCategorical:
        input.role = InputRole::kCategorical;
        FitCategories(column, rows, input);
        break;
    }
    names_.push_back(name);
    inputs_.push_back(std::move(input));
  }
  if (inputs_.empty()) {
    return MakeError(ErrorCode::kData,
                     "no usable input columns (given: {}; text columns are skipped); list numeric, "
                     "boolean, datetime or categorical columns as features",
                     fmt::join(columns, ", "));
  }
  return Status::Ok();
}

Status InputReader::ReadColumn(const InputColumn& input, const Column& column,
                               std::span<const size_t> rows, Feature& feature) const {
  const size_t n = column.size();
  const auto type_error = [&] {
    return MakeError(ErrorCode::kData,
                     "column '{}' is {} but the feature pipeline was fitted on a {} column; "
                     "convert it or refit",
                     input.name, ColumnTypeName(column.type), RoleName(input.role));
  };
  feature.name = input.name;
  switch (input.role) {
    case InputRole::kNumeric:
    case InputRole::kBoolean:
      feature.kind =
          input.role == InputRole::kNumeric ? FeatureKind::kNumeric : FeatureKind::kBinary;
      if (column.type == ColumnType::kFloat) {
        Gather(rows, n, feature.values,
               [&](size_t r) { return column.missing[r] ? kNan : column.floats[r]; });
      } else if (column.type == ColumnType::kInteger || column.type == ColumnType::kBoolean) {
        Gather(rows, n, feature.values, [&](size_t r) {
          return column.missing[r] ? kNan : static_cast<double>(column.ints[r]);
        });
      } else {
        return type_error();
      }
      return Status::Ok();
    case InputRole::kDatetime:
      if (column.type != ColumnType::kDatetime) return type_error();
      feature.kind = FeatureKind::kDatetime;
      Gather(rows, n, feature.values, [&](size_t r) {
        return column.missing[r] ? kNan : static_cast<double>(column.ints[r]);
      });
      return Status::Ok();
    case InputRole::kCategorical:
      break;
  }

  feature.kind = FeatureKind::kCategory;
  feature.category_count = static_cast<int32_t>(input.categories.size());
  feature.labels = &input.categories;
  feature.had_missing = input.had_missing;
  if (column.type == ColumnType::kCategorical) {
    // The frame's dictionary is mapped once; rows then only index into the map.
    std::vector<double> by_code(column.dictionary.size());
    for (size_t code = 0; code < by_code.size(); ++code) {
      auto it = input.index.find(column.dictionary[code]);
      by_code[code] = it == input.index.end() ? kUnseenCategory : it->second;
    }
    Gather(rows, n, feature.values, [&](size_t r) {
      const auto code = static_cast<size_t>(column.codes[r]);
      if (column.missing[r]) return kMissingCategory;
      return code < by_code.size() ? by_code[code] : kUnseenCategory;
    });
    return Status::Ok();
  }
  if (column.type == ColumnType::kDatetime) return type_error();
  // A column that arrived as integers, booleans or text (a small prediction batch is inferred
  // differently from the training set) is matched by its rendered value.
  Gather(rows, n, feature.values, [&](size_t r) {
    if (column.missing[r]) return kMissingCategory;
    auto it = input.index.find(column.Render(r));
    return it == input.index.end() ? kUnseenCategory : static_cast<double>(it->second);
  });
  return Status::Ok();
}

Status InputReader::Read(const Frame& frame, std::span<const size_t> rows,
                         Workspace& workspace) const {
  const size_t frame_rows = frame.rows();
  for (size_t row : rows) {
    if (row >= frame_rows) {
      return MakeError(ErrorCode::kData, "row {} is out of range: the frame has {} rows", row,
                       frame_rows);
    }
  }
  workspace.rows = rows.empty() ? frame_rows : rows.size();
  workspace.features.clear();
  workspace.features.resize(inputs_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const std::optional<size_t> index = frame.Find(inputs_[i].name);
    if (!index) return AbsentColumnError(frame, inputs_[i].name);
    KILN_RETURN_IF_ERROR(ReadColumn(inputs_[i], frame.column(*index), rows, workspace.features[i]));
  }
  return Status::Ok();
}

nlohmann::json InputReader::ToJson() const {
  nlohmann::json columns = nlohmann::json::array();
  for (const InputColumn& input : inputs_) {
    nlohmann::json column = {{"name", input.name}, {"role", RoleName(input.role)}};
    if (input.role == InputRole::kCategorical) {
      column["categories"] = input.categories;
      column["had_missing"] = input.had_missing;
    }
    columns.push_back(std::move(column));
  }
  return {{"columns", std::move(columns)}, {"skipped", skipped_}};
}

Status InputReader::FromJson(const nlohmann::json& json) {
  inputs_.clear();
  names_.clear();
  KILN_ASSIGN_OR_RETURN(skipped_, ReadStrings(json, "skipped", "inputs"));
  KILN_ASSIGN_OR_RETURN(const nlohmann::json* columns, ReadArray(json, "columns", "inputs"));
  for (const nlohmann::json& column : *columns) {
    InputColumn input;
    KILN_ASSIGN_OR_RETURN(input.name, ReadString(column, "name", "inputs"));
    KILN_ASSIGN_OR_RETURN(std::string role, ReadString(column, "role", "inputs"));
    const std::optional<InputRole> parsed = ParseRole(role);
    if (!parsed) {
      return MakeError(ErrorCode::kData, "feature pipeline input '{}' has unknown role '{}'",
                       input.name, role);
    }
    input.role = *parsed;
    if (input.role == InputRole::kCategorical) {
      KILN_ASSIGN_OR_RETURN(input.categories, ReadStrings(column, "categories", "inputs"));
      KILN_ASSIGN_OR_RETURN(input.had_missing, ReadBool(column, "had_missing", "inputs"));
      if (input.categories.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
        return MakeError(ErrorCode::kData, "feature pipeline input '{}' has too many categories",
                         input.name);
      }
      BuildIndex(input);
      if (input.index.size() != input.categories.size()) {
        return MakeError(ErrorCode::kData, "feature pipeline input '{}' lists a category twice",
                         input.name);
      }
    }
    names_.push_back(input.name);
    inputs_.push_back(std::move(input));
  }
  if (inputs_.empty()) return MakeError(ErrorCode::kData, "feature pipeline has no inputs");
  return Status::Ok();
}

}  // namespace kiln::features
