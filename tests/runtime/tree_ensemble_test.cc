// Kiln's tree runtime against XGBoost's own predictor, in the same process on the same floats:
// every score must be bit-identical. Models are trained through the C API with each objective the
// runtime compiles, numeric and categorical splits, missing values, random forests and a kept
// prefix of the rounds; scored rows include categories the trees never saw, negative and huge
// codes and NaN (XGBoost refuses infinities). Real data: Adult through Kiln's feature pipeline.
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "features/pipeline.h"
#include "runtime/tree_ensemble.h"
#include "test_util.h"

namespace kiln {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

struct Booster {
  BoosterHandle handle = nullptr;
  ~Booster() { XGBoosterFree(handle); }
};
struct Matrix {
  DMatrixHandle handle = nullptr;
  ~Matrix() { XGDMatrixFree(handle); }
};

void MakeMatrix(const std::vector<float>& x, size_t rows, size_t cols,
                const std::vector<const char*>& types, Matrix* m) {
  ASSERT_EQ(XGDMatrixCreateFromMat(x.data(), rows, cols, kNan, &m->handle), 0) << XGBGetLastError();
  if (!types.empty()) {
    std::vector<const char*> names = types;  // the C API takes a non-const array
    ASSERT_EQ(XGDMatrixSetStrFeatureInfo(m->handle, "feature_type", names.data(), cols), 0);
  }
}

void Train(const std::vector<float>& x, const std::vector<float>& y, size_t rows, size_t cols,
           const std::vector<const char*>& types,
           const std::vector<std::pair<std::string, std::string>>& params, int rounds, Booster* b) {
  Matrix m;
  MakeMatrix(x, rows, cols, types, &m);
  ASSERT_EQ(XGDMatrixSetFloatInfo(m.handle, "label", y.data(), rows), 0);
  ASSERT_EQ(XGBoosterCreate(&m.handle, 1, &b->handle), 0);
  for (const auto& [k, v] : params) XGBoosterSetParam(b->handle, k.c_str(), v.c_str());
  XGBoosterSetParam(b->handle, "nthread", "1");
  XGBoosterSetParam(b->handle, "verbosity", "0");
  for (int r = 0; r < rounds; ++r) {
    ASSERT_EQ(XGBoosterUpdateOneIter(b->handle, r, m.handle), 0) << XGBGetLastError();
  }
}

std::vector<float> XgbPredict(const Booster& b, const std::vector<float>& x, size_t rows,
                              size_t cols, const std::vector<const char*>& types, int rounds,
                              bool margin) {
  Matrix m;
  MakeMatrix(x, rows, cols, types, &m);
  const std::string config = "{\"type\": " + std::string(margin ? "1" : "0") +
                             ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": " +
                             std::to_string(rounds) + ", \"strict_shape\": false}";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* out = nullptr;
  EXPECT_EQ(XGBoosterPredictFromDMatrix(b.handle, m.handle, config.c_str(), &shape, &dims, &out), 0)
      << XGBGetLastError();
  size_t n = 1;
  for (bst_ulong d = 0; d < dims; ++d) n *= shape[d];
  return std::vector<float>(out, out + n);
}

std::string Ubjson(const Booster& b) {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  EXPECT_EQ(XGBoosterSaveModelToBuffer(b.handle, R"({"format": "ubj"})", &length, &bytes), 0);
  return std::string(bytes, length);
}

// Count of positions where the two differ bit for bit (NaN equals NaN).
size_t Mismatches(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i) bad += std::memcmp(&a[i], &b[i], sizeof(float)) != 0;
  return bad;
}

struct Generated {
  size_t rows = 0, cols = 6;
  std::vector<float> x, y;
  std::vector<const char*> types = {"q", "q", "c", "q", "c", "q"};
};

// Columns 2 and 4 are categorical (30 and 5 codes); about 8 % of cells are missing.
Generated Make(size_t rows, uint64_t seed, int classes) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::uniform_int_distribution<int> cat30(0, 29), cat5(0, 4);
  std::bernoulli_distribution missing(0.08);
  Generated g;
  g.rows = rows;
  for (size_t r = 0; r < rows; ++r) {
    float row[6] = {normal(rng),
                    normal(rng),
                    static_cast<float>(cat30(rng)),
                    normal(rng) * 10,
                    static_cast<float>(cat5(rng)),
                    normal(rng)};
    const float signal = row[0] + 0.5f * row[1] * row[3] / 10 +
                         (static_cast<int>(row[2]) % 3 == 0 ? 1.0f : -0.5f) +
                         0.3f * static_cast<float>(row[4]) + 0.3f * normal(rng);
    for (float& v : row) {
      if (missing(rng)) v = kNan;
      g.x.push_back(v);
    }
    if (classes == 0) {
      g.y.push_back(signal);
    } else if (classes == 2) {
      g.y.push_back(signal > 0.3f ? 1.0f : 0.0f);
    } else {
      g.y.push_back(
          static_cast<float>(std::clamp(static_cast<int>(signal + 1.5f), 0, classes - 1)));
    }
  }
  return g;
}

// Rows to score: fresh rows plus hand-made edge cases in every column.
std::vector<float> ScoringRows(const Generated& g, size_t* rows) {
  Generated fresh = Make(2000, 99, 2);
  std::vector<float> x = fresh.x;
  const float edges[] = {kNan,  -1.0f, -0.5f,   0.0f,        0.5f,        29.0f, 31.0f, 32.0f,
                         63.0f, 64.0f, 1000.0f, 16777215.0f, 16777216.0f, 3e38f, -3e38f};
  size_t n = fresh.rows;
  for (size_t col = 0; col < g.cols; ++col) {
    for (float e : edges) {
      for (size_t c = 0; c < g.cols; ++c) x.push_back(c == col ? e : fresh.x[c]);
      ++n;
    }
  }
  *rows = n;
  return x;
}

struct Case {
  std::string name;
  int classes;  // 0 = regression
  std::vector<std::pair<std::string, std::string>> params;
  int rounds;
  int keep;  // rounds to score with (0 = all)
};

TEST(TreeEnsemble, EqualsXgboostBitForBit) {
  const std::vector<Case> cases = {
      {"binary", 2, {{"objective", "binary:logistic"}, {"max_depth", "6"}}, 40, 0},
      {"binary_prefix", 2, {{"objective", "binary:logistic"}, {"max_depth", "4"}}, 30, 17},
      {"binary_base_score",
       2,
       {{"objective", "binary:logistic"}, {"base_score", "0.3"}, {"max_depth", "3"}},
       20,
       0},
      {"regression", 0, {{"objective", "reg:squarederror"}, {"max_depth", "5"}}, 30, 0},
      {"pseudohuber", 0, {{"objective", "reg:pseudohubererror"}, {"max_depth", "3"}}, 10, 0},
      {"multiclass",
       4,
       {{"objective", "multi:softprob"}, {"num_class", "4"}, {"max_depth", "4"}},
       25,
       0},
      {"multiclass_prefix",
       3,
       {{"objective", "multi:softprob"}, {"num_class", "3"}, {"max_depth", "4"}},
       20,
       9},
      {"random_forest",
       2,
       {{"objective", "binary:logistic"},
        {"num_parallel_tree", "25"},
        {"subsample", "0.632"},
        {"colsample_bynode", "0.5"},
        {"learning_rate", "1"},
        {"max_depth", "8"}},
       1,
       0},
      {"one_hot_categories",
       2,
       {{"objective", "binary:logistic"}, {"max_cat_to_onehot", "64"}, {"max_depth", "4"}},
       15,
       0},
      {"lossguide",
       0,
       {{"objective", "reg:squarederror"},
        {"grow_policy", "lossguide"},
        {"max_leaves", "20"},
        {"max_depth", "0"}},
       15,
       0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Generated g = Make(3000, 7, c.classes);
    if (c.name == "pseudohuber") {
      for (float& v : g.y) v = v * 3 + 1;
    }
    std::vector<std::pair<std::string, std::string>> params = c.params;
    params.emplace_back("tree_method", "hist");
    params.emplace_back("seed", "3");
    Booster b;
    Train(g.x, g.y, g.rows, g.cols, g.types, params, c.rounds, &b);
    if (HasFailure()) return;
    Result<TreeEnsemble> e = TreeEnsemble::FromXgboost(Ubjson(b), c.keep);
    ASSERT_TRUE(e.ok()) << e.status().message();
    EXPECT_EQ(e->features(), g.cols);
    const size_t outputs = c.classes > 2 ? static_cast<size_t>(c.classes) : 1;
    EXPECT_EQ(e->outputs(), outputs);

    size_t rows = 0;
    const std::vector<float> x = ScoringRows(g, &rows);
    const int end = c.keep > 0 ? c.keep : 0;
    for (bool margin : {false, true}) {
      SCOPED_TRACE(margin ? "margin" : "score");
      const std::vector<float> want = XgbPredict(b, x, rows, g.cols, g.types, end, margin);
      std::vector<float> got(rows * outputs);
      if (margin) {
        e->PredictMargin(x.data(), rows, got.data(), 2);
      } else {
        e->Predict(x.data(), rows, got.data(), 2);
      }
      EXPECT_EQ(Mismatches(got, want), 0u) << "first: got " << got[0] << " want " << want[0];
    }
  }
}

TEST(TreeEnsemble, ThreadsDoNotChangeScores) {
  Generated g = Make(3000, 11, 2);
  Booster b;
  Train(g.x, g.y, g.rows, g.cols, g.types,
        {{"objective", "binary:logistic"}, {"tree_method", "hist"}, {"max_depth", "6"}}, 30, &b);
  if (HasFailure()) return;
  Result<TreeEnsemble> e = TreeEnsemble::FromXgboost(Ubjson(b));
  ASSERT_TRUE(e.ok()) << e.status().message();
  Generated big = Make(20000, 12, 2);
  std::vector<float> one(big.rows), four(big.rows);
  e->Predict(big.x.data(), big.rows, one.data(), 1);
  e->Predict(big.x.data(), big.rows, four.data(), 4);
  EXPECT_EQ(Mismatches(one, four), 0u);
}

TEST(TreeEnsemble, RefusesWhatItCannotCompile) {
  EXPECT_FALSE(TreeEnsemble::FromXgboost("").ok());
  EXPECT_FALSE(TreeEnsemble::FromXgboost("not ubjson at all").ok());
  Generated g = Make(500, 5, 0);
  Booster linear;
  Train(g.x, g.y, g.rows, g.cols, {}, {{"booster", "gblinear"}}, 3, &linear);
  if (HasFailure()) return;
  Result<TreeEnsemble> e = TreeEnsemble::FromXgboost(Ubjson(linear));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kData);
  EXPECT_NE(e.status().message().find("gblinear"), std::string::npos) << e.status().message();

  // UBJSON lets a typed array of nulls declare any count at no byte per element; the reader
  // refuses counts past the input instead of looping through them.
  const std::string nulls =
      std::string("[$Z#L") + std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
  EXPECT_FALSE(TreeEnsemble::FromXgboost(nulls).ok());
  const std::string in_object =
      std::string("{i\x07learner[$Z#L") + std::string("\x00\x00\x00\x00\x7f\xff\xff\xff", 8) + "}";
  EXPECT_FALSE(TreeEnsemble::FromXgboost(in_object).ok());

  // Deep nesting is refused before the parser's recursion can exhaust the stack.
  EXPECT_FALSE(TreeEnsemble::FromXgboost(std::string(100000, '[')).ok());

  // Every truncation of a real model is refused or compiles; none crashes.
  Booster trees;
  Train(g.x, g.y, g.rows, g.cols, g.types, {{"tree_method", "hist"}, {"max_depth", "3"}}, 3,
        &trees);
  if (HasFailure()) return;
  const std::string bytes = Ubjson(trees);
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    (void)TreeEnsemble::FromXgboost(std::string_view(bytes).substr(0, cut));
  }
}

TEST(TreeEnsemble, AdultThroughThePipelineEqualsXgboost) {
  const Frame* frame = testing::AdultTrain();
  if (frame == nullptr) GTEST_SKIP() << "shared data sets not found";
  TaskSpec task;
  task.target = "target";
  task.positive_class = ">50K";
  Result<Target> target = ExtractTarget(*frame, task);
  ASSERT_TRUE(target.ok()) << target.status().message();

  FeaturePipeline::Options options;
  for (const Column& c : frame->columns()) {
    if (c.name != "target") options.columns.push_back(c.name);
  }
  options.keep_missing = true;
  options.native_categorical = true;
  std::vector<size_t> train, test;
  for (size_t r = 0; r < frame->rows(); ++r) (r % 4 == 0 ? test : train).push_back(r);
  Result<FeaturePipeline> pipeline =
      FeaturePipeline::Fit(*frame, train, *target, FeatureSpec{}, options);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status().message();
  Result<FeatureMatrix> tx = pipeline->TransformTraining(*frame, train, *target);
  Result<FeatureMatrix> sx = pipeline->Transform(*frame, test);
  ASSERT_TRUE(tx.ok() && sx.ok());
  std::vector<const char*> types;
  for (uint8_t c : tx->categorical) types.push_back(c ? "c" : "q");
  std::vector<float> y;
  for (size_t r : train) y.push_back(static_cast<float>(target->values[r]));

  Booster b;
  Train(tx->values, y, tx->rows, tx->cols, types,
        {{"objective", "binary:logistic"},
         {"tree_method", "hist"},
         {"max_depth", "6"},
         {"learning_rate", "0.1"}},
        100, &b);
  if (HasFailure()) return;
  Result<TreeEnsemble> e = TreeEnsemble::FromXgboost(Ubjson(b));
  ASSERT_TRUE(e.ok()) << e.status().message();
  const std::vector<float> want = XgbPredict(b, sx->values, sx->rows, sx->cols, types, 0, false);
  std::vector<float> got(sx->rows);
  e->Predict(sx->values.data(), sx->rows, got.data());
  EXPECT_EQ(Mismatches(got, want), 0u);
}

}  // namespace
}  // namespace kiln
