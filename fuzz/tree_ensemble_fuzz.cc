// Fuzzes compiling an XGBoost model into Kiln's tree runtime: any bytes must compile or give a
// kData Status, never a crash, a hang or an exception; a model that compiles must score rows of
// ordinary, missing, negative and huge values without reading outside its arrays.
// Seeds: fuzz/corpus/tree_ensemble/ (small binary, multiclass and categorical models).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <vector>

#include "runtime/tree_ensemble.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  kiln::Result<kiln::TreeEnsemble> e = kiln::TreeEnsemble::FromXgboost(bytes);
  if (!e.ok()) {
    if (e.status().code() != kiln::ErrorCode::kData) std::abort();
    return 0;
  }
  if (e->features() > 4096 || e->outputs() > 4096) return 0;
  const float values[] = {0.0f,  1.0f,   -1.0f,
                          2.5f,  31.0f,  64.0f,
                          1e30f, -1e30f, std::numeric_limits<float>::quiet_NaN()};
  constexpr size_t kRows = sizeof(values) / sizeof(values[0]);
  std::vector<float> x(kRows * e->features());
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t c = 0; c < e->features(); ++c) x[r * e->features() + c] = values[(r + c) % kRows];
  }
  std::vector<float> out(kRows * e->outputs());
  e->Predict(x.data(), kRows, out.data(), 1);
  return 0;
}
