// Serialisation: a pipeline read back transforms bit-identically (on the Adult data set, over a
// matrix of configurations), and corrupt documents are errors, never crashes.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include <nlohmann/json.hpp>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "feature_test_util.h"
#include "features/pipeline.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::BinaryTarget;
using testing::CategoricalColumn;
using testing::FloatColumn;
using testing::Inputs;
using testing::kNan;
using testing::MakeFrame;

const Frame* Adult() {
  return testing::AdultTrain();
}

FeaturePipeline::Options AdultOptions(const Frame& frame) {
  FeaturePipeline::Options options;
  for (const Column& c : frame.columns()) {
    if (c.name != "target") options.columns.push_back(c.name);
  }
  return options;
}

bool BitIdentical(const FeatureMatrix& a, const FeatureMatrix& b) {
  return a.rows == b.rows && a.cols == b.cols && a.names == b.names &&
         a.categorical == b.categorical && a.category_counts == b.category_counts &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)) == 0;
}

struct Config {
  std::string name;
  FeatureSpec spec;
  bool keep_missing;
  bool native;
};

std::vector<Config> Configs() {
  std::vector<Config> configs;
  FeatureSpec linear;
  linear.encode.categorical = CategoricalEncoding::kOneHot;
  linear.scaling = Scaling::kStandard;
  configs.push_back({"one_hot_standard", linear, false, false});
  configs.push_back({"native_trees", FeatureSpec{}, true, true});
  FeatureSpec target;
  target.encode.categorical = CategoricalEncoding::kTarget;
  target.scaling = Scaling::kRobust;
  target.pca.components = 3;
  target.impute.numeric = NumericImpute::kMean;
  configs.push_back({"target_robust_pca", target, false, false});
  FeatureSpec ordinal;
  ordinal.encode.categorical = CategoricalEncoding::kOrdinal;
  ordinal.impute.categorical = CategoricalImpute::kMostFrequent;
  ordinal.select.max_correlation = 0.9;
  ordinal.select.mutual_information_top = 8;
  configs.push_back({"ordinal_selected", ordinal, false, false});
  return configs;
}

TEST(FeatureAdult, SerializeRoundTripIsBitIdentical) {
  const Frame* adult = Adult();
  if (adult == nullptr) GTEST_SKIP() << "shared data sets not found";
  TaskSpec task;
  task.target = "target";
  task.positive_class = ">50K";
  Result<Target> target = ExtractTarget(*adult, task);
  ASSERT_TRUE(target.ok()) << target.status().message();
  const std::vector<size_t> train = AllRows(adult->rows() / 2);

  for (const Config& config : Configs()) {
    SCOPED_TRACE(config.name);
    FeaturePipeline::Options options = AdultOptions(*adult);
    options.keep_missing = config.keep_missing;
    options.native_categorical = config.native;
    Result<FeaturePipeline> fitted =
        FeaturePipeline::Fit(*adult, train, *target, config.spec, options);
    ASSERT_TRUE(fitted.ok()) << fitted.status().message();

    const std::string text = fitted->Serialize();
    Result<FeaturePipeline> loaded = FeaturePipeline::Deserialize(text);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->Serialize(), text);

    Result<FeatureMatrix> a = fitted->Transform(*adult);
    Result<FeatureMatrix> b = loaded->Transform(*adult);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->rows, adult->rows());
    EXPECT_TRUE(BitIdentical(*a, *b));

    Result<FeatureMatrix> ta = fitted->TransformTraining(*adult, train, *target);
    Result<FeatureMatrix> tb = loaded->TransformTraining(*adult, train, *target);
    ASSERT_TRUE(ta.ok() && tb.ok());
    EXPECT_TRUE(BitIdentical(*ta, *tb));
  }
}

TEST(FeatureAdult, TransformOfTheWholeSetGivesEveryRow) {
  const Frame* adult = Adult();
  if (adult == nullptr) GTEST_SKIP() << "shared data sets not found";
  FeatureSpec spec;
  spec.encode.categorical = CategoricalEncoding::kOneHot;
  spec.scaling = Scaling::kStandard;
  Result<FeaturePipeline> p = FeaturePipeline::Fit(
      *adult, AllRows(adult->rows()), *ExtractTarget(*adult, {TaskType::kBinary, "target", ">50K"}),
      spec, AdultOptions(*adult));
  ASSERT_TRUE(p.ok()) << p.status().message();
  const auto start = std::chrono::steady_clock::now();
  Result<FeatureMatrix> m = p->Transform(*adult);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(m.ok());
  RecordProperty("transform_ms", std::to_string(ms));
  RecordProperty("features", std::to_string(m->cols));
  // The speed is measured by bench/, not asserted here.
  EXPECT_EQ(m->rows, adult->rows());
}

std::string SmallPipeline() {
  Frame frame =
      MakeFrame({FloatColumn("x", {1, kNan, 3, 4}), CategoricalColumn("c", {"a", "b", "a", ""})});
  FeatureSpec spec;
  spec.encode.categorical = CategoricalEncoding::kOneHot;
  spec.scaling = Scaling::kStandard;
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(4), BinaryTarget({0, 1, 1, 0}), spec, Inputs({"x", "c"}));
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p->Serialize();
}

TEST(FeatureSerialize, CorruptJsonIsAnError) {
  for (const std::string text : {"", "{", "[]", "null", "{\"format\": 3}",
                                 "{\"format\": \"kiln.feature_pipeline\", \"version\": 1}"}) {
    Result<FeaturePipeline> p = FeaturePipeline::Deserialize(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.status().code(), ErrorCode::kData);
  }
}

TEST(FeatureSerialize, NewerVersionIsRefused) {
  nlohmann::json doc = nlohmann::json::parse(SmallPipeline());
  doc["version"] = 2;
  Result<FeaturePipeline> p = FeaturePipeline::Deserialize(doc.dump());
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("version 2"), std::string::npos);
}

TEST(FeatureSerialize, InconsistentStepsAreAnError) {
  const nlohmann::json doc = nlohmann::json::parse(SmallPipeline());
  nlohmann::json bad_index = doc;
  for (auto& step : bad_index["steps"]) {
    if (step["step"] == "scale") step["scaled"][0][0] = 99;
  }
  EXPECT_EQ(FeaturePipeline::Deserialize(bad_index.dump()).status().code(), ErrorCode::kData);
  nlohmann::json bad_names = doc;
  bad_names["features"]["names"][0] = "renamed";
  EXPECT_FALSE(FeaturePipeline::Deserialize(bad_names.dump()).ok());
  nlohmann::json bad_type = doc;
  bad_type["inputs"]["columns"][0]["role"] = 5;
  EXPECT_FALSE(FeaturePipeline::Deserialize(bad_type.dump()).ok());
}

// Every one-character deletion of a valid document is read or refused, never a crash.
TEST(FeatureSerialize, TruncatedAndMutatedDocumentsNeverCrash) {
  const std::string text = SmallPipeline();
  const Frame frame = MakeFrame({FloatColumn("x", {2}), CategoricalColumn("c", {"b"})});
  for (size_t i = 0; i < text.size(); ++i) {
    std::string mutated = text;
    mutated.erase(i, 1);
    Result<FeaturePipeline> p = FeaturePipeline::Deserialize(mutated);
    if (p.ok()) (void)p->Transform(frame);
    Result<FeaturePipeline> q = FeaturePipeline::Deserialize(text.substr(0, i));
    EXPECT_FALSE(q.ok());
  }
}

TEST(FeatureSerialize, FuzzSeedIsAValidPipeline) {
  const std::string text = testing::ReadFile(testing::SourceDir() / "fuzz" / "corpus" /
                                             "pipeline_deserialize_fuzz" / "one_hot.json");
  Result<FeaturePipeline> p = FeaturePipeline::Deserialize(text);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->skipped_columns(), (std::vector<std::string>{"notes"}));
  Frame frame = MakeFrame({FloatColumn("x", {kNan}), CategoricalColumn("c", {"q"}),
                           testing::DatetimeColumn("at", {86400 * 2})});
  Result<FeatureMatrix> m = p->Transform(frame);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->at(0, 0), static_cast<float>((3.0 - 2.5) / 1.25));
  EXPECT_EQ(m->at(0, 1), 1.0f);
  EXPECT_EQ(m->at(0, 5), 1.0f);
  EXPECT_EQ(m->at(0, 6), 1970.0f);
  EXPECT_EQ(m->at(0, 7), static_cast<float>((1.0 - 1970.0) / 3.5));
}

}  // namespace
}  // namespace kiln
