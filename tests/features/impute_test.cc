// Numeric imputation, missing indicators, keep_missing, and input columns at transform time.
#include <gtest/gtest.h>

#include "feature_test_util.h"
#include "features/pipeline.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::BinaryTarget;
using testing::FeatureColumn;
using testing::FloatColumn;
using testing::Inputs;
using testing::IntColumn;
using testing::kNan;
using testing::MakeFrame;
using testing::PlainSpec;

Frame Training() {
  return MakeFrame({FloatColumn("x", {1, 2, kNan, 10})});
}
Target TrainingTarget() {
  return BinaryTarget({0, 1, 0, 1});
}

Result<FeatureMatrix> FitAndTransform(const FeatureSpec& spec, bool keep_missing,
                                      const Frame& predict) {
  FeaturePipeline::Options options = Inputs({"x"});
  options.keep_missing = keep_missing;
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(Training(), AllRows(4), TrainingTarget(), spec, options);
  if (!p.ok()) return p.status();
  return p->Transform(predict);
}

TEST(FeatureImpute, MedianFillsMissingAndAddsIndicator) {
  Result<FeatureMatrix> m =
      FitAndTransform(PlainSpec(), false, MakeFrame({FloatColumn("x", {kNan, 5})}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->names, (std::vector<std::string>{"x", "x.missing"}));
  EXPECT_EQ(FeatureColumn(*m, "x"), (std::vector<double>{2, 5}));
  EXPECT_EQ(FeatureColumn(*m, "x.missing"), (std::vector<double>{1, 0}));
}

TEST(FeatureImpute, MeanAndConstant) {
  FeatureSpec spec = PlainSpec();
  spec.impute.numeric = NumericImpute::kMean;
  spec.impute.missing_indicators = false;
  Frame predict = MakeFrame({FloatColumn("x", {kNan})});
  Result<FeatureMatrix> mean = FitAndTransform(spec, false, predict);
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(mean->names, (std::vector<std::string>{"x"}));
  EXPECT_FLOAT_EQ(mean->at(0, 0), 13.0f / 3);
  spec.impute.numeric = NumericImpute::kConstant;
  spec.impute.numeric_fill = -7;
  Result<FeatureMatrix> constant = FitAndTransform(spec, false, predict);
  ASSERT_TRUE(constant.ok());
  EXPECT_EQ(constant->at(0, 0), -7.0f);
}

TEST(FeatureImpute, KeepMissingLeavesNan) {
  Result<FeatureMatrix> m =
      FitAndTransform(PlainSpec(), true, MakeFrame({FloatColumn("x", {kNan})}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->cols, 1u);
  EXPECT_TRUE(std::isnan(m->at(0, 0)));
}

TEST(FeatureImpute, NoIndicatorWhenTrainingHadNoMissing) {
  Frame frame = MakeFrame({FloatColumn("x", {1, 2, 3, 4})});
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(4), TrainingTarget(), PlainSpec(), Inputs({"x"}));
  ASSERT_TRUE(p.ok());
  Result<FeatureMatrix> m = p->Transform(MakeFrame({FloatColumn("x", {kNan})}));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->names, (std::vector<std::string>{"x"}));
  EXPECT_EQ(m->at(0, 0), 2.5f);
}

TEST(FeatureImpute, FitsOnlyOnTrainingRows) {
  Frame frame = MakeFrame({FloatColumn("x", {1, 3, 1000, kNan})});
  const std::vector<size_t> rows = {0, 1, 3};
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, rows, TrainingTarget(), PlainSpec(), Inputs({"x"}));
  ASSERT_TRUE(p.ok());
  Result<FeatureMatrix> m = p->Transform(frame, std::vector<size_t>{3});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->at(0, 0), 2.0f);
}

TEST(FeatureImpute, IntegerColumnIsAcceptedForFloatInput) {
  Result<FeatureMatrix> m = FitAndTransform(PlainSpec(), false, MakeFrame({IntColumn("x", {4})}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->at(0, 0), 4.0f);
}

TEST(FeatureImpute, MissingInputColumnIsAnErrorNamingIt) {
  Result<FeatureMatrix> m = FitAndTransform(PlainSpec(), false, MakeFrame({FloatColumn("y", {1})}));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kData);
  EXPECT_NE(m.status().message().find("'x'"), std::string::npos) << m.status().message();
}

TEST(FeatureImpute, IncompatibleTypeIsAnError) {
  Result<FeatureMatrix> m =
      FitAndTransform(PlainSpec(), false, MakeFrame({testing::CategoricalColumn("x", {"a"})}));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), ErrorCode::kData);
}

}  // namespace
}  // namespace kiln
