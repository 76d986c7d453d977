// Scoring Adult with 300 trees of depth 6: Kiln's tree runtime against XGBoost's own predictor,
// in one binary on the same floats, one thread each (and every core for both).
//
// Usage: build-release/bench/tree_runtime_bench [--benchmark_filter=...]
// Needs ../shared/datasets/adult/adult-train.csv beside the repository.
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "features/pipeline.h"
#include "runtime/tree_ensemble.h"

namespace {

struct Fixture {
  kiln::FeatureMatrix test;
  BoosterHandle booster = nullptr;
  kiln::TreeEnsemble ensemble;
};

void Check(int rc) {
  if (rc != 0) {
    std::fprintf(stderr, "XGBoost: %s\n", XGBGetLastError());
    std::exit(1);
  }
}

DMatrixHandle Matrix(const kiln::FeatureMatrix& x) {
  DMatrixHandle m = nullptr;
  Check(XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, NAN, &m));
  std::vector<const char*> types;
  for (uint8_t c : x.categorical) types.push_back(c ? "c" : "q");
  Check(XGDMatrixSetStrFeatureInfo(m, "feature_type", types.data(), x.cols));
  return m;
}

const Fixture& Adult() {
  static Fixture* fixture = [] {
    const std::filesystem::path path = std::filesystem::path(KILN_SOURCE_DIR) / ".." / "shared" /
                                       "datasets" / "adult" / "adult-train.csv";
    auto raw = kiln::ReadCsvFile(path.string(), {}, nullptr);
    if (!raw.ok()) {
      std::fprintf(stderr, "%s\n", raw.status().message().c_str());
      std::exit(1);
    }
    auto frame = kiln::InferFrame(*raw, {});
    kiln::TaskSpec task;
    task.target = "target";
    task.positive_class = ">50K";
    auto target = kiln::ExtractTarget(*frame, task);
    kiln::FeaturePipeline::Options options;
    for (const kiln::Column& c : frame->columns()) {
      if (c.name != "target") options.columns.push_back(c.name);
    }
    options.keep_missing = true;
    options.native_categorical = true;
    std::vector<size_t> rows(frame->rows());
    for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
    auto pipeline = kiln::FeaturePipeline::Fit(*frame, rows, *target, {}, options);
    auto train = pipeline->TransformTraining(*frame, rows, *target);
    auto* f = new Fixture;
    // Score half the set: as many rows as adult-test.csv holds.
    f->test = *pipeline->Transform(*frame, std::vector<size_t>(rows.begin(), rows.begin() + 16281));
    DMatrixHandle m = Matrix(*train);
    std::vector<float> y;
    for (size_t r : rows) y.push_back(static_cast<float>(target->values[r]));
    Check(XGDMatrixSetFloatInfo(m, "label", y.data(), y.size()));
    Check(XGBoosterCreate(&m, 1, &f->booster));
    for (auto [k, v] : {std::pair{"objective", "binary:logistic"},
                        {"tree_method", "hist"},
                        {"max_depth", "6"},
                        {"learning_rate", "0.1"},
                        {"verbosity", "0"}}) {
      Check(XGBoosterSetParam(f->booster, k, v));
    }
    for (int r = 0; r < 300; ++r) Check(XGBoosterUpdateOneIter(f->booster, r, m));
    XGDMatrixFree(m);
    bst_ulong length = 0;
    const char* bytes = nullptr;
    Check(XGBoosterSaveModelToBuffer(f->booster, R"({"format": "ubj"})", &length, &bytes));
    f->ensemble = *kiln::TreeEnsemble::FromXgboost(std::string_view(bytes, length));
    return f;
  }();
  return *fixture;
}

void BM_Kiln(benchmark::State& state) {
  const Fixture& f = Adult();
  std::vector<float> out(f.test.rows);
  for (auto _ : state) {
    f.ensemble.Predict(f.test.values.data(), f.test.rows, out.data(),
                       static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.test.rows));
}

void BM_Xgboost(benchmark::State& state) {
  const Fixture& f = Adult();
  Check(XGBoosterSetParam(f.booster, "nthread", std::to_string(state.range(0)).c_str()));
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                       R"( "strict_shape": false})";
  for (auto _ : state) {
    // A fresh matrix each time, as scoring new rows needs: XGBoost keeps the last predictions
    // of a matrix it has seen and would otherwise return them without walking a tree.
    DMatrixHandle m = Matrix(f.test);
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* out = nullptr;
    Check(XGBoosterPredictFromDMatrix(f.booster, m, config, &shape, &dims, &out));
    benchmark::DoNotOptimize(out);
    XGDMatrixFree(m);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.test.rows));
}

void BM_Compile(benchmark::State& state) {
  const Fixture& f = Adult();
  bst_ulong length = 0;
  const char* bytes = nullptr;
  Check(XGBoosterSaveModelToBuffer(f.booster, R"({"format": "ubj"})", &length, &bytes));
  const std::string model(bytes, length);
  for (auto _ : state) {
    auto e = kiln::TreeEnsemble::FromXgboost(model);
    benchmark::DoNotOptimize(e.ok());
  }
}

BENCHMARK(BM_Kiln)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Xgboost)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Compile)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
