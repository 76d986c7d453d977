// Fuzzes kiln.yaml parsing: any bytes must yield a ProblemSpec or a Status, never a crash, a hang
// or an exception. Seeds: tests/core/fixtures/config/ and the output of RenderKilnYamlTemplate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  kiln::Result<kiln::ProblemSpec> spec = kiln::ParseProblemSpec(text, "fuzz/kiln.yaml");
  if (spec.ok()) {
    kiln::InferOptions options = kiln::ToInferOptions(*spec);
    (void)options;
  }
  return 0;
}
