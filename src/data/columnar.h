// The compact on-disk form of a dataset version and the id that names it. A frame is encoded
// column by column into typed, zstd-compressed blocks, each with its own checksum, behind a small
// binary header; decoding verifies every checksum and bound before trusting a byte. ContentHash is
// the dataset version id: it depends only on the logical content (schema and values), never on
// the compression level or on where the data came from. docs/storage-format.md describes both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/frame.h"

namespace kiln {

// Version of the encoding written by EncodeFrame; DecodeFrame reads exactly this version.
inline constexpr uint32_t kColumnarFormatVersion = 1;

// Checks the invariants frame.h states: every column has `rows()` entries in `missing` and in the
// storage vector its type uses, and every present categorical code indexes the dictionary.
// Fails with kInternal naming the column, since a malformed frame is a bug upstream.
Status CheckFrameShape(const Frame& frame);

// The dataset version id: 32 lowercase hex characters of XXH3-128 over a canonical encoding of
// the schema and values. Values at missing positions do not count, NaNs are one NaN, and a
// categorical column counts as the sequence of its category strings (the dictionary's order and
// unused entries do not matter). REQUIRES: CheckFrameShape(frame) is ok.
std::string ContentHash(const Frame& frame);

struct DecodeOptions {
  // Skipping checksums exists only so a fuzzer can reach the structural checks behind them.
  bool verify_checksums = true;
  // Refuse files whose decoded frame would need more memory than this, before allocating it.
  uint64_t max_decoded_bytes = uint64_t{1} << 40;
};

// Encodes `frame` (which must pass CheckFrameShape) into the columnar file format. `zstd_level`
// trades encoding time for size and does not change what decodes or the content hash.
Result<std::string> EncodeFrame(const Frame& frame, int zstd_level = 1);

// Decodes bytes written by EncodeFrame. Any damage (bad magic, checksum or bound, truncation)
// fails with kData "corrupt dataset file <what>: ..."; `what` names the file for that message.
Result<Frame> DecodeFrame(std::string_view bytes, const std::string& what);
Result<Frame> DecodeFrame(std::string_view bytes, const std::string& what,
                          const DecodeOptions& options);

// How a file stores each column, for `kiln data` diagnostics and for tests of the encoder.
struct ColumnStorage {
  std::string name;
  ColumnType type = ColumnType::kText;
  uint64_t raw_bytes = 0;     // all blocks before filtering and compression
  uint64_t stored_bytes = 0;  // all blocks as stored
  // The value blocks' encodings, e.g. "zstd+delta+shuffle" or "zstd+decimal2+shuffle"; blocks
  // of a categorical or text column are listed in file order, separated by ", ".
  std::string encoding;
};

struct FrameStorage {
  uint64_t rows = 0;
  std::string content_hash;
  uint64_t file_bytes = 0;
  std::vector<ColumnStorage> columns;
};

// Reads the layout of an encoded frame without decompressing it; fails like DecodeFrame on a
// damaged file (every check but those of block contents).
Result<FrameStorage> InspectFrameFile(std::string_view bytes, const std::string& what);

}  // namespace kiln
