// Feeds arbitrary bytes to the CSV reader and type inference. Either may refuse the input with an
// error; neither may crash, hang or read out of bounds. The first byte picks reader options so
// that forced delimiters, forced headers, untrimmed fields and small field limits are covered.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "data/csv_reader.h"
#include "data/infer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kiln::CsvOptions options;
  if (size > 0) {
    const uint8_t knobs = data[0];
    static constexpr char kDelimiters[] = {0, ',', ';', '\t'};
    options.delimiter = kDelimiters[knobs & 3];
    options.header = static_cast<int>((knobs >> 2) % 3) - 1;
    options.trim_spaces = (knobs & 16) == 0;
    if (knobs & 32) options.max_field_bytes = 16;
    ++data;
    --size;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto table = kiln::ReadCsv(bytes, options, "fuzz.csv", nullptr);
  if (!table.ok()) return 0;

  kiln::InferOptions infer;
  infer.max_categories = 4;
  auto frame = kiln::InferFrame(*table, infer);
  (void)frame;
  return 0;
}
