// Categorical encoders: native codes, one-hot with its cap, ordinal, and what unseen categories
// and missing values become at prediction time.
#include <gtest/gtest.h>

#include "feature_test_util.h"
#include "features/pipeline.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::BinaryTarget;
using testing::CategoricalColumn;
using testing::FeatureColumn;
using testing::Inputs;
using testing::kNan;
using testing::MakeFrame;
using testing::PlainSpec;

// Training: "b" three times, "a" twice, "c" once, one missing.
Frame Training() {
  return MakeFrame({CategoricalColumn("color", {"b", "a", "b", "c", "a", "b", ""})});
}
Target TrainingTarget() {
  return BinaryTarget({1, 0, 1, 0, 0, 1, 0});
}
// Prediction: a known category, an unseen one, a missing one.
Frame Predict() {
  return MakeFrame({CategoricalColumn("color", {"a", "zebra", ""})});
}

FeaturePipeline FitWith(FeatureSpec spec, bool native) {
  FeaturePipeline::Options options = Inputs({"color"});
  options.native_categorical = native;
  Frame frame = Training();
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(frame.rows()), TrainingTarget(), spec, options);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return std::move(p).value();
}

TEST(FeatureEncode, NativeCodesByFrequencyAndNanForUnseenAndMissing) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kNative;
  FeaturePipeline p = FitWith(spec, /*native=*/true);
  Result<FeatureMatrix> m = p.Transform(Predict());
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->cols, 1u);
  EXPECT_EQ(m->categorical[0], 1);
  EXPECT_EQ(m->category_counts[0], 3);
  EXPECT_EQ(m->at(0, 0), 1.0f);  // "a" is the second most frequent
  EXPECT_TRUE(std::isnan(m->at(1, 0)));
  EXPECT_TRUE(std::isnan(m->at(2, 0)));
}

TEST(FeatureEncode, NativeFallsBackToOneHotWithoutModelSupport) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kNative;
  FeaturePipeline p = FitWith(spec, /*native=*/false);
  EXPECT_EQ(p.feature_names(), (std::vector<std::string>{"color=b", "color=a", "color=c",
                                                         "color=(missing)", "color=(other)"}));
}

TEST(FeatureEncode, OneHotSendsUnseenToOtherAndMissingToItsColumn) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kOneHot;
  FeaturePipeline p = FitWith(spec, false);
  Result<FeatureMatrix> m = p.Transform(Predict());
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(FeatureColumn(*m, "color=a"), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(FeatureColumn(*m, "color=(other)"), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(FeatureColumn(*m, "color=(missing)"), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(m->categorical, (std::vector<uint8_t>(5, 0)));
}

TEST(FeatureEncode, OneHotCapPutsRareCategoriesInOther) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kOneHot;
  spec.encode.max_categories = 1;
  FeaturePipeline p = FitWith(spec, false);
  Result<FeatureMatrix> m = p.Transform(Predict());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(p.feature_names(),
            (std::vector<std::string>{"color=b", "color=(missing)", "color=(other)"}));
  EXPECT_EQ(FeatureColumn(*m, "color=(other)"), (std::vector<double>{1, 1, 0}));
}

TEST(FeatureEncode, OneHotMostFrequentImputationFillsMissingWithTopCategory) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kOneHot;
  spec.impute.categorical = CategoricalImpute::kMostFrequent;
  FeaturePipeline p = FitWith(spec, false);
  Result<FeatureMatrix> m = p.Transform(Predict());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(FeatureColumn(*m, "color=b"), (std::vector<double>{0, 0, 1}));
}

TEST(FeatureEncode, OrdinalRanksByFrequencyAndUnseenIsMinusOne) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kOrdinal;
  FeaturePipeline p = FitWith(spec, false);
  Result<FeatureMatrix> m =
      p.Transform(MakeFrame({CategoricalColumn("color", {"b", "a", "c", "zebra", ""})}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(FeatureColumn(*m, "color"), (std::vector<double>{0, 1, 2, -1, 3}));
}

TEST(FeatureEncode, CategoricalArrivingAsTextIsMatchedByValue) {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kOrdinal;
  FeaturePipeline p = FitWith(spec, false);
  Result<FeatureMatrix> m = p.Transform(MakeFrame({testing::TextColumn("color", {"c", "q"})}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(FeatureColumn(*m, "color"), (std::vector<double>{2, -1}));
}

TEST(FeatureEncode, TextColumnsAreSkippedAndListed) {
  Frame frame = Training();
  frame.Add(testing::TextColumn("notes", {"x", "y", "z", "w", "v", "u", "t"}));
  Result<FeaturePipeline> p = FeaturePipeline::Fit(frame, AllRows(7), TrainingTarget(), PlainSpec(),
                                                   Inputs({"color", "notes"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->skipped_columns(), (std::vector<std::string>{"notes"}));
  EXPECT_EQ(p->input_columns(), (std::vector<std::string>{"color"}));
}

}  // namespace
}  // namespace kiln
