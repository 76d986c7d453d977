// Data sources: where `kiln data add` reads from. A source spec is a CSV path or a URI
//   path/to/file.csv                    CSV (delimiter and header sniffed)
//   sqlite:path/to/db.sqlite            with SourceOptions::query
//   postgresql://user@host:port/db      with SourceOptions::query
// New kinds plug in by adding a factory to the table in source.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "data/frame.h"
#include "data/infer.h"
#include "data/raw_table.h"

namespace kiln {

// Called with (bytes or rows done, total) during long reads; total may be 0 when unknown.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct CsvOptions {
  char delimiter = 0;       // 0 = sniff among , ; tab |
  int header = -1;          // -1 = sniff, 0 = no header (names col_1..), 1 = first row is header
  bool trim_spaces = true;  // strip spaces after delimiters (and before, outside quotes)
  size_t max_field_bytes = 1u << 20;
};

struct SourceOptions {
  CsvOptions csv;
  std::string query;  // SQL sources: the SELECT to run
};

class DataSource {
 public:
  virtual ~DataSource() = default;
  virtual Result<RawTable> Read(const ProgressFn& progress) = 0;
  // Read followed by InferFrame; sources that can do both in one pass override it.
  virtual Result<Frame> ReadFrame(const InferOptions& infer, const ProgressFn& progress) {
    KILN_ASSIGN_OR_RETURN(RawTable raw, Read(progress));
    return InferFrame(raw, infer);
  }
  // Human-readable description recorded in lineage (path or URI without password, and query).
  virtual std::string Describe() const = 0;
};

Result<std::unique_ptr<DataSource>> OpenSource(const std::string& spec, const SourceOptions& opts);

// Factories for the built-in kinds (implemented next to each reader).
Result<std::unique_ptr<DataSource>> MakeCsvSource(const std::string& path, const SourceOptions& o);
Result<std::unique_ptr<DataSource>> MakeSqliteSource(const std::string& uri,
                                                     const SourceOptions& o);
Result<std::unique_ptr<DataSource>> MakePostgresSource(const std::string& uri,
                                                       const SourceOptions& o);

}  // namespace kiln
