// Datetime expansion and feature selection.
#include <gtest/gtest.h>

#include "feature_test_util.h"
#include "features/pipeline.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::BinaryTarget;
using testing::DatetimeColumn;
using testing::FeatureColumn;
using testing::FloatColumn;
using testing::Inputs;
using testing::MakeFrame;
using testing::PlainSpec;

// 2024-02-29 13:45:00 UTC (a Thursday) and 1969-12-31 23:00:00 UTC (a Wednesday).
constexpr int64_t kLeapDay = 1709214300;
constexpr int64_t kBeforeEpoch = -3600;

TEST(FeatureDatetime, ExpandsIntoUtcParts) {
  Frame frame = MakeFrame({DatetimeColumn("at", {kLeapDay, kBeforeEpoch})});
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(2), BinaryTarget({0, 1}), PlainSpec(), Inputs({"at"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  Result<FeatureMatrix> m = p->Transform(frame);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(FeatureColumn(*m, "at.year"), (std::vector<double>{2024, 1969}));
  EXPECT_EQ(FeatureColumn(*m, "at.month"), (std::vector<double>{2, 12}));
  EXPECT_EQ(FeatureColumn(*m, "at.day_of_week"), (std::vector<double>{3, 2}));
  EXPECT_EQ(FeatureColumn(*m, "at.hour"), (std::vector<double>{13, 23}));
  // Elapsed days count from the earliest training timestamp.
  const std::vector<double> elapsed = FeatureColumn(*m, "at.elapsed");
  EXPECT_FLOAT_EQ(static_cast<float>(elapsed[0]),
                  static_cast<float>((kLeapDay - kBeforeEpoch) / 86400.0));
  EXPECT_EQ(elapsed[1], 0);
}

TEST(FeatureDatetime, ReferenceDateAndBadReference) {
  Frame frame = MakeFrame({DatetimeColumn("at", {kLeapDay, 0})});
  FeatureSpec spec = PlainSpec();
  spec.datetime.parts = {"elapsed"};
  spec.datetime.reference = "2024-02-28";
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(2), BinaryTarget({0, 1}), spec, Inputs({"at"}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  Result<FeatureMatrix> m = p->Transform(frame, std::vector<size_t>{0});
  ASSERT_TRUE(m.ok());
  EXPECT_FLOAT_EQ(m->at(0, 0), static_cast<float>(1 + (13 * 3600 + 45 * 60) / 86400.0));

  spec.datetime.reference = "last tuesday";
  EXPECT_FALSE(
      FeaturePipeline::Fit(frame, AllRows(2), BinaryTarget({0, 1}), spec, Inputs({"at"})).ok());
}

Frame SelectionFrame() {
  std::vector<double> signal, copy, noise, constant;
  for (int i = 0; i < 200; ++i) {
    signal.push_back(i % 2 == 0 ? 1.0 + (i % 5) * 0.01 : -1.0);
    copy.push_back(signal.back() * 3 + 0.001 * (i % 3));
    noise.push_back(static_cast<double>((i * 7919) % 101));
    constant.push_back(4);
  }
  return MakeFrame({FloatColumn("signal", signal), FloatColumn("copy", copy),
                    FloatColumn("noise", noise), FloatColumn("constant", constant)});
}

Target SelectionTarget() {
  std::vector<double> y;
  for (int i = 0; i < 200; ++i) y.push_back(i % 2 == 0 ? 1 : 0);
  return BinaryTarget(y);
}

std::vector<std::string> Selected(const FeatureSpec& spec) {
  const Frame frame = SelectionFrame();
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(frame.rows()), SelectionTarget(), spec,
                           Inputs({"signal", "copy", "noise", "constant"}));
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? p->feature_names() : std::vector<std::string>{};
}

TEST(FeatureSelect, DefaultDropsConstantFeatures) {
  FeatureSpec spec;
  EXPECT_EQ(Selected(spec), (std::vector<std::string>{"signal", "copy", "noise"}));
}

TEST(FeatureSelect, MaxCorrelationDropsTheLaterOfAPair) {
  FeatureSpec spec;
  spec.select.max_correlation = 0.95;
  EXPECT_EQ(Selected(spec), (std::vector<std::string>{"signal", "noise"}));
}

TEST(FeatureSelect, MutualInformationKeepsInformativeFeatures) {
  FeatureSpec spec;
  spec.select.mutual_information_top = 2;
  EXPECT_EQ(Selected(spec), (std::vector<std::string>{"signal", "copy"}));
}

TEST(FeatureSelect, ImportanceKeepsTheFeatureTheModelUses) {
  FeatureSpec spec;
  spec.select.max_correlation = 0.95;
  spec.select.importance_top = 1;
  EXPECT_EQ(Selected(spec), (std::vector<std::string>{"signal"}));
}

}  // namespace
}  // namespace kiln
