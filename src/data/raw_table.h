// Text cells read from a source, column by column, before type inference. CSV and SQL sources
// both produce a RawTable; data/infer.h turns it into a typed Frame, so every source shares one
// set of inference and missing-value rules.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln {

struct RawTable {
  std::vector<std::string> names;
  // cells[column][row]. A view with data() == nullptr is a NULL (SQL NULL); an empty view with a
  // non-null data() is an empty field. Views point into `backing` or `arena`.
  std::vector<std::vector<std::string_view>> cells;
  // cell_quoted[column][row] != 0 when the field was quoted in the source (CSV only; may be empty).
  std::vector<std::vector<uint8_t>> cell_quoted;
  // 1-based source line where each row starts, for error messages (may be empty for SQL).
  std::vector<int64_t> row_lines;
  // Owns the bytes the views point into: a mapped file, a buffer, unescaped field copies.
  std::shared_ptr<const void> backing;
  std::deque<std::string> arena;
  std::string source;  // the file name or source URI, for error messages

  size_t rows() const { return cells.empty() ? 0 : cells.front().size(); }
  size_t cols() const { return names.size(); }
};

}  // namespace kiln
