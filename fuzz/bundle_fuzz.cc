// Fuzzes reading a model bundle: any bytes must yield a bundle or a kData Status, never a crash, a
// hang or an exception. A bundle that is accepted must score a small frame without crashing and
// must encode to bytes that decode again.
// Seeds: fuzz/corpus/bundle/ (a logistic candidate and a prior baseline on columns a, b and c).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/bundle.h"

namespace {

kiln::Frame SmallFrame() {
  kiln::Column a;
  a.name = "a";
  a.type = kiln::ColumnType::kFloat;
  a.floats = {1.5, 0, -2};
  a.missing = {0, 1, 0};
  kiln::Column b;
  b.name = "b";
  b.type = kiln::ColumnType::kInteger;
  b.ints = {3, 4, 5};
  b.missing = {0, 0, 0};
  kiln::Column c;
  c.name = "c";
  c.type = kiln::ColumnType::kCategorical;
  c.dictionary = {"x", "unseen"};
  c.codes = {0, 1, -1};
  c.missing = {0, 0, 1};
  kiln::Frame frame;
  frame.Add(std::move(a));
  frame.Add(std::move(b));
  frame.Add(std::move(c));
  return frame;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kiln::Frame frame = SmallFrame();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kiln::Result<kiln::Bundle> bundle = kiln::DecodeBundle(bytes);
  if (!bundle.ok()) {
    if (bundle.status().code() != kiln::ErrorCode::kData) std::abort();
    return 0;
  }
  (void)bundle->candidate.Score(frame);
  (void)bundle->baseline.Score(frame);
  if (!kiln::DecodeBundle(kiln::EncodeBundle(*bundle)).ok()) std::abort();
  return 0;
}
