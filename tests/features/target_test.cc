// ExtractTarget: labels to class indices or values, and the errors for unusable targets.
#include <gtest/gtest.h>

#include "feature_test_util.h"
#include "features/pipeline.h"

namespace kiln {
namespace {

using testing::CategoricalColumn;
using testing::FloatColumn;
using testing::IntColumn;
using testing::kNan;
using testing::MakeFrame;

TaskSpec Task(TaskType type, const std::string& target, const std::string& positive = "") {
  TaskSpec task;
  task.type = type;
  task.target = target;
  task.positive_class = positive;
  return task;
}

TEST(TargetExtract, BinaryMapsPositiveClassToOne) {
  Frame frame = MakeFrame({CategoricalColumn("income", {"<=50K", ">50K", "", "<=50K"})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "income", ">50K"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->classes, (std::vector<std::string>{"<=50K", ">50K"}));
  EXPECT_EQ(t->values[0], 0);
  EXPECT_EQ(t->values[1], 1);
  EXPECT_TRUE(std::isnan(t->values[2]));
  EXPECT_EQ(t->values[3], 0);
}

TEST(TargetExtract, BinaryIgnoresSpacesAndTrailingDot) {
  Frame frame = MakeFrame({CategoricalColumn("income", {" <=50K.", ">50K.", ">50K "})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "income", ">50K"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->values, (std::vector<double>{0, 1, 1}));
}

TEST(TargetExtract, BinaryWithThirdLabelNamesTheLabels) {
  Frame frame = MakeFrame({CategoricalColumn("y", {"a", "b", "c"})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "y", "a"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kData);
  EXPECT_NE(t.status().message().find("a, b, c"), std::string::npos) << t.status().message();
}

TEST(TargetExtract, BinaryFromIntegerColumn) {
  Frame frame = MakeFrame({IntColumn("default", {0, 1, 1, 0})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "default"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->values, (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(t->classes[1], "1");
}

TEST(TargetExtract, UnknownPositiveClassIsAnError) {
  Frame frame = MakeFrame({CategoricalColumn("y", {"a", "b"})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "y", "z"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kData);
}

TEST(TargetExtract, MulticlassSortsClassesByLabel) {
  Frame frame = MakeFrame({IntColumn("grade", {10, 2, 3, 2})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kMulticlass, "grade"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->classes, (std::vector<std::string>{"2", "3", "10"}));
  EXPECT_EQ(t->values, (std::vector<double>{2, 0, 1, 0}));
}

TEST(TargetExtract, RegressionKeepsValuesAndMissing) {
  Frame frame = MakeFrame({FloatColumn("price", {1.5, kNan, 3})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kRegression, "price"));
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->values[0], 1.5);
  EXPECT_TRUE(std::isnan(t->values[1]));
}

TEST(TargetExtract, RegressionNeedsNumericColumn) {
  Frame frame = MakeFrame({CategoricalColumn("price", {"a", "b"})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kRegression, "price"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kData);
}

TEST(TargetExtract, AbsentColumnNamesNearestColumns) {
  Frame frame = MakeFrame({IntColumn("target", {0, 1}), IntColumn("age", {1, 2})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kBinary, "traget"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kData);
  EXPECT_NE(t.status().message().find("nearest columns: target"), std::string::npos)
      << t.status().message();
}

TEST(TargetExtract, AllMissingIsAnError) {
  Frame frame = MakeFrame({FloatColumn("y", {kNan, kNan})});
  Result<Target> t = ExtractTarget(frame, Task(TaskType::kRegression, "y"));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("no values"), std::string::npos);
}

TEST(TargetExtract, ConstantTargetIsAnError) {
  Frame frame = MakeFrame({CategoricalColumn("y", {"a", "a", ""})});
  EXPECT_EQ(ExtractTarget(frame, Task(TaskType::kBinary, "y", "a")).status().code(),
            ErrorCode::kData);
  Frame numbers = MakeFrame({FloatColumn("y", {2, 2})});
  Result<Target> t = ExtractTarget(numbers, Task(TaskType::kRegression, "y"));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("constant"), std::string::npos);
}

}  // namespace
}  // namespace kiln
