// Fuzzes reading a fitted feature pipeline from a model bundle: any bytes must yield a pipeline
// or a kData Status, never a crash, a hang or an exception. A pipeline that is accepted must
// transform a small frame without crashing and must serialise to a document that reads back.
// Seeds: fuzz/corpus/pipeline_deserialize_fuzz/ (a one-hot pipeline with imputation, datetime
// parts, scaling and selection).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "features/pipeline.h"

namespace {

kiln::Frame SmallFrame() {
  kiln::Column x;
  x.name = "x";
  x.type = kiln::ColumnType::kFloat;
  x.floats = {1.5, 0};
  x.missing = {0, 1};
  kiln::Column c;
  c.name = "c";
  c.type = kiln::ColumnType::kCategorical;
  c.dictionary = {"b", "zzz"};
  c.codes = {0, 1};
  c.missing = {0, 0};
  kiln::Column at;
  at.name = "at";
  at.type = kiln::ColumnType::kDatetime;
  at.ints = {1700000000, -5};
  at.missing = {0, 0};
  kiln::Frame frame;
  frame.Add(std::move(x));
  frame.Add(std::move(c));
  frame.Add(std::move(at));
  return frame;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kiln::Frame frame = SmallFrame();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kiln::Result<kiln::FeaturePipeline> pipeline = kiln::FeaturePipeline::Deserialize(text);
  if (!pipeline.ok()) return 0;
  kiln::Result<kiln::FeatureMatrix> matrix = pipeline->Transform(frame);
  (void)matrix;
  if (!kiln::FeaturePipeline::Deserialize(pipeline->Serialize()).ok()) std::abort();
  return 0;
}
