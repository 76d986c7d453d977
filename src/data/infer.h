// Type inference and conversion: RawTable -> Frame. Decides each column's type (integer, float,
// boolean, categorical, datetime with its format, free text), honours overrides from kiln.yaml,
// and recognises missing-value tokens.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/frame.h"
#include "data/raw_table.h"

namespace kiln {

struct InferOptions {
  // Unquoted fields equal to one of these are missing. A quoted empty field ("") is missing too.
  std::vector<std::string> missing_tokens = {"", "NA", "N/A", "?", "null", "NULL", "NaN", "nan"};
  // Forced column types by column name (from kiln.yaml `columns:`).
  std::map<std::string, ColumnType> type_overrides;
  // Forced datetime formats (strftime-style) by column name.
  std::map<std::string, std::string> datetime_formats;
  // A string column with at most this many distinct values, or whose distinct values are at most
  // `max_category_ratio` of its rows, is categorical; otherwise it is free text.
  size_t max_categories = 1000;
  double max_category_ratio = 0.5;
  int threads = 1;
};

// Fails with kData naming the column, the row's source line and the value when an override
// cannot be honoured (e.g. "abc" in a column forced to integer).
Result<Frame> InferFrame(const RawTable& raw, const InferOptions& options);

}  // namespace kiln
