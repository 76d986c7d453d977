// Tests for `kiln init` proposals (core/propose.h) and the kiln.yaml template they fill
// (core/config_template.h), on frames built by hand.
#include "core/propose.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/config.h"
#include "core/config_template.h"

namespace kiln {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Column Ints(const std::string& name, const std::vector<int64_t>& values) {
  Column column;
  column.name = name;
  column.type = ColumnType::kInteger;
  column.ints = values;
  column.missing.assign(values.size(), 0);
  return column;
}

Column Floats(const std::string& name, const std::vector<double>& values) {
  Column column;
  column.name = name;
  column.type = ColumnType::kFloat;
  column.floats = values;
  column.missing.assign(values.size(), 0);
  return column;
}

// A categorical column; an empty string is a missing value.
Column Categories(const std::string& name, const std::vector<std::string>& values) {
  Column column;
  column.name = name;
  column.type = ColumnType::kCategorical;
  for (const std::string& value : values) {
    if (value.empty()) {
      column.codes.push_back(-1);
      column.missing.push_back(1);
      continue;
    }
    auto it = std::find(column.dictionary.begin(), column.dictionary.end(), value);
    if (it == column.dictionary.end()) it = column.dictionary.insert(it, value);
    column.codes.push_back(static_cast<int32_t>(it - column.dictionary.begin()));
    column.missing.push_back(0);
  }
  return column;
}

Column Texts(const std::string& name, const std::vector<std::string>& values) {
  Column column;
  column.name = name;
  column.type = ColumnType::kText;
  column.texts = values;
  column.missing.assign(values.size(), 0);
  return column;
}

Frame FrameOf(std::vector<Column> columns) {
  Frame frame;
  for (Column& column : columns) frame.Add(std::move(column));
  return frame;
}

std::vector<std::string> Repeat(const std::vector<std::string>& pattern, size_t times) {
  std::vector<std::string> out;
  for (size_t i = 0; i < times; ++i) out.insert(out.end(), pattern.begin(), pattern.end());
  return out;
}

std::vector<int64_t> Sequence(int64_t n, int64_t modulo = 0) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(modulo ? i % modulo : i + 1);
  return out;
}

// An adult-like frame: income is binary with labels "<=50K" (3 of 4) and ">50K".
Frame AdultLike() {
  return FrameOf({Ints("age", {39, 50, 38, 53, 28, 37, 49, 52}),
                  Categories("sex", Repeat({"Male", "Female"}, 4)),
                  Categories("marital-status", Repeat({"Married", "Never"}, 4)),
                  Ints("page_views", Sequence(8, 3)), Ints("ID", Sequence(8)),
                  Categories("income", Repeat({"<=50K", "<=50K", "<=50K", ">50K"}, 2))});
}

// --- task type -----------------------------------------------------------------------------

TEST(ProposeProblem, TwoValuesMakeABinaryTask) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "income", "adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->task_type, TaskType::kBinary);
  EXPECT_THAT(proposal->task_reason, HasSubstr("income has 2 distinct values"));
  EXPECT_EQ(proposal->north_star, "roc_auc");
}

TEST(ProposeProblem, GreaterThanLabelIsThePositiveClass) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "income", "adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->positive_class, ">50K");
  EXPECT_THAT(proposal->positive_class_reason, HasSubstr("reads as the positive label"));
}

TEST(ProposeProblem, OneBeatsZeroEvenWhenCommoner) {
  Frame frame = FrameOf({Ints("y", {1, 1, 1, 0})});
  Result<InitProposal> proposal = ProposeProblem(frame, "y", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->positive_class, "1");
}

TEST(ProposeProblem, YesBeatsNo) {
  Frame frame = FrameOf({Categories("churn", {"no", "no", "Yes", "no"})});
  Result<InitProposal> proposal = ProposeProblem(frame, "churn", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->positive_class, "Yes");
}

TEST(ProposeProblem, OtherwiseTheMinorityClassIsPositive) {
  // German credit codes good as 1 and bad as 2: "2" is not a negative word, so "1" is not
  // taken for positive; the rarer label wins.
  Frame frame = FrameOf({Ints("classlabel21", {1, 1, 2, 1, 1, 2, 1})});
  Result<InitProposal> proposal = ProposeProblem(frame, "classlabel21", "german.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->positive_class, "2");
  EXPECT_THAT(proposal->positive_class_reason, HasSubstr("'2' is the minority class (28.6 %"));
}

TEST(ProposeProblem, MissingTargetValuesAreIgnored) {
  Frame frame = FrameOf({Categories("y", {"a", "", "b", "a", ""})});
  Result<InitProposal> proposal = ProposeProblem(frame, "y", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->task_type, TaskType::kBinary);
  EXPECT_EQ(proposal->positive_class, "b");
}

TEST(ProposeProblem, FewCategoriesMakeAMulticlassTask) {
  Frame frame = FrameOf({Categories("species", Repeat({"setosa", "versicolor", "virginica"}, 3))});
  Result<InitProposal> proposal = ProposeProblem(frame, "species", "iris.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->task_type, TaskType::kMulticlass);
  EXPECT_EQ(proposal->north_star, "macro_f1");
  EXPECT_TRUE(proposal->positive_class_reason.empty());
}

TEST(ProposeProblem, FewRepeatedIntegersMakeAMulticlassTask) {
  Frame frame = FrameOf({Ints("grade", Sequence(40, 5))});
  Result<InitProposal> proposal = ProposeProblem(frame, "grade", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->task_type, TaskType::kMulticlass);
}

TEST(ProposeProblem, ManyDistinctIntegersMakeARegression) {
  Frame frame = FrameOf({Ints("count", Sequence(120))});
  Result<InitProposal> proposal = ProposeProblem(frame, "count", "bike.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->task_type, TaskType::kRegression);
  EXPECT_EQ(proposal->north_star, "rmse");
}

TEST(ProposeProblem, RegressionThresholdIsTheSpreadOfTheTarget) {
  Frame frame = FrameOf({Floats("price", {1, 2, 3, 4, 5})});
  Result<InitProposal> proposal = ProposeProblem(frame, "price", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_DOUBLE_EQ(proposal->threshold, 1.41);  // population standard deviation sqrt(2)
  EXPECT_THAT(proposal->threshold_reason, HasSubstr("Predicting the mean of price"));
}

// --- errors --------------------------------------------------------------------------------

TEST(ProposeProblem, UnknownTargetSuggestsTheNearestColumn) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "incme", "adult.csv");
  ASSERT_FALSE(proposal.ok());
  EXPECT_EQ(proposal.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(proposal.status().message(),
              HasSubstr("target column 'incme' is not in adult.csv; did you mean 'income'?"));
}

TEST(ProposeProblem, UnknownTargetWithoutNearNameListsColumns) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "zzzzzz", "adult.csv");
  ASSERT_FALSE(proposal.ok());
  EXPECT_THAT(proposal.status().message(), HasSubstr("its columns are age, sex, marital-status"));
}

TEST(ProposeProblem, AllMissingTargetIsRefused) {
  Result<InitProposal> proposal = ProposeProblem(FrameOf({Categories("y", {"", ""})}), "y", "d");
  ASSERT_FALSE(proposal.ok());
  EXPECT_EQ(proposal.status().code(), ErrorCode::kData);
  EXPECT_THAT(proposal.status().message(), HasSubstr("missing in all 2 rows"));
}

TEST(ProposeProblem, ConstantTargetIsRefused) {
  Result<InitProposal> proposal = ProposeProblem(FrameOf({Ints("y", {7, 7, 7})}), "y", "d");
  ASSERT_FALSE(proposal.ok());
  EXPECT_EQ(proposal.status().code(), ErrorCode::kData);
  EXPECT_THAT(proposal.status().message(), HasSubstr("is '7' in every row"));
}

TEST(ProposeProblem, TooManyTextClassesAreRefused) {
  std::vector<std::string> names;
  for (int i = 0; i < 60; ++i) names.push_back("name" + std::to_string(i));
  Result<InitProposal> proposal = ProposeProblem(FrameOf({Texts("y", names)}), "y", "d");
  ASSERT_FALSE(proposal.ok());
  EXPECT_EQ(proposal.status().code(), ErrorCode::kData);
  EXPECT_THAT(proposal.status().message(), HasSubstr("60 distinct non-numeric values"));
}

// --- guesses about other columns -----------------------------------------------------------

TEST(ProposeProblem, GuessesProtectedAttributesAndIdsByName) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "income", "adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_THAT(proposal->protected_attributes, ElementsAre("age", "sex", "marital-status"));
  EXPECT_THAT(proposal->id_columns, ElementsAre("ID"));
}

TEST(ProposeProblem, ProjectAndSourceAreNamedAfterTheFile) {
  Result<InitProposal> proposal =
      ProposeProblem(AdultLike(), "income", "../shared/datasets/adult/adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_EQ(proposal->project, "adult");
  EXPECT_EQ(proposal->source_name, "adult-train");
  EXPECT_EQ(proposal->rows, 8u);
  ASSERT_EQ(proposal->columns.size(), 6u);
  EXPECT_EQ(proposal->columns[5].distinct, 2u);
}

TEST(ProposeProblem, RepeatedValuesAreNotAnId) {
  Frame frame = FrameOf({Ints("customer_id", {1, 1, 2}), Ints("y", {0, 1, 0})});
  Result<InitProposal> proposal = ProposeProblem(frame, "y", "d.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  EXPECT_THAT(proposal->id_columns, IsEmpty());
}

TEST(LooksProtected, MatchesWholeWordsOfTheName) {
  for (const char* name : {"sex", "SEX", "sex9", "Age13", "gender_identity", "maritalStatus",
                           "native-country", "Ethnicity", "date_of_birth", "MARRIAGE"}) {
    EXPECT_TRUE(LooksProtected(name)) << name;
  }
  for (const char* name : {"page", "usage", "average_wage", "stage", "trace", "income"}) {
    EXPECT_FALSE(LooksProtected(name)) << name;
  }
}

TEST(LooksLikeId, MatchesIdWords) {
  for (const char* name : {"id", "ID", "customer_id", "CustomerId", "uuid", "ID_code"}) {
    EXPECT_TRUE(LooksLikeId(name)) << name;
  }
  for (const char* name : {"idea", "valid", "paid", "width"}) {
    EXPECT_FALSE(LooksLikeId(name)) << name;
  }
}

// --- the template --------------------------------------------------------------------------

TEST(ConfigTemplate, BlankTemplateParses) {
  std::string text = RenderKilnYamlTemplate(InitProposal{});
  Result<ProblemSpec> spec = ParseProblemSpec(text, "/p/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  EXPECT_EQ(spec->task.target, "target");
  EXPECT_EQ(spec->data.sources[0].path, "/p/data.csv");
}

TEST(ConfigTemplate, ProposalRoundTripsThroughTheParser) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "income", "adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  std::string text = RenderKilnYamlTemplate(*proposal);
  Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  EXPECT_EQ(spec->project, "adult");
  EXPECT_EQ(spec->task.positive_class, ">50K");
  EXPECT_EQ(spec->metrics.north_star.metric, "roc_auc");
  EXPECT_DOUBLE_EQ(spec->metrics.north_star.threshold.value(), 0.8);
  EXPECT_EQ(spec->fairness.protected_attributes, proposal->protected_attributes);
  EXPECT_EQ(spec->data.id_columns, proposal->id_columns);
  EXPECT_EQ(spec->validation.split, SplitKind::kStratifiedKFold);
}

TEST(ConfigTemplate, ExplainsGuessesAndListsColumns) {
  Result<InitProposal> proposal = ProposeProblem(AdultLike(), "income", "adult-train.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  std::string text = RenderKilnYamlTemplate(*proposal);
  EXPECT_THAT(text, HasSubstr("# Proposed because income has 2 distinct values"));
  EXPECT_THAT(text, HasSubstr("<- target"));
  EXPECT_THAT(text, HasSubstr("# governance:"));
  EXPECT_THAT(text, HasSubstr("#   retention_days: 365"));
}

TEST(ConfigTemplate, RegressionAndMulticlassProposalsParse) {
  for (Frame frame : {FrameOf({Floats("price", {1.5, 2.25, 3, 40})}),
                      FrameOf({Categories("c", Repeat({"a", "b", "c"}, 2))})}) {
    Result<InitProposal> proposal = ProposeProblem(frame, frame.column(0).name, "x.csv");
    ASSERT_TRUE(proposal.ok()) << proposal.status().message();
    std::string text = RenderKilnYamlTemplate(*proposal);
    Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
    EXPECT_EQ(spec->task.type, proposal->task_type);
  }
}

TEST(ConfigTemplate, AwkwardNamesSurviveTheRoundTrip) {
  InitProposal proposal;
  proposal.project = "  my project (v2)";
  proposal.target = "default payment: \"next\" month\\ #1";
  proposal.positive_class = "yes\tno\nmaybe";
  proposal.source_path = "data dir/it's: #1.csv";
  proposal.protected_attributes = {"Ålder", "[sex]", "*race", "{x}"};
  proposal.columns = {{"line\nbreak", ColumnType::kText, 1, 0}};
  proposal.rows = 1;
  std::string text = RenderKilnYamlTemplate(proposal);
  Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  EXPECT_TRUE(IsValidProjectName(spec->project)) << spec->project;
  EXPECT_EQ(spec->task.target, proposal.target);
  EXPECT_EQ(spec->task.positive_class, proposal.positive_class);
  EXPECT_EQ(spec->data.sources[0].path, proposal.source_path);
  EXPECT_EQ(spec->fairness.protected_attributes, proposal.protected_attributes);
}

// `text` with the commented-out block that starts at the line `header` made live: each line of
// the block loses its leading "# ".
std::string Uncommented(const std::string& text, const std::string& header) {
  std::string out;
  bool inside = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? end : end - start + 1);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind(header, 0) == 0) inside = true;
    if (inside && line.rfind("# ", 0) != 0) inside = false;
    out += inside ? line.substr(2) : line;
  }
  return out;
}

TEST(ConfigTemplate, TrainingExamplesParseWhenUncommented) {
  std::string text = RenderKilnYamlTemplate(InitProposal{});
  for (const char* header : {"# models:", "# features:", "# decision:"}) {
    text = Uncommented(text, header);
  }
  Result<ProblemSpec> spec = ParseProblemSpec(text, "/p/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  ASSERT_EQ(spec->training.models.size(), 4u);
  EXPECT_EQ(spec->training.models[1].family, "logistic");
  EXPECT_EQ(spec->training.models[2].early_stopping, 20);
  EXPECT_EQ(spec->training.decision.kind, "max_recall");
}

TEST(ConfigTemplate, RegressionModelsExampleUsesRidge) {
  Frame frame = FrameOf({Floats("price", {1.5, 2.25, 3, 40})});
  Result<InitProposal> proposal = ProposeProblem(frame, "price", "x.csv");
  ASSERT_TRUE(proposal.ok()) << proposal.status().message();
  std::string text = RenderKilnYamlTemplate(*proposal);
  EXPECT_THAT(text, Not(HasSubstr("# decision:")));
  text = Uncommented(Uncommented(text, "# models:"), "# features:");
  Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  ASSERT_EQ(spec->training.models.size(), 4u);
  EXPECT_EQ(spec->training.models[1].family, "ridge");
}

TEST(QuoteYaml, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(QuoteYaml("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
}

}  // namespace
}  // namespace kiln
