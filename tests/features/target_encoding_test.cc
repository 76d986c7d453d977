// Target encoding: smoothed means per category, out-of-fold on training rows.
#include <gtest/gtest.h>

#include "feature_test_util.h"
#include "features/pipeline.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::CategoricalColumn;
using testing::FeatureColumn;
using testing::Inputs;
using testing::MakeFrame;
using testing::PlainSpec;

Frame Cities() {
  std::vector<std::string> cities;
  for (int i = 0; i < 40; ++i) cities.push_back(i % 3 == 0 ? "oslo" : i % 3 == 1 ? "rome" : "lima");
  return MakeFrame({CategoricalColumn("city", cities)});
}

Target Regression(size_t rows) {
  Target t;
  t.task = TaskType::kRegression;
  for (size_t i = 0; i < rows; ++i) t.values.push_back(static_cast<double>(i * i % 17));
  return t;
}

FeatureSpec TargetSpec() {
  FeatureSpec spec = PlainSpec();
  spec.encode.categorical = CategoricalEncoding::kTarget;
  spec.encode.target_smoothing = 2;
  spec.encode.target_folds = 5;
  return spec;
}

TEST(FeatureTargetEncoding, SmoothedMeanAtPredictTimeAndPriorForUnseen) {
  Frame frame = MakeFrame({CategoricalColumn("c", {"a", "a", "b", "b"})});
  Target target = Regression(4);
  target.values = {1, 3, 10, 10};
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(4), target, TargetSpec(), Inputs({"c"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  Result<FeatureMatrix> m = p->Transform(MakeFrame({CategoricalColumn("c", {"a", "zzz"})}));
  ASSERT_TRUE(m.ok()) << m.status().message();
  const double prior = 6;
  EXPECT_FLOAT_EQ(m->at(0, 0), static_cast<float>((1 + 3 + 2 * prior) / (2 + 2)));
  EXPECT_FLOAT_EQ(m->at(1, 0), static_cast<float>(prior));
}

TEST(FeatureTargetEncoding, OutOfFoldNeverUsesTheRowsOwnTarget) {
  const Frame frame = Cities();
  const std::vector<size_t> rows = AllRows(frame.rows());
  Target target = Regression(frame.rows());
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, rows, target, TargetSpec(), Inputs({"city"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  Result<FeatureMatrix> before = p->TransformTraining(frame, rows, target);
  ASSERT_TRUE(before.ok()) << before.status().message();

  for (size_t row : {0u, 7u, 23u}) {
    Target changed = target;
    changed.values[row] = 1e6;
    Result<FeatureMatrix> after = p->TransformTraining(frame, rows, changed);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->at(row, 0), before->at(row, 0)) << "row " << row;
    size_t moved = 0;
    for (size_t r = 0; r < frame.rows(); ++r) moved += after->at(r, 0) != before->at(r, 0);
    EXPECT_GT(moved, 0u) << "the changed target must reach rows of other folds";
  }
}

TEST(FeatureTargetEncoding, OutOfFoldIsSeededAndDiffersFromPlainTransform) {
  const Frame frame = Cities();
  const std::vector<size_t> rows = AllRows(frame.rows());
  const Target target = Regression(frame.rows());
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, rows, target, TargetSpec(), Inputs({"city"}));
  ASSERT_TRUE(p.ok());
  Result<FeatureMatrix> a = p->TransformTraining(frame, rows, target);
  Result<FeatureMatrix> b = p->TransformTraining(frame, rows, target);
  Result<FeatureMatrix> plain = p->Transform(frame, rows);
  ASSERT_TRUE(a.ok() && b.ok() && plain.ok());
  EXPECT_EQ(a->values, b->values);
  EXPECT_NE(a->values, plain->values);
}

TEST(FeatureTargetEncoding, MulticlassHasOneColumnPerClass) {
  Frame frame = MakeFrame({CategoricalColumn("c", {"a", "a", "b", "b", "b"})});
  Target target;
  target.task = TaskType::kMulticlass;
  target.classes = {"x", "y", "z"};
  target.values = {0, 1, 2, 2, 0};
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(5), target, TargetSpec(), Inputs({"c"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->feature_names(),
            (std::vector<std::string>{"c.target=x", "c.target=y", "c.target=z"}));
  Result<FeatureMatrix> m = p->Transform(MakeFrame({CategoricalColumn("c", {"b"})}));
  ASSERT_TRUE(m.ok());
  // Class z: 2 of 3 "b" rows, prior 2/5, smoothing 2.
  EXPECT_FLOAT_EQ(m->at(0, 2), static_cast<float>((2 + 2 * 0.4) / (3 + 2)));
  EXPECT_FLOAT_EQ(m->at(0, 0) + m->at(0, 1) + m->at(0, 2), 1.0f);
}

}  // namespace
}  // namespace kiln
