#include "governance/consent.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace kiln {

namespace {

constexpr std::array<std::string_view, 6> kGranted = {"true", "yes",     "y",
                                                      "1",    "granted", "accepted"};
constexpr std::array<std::string_view, 6> kRefused = {"false", "no",     "n",
                                                      "0",     "denied", "withdrawn"};
constexpr size_t kListedColumns = 20;

std::string Lower(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 1 granted, 0 refused, nullopt unrecognised.
std::optional<uint8_t> Interpret(std::string_view value) {
  std::string key = Lower(value);
  if (std::find(kGranted.begin(), kGranted.end(), key) != kGranted.end()) return 1;
  if (std::find(kRefused.begin(), kRefused.end(), key) != kRefused.end()) return 0;
  return std::nullopt;
}

Status Unrecognised(const Column& column, size_t row, const std::string& value) {
  return MakeError(
      ErrorCode::kData,
      "consent column '{}' holds '{}' at row index {}, which is neither consent ({}) nor "
      "refusal ({}); fix the value or leave it empty to count as no consent",
      column.name, value, row, fmt::join(kGranted, ", "), fmt::join(kRefused, ", "));
}

Status MissingColumn(const Frame& frame, const std::string& name) {
  std::vector<std::string> names;
  for (size_t i = 0; i < frame.cols() && i < kListedColumns; ++i) {
    names.push_back(frame.column(i).name);
  }
  std::string more = frame.cols() > kListedColumns
                         ? fmt::format(" and {} more", frame.cols() - kListedColumns)
                         : "";
  return MakeError(ErrorCode::kConfig,
                   "consent column '{}' is not in the data set; its columns are: {}{}", name,
                   fmt::join(names, ", "), more);
}

// Categorical values are interpreted once per dictionary entry, then looked up per row.
Result<std::vector<uint8_t>> CategoricalMask(const Column& column) {
  std::vector<std::optional<uint8_t>> by_code(column.dictionary.size());
  for (size_t code = 0; code < column.dictionary.size(); ++code) {
    by_code[code] = Interpret(column.dictionary[code]);
  }
  std::vector<uint8_t> keep(column.size(), 0);
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.is_missing(row)) continue;
    auto code = static_cast<size_t>(column.codes[row]);
    if (!by_code[code]) return Unrecognised(column, row, column.dictionary[code]);
    keep[row] = *by_code[code];
  }
  return keep;
}

Result<std::vector<uint8_t>> NumericMask(const Column& column) {
  std::vector<uint8_t> keep(column.size(), 0);
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.is_missing(row)) continue;
    double value = column.AsDouble(row);
    if (value != 0.0 && value != 1.0) return Unrecognised(column, row, column.Render(row));
    keep[row] = value == 1.0 ? 1 : 0;
  }
  return keep;
}

Result<std::vector<uint8_t>> TextMask(const Column& column) {
  std::vector<uint8_t> keep(column.size(), 0);
  for (size_t row = 0; row < column.size(); ++row) {
    if (column.is_missing(row)) continue;
    std::optional<uint8_t> value = Interpret(column.texts[row]);
    if (!value) return Unrecognised(column, row, column.texts[row]);
    keep[row] = *value;
  }
  return keep;
}

}  // namespace

Result<std::vector<uint8_t>> ConsentMask(const Frame& frame, const std::string& consent_column) {
  std::optional<size_t> index = frame.Find(consent_column);
  if (!index) return MissingColumn(frame, consent_column);
  const Column& column = frame.column(*index);

  switch (column.type) {
    case ColumnType::kBoolean:
    case ColumnType::kInteger:
    case ColumnType::kFloat:
      return NumericMask(column);
    case ColumnType::kCategorical:
      return CategoricalMask(column);
    case ColumnType::kText:
      return TextMask(column);
    case ColumnType::kDatetime:
      break;
  }
  return MakeError(ErrorCode::kConfig,
                   "consent column '{}' is a {} column; consent must be recorded as boolean, "
                   "0/1 or yes/no text",
                   consent_column, ColumnTypeName(column.type));
}

}  // namespace kiln
