#include "data/source.h"

#include <string_view>

namespace kiln {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

Result<std::unique_ptr<DataSource>> OpenSource(const std::string& spec, const SourceOptions& opts) {
  if (StartsWith(spec, "sqlite:")) return MakeSqliteSource(spec, opts);
  if (StartsWith(spec, "postgresql:") || StartsWith(spec, "postgres:")) {
    return MakePostgresSource(spec, opts);
  }
  return MakeCsvSource(spec, opts);
}

}  // namespace kiln
