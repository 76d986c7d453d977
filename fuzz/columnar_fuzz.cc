// Feeds arbitrary bytes to the columnar decoder: it must refuse them with a Status, never crash,
// read out of bounds or allocate without bound. Checksums are tried on and off, since with them
// on nearly every mutation stops at the first check. Whatever decodes must re-encode and decode
// to the same content.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/columnar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kiln::DecodeOptions options;
  options.max_decoded_bytes = uint64_t{64} << 20;
  (void)kiln::DecodeFrame(bytes, "fuzz input", options);

  options.verify_checksums = false;
  kiln::Result<kiln::Frame> frame = kiln::DecodeFrame(bytes, "fuzz input", options);
  if (!frame.ok()) return 0;

  kiln::Result<std::string> again = kiln::EncodeFrame(*frame, 1);
  if (!again.ok()) __builtin_trap();
  kiln::Result<kiln::Frame> back = kiln::DecodeFrame(*again, "re-encoded fuzz input");
  if (!back.ok() || kiln::ContentHash(*back) != kiln::ContentHash(*frame)) __builtin_trap();
  return 0;
}
