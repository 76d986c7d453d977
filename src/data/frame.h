// The in-memory form of a dataset: a set of typed, named columns of equal length with explicit
// missing values. Every stage after ingestion works on frames; nothing re-parses source files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

enum class ColumnType {
  kInteger,      // int64 in `ints`
  kFloat,        // double in `floats`
  kBoolean,      // 0 or 1 in `ints`
  kCategorical,  // int32 codes in `codes` into `dictionary`
  kDatetime,     // seconds since 1970-01-01 UTC in `ints`; `datetime_format` is the source format
  kText,         // free text in `texts`
};

const char* ColumnTypeName(ColumnType type);
std::optional<ColumnType> ParseColumnType(std::string_view name);

// One column. Exactly one storage vector is populated, as named above, and it has `size()`
// entries; `missing` always has `size()` entries (1 = missing). The value stored at a missing
// position is 0, NaN, code -1 or "" and carries no meaning.
struct Column {
  std::string name;
  ColumnType type = ColumnType::kText;
  std::vector<int64_t> ints;
  std::vector<double> floats;
  std::vector<int32_t> codes;
  std::vector<std::string> dictionary;
  std::vector<std::string> texts;
  std::vector<uint8_t> missing;
  std::string datetime_format;  // strftime-style, e.g. "%d-%m-%Y"; empty unless kDatetime

  size_t size() const { return missing.size(); }
  bool is_missing(size_t row) const { return missing[row] != 0; }
  size_t missing_count() const;
  bool is_numeric() const {
    return type == ColumnType::kInteger || type == ColumnType::kFloat ||
           type == ColumnType::kBoolean;
  }
  // The value as a double for numeric, boolean and datetime columns; NaN when missing.
  double AsDouble(size_t row) const;
  // The value rendered as text the way `kiln data show` prints it; "" when missing.
  std::string Render(size_t row) const;
};

class Frame {
 public:
  Frame() = default;

  size_t rows() const { return columns_.empty() ? 0 : columns_.front().size(); }
  size_t cols() const { return columns_.size(); }

  const std::vector<Column>& columns() const { return columns_; }
  std::vector<Column>& columns() { return columns_; }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& column(size_t i) { return columns_[i]; }

  // Index of the column named `name`, or nullopt.
  std::optional<size_t> Find(std::string_view name) const;
  void Add(Column column) { columns_.push_back(std::move(column)); }

  // A new frame holding only the rows where keep[row] != 0, in order.
  Frame FilterRows(const std::vector<uint8_t>& keep) const;

 private:
  std::vector<Column> columns_;
};

}  // namespace kiln
