// ExtractTarget: the frame's target column as class indices or values. Class labels are compared
// after trimming surrounding whitespace and then one trailing '.', because some data sets spell
// the same label differently in their train and test files (Adult's test file writes ">50K.").
// Multiclass labels are ordered numerically when every label is a number ("2" before "10"),
// lexicographically otherwise.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/text_distance.h"
#include "features/pipeline.h"

namespace kiln {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string_view Trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string NormalizeLabel(std::string_view label) {
  std::string_view trimmed = Trim(label);
  if (!trimmed.empty() && trimmed.back() == '.')
    trimmed = Trim(trimmed.substr(0, trimmed.size() - 1));
  return std::string(trimmed);
}

Status MissingColumnError(const Frame& frame, const std::string& name) {
  std::vector<std::pair<size_t, std::string>> ranked;
  for (const Column& column : frame.columns()) {
    ranked.emplace_back(EditDistance(name, column.name), column.name);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> nearest;
  for (size_t i = 0; i < ranked.size() && i < 3; ++i) nearest.push_back(ranked[i].second);
  return MakeError(ErrorCode::kData,
                   "target column '{}' is not in the data; nearest columns: {}; set task.target "
                   "in kiln.yaml to one of the data's columns",
                   name, fmt::join(nearest, ", "));
}

// The normalised label of every row ("" where missing), computed once per distinct value.
std::vector<std::string> RowLabels(const Column& column) {
  std::vector<std::string> labels(column.size());
  if (column.type == ColumnType::kCategorical) {
    std::vector<std::string> by_code;
    by_code.reserve(column.dictionary.size());
    for (const std::string& entry : column.dictionary) by_code.push_back(NormalizeLabel(entry));
    for (size_t row = 0; row < column.size(); ++row) {
      if (!column.is_missing(row)) labels[row] = by_code[static_cast<size_t>(column.codes[row])];
    }
    return labels;
  }
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) labels[row] = NormalizeLabel(column.Render(row));
  }
  return labels;
}

std::optional<double> AsNumber(const std::string& label) {
  double value = 0;
  const char* end = label.data() + label.size();
  auto [ptr, ec] = std::from_chars(label.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

void SortLabels(std::vector<std::string>& labels) {
  const bool numeric = std::all_of(labels.begin(), labels.end(),
                                   [](const std::string& l) { return AsNumber(l).has_value(); });
  if (numeric) {
    std::sort(labels.begin(), labels.end(), [](const std::string& a, const std::string& b) {
      return *AsNumber(a) < *AsNumber(b);
    });
  } else {
    std::sort(labels.begin(), labels.end());
  }
}

// The positive label when kiln.yaml names none: the conventional spelling of "yes", if present.
std::optional<std::string> DefaultPositive(const std::vector<std::string>& labels) {
  for (const char* candidate : {"1", "true", "yes", "Yes", "YES", "True", "TRUE"}) {
    if (std::find(labels.begin(), labels.end(), candidate) != labels.end()) return candidate;
  }
  return std::nullopt;
}

Result<Target> ClassificationTarget(const Column& column, const TaskSpec& task) {
  const std::vector<std::string> row_labels = RowLabels(column);
  std::vector<std::string> labels;
  {
    std::map<std::string, size_t> seen;
    for (size_t row = 0; row < column.size(); ++row) {
      if (!column.is_missing(row)) seen.emplace(row_labels[row], 0);
    }
    for (const auto& entry : seen) labels.push_back(entry.first);
  }
  SortLabels(labels);
  if (labels.size() < 2) {
    return MakeError(ErrorCode::kData,
                     "target column '{}' is constant (every row is '{}'); a classifier needs at "
                     "least two classes: check the data or the task",
                     column.name, labels.front());
  }

  Target target;
  target.task = task.type;
  if (task.type == TaskType::kBinary) {
    if (labels.size() > 2) {
      return MakeError(ErrorCode::kData,
                       "target column '{}' has {} labels ({}) but the task is binary; use task "
                       "type multiclass or map the labels to two",
                       column.name, labels.size(), fmt::join(labels, ", "));
    }
    std::string positive = NormalizeLabel(task.positive_class);
    if (positive.empty()) {
      std::optional<std::string> guess = DefaultPositive(labels);
      if (!guess) {
        return MakeError(ErrorCode::kData,
                         "target column '{}' has labels {}; set task.positive_class in kiln.yaml "
                         "to the one that counts as positive",
                         column.name, fmt::join(labels, ", "));
      }
      positive = *guess;
    }
    if (positive != labels[0] && positive != labels[1]) {
      return MakeError(ErrorCode::kData,
                       "task.positive_class '{}' is not a label of target column '{}' (labels: "
                       "{}); set it to one of them",
                       task.positive_class, column.name, fmt::join(labels, ", "));
    }
    const std::string& negative = positive == labels[0] ? labels[1] : labels[0];
    target.classes = {negative, positive};
  } else {
    target.classes = labels;
  }

  std::map<std::string, double, std::less<>> index;
  for (size_t c = 0; c < target.classes.size(); ++c)
    index[target.classes[c]] = static_cast<double>(c);
  target.values.resize(column.size(), kNan);
  for (size_t row = 0; row < column.size(); ++row) {
    if (!column.is_missing(row)) target.values[row] = index.at(row_labels[row]);
  }
  return target;
}

Result<Target> RegressionTarget(const Column& column) {
  if (column.type != ColumnType::kInteger && column.type != ColumnType::kFloat) {
    return MakeError(ErrorCode::kData,
                     "target column '{}' is {}, but regression needs a numeric target; pick a "
                     "numeric column or use a classification task",
                     column.name, ColumnTypeName(column.type));
  }
  Target target;
  target.task = TaskType::kRegression;
  target.values.resize(column.size());
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -lowest;
  for (size_t row = 0; row < column.size(); ++row) {
    const double v = column.AsDouble(row);
    target.values[row] = v;
    if (std::isnan(v)) continue;
    lowest = std::min(lowest, v);
    highest = std::max(highest, v);
  }
  if (!(lowest < highest)) {
    return MakeError(ErrorCode::kData,
                     "target column '{}' is constant ({}); a regression target needs variance",
                     column.name, lowest);
  }
  return target;
}

}  // namespace

Result<Target> ExtractTarget(const Frame& frame, const TaskSpec& task) {
  const std::optional<size_t> index = frame.Find(task.target);
  if (!index) return MissingColumnError(frame, task.target);
  const Column& column = frame.column(*index);
  if (column.missing_count() == column.size()) {
    return MakeError(ErrorCode::kData,
                     "target column '{}' has no values ({} rows, all missing); check the data "
                     "source and the missing-value tokens",
                     column.name, column.size());
  }
  if (task.type == TaskType::kRegression) return RegressionTarget(column);
  if (column.type == ColumnType::kDatetime) {
    return MakeError(ErrorCode::kData,
                     "target column '{}' is a datetime; a classification target must hold labels",
                     column.name);
  }
  return ClassificationTarget(column, task);
}

Result<Target> ExtractTargetFor(const Frame& frame, const TaskSpec& task,
                                const std::vector<std::string>& classes) {
  const std::optional<size_t> index = frame.Find(task.target);
  if (!index) return MissingColumnError(frame, task.target);
  const Column& column = frame.column(*index);
  if (task.type == TaskType::kRegression) return RegressionTarget(column);

  std::map<std::string, double, std::less<>> class_index;
  for (size_t c = 0; c < classes.size(); ++c) class_index[classes[c]] = static_cast<double>(c);
  const std::vector<std::string> row_labels = RowLabels(column);
  Target target;
  target.task = task.type;
  target.classes = classes;
  target.values.resize(column.size(), kNan);
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.is_missing(row)) continue;
    const auto found = class_index.find(row_labels[row]);
    if (found == class_index.end()) {
      return MakeError(ErrorCode::kData,
                       "target column '{}' holds label '{}' in row {}, which the model never saw "
                       "in training (its classes: {}); score data with the training labels",
                       column.name, row_labels[row], row + 1, fmt::join(classes, ", "));
    }
    target.values[row] = found->second;
  }
  return target;
}

}  // namespace kiln
