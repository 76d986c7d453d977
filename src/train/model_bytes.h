// The byte format the small model families (baseline, logistic, ridge) save into: a header naming
// the family and a format version, then named, typed fields, then an XXH64 checksum of everything
// before it. Every field carries its name, type and element count, so a reader can say exactly
// which field of which family is wrong, and a flipped or missing byte anywhere is caught by the
// checksum before any field is trusted. Doubles are stored as their IEEE-754 bits (little
// endian), so a loaded model predicts bit-identically to the saved one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace kiln::train {

class ModelWriter {
 public:
  ModelWriter(std::string_view family, uint32_t version);

  void Int(std::string_view name, int64_t value);
  void Text(std::string_view name, std::string_view value);
  void Doubles(std::string_view name, const std::vector<double>& values);

  // The finished bytes, checksum appended. The writer is spent afterwards.
  std::string Finish();

 private:
  void Header(std::string_view name, char type, uint64_t count);
  void Raw(const void* data, size_t size);

  std::string bytes_;
};

// Reads fields in the order they were written. Every call checks the field's name and type and
// returns kData naming the family and the field when they do not match or the bytes run out.
class ModelReader {
 public:
  // kData when `bytes` are not a checksummed model of `family`, or were written by a newer
  // format version than `max_version`.
  static Result<ModelReader> Open(std::string_view bytes, std::string_view family,
                                  uint32_t max_version);

  uint32_t version() const { return version_; }

  Result<int64_t> Int(std::string_view name);
  Result<std::string> Text(std::string_view name);
  // `max_count` bounds the allocation; every value must be finite.
  Result<std::vector<double>> Doubles(std::string_view name, uint64_t max_count);

  // kData when bytes are left over after the last field.
  Status Done() const;

  // A kData status naming the family and field, for value checks made by the caller.
  Status Invalid(std::string_view field, std::string_view what) const;

 private:
  ModelReader(std::string_view body, std::string family, uint32_t version)
      : body_(body), family_(std::move(family)), version_(version) {}

  Result<uint64_t> Header(std::string_view name, char type);
  bool Raw(void* data, size_t size);

  std::string_view body_;  // the fields not read yet; checksum excluded
  std::string family_;
  uint32_t version_ = 0;
};

}  // namespace kiln::train
