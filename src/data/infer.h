// Type inference and conversion: RawTable -> Frame. Decides each column's type (integer, float,
// boolean, categorical, datetime with its format, free text), honours overrides from kiln.yaml,
// and recognises missing-value tokens.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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

// A block of rows whose fields are all unquoted and untrimmed, given by where they end rather
// than as views: field i (row i / columns, column i % columns) is the text from ends[i - 1] + 1
// up to ends[i], with ends[-1] == UINT32_MAX so that the first field starts at 0. The CSV
// reader's fast path gives its rows this way: the ends are the offsets of the delimiters and line
// breaks it found, and no view per cell is ever built.
struct PlainRows {
  const char* text;
  const uint32_t* ends;
  size_t rows;
};

// Inference over a table that arrives in chunks of rows, so a large file is converted while its
// text is still in cache and no table of every cell is ever built. It gives exactly the frame
// InferFrame would give, or gives up (Consume returns false, Finish returns nullopt) when a
// column cannot be decided chunk by chunk: free text, booleans, datetimes, a numeric column that
// turns out to hold text after the first chunk, or any conversion error. The caller then runs
// InferFrame on the whole table, which also produces the precise error message.
class StreamingInference {
 public:
  // nullptr when streaming cannot work from the start (forced text, boolean or datetime columns,
  // or an override the whole-table path must report). `expected_rows` sizes the columns.
  static std::unique_ptr<StreamingInference> Start(const std::vector<std::string>& names,
                                                   const InferOptions& options,
                                                   size_t expected_rows);
  ~StreamingInference();

  // Converts the rows of `chunk`, which has the names given to Start. The chunk may be reused
  // for the next rows afterwards, but the bytes its views point into must outlive Finish.
  bool Consume(const RawTable& chunk);
  // Converts the next rows from a plain block, whose text must outlive Finish. Chunks and
  // blocks may alternate.
  bool ConsumePlain(const PlainRows& block);
  // ConsumePlain for consecutive blocks, converting the columns side by side on up to `threads`
  // threads, each column over all the blocks by one thread. The same frame as one block at a
  // time.
  bool ConsumePlainWindow(const std::vector<PlainRows>& blocks, int threads);
  std::optional<Frame> Finish();

 private:
  StreamingInference();
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace kiln
