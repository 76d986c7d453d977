// Feeds arbitrary bytes to the CSV reader and type inference. Either may refuse the input with an
// error; neither may crash, hang or read out of bounds. The first byte picks reader options so
// that forced delimiters, forced headers, untrimmed fields and small field limits are covered.
// The streamed read (ReadCsvFrame, what `kiln data add` uses) must agree with the two steps:
// the same frame, or the same error; bit 6 of the first byte has it convert columns on two
// threads.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/columnar.h"
#include "data/csv_reader.h"
#include "data/infer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kiln::CsvOptions options;
  int threads = 1;
  if (size > 0) {
    const uint8_t knobs = data[0];
    static constexpr char kDelimiters[] = {0, ',', ';', '\t'};
    options.delimiter = kDelimiters[knobs & 3];
    options.header = static_cast<int>((knobs >> 2) % 3) - 1;
    options.trim_spaces = (knobs & 16) == 0;
    if (knobs & 32) options.max_field_bytes = 16;
    threads = (knobs & 64) ? 2 : 1;
    ++data;
    --size;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kiln::InferOptions infer;
  infer.max_categories = 4;
  infer.threads = threads;
  auto streamed = kiln::ReadCsvFrame(bytes, options, infer, "fuzz.csv", nullptr);

  auto table = kiln::ReadCsv(bytes, options, "fuzz.csv", nullptr);
  if (!table.ok()) {
    if (streamed.ok() || streamed.status().message() != table.status().message()) __builtin_trap();
    return 0;
  }
  auto frame = kiln::InferFrame(*table, infer);
  if (frame.ok() != streamed.ok()) __builtin_trap();
  if (!frame.ok()) {
    if (frame.status().message() != streamed.status().message()) __builtin_trap();
    return 0;
  }
  if (kiln::ContentHash(*frame) != kiln::ContentHash(*streamed)) __builtin_trap();
  return 0;
}
