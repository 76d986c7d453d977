#include "data/columnar.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include <xxhash.h>
#include <zstd.h>

namespace kiln {

namespace {

constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'C', 'O', 'L', '\x1a'};
constexpr size_t kPreambleBytes = sizeof(kMagic) + 4 + 4;  // magic, version, header size
constexpr size_t kTrailerBytes = 8;                        // XXH3-64 of everything before it
// A zstd block holds at most 128 KiB and the smallest (RLE) block takes 4 bytes, so no valid
// zstd stream expands by more than this; a larger claimed size is damage, not data.
constexpr uint64_t kMaxZstdRatio = 32768;
constexpr uint64_t kMaxRows = uint64_t{1} << 40;
constexpr uint8_t kCodecRaw = 0;
constexpr uint8_t kCodecZstd = 1;
// Reversible transforms applied to fixed-width blocks before compression, chosen per block by
// trying each that applies on a sample:
//  - byte shuffle stores byte 0 of every value, then byte 1, and so on, which turns the zero
//    high bytes of small numbers into long runs; zstd then compresses better and much faster;
//  - delta replaces each int64 by its difference from the previous one (wrapping), for sorted
//    ids and timestamps;
//  - decimal stores a float column whose values all have at most k decimals (as read from text)
//    as the int64s v * 10^k, exactly recoverable as i / 10^k, and then shuffles those.
constexpr uint8_t kFilterNone = 0;
constexpr uint8_t kFilterShuffle = 1;
constexpr uint8_t kFilterDeltaShuffle = 2;
constexpr uint8_t kFilterDecimalBase = 16;  // + k, for k in [0, kMaxDecimals]
constexpr int kMaxDecimals = 15;
constexpr size_t kFilterSampleRows = 16384;
constexpr uint64_t kCanonicalNanBits = 0x7ff8000000000000ULL;
constexpr uint32_t kMissingRank = 0xffffffffu;
// Rows are canonicalised and hashed this many at a time, so hashing runs over whole buffers.
constexpr size_t kChunkRows = 8192;

// ---- Stable numbering of column types, shared by the hash and the file format. ----

uint8_t TypeCode(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return 0;
    case ColumnType::kFloat:
      return 1;
    case ColumnType::kBoolean:
      return 2;
    case ColumnType::kCategorical:
      return 3;
    case ColumnType::kDatetime:
      return 4;
    case ColumnType::kText:
      return 5;
  }
  return 255;
}

std::optional<ColumnType> TypeFromCode(uint8_t code) {
  static constexpr ColumnType kTypes[] = {ColumnType::kInteger,  ColumnType::kFloat,
                                          ColumnType::kBoolean,  ColumnType::kCategorical,
                                          ColumnType::kDatetime, ColumnType::kText};
  if (code >= std::size(kTypes)) return std::nullopt;
  return kTypes[code];
}

// ---- Little-endian encoding of scalars and arrays. ----

template <typename T>
T ByteSwap(T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  std::reverse(bytes, bytes + sizeof(T));
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

template <typename T>
void AppendLE(std::string& out, const T* values, size_t n) {
  size_t at = out.size();
  out.resize(at + n * sizeof(T));
  if constexpr (std::endian::native == std::endian::little) {
    if (n > 0) std::memcpy(out.data() + at, values, n * sizeof(T));
  } else {
    for (size_t i = 0; i < n; ++i) {
      T v = ByteSwap(values[i]);
      std::memcpy(out.data() + at + i * sizeof(T), &v, sizeof(T));
    }
  }
}

template <typename T>
void AppendLE(std::string& out, T value) {
  AppendLE(out, &value, 1);
}

template <typename T>
void ReadLE(const char* bytes, T* values, size_t n) {
  if (n > 0) std::memcpy(values, bytes, n * sizeof(T));
  if constexpr (std::endian::native != std::endian::little) {
    for (size_t i = 0; i < n; ++i) values[i] = ByteSwap(values[i]);
  }
}

void AppendString(std::string& out, std::string_view s) {
  AppendLE(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads fixed-width fields and length-prefixed strings from untrusted bytes; the first read past
// the end makes ok() false and every later read return zeros.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  T Read() {
    T value{};
    if (!Need(sizeof(T))) return value;
    ReadLE(bytes_.data() + pos_, &value, 1);
    pos_ += sizeof(T);
    return value;
  }

  std::string_view ReadBytes(size_t n) {
    if (!Need(n)) return {};
    std::string_view s = bytes_.substr(pos_, n);
    pos_ += n;
    return s;
  }

  std::string_view ReadString() { return ReadBytes(Read<uint32_t>()); }

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  bool Need(size_t n) {
    if (!ok_ || n > bytes_.size() - pos_) ok_ = false;
    return ok_;
  }

  std::string_view bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::string Hex64(uint64_t v) {
  return fmt::format("{:016x}", v);
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// ---- Content hash. ----

// Streams a canonical encoding into XXH3-128 through a large buffer, so that many small fields
// cost a memcpy each rather than a call into the hash.
class CanonicalHasher {
 public:
  CanonicalHasher() : state_(XXH3_createState(), &XXH3_freeState) {
    XXH3_128bits_reset(state_.get());
    buffer_.reserve(kBufferBytes);
  }

  void Bytes(const void* data, size_t n) {
    if (buffer_.size() + n > kBufferBytes) Flush();
    if (n >= kBufferBytes) {
      XXH3_128bits_update(state_.get(), data, n);
    } else {
      buffer_.append(static_cast<const char*>(data), n);
    }
  }
  template <typename T>
  void Array(const T* values, size_t n) {
    if constexpr (std::endian::native == std::endian::little) {
      Bytes(values, n * sizeof(T));
    } else {
      scratch_.clear();
      AppendLE(scratch_, values, n);
      Bytes(scratch_.data(), scratch_.size());
    }
  }
  template <typename T>
  void Scalar(T value) {
    Array(&value, 1);
  }
  void String(std::string_view s) {
    Scalar<uint64_t>(s.size());
    Bytes(s.data(), s.size());
  }

  std::string Hex() {
    Flush();
    XXH128_hash_t h = XXH3_128bits_digest(state_.get());
    return fmt::format("{:016x}{:016x}", h.high64, h.low64);
  }

 private:
  static constexpr size_t kBufferBytes = 64 * 1024;

  void Flush() {
    if (!buffer_.empty()) XXH3_128bits_update(state_.get(), buffer_.data(), buffer_.size());
    buffer_.clear();
  }

  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state_;
  std::string buffer_;
  std::string scratch_;
};

// A categorical column's identity is the sequence of its category strings. Codes are remapped
// to ranks in the sorted set of categories actually used, which keeps the hash independent of the
// dictionary's order, of unused entries and of duplicated entries.
struct CanonicalCategories {
  std::vector<std::string_view> dictionary;  // distinct used categories, sorted
  std::vector<uint32_t> rank_of_code;        // code -> index in `dictionary`
};

CanonicalCategories Canonicalize(const Column& c) {
  size_t n = c.size();
  std::vector<uint8_t> used(c.dictionary.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    int32_t code = c.codes[i];
    if (!c.missing[i] && code >= 0 && static_cast<size_t>(code) < used.size()) used[code] = 1;
  }

  std::vector<uint32_t> order;
  for (size_t k = 0; k < used.size(); ++k) {
    if (used[k]) order.push_back(static_cast<uint32_t>(k));
  }
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return c.dictionary[a] < c.dictionary[b]; });

  CanonicalCategories out;
  out.rank_of_code.assign(c.dictionary.size(), kMissingRank);
  for (uint32_t k : order) {
    if (out.dictionary.empty() || out.dictionary.back() != c.dictionary[k]) {
      out.dictionary.push_back(c.dictionary[k]);
    }
    out.rank_of_code[k] = static_cast<uint32_t>(out.dictionary.size() - 1);
  }
  return out;
}

// Hashes `fill(i)` for the rows i in [0, n), a chunk of rows at a time.
template <typename T, typename Fill>
void HashChunked(CanonicalHasher& h, size_t n, Fill fill) {
  std::vector<T> buffer(std::min(n, kChunkRows));
  for (size_t begin = 0; begin < n; begin += kChunkRows) {
    size_t end = std::min(n, begin + kChunkRows);
    for (size_t i = begin; i < end; ++i) buffer[i - begin] = fill(i);
    h.Array(buffer.data(), end - begin);
  }
}

void HashValues(CanonicalHasher& h, const Column& c, const CanonicalCategories* categories) {
  size_t n = c.size();
  HashChunked<uint8_t>(h, n, [&](size_t i) -> uint8_t { return c.missing[i] ? 1 : 0; });
  switch (c.type) {
    case ColumnType::kInteger:
    case ColumnType::kDatetime:
      HashChunked<int64_t>(h, n, [&](size_t i) { return c.missing[i] ? 0 : c.ints[i]; });
      break;
    case ColumnType::kBoolean:
      HashChunked<uint8_t>(
          h, n, [&](size_t i) -> uint8_t { return (c.missing[i] || c.ints[i] == 0) ? 0 : 1; });
      break;
    case ColumnType::kFloat:
      HashChunked<uint64_t>(h, n, [&](size_t i) -> uint64_t {
        if (c.missing[i]) return 0;
        double v = c.floats[i];
        return std::isnan(v) ? kCanonicalNanBits : std::bit_cast<uint64_t>(v);
      });
      break;
    case ColumnType::kCategorical:
      HashChunked<uint32_t>(h, n, [&](size_t i) -> uint32_t {
        int32_t code = c.codes[i];
        if (c.missing[i] || code < 0 || static_cast<size_t>(code) >= c.dictionary.size()) {
          return kMissingRank;
        }
        return categories->rank_of_code[code];
      });
      break;
    case ColumnType::kText:
      for (size_t i = 0; i < n; ++i) h.String(c.missing[i] ? std::string_view() : c.texts[i]);
      break;
  }
}

// ---- Encoding. ----

struct BlockMeta {
  uint64_t offset = 0;
  uint64_t stored_size = 0;
  uint64_t raw_size = 0;
  uint8_t codec = kCodecRaw;
  uint8_t filter = kFilterNone;
  uint64_t checksum = 0;
};

// Which blocks each column type stores, in file order.
enum class BlockKind { kMissing, kInt64, kFloat64, kBool8, kDictionary, kCodes, kLengths, kChars };

std::vector<BlockKind> BlocksFor(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
    case ColumnType::kDatetime:
      return {BlockKind::kMissing, BlockKind::kInt64};
    case ColumnType::kFloat:
      return {BlockKind::kMissing, BlockKind::kFloat64};
    case ColumnType::kBoolean:
      return {BlockKind::kMissing, BlockKind::kBool8};
    case ColumnType::kCategorical:
      return {BlockKind::kMissing, BlockKind::kDictionary, BlockKind::kCodes};
    case ColumnType::kText:
      return {BlockKind::kMissing, BlockKind::kLengths, BlockKind::kChars};
  }
  return {};
}

// Bytes per row of a fixed-width block; 0 for blocks whose size depends on their content.
uint64_t RowWidth(BlockKind kind) {
  switch (kind) {
    case BlockKind::kInt64:
    case BlockKind::kFloat64:
      return 8;
    case BlockKind::kCodes:
    case BlockKind::kLengths:
      return 4;
    case BlockKind::kBool8:
      return 1;
    case BlockKind::kMissing:
    case BlockKind::kDictionary:
    case BlockKind::kChars:
      return 0;
  }
  return 0;
}

uint64_t BitmapBytes(uint64_t rows) {
  return (rows + 7) / 8;
}

void EncodeMissing(const Column& c, std::string& out) {
  out.assign(BitmapBytes(c.size()), '\0');
  for (size_t i = 0; i < c.size(); ++i) {
    if (c.missing[i]) out[i / 8] = static_cast<char>(out[i / 8] | (1 << (i % 8)));
  }
}

template <typename T, typename Fill>
void EncodeFixed(size_t n, Fill fill, std::string& out) {
  out.clear();
  out.reserve(n * sizeof(T));
  std::vector<T> buffer(std::min(n, kChunkRows));
  for (size_t begin = 0; begin < n; begin += kChunkRows) {
    size_t end = std::min(n, begin + kChunkRows);
    for (size_t i = begin; i < end; ++i) buffer[i - begin] = fill(i);
    AppendLE(out, buffer.data(), end - begin);
  }
}

// The uncompressed bytes of one block, into `out` (reused across blocks so large ones do not
// fault in fresh pages each time). Values at missing positions are written as 0 (-1 for category
// codes, "" for texts) so the file carries nothing the hash ignores.
Status RawBlock(const Column& c, BlockKind kind, std::string& out) {
  size_t n = c.size();
  switch (kind) {
    case BlockKind::kMissing:
      EncodeMissing(c, out);
      break;
    case BlockKind::kInt64:
      EncodeFixed<int64_t>(
          n, [&](size_t i) { return c.missing[i] ? 0 : c.ints[i]; }, out);
      break;
    case BlockKind::kBool8:
      EncodeFixed<uint8_t>(
          n, [&](size_t i) -> uint8_t { return (c.missing[i] || c.ints[i] == 0) ? 0 : 1; }, out);
      break;
    case BlockKind::kFloat64:
      EncodeFixed<double>(
          n, [&](size_t i) { return c.missing[i] ? 0.0 : c.floats[i]; }, out);
      break;
    case BlockKind::kCodes:
      EncodeFixed<int32_t>(
          n, [&](size_t i) { return c.missing[i] ? -1 : c.codes[i]; }, out);
      break;
    case BlockKind::kDictionary:
      out.clear();
      for (const std::string& s : c.dictionary) {
        if (s.size() > std::numeric_limits<uint32_t>::max()) {
          return MakeError(ErrorCode::kData, "column '{}': a category is longer than 4 GiB",
                           c.name);
        }
        AppendString(out, s);
      }
      break;
    case BlockKind::kLengths:
      for (size_t i = 0; i < n; ++i) {
        if (c.texts[i].size() > std::numeric_limits<uint32_t>::max()) {
          return MakeError(ErrorCode::kData, "column '{}', row {}: a text is longer than 4 GiB",
                           c.name, i + 1);
        }
      }
      EncodeFixed<uint32_t>(
          n, [&](size_t i) { return c.missing[i] ? 0u : static_cast<uint32_t>(c.texts[i].size()); },
          out);
      break;
    case BlockKind::kChars: {
      size_t total = 0;
      for (size_t i = 0; i < n; ++i) total += c.missing[i] ? 0 : c.texts[i].size();
      out.clear();
      out.reserve(total);
      for (size_t i = 0; i < n; ++i) {
        if (!c.missing[i]) out.append(c.texts[i]);
      }
      break;
    }
  }
  return Status::Ok();
}

// Transposes `rows` x `width` bytes at `src` (row-major, rows apart by `src_stride`) into
// `width` x `rows` at `dst` (rows apart by `dst_stride`). One byte at a time; the fast paths
// below handle whole 8 x 8 and 4 x 4 tiles.
void TransposeBytes(const char* src, size_t src_stride, char* dst, size_t dst_stride, size_t rows,
                    size_t width) {
  for (size_t i = 0; i < rows; ++i) {
    for (size_t b = 0; b < width; ++b) dst[b * dst_stride + i] = src[i * src_stride + b];
  }
}

// Swaps the bytes of `a` selected by `mask` << `shift` with those of `b` selected by `mask`.
template <typename T>
inline void SwapBlocks(T& a, T& b, int shift, T mask) {
  T t = ((a >> shift) ^ b) & mask;
  a ^= t << shift;
  b ^= t;
}

// A W x W byte matrix held as W little-endian words, one row each, transposed in place by
// swapping ever smaller off-diagonal blocks (4 x 4, then 2 x 2, then single bytes).
inline void Transpose(uint64_t (&x)[8]) {
  constexpr uint64_t k4 = 0x00000000ffffffffULL, k2 = 0x0000ffff0000ffffULL,
                     k1 = 0x00ff00ff00ff00ffULL;
  SwapBlocks(x[0], x[4], 32, k4), SwapBlocks(x[1], x[5], 32, k4);
  SwapBlocks(x[2], x[6], 32, k4), SwapBlocks(x[3], x[7], 32, k4);
  SwapBlocks(x[0], x[2], 16, k2), SwapBlocks(x[1], x[3], 16, k2);
  SwapBlocks(x[4], x[6], 16, k2), SwapBlocks(x[5], x[7], 16, k2);
  SwapBlocks(x[0], x[1], 8, k1), SwapBlocks(x[2], x[3], 8, k1);
  SwapBlocks(x[4], x[5], 8, k1), SwapBlocks(x[6], x[7], 8, k1);
}

inline void Transpose(uint32_t (&x)[4]) {
  SwapBlocks(x[0], x[2], 16, 0x0000ffffu), SwapBlocks(x[1], x[3], 16, 0x0000ffffu);
  SwapBlocks(x[0], x[1], 8, 0x00ff00ffu), SwapBlocks(x[2], x[3], 8, 0x00ff00ffu);
}

// Byte shuffle of n values of sizeof(Word) bytes: out[b * n + i] = in[i * W + b], or the reverse
// with kInverse. Tiles of W values are transposed in registers; the ragged end goes bytewise.
template <typename Word, bool kInverse>
void ShuffleWords(const char* in, char* out, size_t n) {
  constexpr size_t W = sizeof(Word);
  size_t tiled = std::endian::native == std::endian::little ? n - n % W : 0;
  for (size_t i = 0; i < tiled; i += W) {
    Word x[W];
    for (size_t r = 0; r < W; ++r)
      std::memcpy(&x[r], kInverse ? in + r * n + i : in + (i + r) * W, W);
    Transpose(x);
    for (size_t b = 0; b < W; ++b)
      std::memcpy(kInverse ? out + (i + b) * W : out + b * n + i, &x[b], W);
  }
  if constexpr (kInverse) {
    TransposeBytes(in + tiled, n, out + tiled * W, W, W, n - tiled);
  } else {
    TransposeBytes(in + tiled * W, W, out + tiled, n, n - tiled, W);
  }
}

void ShuffleInto(const char* in, char* out, size_t n, size_t width, bool inverse) {
  if (width == 8) {
    inverse ? ShuffleWords<uint64_t, true>(in, out, n) : ShuffleWords<uint64_t, false>(in, out, n);
  } else {
    inverse ? ShuffleWords<uint32_t, true>(in, out, n) : ShuffleWords<uint32_t, false>(in, out, n);
  }
}

std::string_view Shuffle(std::string_view raw, size_t width, std::string& out) {
  out.resize(raw.size());
  ShuffleInto(raw.data(), out.data(), raw.size() / width, width, false);
  return out;
}

std::string Unshuffle(std::string_view shuffled, size_t width) {
  std::string out(shuffled.size(), '\0');
  ShuffleInto(shuffled.data(), out.data(), shuffled.size() / width, width, true);
  return out;
}

// In place on little-endian int64s; unsigned arithmetic makes overflow wrap, so any values
// round-trip.
void DeltaEncode(std::string& raw) {
  uint64_t previous = 0;
  for (size_t at = 0; at + 8 <= raw.size(); at += 8) {
    uint64_t v = 0;
    ReadLE(raw.data() + at, &v, 1);
    uint64_t d = v - previous;
    previous = v;
    if constexpr (std::endian::native != std::endian::little) d = ByteSwap(d);
    std::memcpy(raw.data() + at, &d, 8);
  }
}

void DeltaDecode(std::string& raw) {
  uint64_t previous = 0;
  for (size_t at = 0; at + 8 <= raw.size(); at += 8) {
    uint64_t d = 0;
    ReadLE(raw.data() + at, &d, 1);
    uint64_t v = previous + d;
    previous = v;
    if constexpr (std::endian::native != std::endian::little) v = ByteSwap(v);
    std::memcpy(raw.data() + at, &v, 8);
  }
}

constexpr double kPow10[kMaxDecimals + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                             1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

// Scales the doubles in `raw` by 10^k into `out` as little-endian int64s, and says whether every
// one comes back exactly (bit for bit: -0.0, NaN and infinity never do) as q / 10^k, which is
// how the decoder restores them. Works on chunks so the divisions pipeline.
bool ScaleToDecimals(std::string_view raw, int k, std::string* out) {
  constexpr size_t kChunk = 1024;
  constexpr double kLimit = 9007199254740992.0;  // 2^53: larger integers are not all doubles
  const double p = kPow10[k];
  double x[kChunk];
  int64_t q[kChunk];
  size_t n = raw.size() / 8;
  if (out) out->resize(raw.size());
  for (size_t begin = 0; begin < n; begin += kChunk) {
    size_t m = std::min(kChunk, n - begin);
    ReadLE(raw.data() + begin * 8, x, m);
    bool fits = true;
    for (size_t i = 0; i < m; ++i) {
      double scaled = x[i] * p;
      bool in_range = std::fabs(scaled) < kLimit;
      q[i] = in_range ? static_cast<int64_t>(scaled + (scaled < 0 ? -0.5 : 0.5)) : 0;
      double back = static_cast<double>(q[i]) / p;
      fits &= in_range && std::bit_cast<uint64_t>(back) == std::bit_cast<uint64_t>(x[i]);
    }
    if (!fits) return false;
    if (out) {
      if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(out->data() + begin * 8, q, m * 8);
      } else {
        for (size_t i = 0; i < m; ++i) {
          int64_t v = ByteSwap(q[i]);
          std::memcpy(out->data() + (begin + i) * 8, &v, 8);
        }
      }
    }
  }
  return true;
}

// The fewest decimals (at most kMaxDecimals) that represent every double in `raw` exactly.
std::optional<int> DecimalDigits(std::string_view raw) {
  for (int k = 0; k <= kMaxDecimals; ++k) {
    if (ScaleToDecimals(raw, k, nullptr)) return k;
  }
  return std::nullopt;
}

std::string_view ToDecimals(std::string_view raw, int k, std::string& out) {
  ScaleToDecimals(raw, k, &out);
  return out;
}

std::string_view ToDeltas(std::string_view raw, std::string& out) {
  out.assign(raw);
  DeltaEncode(out);
  return out;
}

void FromDecimals(std::string& raw, int k) {
  for (size_t at = 0; at + 8 <= raw.size(); at += 8) {
    int64_t q = 0;
    ReadLE(raw.data() + at, &q, 1);
    double x = static_cast<double>(q) / kPow10[k];
    if constexpr (std::endian::native != std::endian::little) x = ByteSwap(x);
    std::memcpy(raw.data() + at, &x, 8);
  }
}

// The filtered form of `raw`: `raw` itself, or a view of `out` (`temp` holds intermediate data).
std::string_view ApplyFilter(std::string_view raw, size_t width, uint8_t filter, std::string& out,
                             std::string& temp) {
  if (filter == kFilterShuffle) return Shuffle(raw, width, out);
  if (filter == kFilterDeltaShuffle) return Shuffle(ToDeltas(raw, temp), width, out);
  if (filter >= kFilterDecimalBase) {
    return Shuffle(ToDecimals(raw, filter - kFilterDecimalBase, temp), 8, out);
  }
  return raw;
}

bool FilterApplies(BlockKind kind, uint8_t filter) {
  switch (kind) {
    case BlockKind::kInt64:
      return filter <= kFilterDeltaShuffle;
    case BlockKind::kFloat64:
      return filter <= kFilterShuffle ||
             (filter >= kFilterDecimalBase && filter <= kFilterDecimalBase + kMaxDecimals);
    case BlockKind::kCodes:
    case BlockKind::kLengths:
      return filter <= kFilterShuffle;
    default:
      return filter == kFilterNone;
  }
}

std::vector<uint8_t> CandidateFilters(BlockKind kind, std::string_view raw) {
  switch (kind) {
    case BlockKind::kInt64:
      return {kFilterShuffle, kFilterDeltaShuffle, kFilterNone};
    case BlockKind::kFloat64: {
      std::optional<int> digits = DecimalDigits(raw);
      if (!digits) return {kFilterShuffle, kFilterNone};
      return {static_cast<uint8_t>(kFilterDecimalBase + *digits), kFilterShuffle, kFilterNone};
    }
    case BlockKind::kCodes:
    case BlockKind::kLengths:
      return {kFilterShuffle, kFilterNone};
    default:
      return {kFilterNone};
  }
}

class BlockCompressor {
 public:
  explicit BlockCompressor(int level) : ctx_(ZSTD_createCCtx(), &ZSTD_freeCCtx), level_(level) {}

  // Appends the stored form of `raw` (a block of `kind`) to `data` and describes it. The filter
  // is the candidate that compresses a sample best; a block zstd cannot shrink is stored raw.
  Status Append(const std::string& raw, BlockKind kind, std::string& data, BlockMeta& meta) {
    size_t width = std::max<uint64_t>(RowWidth(kind), 1);
    std::vector<uint8_t> candidates = CandidateFilters(kind, raw);
    meta.filter = candidates.front();
    if (candidates.size() > 1) {
      std::string_view sample = std::string_view(raw).substr(0, kFilterSampleRows * width);
      size_t best = std::numeric_limits<size_t>::max();
      for (uint8_t filter : candidates) {
        KILN_ASSIGN_OR_RETURN(size_t size,
                              Compress(ApplyFilter(sample, width, filter, filtered_, temp_)));
        if (size < best) {
          best = size;
          meta.filter = filter;
        }
      }
    }

    meta.offset = data.size();
    meta.raw_size = raw.size();
    KILN_ASSIGN_OR_RETURN(size_t size,
                          Compress(ApplyFilter(raw, width, meta.filter, filtered_, temp_)));
    std::string_view stored(scratch_.data(), size);
    meta.codec = kCodecZstd;
    if (size >= raw.size()) {
      stored = raw;
      meta.codec = kCodecRaw;
      meta.filter = kFilterNone;
    }
    meta.stored_size = stored.size();
    meta.checksum = XXH3_64bits(stored.data(), stored.size());
    data.append(stored);
    return Status::Ok();
  }

 private:
  // Compresses into scratch_, which is reused so that large blocks are not zero-filled anew.
  Result<size_t> Compress(std::string_view raw) {
    size_t bound = ZSTD_compressBound(raw.size());
    if (scratch_.size() < bound) scratch_.resize(bound);
    size_t n =
        ZSTD_compressCCtx(ctx_.get(), scratch_.data(), bound, raw.data(), raw.size(), level_);
    if (ZSTD_isError(n)) {
      return MakeError(ErrorCode::kInternal, "zstd compression failed: {}", ZSTD_getErrorName(n));
    }
    return n;
  }

  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx_;
  int level_;
  std::string scratch_;
  std::string filtered_;
  std::string temp_;
};

// ---- Decoding. ----

struct ColumnMeta {
  std::string name;
  ColumnType type = ColumnType::kText;
  std::string datetime_format;
  uint64_t dictionary_size = 0;
  std::vector<BlockKind> kinds;
  std::vector<BlockMeta> blocks;
};

struct FileLayout {
  uint64_t rows = 0;
  std::string content_hash;
  std::vector<ColumnMeta> columns;
  std::string_view data;  // the block area
};

class Decoder {
 public:
  Decoder(std::string_view bytes, const std::string& what, const DecodeOptions& options)
      : bytes_(bytes), what_(what), options_(options), ctx_(ZSTD_createDCtx(), &ZSTD_freeDCtx) {}

  Result<Frame> Run() {
    KILN_RETURN_IF_ERROR(CheckFraming());
    KILN_ASSIGN_OR_RETURN(layout_, ParseHeader());
    KILN_RETURN_IF_ERROR(CheckBlocks());

    Frame frame;
    for (const ColumnMeta& meta : layout_.columns) {
      KILN_ASSIGN_OR_RETURN(Column column, DecodeColumn(meta));
      frame.Add(std::move(column));
    }
    if (options_.verify_checksums) {
      std::string actual = ContentHash(frame);
      if (actual != layout_.content_hash) {
        return Corrupt("content hash mismatch (expected {}, got {})", layout_.content_hash, actual);
      }
    }
    return frame;
  }

  // The file's layout, checked as far as it can be without decompressing.
  Result<FrameStorage> Inspect() {
    KILN_RETURN_IF_ERROR(CheckFraming());
    KILN_ASSIGN_OR_RETURN(layout_, ParseHeader());
    KILN_RETURN_IF_ERROR(CheckBlocks());

    FrameStorage storage;
    storage.rows = layout_.rows;
    storage.content_hash = layout_.content_hash;
    storage.file_bytes = bytes_.size();
    for (const ColumnMeta& meta : layout_.columns) {
      ColumnStorage column;
      column.name = meta.name;
      column.type = meta.type;
      for (size_t b = 0; b < meta.blocks.size(); ++b) {
        const BlockMeta& block = meta.blocks[b];
        column.raw_bytes += block.raw_size;
        column.stored_bytes += block.stored_size;
        if (meta.kinds[b] == BlockKind::kMissing) continue;
        if (!column.encoding.empty()) column.encoding += ", ";
        column.encoding += EncodingName(block);
      }
      storage.columns.push_back(std::move(column));
    }
    return storage;
  }

 private:
  static std::string EncodingName(const BlockMeta& block) {
    std::string name = block.codec == kCodecZstd ? "zstd" : "raw";
    if (block.filter == kFilterShuffle) name += "+shuffle";
    if (block.filter == kFilterDeltaShuffle) name += "+delta+shuffle";
    if (block.filter >= kFilterDecimalBase) {
      name += fmt::format("+decimal{}+shuffle", block.filter - kFilterDecimalBase);
    }
    return name;
  }

  template <typename... Args>
  Status Corrupt(fmt::format_string<Args...> format, Args&&... args) const {
    return MakeError(ErrorCode::kData, "corrupt dataset file {}: {}", what_,
                     fmt::format(format, std::forward<Args>(args)...));
  }

  Status CheckFraming() const {
    if (bytes_.size() < kPreambleBytes + kTrailerBytes) {
      return Corrupt("only {} bytes, too short for a dataset file", bytes_.size());
    }
    if (std::memcmp(bytes_.data(), kMagic, sizeof(kMagic)) != 0) {
      return Corrupt("not a kiln columnar file (bad magic number)");
    }
    if (options_.verify_checksums) {
      size_t body = bytes_.size() - kTrailerBytes;
      uint64_t expected = 0;
      ReadLE(bytes_.data() + body, &expected, 1);
      uint64_t actual = XXH3_64bits(bytes_.data(), body);
      if (actual != expected) {
        return Corrupt(
            "file checksum mismatch (expected {}, got {}); the file is damaged or "
            "truncated",
            Hex64(expected), Hex64(actual));
      }
    }
    return Status::Ok();
  }

  Result<FileLayout> ParseHeader() const {
    ByteReader preamble(bytes_.substr(sizeof(kMagic), 8));
    uint32_t version = preamble.Read<uint32_t>();
    uint32_t header_size = preamble.Read<uint32_t>();
    if (version != kColumnarFormatVersion) {
      return Corrupt("unsupported format version {} (this build reads version {})", version,
                     kColumnarFormatVersion);
    }
    size_t available = bytes_.size() - kPreambleBytes - kTrailerBytes;
    if (header_size > available) {
      return Corrupt("header of {} bytes runs past the end of the file", header_size);
    }

    FileLayout layout;
    layout.data = bytes_.substr(kPreambleBytes + header_size, available - header_size);
    ByteReader r(bytes_.substr(kPreambleBytes, header_size));
    layout.rows = r.Read<uint64_t>();
    uint32_t column_count = r.Read<uint32_t>();
    layout.content_hash = std::string(r.ReadString());
    if (!r.ok()) return Corrupt("header is truncated");
    if (layout.rows > kMaxRows) return Corrupt("implausible row count {}", layout.rows);
    if (column_count == 0 && layout.rows != 0) {
      return Corrupt("{} rows but no columns", layout.rows);
    }

    for (uint32_t k = 0; k < column_count && r.ok(); ++k) {
      KILN_ASSIGN_OR_RETURN(ColumnMeta meta, ParseColumn(r, k));
      layout.columns.push_back(std::move(meta));
    }
    if (!r.ok()) return Corrupt("header is truncated");
    if (!r.at_end()) return Corrupt("{} unexpected bytes after the header", r.remaining());
    return layout;
  }

  Result<ColumnMeta> ParseColumn(ByteReader& r, uint32_t index) const {
    ColumnMeta meta;
    meta.name = std::string(r.ReadString());
    uint8_t type_code = r.Read<uint8_t>();
    meta.datetime_format = std::string(r.ReadString());
    meta.dictionary_size = r.Read<uint64_t>();
    uint8_t block_count = r.Read<uint8_t>();
    if (!r.ok()) return Corrupt("header is truncated in column {}", index + 1);

    std::optional<ColumnType> type = TypeFromCode(type_code);
    if (!type) return Corrupt("column '{}' has unknown type code {}", meta.name, type_code);
    meta.type = *type;
    meta.kinds = BlocksFor(meta.type);
    if (block_count != meta.kinds.size()) {
      return Corrupt("column '{}' has {} blocks, expected {}", meta.name, block_count,
                     meta.kinds.size());
    }
    for (size_t b = 0; b < meta.kinds.size(); ++b) {
      BlockMeta block;
      block.offset = r.Read<uint64_t>();
      block.stored_size = r.Read<uint64_t>();
      block.raw_size = r.Read<uint64_t>();
      block.codec = r.Read<uint8_t>();
      block.filter = r.Read<uint8_t>();
      block.checksum = r.Read<uint64_t>();
      meta.blocks.push_back(block);
    }
    if (!r.ok()) return Corrupt("header is truncated in column '{}'", meta.name);
    if (meta.type != ColumnType::kDatetime && !meta.datetime_format.empty()) {
      return Corrupt("column '{}' is {} but has a datetime format", meta.name,
                     ColumnTypeName(meta.type));
    }
    if (meta.type != ColumnType::kCategorical && meta.dictionary_size != 0) {
      return Corrupt("column '{}' is {} but has a dictionary", meta.name,
                     ColumnTypeName(meta.type));
    }
    return meta;
  }

  // Checks every block's placement and declared size, and the memory the frame will take,
  // before anything is decompressed or allocated.
  Status CheckBlocks() const {
    uint64_t rows = layout_.rows;
    uint64_t at = 0;
    uint64_t memory = 0;
    for (const ColumnMeta& meta : layout_.columns) {
      memory = SaturatingAdd(memory, rows);  // the missing flags
      for (size_t b = 0; b < meta.blocks.size(); ++b) {
        const BlockMeta& block = meta.blocks[b];
        BlockKind kind = meta.kinds[b];
        if (block.offset != at || block.stored_size > layout_.data.size() - at) {
          return Corrupt("column '{}': block {} at offset {} (+{}) is out of place", meta.name,
                         b + 1, block.offset, block.stored_size);
        }
        at += block.stored_size;
        KILN_RETURN_IF_ERROR(CheckRawSize(meta, kind, block));
        memory = SaturatingAdd(memory, block.raw_size);
        if (kind == BlockKind::kLengths) memory = SaturatingAdd(memory, rows * sizeof(std::string));
        if (kind == BlockKind::kDictionary) {
          memory = SaturatingAdd(memory, meta.dictionary_size * sizeof(std::string));
        }
      }
    }
    if (at != layout_.data.size()) {
      return Corrupt("{} unexpected bytes after the last block", layout_.data.size() - at);
    }
    if (memory > options_.max_decoded_bytes) {
      return Corrupt("decoding would take {} bytes of memory, more than the limit of {}", memory,
                     options_.max_decoded_bytes);
    }
    return Status::Ok();
  }

  Status CheckRawSize(const ColumnMeta& meta, BlockKind kind, const BlockMeta& block) const {
    if (block.codec == kCodecRaw && block.raw_size != block.stored_size) {
      return Corrupt("column '{}': uncompressed block of {} bytes claims {}", meta.name,
                     block.stored_size, block.raw_size);
    }
    if (block.codec != kCodecRaw && block.codec != kCodecZstd) {
      return Corrupt("column '{}': unknown codec {}", meta.name, block.codec);
    }
    if (!FilterApplies(kind, block.filter)) {
      return Corrupt("column '{}': filter {} does not apply to this block", meta.name,
                     block.filter);
    }
    if (block.raw_size / kMaxZstdRatio > block.stored_size) {
      return Corrupt("column '{}': block of {} bytes cannot expand to {}", meta.name,
                     block.stored_size, block.raw_size);
    }
    uint64_t expected =
        kind == BlockKind::kMissing ? BitmapBytes(layout_.rows) : layout_.rows * RowWidth(kind);
    bool fixed = kind == BlockKind::kMissing || RowWidth(kind) != 0;
    if (fixed && block.raw_size != expected) {
      return Corrupt("column '{}': block holds {} bytes, expected {} for {} rows", meta.name,
                     block.raw_size, expected, layout_.rows);
    }
    // Each dictionary entry takes at least its 4-byte length.
    if (kind == BlockKind::kDictionary && meta.dictionary_size > block.raw_size / 4) {
      return Corrupt("column '{}': {} categories cannot fit in {} bytes", meta.name,
                     meta.dictionary_size, block.raw_size);
    }
    return Status::Ok();
  }

  Result<std::string> ReadBlock(const ColumnMeta& meta, BlockKind kind, const BlockMeta& block) {
    std::string_view stored = layout_.data.substr(block.offset, block.stored_size);
    if (options_.verify_checksums) {
      uint64_t actual = XXH3_64bits(stored.data(), stored.size());
      if (actual != block.checksum) {
        return Corrupt("column '{}': block checksum mismatch (expected {}, got {})", meta.name,
                       Hex64(block.checksum), Hex64(actual));
      }
    }
    if (block.codec == kCodecRaw) return Unfilter(std::string(stored), kind, block.filter);

    unsigned long long content = ZSTD_getFrameContentSize(stored.data(), stored.size());
    if (content != block.raw_size) {
      return Corrupt("column '{}': compressed block does not hold the declared {} bytes", meta.name,
                     block.raw_size);
    }
    std::string raw(block.raw_size, '\0');
    size_t n =
        ZSTD_decompressDCtx(ctx_.get(), raw.data(), raw.size(), stored.data(), stored.size());
    if (ZSTD_isError(n) || n != raw.size()) {
      return Corrupt("column '{}': cannot decompress a block ({})", meta.name,
                     ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output");
    }
    return Unfilter(std::move(raw), kind, block.filter);
  }

  // CheckRawSize has made sure the filter fits the block and the size is whole values.
  static std::string Unfilter(std::string raw, BlockKind kind, uint8_t filter) {
    if (filter == kFilterNone) return raw;
    std::string out = Unshuffle(raw, RowWidth(kind));
    if (filter == kFilterDeltaShuffle) DeltaDecode(out);
    if (filter >= kFilterDecimalBase) FromDecimals(out, filter - kFilterDecimalBase);
    return out;
  }

  Result<Column> DecodeColumn(const ColumnMeta& meta) {
    Column c;
    c.name = meta.name;
    c.type = meta.type;
    c.datetime_format = meta.datetime_format;
    size_t rows = layout_.rows;

    KILN_ASSIGN_OR_RETURN(std::string bitmap, ReadBlock(meta, meta.kinds[0], meta.blocks[0]));
    KILN_RETURN_IF_ERROR(DecodeMissing(meta, bitmap, c));
    for (size_t b = 1; b < meta.blocks.size(); ++b) {
      KILN_ASSIGN_OR_RETURN(std::string raw, ReadBlock(meta, meta.kinds[b], meta.blocks[b]));
      switch (meta.kinds[b]) {
        case BlockKind::kInt64:
          c.ints.resize(rows);
          ReadLE(raw.data(), c.ints.data(), rows);
          for (size_t i = 0; i < rows; ++i) {
            if (c.missing[i]) c.ints[i] = 0;
          }
          break;
        case BlockKind::kBool8:
          KILN_RETURN_IF_ERROR(DecodeBooleans(meta, raw, c));
          break;
        case BlockKind::kFloat64:
          c.floats.resize(rows);
          ReadLE(raw.data(), c.floats.data(), rows);
          for (size_t i = 0; i < rows; ++i) {
            if (c.missing[i]) c.floats[i] = std::numeric_limits<double>::quiet_NaN();
          }
          break;
        case BlockKind::kDictionary:
          KILN_RETURN_IF_ERROR(DecodeDictionary(meta, raw, c));
          break;
        case BlockKind::kCodes:
          KILN_RETURN_IF_ERROR(DecodeCodes(meta, raw, c));
          break;
        case BlockKind::kLengths:
          lengths_.resize(rows);
          ReadLE(raw.data(), lengths_.data(), rows);
          break;
        case BlockKind::kChars:
          KILN_RETURN_IF_ERROR(DecodeTexts(meta, raw, c));
          break;
        case BlockKind::kMissing:
          break;
      }
    }
    return c;
  }

  Status DecodeMissing(const ColumnMeta& meta, const std::string& bitmap, Column& c) const {
    size_t rows = layout_.rows;
    c.missing.resize(rows);
    for (size_t i = 0; i < rows; ++i) {
      c.missing[i] = (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
    }
    if (rows % 8 != 0 && (static_cast<uint8_t>(bitmap.back()) >> (rows % 8)) != 0) {
      return Corrupt("column '{}': missing-value bitmap has bits set past the last row", meta.name);
    }
    return Status::Ok();
  }

  Status DecodeBooleans(const ColumnMeta& meta, const std::string& raw, Column& c) const {
    size_t rows = layout_.rows;
    c.ints.resize(rows);
    for (size_t i = 0; i < rows; ++i) {
      uint8_t v = static_cast<uint8_t>(raw[i]);
      if (v > 1) return Corrupt("column '{}', row {}: boolean value {}", meta.name, i + 1, v);
      c.ints[i] = c.missing[i] ? 0 : v;
    }
    return Status::Ok();
  }

  Status DecodeDictionary(const ColumnMeta& meta, const std::string& raw, Column& c) const {
    ByteReader r(raw);
    c.dictionary.reserve(meta.dictionary_size);
    for (uint64_t k = 0; k < meta.dictionary_size; ++k) {
      std::string_view s = r.ReadString();
      if (!r.ok()) return Corrupt("column '{}': dictionary is truncated", meta.name);
      c.dictionary.emplace_back(s);
    }
    if (!r.at_end()) return Corrupt("column '{}': bytes after the dictionary", meta.name);
    return Status::Ok();
  }

  Status DecodeCodes(const ColumnMeta& meta, const std::string& raw, Column& c) const {
    size_t rows = layout_.rows;
    c.codes.resize(rows);
    ReadLE(raw.data(), c.codes.data(), rows);
    for (size_t i = 0; i < rows; ++i) {
      if (c.missing[i]) {
        c.codes[i] = -1;
      } else if (c.codes[i] < 0 || static_cast<uint64_t>(c.codes[i]) >= c.dictionary.size()) {
        return Corrupt("column '{}', row {}: category code {} outside a dictionary of {}",
                       meta.name, i + 1, c.codes[i], c.dictionary.size());
      }
    }
    return Status::Ok();
  }

  Status DecodeTexts(const ColumnMeta& meta, const std::string& raw, Column& c) const {
    size_t rows = layout_.rows;
    uint64_t total = 0;
    for (uint32_t len : lengths_) total += len;  // at most 2^40 * 2^32, no overflow
    if (total != raw.size()) {
      return Corrupt("column '{}': text lengths add up to {} bytes, but {} are stored", meta.name,
                     total, raw.size());
    }
    c.texts.resize(rows);
    size_t at = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (c.missing[i] && lengths_[i] != 0) {
        return Corrupt("column '{}', row {}: a missing text has a length", meta.name, i + 1);
      }
      c.texts[i].assign(raw.data() + at, lengths_[i]);
      at += lengths_[i];
    }
    return Status::Ok();
  }

  std::string_view bytes_;
  const std::string& what_;
  DecodeOptions options_;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx_;
  FileLayout layout_;
  std::vector<uint32_t> lengths_;  // of the text column being decoded
};

Status CheckColumnShape(const Column& c, size_t rows) {
  auto bad = [&](const char* what, size_t size) {
    return MakeError(ErrorCode::kInternal,
                     "malformed frame: column '{}' ({}) has {} {} for {} rows", c.name,
                     ColumnTypeName(c.type), size, what, rows);
  };
  if (c.missing.size() != rows) return bad("missing flags", c.missing.size());
  switch (c.type) {
    case ColumnType::kInteger:
    case ColumnType::kBoolean:
    case ColumnType::kDatetime:
      if (c.ints.size() != rows) return bad("integers", c.ints.size());
      break;
    case ColumnType::kFloat:
      if (c.floats.size() != rows) return bad("floats", c.floats.size());
      break;
    case ColumnType::kCategorical:
      if (c.codes.size() != rows) return bad("codes", c.codes.size());
      for (size_t i = 0; i < rows; ++i) {
        if (!c.missing[i] &&
            (c.codes[i] < 0 || static_cast<size_t>(c.codes[i]) >= c.dictionary.size())) {
          return MakeError(ErrorCode::kInternal,
                           "malformed frame: column '{}', row {}: code {} outside a dictionary "
                           "of {}",
                           c.name, i + 1, c.codes[i], c.dictionary.size());
        }
      }
      break;
    case ColumnType::kText:
      if (c.texts.size() != rows) return bad("texts", c.texts.size());
      break;
  }
  return Status::Ok();
}

Status CheckEncodable(const Frame& frame) {
  if (frame.cols() > std::numeric_limits<uint32_t>::max()) {
    return MakeError(ErrorCode::kData, "a frame of {} columns is too wide to store", frame.cols());
  }
  for (const Column& c : frame.columns()) {
    if (c.name.size() > std::numeric_limits<uint32_t>::max() ||
        c.datetime_format.size() > std::numeric_limits<uint32_t>::max()) {
      return MakeError(ErrorCode::kData, "column name or format longer than 4 GiB");
    }
  }
  return Status::Ok();
}

// `blocks` holds the descriptors of every column's blocks, in file order.
std::string EncodeHeader(const Frame& frame, const std::string& hash,
                         const std::vector<BlockMeta>& blocks) {
  std::string header;
  AppendLE<uint64_t>(header, frame.rows());
  AppendLE<uint32_t>(header, static_cast<uint32_t>(frame.cols()));
  AppendString(header, hash);
  size_t next = 0;
  for (const Column& c : frame.columns()) {
    std::vector<BlockKind> kinds = BlocksFor(c.type);
    AppendString(header, c.name);
    AppendLE<uint8_t>(header, TypeCode(c.type));
    AppendString(header, c.type == ColumnType::kDatetime ? c.datetime_format : std::string());
    AppendLE<uint64_t>(header, c.type == ColumnType::kCategorical ? c.dictionary.size() : 0);
    AppendLE<uint8_t>(header, static_cast<uint8_t>(kinds.size()));
    for (size_t b = 0; b < kinds.size(); ++b) {
      const BlockMeta& block = blocks[next++];
      AppendLE(header, block.offset);
      AppendLE(header, block.stored_size);
      AppendLE(header, block.raw_size);
      AppendLE(header, block.codec);
      AppendLE(header, block.filter);
      AppendLE(header, block.checksum);
    }
  }
  return header;
}

// No block is stored larger than its raw form, so this bounds the data area.
uint64_t RawBytesBound(const Frame& frame) {
  uint64_t rows = frame.rows();
  uint64_t total = 0;
  for (const Column& c : frame.columns()) {
    total += BitmapBytes(rows) + 8 * rows;
    for (const std::string& s : c.dictionary) total += 4 + s.size();
    for (const std::string& s : c.texts) total += s.size();
  }
  return total;
}

}  // namespace

Status CheckFrameShape(const Frame& frame) {
  for (const Column& c : frame.columns()) KILN_RETURN_IF_ERROR(CheckColumnShape(c, frame.rows()));
  return Status::Ok();
}

std::string ContentHash(const Frame& frame) {
  CanonicalHasher h;
  h.String("kiln.frame.v1");
  h.Scalar<uint64_t>(frame.rows());
  h.Scalar<uint64_t>(frame.cols());

  std::vector<CanonicalCategories> categories(frame.cols());
  for (size_t k = 0; k < frame.cols(); ++k) {
    const Column& c = frame.column(k);
    h.String(c.name);
    h.Scalar<uint8_t>(TypeCode(c.type));
    h.String(c.type == ColumnType::kDatetime ? c.datetime_format : std::string());
    if (c.type != ColumnType::kCategorical) continue;
    categories[k] = Canonicalize(c);
    h.Scalar<uint64_t>(categories[k].dictionary.size());
    for (std::string_view s : categories[k].dictionary) h.String(s);
  }

  for (size_t k = 0; k < frame.cols(); ++k) HashValues(h, frame.column(k), &categories[k]);
  return h.Hex();
}

Result<std::string> EncodeFrame(const Frame& frame, int zstd_level) {
  KILN_RETURN_IF_ERROR(CheckFrameShape(frame));
  KILN_RETURN_IF_ERROR(CheckEncodable(frame));

  // The header's size does not depend on the block descriptors' values, so it is written first
  // with placeholders and blocks are compressed straight into the output after it.
  std::string hash = ContentHash(frame);
  size_t block_count = 0;
  for (const Column& c : frame.columns()) block_count += BlocksFor(c.type).size();
  std::vector<BlockMeta> blocks(block_count);
  std::string header = EncodeHeader(frame, hash, blocks);
  if (header.size() > std::numeric_limits<uint32_t>::max()) {
    return MakeError(ErrorCode::kData, "the schema takes more than 4 GiB; too many columns");
  }

  std::string out;
  out.reserve(kPreambleBytes + header.size() + RawBytesBound(frame) + kTrailerBytes);
  out.append(kMagic, sizeof(kMagic));
  AppendLE<uint32_t>(out, kColumnarFormatVersion);
  AppendLE<uint32_t>(out, static_cast<uint32_t>(header.size()));
  out.append(header);

  size_t data_start = out.size();
  BlockCompressor compressor(zstd_level);
  std::string raw;
  size_t next = 0;
  for (const Column& c : frame.columns()) {
    for (BlockKind kind : BlocksFor(c.type)) {
      KILN_RETURN_IF_ERROR(RawBlock(c, kind, raw));
      BlockMeta& block = blocks[next++];
      KILN_RETURN_IF_ERROR(compressor.Append(raw, kind, out, block));
      block.offset -= data_start;
    }
  }

  header = EncodeHeader(frame, hash, blocks);
  std::memcpy(out.data() + kPreambleBytes, header.data(), header.size());
  AppendLE<uint64_t>(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Result<Frame> DecodeFrame(std::string_view bytes, const std::string& what) {
  return DecodeFrame(bytes, what, DecodeOptions{});
}

Result<Frame> DecodeFrame(std::string_view bytes, const std::string& what,
                          const DecodeOptions& options) {
  return Decoder(bytes, what, options).Run();
}

Result<FrameStorage> InspectFrameFile(std::string_view bytes, const std::string& what) {
  return Decoder(bytes, what, DecodeOptions{}).Inspect();
}

}  // namespace kiln
