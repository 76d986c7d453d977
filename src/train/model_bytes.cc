// The checksummed field format of model_bytes.h.
#include "train/model_bytes.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <utility>

#include <xxhash.h>

namespace kiln::train {
namespace {

// The format stores integers and doubles in host order; every platform Kiln builds for is little
// endian, and this keeps a big-endian build from writing bytes no other machine can read.
static_assert(std::endian::native == std::endian::little, "model bytes assume little endian");

constexpr std::string_view kMagic = "KILN";
constexpr size_t kChecksumBytes = sizeof(uint64_t);

uint64_t Checksum(std::string_view bytes) {
  return XXH64(bytes.data(), bytes.size(), 0);
}

}  // namespace

ModelWriter::ModelWriter(std::string_view family, uint32_t version) {
  bytes_.append(kMagic);
  const auto length = static_cast<uint8_t>(family.size());
  Raw(&length, 1);
  bytes_.append(family.substr(0, length));
  Raw(&version, sizeof version);
}

void ModelWriter::Raw(const void* data, size_t size) {
  bytes_.append(static_cast<const char*>(data), size);
}

void ModelWriter::Header(std::string_view name, char type, uint64_t count) {
  const auto length = static_cast<uint8_t>(name.size());
  Raw(&length, 1);
  bytes_.append(name.substr(0, length));
  Raw(&type, 1);
  Raw(&count, sizeof count);
}

void ModelWriter::Int(std::string_view name, int64_t value) {
  Header(name, 'i', 1);
  Raw(&value, sizeof value);
}

void ModelWriter::Text(std::string_view name, std::string_view value) {
  Header(name, 's', value.size());
  bytes_.append(value);
}

void ModelWriter::Doubles(std::string_view name, const std::vector<double>& values) {
  Header(name, 'd', values.size());
  if (!values.empty()) Raw(values.data(), values.size() * sizeof(double));
}

std::string ModelWriter::Finish() {
  const uint64_t checksum = Checksum(bytes_);
  Raw(&checksum, sizeof checksum);
  return std::move(bytes_);
}

Result<ModelReader> ModelReader::Open(std::string_view bytes, std::string_view family,
                                      uint32_t max_version) {
  const size_t header = kMagic.size() + 1 + family.size() + sizeof(uint32_t);
  if (bytes.size() < header + kChecksumBytes || bytes.substr(0, kMagic.size()) != kMagic) {
    return MakeError(ErrorCode::kData,
                     "the saved {} model is truncated or not a Kiln model "
                     "({} bytes); retrain it or restore the bundle",
                     family, bytes.size());
  }
  const auto stored_length = static_cast<uint8_t>(bytes[kMagic.size()]);
  const std::string_view stored_family = bytes.substr(kMagic.size() + 1, stored_length);
  if (stored_family != family) {
    return MakeError(ErrorCode::kData, "the saved model is of family '{}', not '{}'", stored_family,
                     family);
  }

  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  uint64_t stored_checksum = 0;
  std::memcpy(&stored_checksum, bytes.data() + body.size(), kChecksumBytes);
  if (Checksum(body) != stored_checksum) {
    return MakeError(ErrorCode::kData,
                     "the saved {} model fails its checksum: the bytes were "
                     "damaged; retrain it or restore the bundle",
                     family);
  }

  uint32_t version = 0;
  std::memcpy(&version, body.data() + header - sizeof version, sizeof version);
  if (version == 0 || version > max_version) {
    return MakeError(ErrorCode::kData,
                     "the saved {} model has format version {}; this Kiln "
                     "reads up to {}: use the Kiln version that trained it",
                     family, version, max_version);
  }
  return ModelReader(body.substr(header), std::string(family), version);
}

bool ModelReader::Raw(void* data, size_t size) {
  if (body_.size() < size) return false;
  std::memcpy(data, body_.data(), size);
  body_.remove_prefix(size);
  return true;
}

Status ModelReader::Invalid(std::string_view field, std::string_view what) const {
  return MakeError(ErrorCode::kData, "the saved {} model is invalid: field '{}' {}", family_, field,
                   what);
}

Result<uint64_t> ModelReader::Header(std::string_view name, char type) {
  uint8_t length = 0;
  if (!Raw(&length, 1) || body_.size() < length) return Invalid(name, "is missing");
  const std::string_view stored = body_.substr(0, length);
  body_.remove_prefix(length);
  char stored_type = 0;
  uint64_t count = 0;
  if (stored != name || !Raw(&stored_type, 1) || stored_type != type ||
      !Raw(&count, sizeof count)) {
    return Invalid(name, fmt::format("is missing (found '{}' in its place)", stored));
  }
  return count;
}

Result<int64_t> ModelReader::Int(std::string_view name) {
  KILN_ASSIGN_OR_RETURN(const uint64_t count, Header(name, 'i'));
  int64_t value = 0;
  if (count != 1 || !Raw(&value, sizeof value)) return Invalid(name, "is truncated");
  return value;
}

Result<std::string> ModelReader::Text(std::string_view name) {
  KILN_ASSIGN_OR_RETURN(const uint64_t count, Header(name, 's'));
  if (count > body_.size()) return Invalid(name, "is truncated");
  std::string value(body_.substr(0, count));
  body_.remove_prefix(count);
  return value;
}

Result<std::vector<double>> ModelReader::Doubles(std::string_view name, uint64_t max_count) {
  KILN_ASSIGN_OR_RETURN(const uint64_t count, Header(name, 'd'));
  if (count > max_count || count > body_.size() / sizeof(double)) {
    return Invalid(name, fmt::format("claims {} values, more than the model can hold", count));
  }
  std::vector<double> values(count);
  if (count > 0) Raw(values.data(), count * sizeof(double));
  for (double v : values) {
    if (!std::isfinite(v)) return Invalid(name, "holds a value that is not finite");
  }
  return values;
}

Status ModelReader::Done() const {
  if (!body_.empty()) {
    return MakeError(ErrorCode::kData,
                     "the saved {} model has {} unexpected bytes after its "
                     "last field",
                     family_, body_.size());
  }
  return Status::Ok();
}

}  // namespace kiln::train
