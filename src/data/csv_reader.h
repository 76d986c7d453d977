// CSV reading: bytes -> RawTable, the first half of `kiln data add path.csv` (data/infer.h does
// the second). The reader follows RFC 4180 and what real files do besides:
//   - the delimiter is sniffed among , ; tab | from the first records, respecting quotes, unless
//     CsvOptions::delimiter is set; the header row is sniffed unless CsvOptions::header is set;
//   - quoted fields may hold delimiters, doubled quotes ("") and line breaks;
//   - lines end in LF, CRLF or a lone CR; a UTF-8 byte-order mark is skipped;
//   - with trim_spaces, spaces around unquoted fields and around the quotes of quoted fields are
//     dropped (only ' ', never tabs);
//   - blank lines (empty or only spaces) are skipped wherever they are, trailing ones included;
//   - header names are unquoted and trimmed; an empty name becomes `col_<n>` (n = 1-based field
//     number) and a repeated name gets the first free suffix `_2`, `_3`, ... so names are unique.
// Every malformed input is a kData error naming the file, the 1-based line and a column (a byte
// column within the line, or a field number; the message says which) and what to do: ragged rows,
// an unterminated quote (with the line where it opened), text after a closing quote, invalid
// UTF-8, NUL bytes ("looks binary"), an empty file, a header without rows, a field over
// CsvOptions::max_field_bytes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "data/frame.h"
#include "data/infer.h"
#include "data/raw_table.h"
#include "data/source.h"

namespace kiln {

// Tokenizes `bytes` into a RawTable whose views point into `bytes` (or into the table's arena for
// fields holding doubled quotes): the caller keeps `bytes` alive as long as the table, or stores
// its owner in RawTable::backing. `source_name` is used in error messages and copied into
// RawTable::source. `progress`, when set, is called every few MB with (bytes done, total bytes).
Result<RawTable> ReadCsv(std::string_view bytes, const CsvOptions& options,
                         const std::string& source_name, const ProgressFn& progress);

// Maps the file at `path` read-only and reads it with ReadCsv; the mapping is kept alive by
// RawTable::backing. kNotFound when the file does not exist, kIo when it cannot be read.
Result<RawTable> ReadCsvFile(const std::string& path, const CsvOptions& options,
                             const ProgressFn& progress);

// ReadCsv followed by InferFrame, giving the same frame, but in one streamed pass that converts
// each chunk of rows while its text is in cache and never builds the whole table of cells: about
// twice as fast on large numeric files. With infer.threads > 1, columns convert side by side.
// Files the stream cannot decide chunk by chunk (free text, booleans, datetimes, errors) take
// the two-step path.
Result<Frame> ReadCsvFrame(std::string_view bytes, const CsvOptions& options,
                           const InferOptions& infer, const std::string& source_name,
                           const ProgressFn& progress);
Result<Frame> ReadCsvFileFrame(const std::string& path, const CsvOptions& options,
                               const InferOptions& infer, const ProgressFn& progress);

namespace csv_internal {
// The streamed pass of ReadCsvFrame alone, for tests: nullopt wherever ReadCsvFrame falls back to
// the two-step path (a malformed file, a column that needs every cell at once).
std::optional<Frame> StreamCsvFrame(std::string_view bytes, const CsvOptions& options,
                                    const InferOptions& infer, const std::string& source_name,
                                    const ProgressFn& progress);
}  // namespace csv_internal

// The delimiter ReadCsv would choose for `bytes`: the candidate (, ; tab |) that splits the first
// records into the most equal, largest number of fields; ',' when none splits them.
char SniffDelimiter(std::string_view bytes);

}  // namespace kiln
