#include "data/contract.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <gtest/gtest.h>

namespace kiln {
namespace {

using Texts = std::vector<std::optional<std::string>>;
using Ints = std::vector<std::optional<int64_t>>;
using Floats = std::vector<std::optional<double>>;

Column IntColumn(const std::string& name, const Ints& values,
                 ColumnType type = ColumnType::kInteger) {
  Column c;
  c.name = name;
  c.type = type;
  for (const auto& v : values) {
    c.ints.push_back(v.value_or(0));
    c.missing.push_back(v ? 0 : 1);
  }
  return c;
}

Column FloatColumn(const std::string& name, const Floats& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kFloat;
  for (const auto& v : values) {
    c.floats.push_back(v.value_or(std::nan("")));
    c.missing.push_back(v ? 0 : 1);
  }
  return c;
}

Column TextColumn(const std::string& name, const Texts& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kText;
  for (const auto& v : values) {
    c.texts.push_back(v.value_or(""));
    c.missing.push_back(v ? 0 : 1);
  }
  return c;
}

// `extra_dictionary` entries are in the dictionary without being used by any row.
Column CategoricalColumn(const std::string& name, const Texts& values,
                         const std::vector<std::string>& extra_dictionary = {}) {
  Column c;
  c.name = name;
  c.type = ColumnType::kCategorical;
  c.dictionary = extra_dictionary;
  for (const auto& v : values) {
    c.missing.push_back(v ? 0 : 1);
    if (!v) {
      c.codes.push_back(-1);
      continue;
    }
    auto it = std::find(c.dictionary.begin(), c.dictionary.end(), *v);
    c.codes.push_back(static_cast<int32_t>(it - c.dictionary.begin()));
    if (it == c.dictionary.end()) c.dictionary.push_back(*v);
  }
  return c;
}

Frame FrameOf(std::vector<Column> columns) {
  Frame f;
  for (Column& c : columns) f.Add(std::move(c));
  return f;
}

constexpr int64_t k2011 = 1293840000;  // 2011-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

Frame Sample() {
  return FrameOf({
      IntColumn("id", {1, 2, 3, 4}),
      IntColumn("age", {17, 90, 45, std::nullopt}),
      FloatColumn("temp", {0.1, -2.5, 0.3, 1e-300}),
      CategoricalColumn("class", {" Private", "null", " Private", "yes"}, {"unused"}),
      TextColumn("comment", {"a", "b", std::nullopt, "a"}),
      IntColumn("day", {k2011, k2011 + kDay, k2011 + 3600, k2011}, ColumnType::kDatetime),
      IntColumn("flag", {0, 1, 1, 0}, ColumnType::kBoolean),
  });
}

const ColumnRule& RuleFor(const Contract& c, const std::string& name) {
  auto it = std::find_if(c.columns.begin(), c.columns.end(),
                         [&](const ColumnRule& r) { return r.name == name; });
  EXPECT_NE(it, c.columns.end()) << name;
  return *it;
}

const ContractViolation* ViolationOf(const ContractReport& report, const std::string& column,
                                     const std::string& rule) {
  for (const ContractViolation& v : report.violations) {
    if (v.column == column && v.rule == rule) return &v;
  }
  return nullptr;
}

std::string ErrorOf(std::string_view yaml) {
  Result<Contract> parsed = ParseContractYaml(yaml, "contract.yaml");
  if (parsed.ok()) return "<ok>";
  EXPECT_EQ(parsed.status().code(), ErrorCode::kConfig);
  return parsed.status().message();
}

// ---- inference ----

TEST(Contract, InfersTypesAndExactRanges) {
  Contract c = InferContract(Sample());
  ASSERT_EQ(c.columns.size(), 7u);
  const ColumnRule& age = RuleFor(c, "age");
  EXPECT_EQ(age.type, ColumnType::kInteger);
  EXPECT_EQ(age.min, 17);
  EXPECT_EQ(age.max, 90);
  EXPECT_EQ(RuleFor(c, "temp").min, -2.5);
  EXPECT_EQ(RuleFor(c, "day").max, static_cast<double>(k2011 + kDay));
  EXPECT_FALSE(RuleFor(c, "flag").min);
  EXPECT_FALSE(c.allow_extra_columns);
}

TEST(Contract, NullRateAllowanceIsObservedPercentRoundedUpPlusFive) {
  Contract c = InferContract(Sample());
  const ColumnRule& age = RuleFor(c, "age");  // 1 missing of 4 = 25%
  EXPECT_TRUE(age.nullable);
  EXPECT_DOUBLE_EQ(age.max_null_rate, 0.30);

  Ints values(30, 1);
  values[0] = std::nullopt;  // 3.33% -> 4% + 5%
  Contract one_in_thirty = InferContract(FrameOf({IntColumn("x", values)}));
  EXPECT_DOUBLE_EQ(one_in_thirty.columns[0].max_null_rate, 0.09);
}

TEST(Contract, ColumnsWithoutMissingValuesAreNotNullable) {
  Contract c = InferContract(Sample());
  EXPECT_FALSE(RuleFor(c, "id").nullable);
  EXPECT_DOUBLE_EQ(RuleFor(c, "id").max_null_rate, 0.0);
}

TEST(Contract, NullRateAllowanceIsCappedAtOne) {
  Contract c = InferContract(FrameOf({IntColumn("x", {std::nullopt, std::nullopt})}));
  EXPECT_DOUBLE_EQ(c.columns[0].max_null_rate, 1.0);
  EXPECT_FALSE(c.columns[0].min);
}

TEST(Contract, CategoriesAreTheObservedValuesSorted) {
  Contract c = InferContract(Sample());
  EXPECT_EQ(RuleFor(c, "class").categories, (std::vector<std::string>{" Private", "null", "yes"}));
}

TEST(Contract, TooManyCategoriesMeansNoList) {
  InferContractOptions options;
  options.max_categories = 2;
  Contract c = InferContract(Sample(), options);
  EXPECT_TRUE(RuleFor(c, "class").categories.empty());
}

TEST(Contract, UniqueOnlyForDistinctIntegerAndTextColumns) {
  Contract c = InferContract(Sample());
  EXPECT_TRUE(RuleFor(c, "id").unique);
  EXPECT_FALSE(RuleFor(c, "comment").unique);  // "a" twice
  EXPECT_FALSE(RuleFor(c, "day").unique);
  Contract single = InferContract(FrameOf({IntColumn("x", {5})}));
  EXPECT_FALSE(single.columns[0].unique);
  Contract text = InferContract(FrameOf({TextColumn("t", {"a", "b", std::nullopt})}));
  EXPECT_TRUE(text.columns[0].unique);
}

// ---- validation ----

TEST(Contract, InferredContractAcceptsItsOwnData) {
  Frame f = Sample();
  ContractReport report = ValidateContract(f, InferContract(f));
  EXPECT_TRUE(report.passed);
  EXPECT_TRUE(report.violations.empty());
  EXPECT_EQ(report.rows, 4u);
}

TEST(Contract, MissingValueInANonNullableColumn) {
  Contract c = InferContract(Sample());
  Frame later = FrameOf({IntColumn("id", {1, std::nullopt, 3})});
  c.allow_extra_columns = true;
  ContractReport report = ValidateContract(later, c);
  const ContractViolation* v = ViolationOf(report, "id", "nullable");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count, 1u);
  ASSERT_EQ(v->examples.size(), 1u);
  EXPECT_EQ(v->examples[0].row, 1u);
  EXPECT_FALSE(report.passed);
}

TEST(Contract, TooManyMissingValues) {
  Contract c;
  c.columns.push_back({"x", ColumnType::kInteger, true, 0.25, {}, {}, {}, false});
  ContractReport ok = ValidateContract(FrameOf({IntColumn("x", {1, std::nullopt, 3, 4})}), c);
  EXPECT_TRUE(ok.passed);
  ContractReport bad =
      ValidateContract(FrameOf({IntColumn("x", {1, std::nullopt, std::nullopt, 4})}), c);
  const ContractViolation* v = ViolationOf(bad, "x", "max_null_rate");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count, 2u);
  EXPECT_EQ(v->detail, "2 missing values (50.00% of rows), more than the allowed 25.00%");
}

TEST(Contract, ValuesOutsideTheRangeWithExamples) {
  Contract c = InferContract(FrameOf({IntColumn("age", {17, 90})}));
  ContractReport report = ValidateContract(FrameOf({IntColumn("age", {16, 50, 91, 200})}), c);
  const ContractViolation* low = ViolationOf(report, "age", "min");
  const ContractViolation* high = ViolationOf(report, "age", "max");
  ASSERT_NE(low, nullptr);
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(low->count, 1u);
  EXPECT_EQ(low->examples[0].row, 0u);
  EXPECT_EQ(low->examples[0].value, "16");
  EXPECT_EQ(high->count, 2u);
  EXPECT_EQ(high->detail, "2 values above the maximum 90");
}

TEST(Contract, DatetimeRangeIsReportedAsDates) {
  Contract c = InferContract(FrameOf({IntColumn("day", {k2011}, ColumnType::kDatetime)}));
  ContractReport report =
      ValidateContract(FrameOf({IntColumn("day", {k2011 + kDay}, ColumnType::kDatetime)}), c);
  const ContractViolation* v = ViolationOf(report, "day", "max");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->detail, "1 value above the maximum 2011-01-01T00:00:00Z");
  EXPECT_EQ(v->examples[0].value, "2011-01-02");
}

TEST(Contract, UnknownCategory) {
  Contract c = InferContract(FrameOf({CategoricalColumn("color", {"red", "blue"})}));
  ContractReport report =
      ValidateContract(FrameOf({CategoricalColumn("color", {"red", "green", std::nullopt})}), c);
  const ContractViolation* v = ViolationOf(report, "color", "categories");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count, 1u);
  EXPECT_EQ(v->examples[0].value, "green");
}

TEST(Contract, RepeatedValuesInAUniqueColumn) {
  Contract c = InferContract(FrameOf({IntColumn("id", {1, 2, 3})}));
  ContractReport report = ValidateContract(FrameOf({IntColumn("id", {1, 2, 1, 1})}), c);
  const ContractViolation* v = ViolationOf(report, "id", "unique");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count, 2u);
  EXPECT_EQ(v->examples[0].row, 2u);
  EXPECT_EQ(v->examples[1].row, 3u);
}

TEST(Contract, TypeMismatchIsReportedOnceAndOtherRulesSkipped) {
  Contract c = InferContract(FrameOf({IntColumn("age", {17, 90})}));
  ContractReport report =
      ValidateContract(FrameOf({FloatColumn("age", {1000.5, std::nullopt})}), c);
  ASSERT_EQ(report.violations.size(), 1u);
  EXPECT_EQ(report.violations[0].rule, "type");
  EXPECT_EQ(report.violations[0].detail, "expected integer, found float");
  EXPECT_EQ(report.violations[0].examples[0].value, "1000.5");
}

TEST(Contract, ExamplesAreCappedAtFive) {
  Contract c = InferContract(FrameOf({IntColumn("x", {0})}));
  ContractReport report = ValidateContract(FrameOf({IntColumn("x", {1, 2, 3, 4, 5, 6, 7})}), c);
  const ContractViolation* v = ViolationOf(report, "x", "max");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->count, 7u);
  EXPECT_EQ(v->examples.size(), 5u);
}

TEST(Contract, MissingAndExtraColumns) {
  Contract c = InferContract(FrameOf({IntColumn("a", {1}), IntColumn("b", {1})}));
  Frame later = FrameOf({IntColumn("a", {1}), IntColumn("c", {1})});
  ContractReport report = ValidateContract(later, c);
  EXPECT_FALSE(report.passed);
  EXPECT_EQ(report.missing_columns, std::vector<std::string>{"b"});
  EXPECT_EQ(report.extra_columns, std::vector<std::string>{"c"});
}

TEST(Contract, ExtraColumnsPassWhenAllowed) {
  Contract c = InferContract(FrameOf({IntColumn("a", {1})}));
  c.allow_extra_columns = true;
  ContractReport report = ValidateContract(FrameOf({IntColumn("a", {1}), IntColumn("c", {1})}), c);
  EXPECT_TRUE(report.passed);
  EXPECT_EQ(report.extra_columns, std::vector<std::string>{"c"});
}

TEST(Contract, ReportAsJson) {
  Contract c = InferContract(FrameOf({IntColumn("age", {17, 90})}));
  ContractReport report =
      ValidateContract(FrameOf({IntColumn("age", {16}), IntColumn("x", {1})}), c);
  nlohmann::json j = ContractReportToJson(report);
  EXPECT_EQ(j["passed"], false);
  EXPECT_EQ(j["rows"], 1);
  EXPECT_EQ(j["extra_columns"], nlohmann::json::array({"x"}));
  EXPECT_EQ(j["missing_columns"], nlohmann::json::array());
  ASSERT_EQ(j["violations"].size(), 1u);
  EXPECT_EQ(j["violations"][0]["rule"], "min");
  EXPECT_EQ(j["violations"][0]["count"], 1);
  EXPECT_EQ(j["violations"][0]["examples"][0]["row"], 0);
  EXPECT_EQ(j["violations"][0]["examples"][0]["value"], "16");
}

// ---- YAML ----

void ExpectSameContract(const Contract& a, const Contract& b) {
  EXPECT_EQ(a.allow_extra_columns, b.allow_extra_columns);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    const ColumnRule& x = a.columns[i];
    const ColumnRule& y = b.columns[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type) << x.name;
    EXPECT_EQ(x.nullable, y.nullable) << x.name;
    if (x.nullable) {
      EXPECT_EQ(x.max_null_rate, y.max_null_rate) << x.name;
    }
    EXPECT_EQ(x.min, y.min) << x.name;
    EXPECT_EQ(x.max, y.max) << x.name;
    EXPECT_EQ(x.categories, y.categories) << x.name;
    EXPECT_EQ(x.unique, y.unique) << x.name;
  }
}

TEST(Contract, YamlRoundTripsAnInferredContract) {
  Contract c = InferContract(Sample());
  std::string yaml = ContractToYaml(c, "adult");
  Result<Contract> back = ParseContractYaml(yaml, "adult.contract.yaml");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << yaml;
  ExpectSameContract(c, *back);
}

TEST(Contract, YamlRoundTripsAwkwardNamesAndValues) {
  Frame f = FrameOf({
      CategoricalColumn("default payment: next #1",
                        {"", "~", "true", "a\"b\\c", "tab\there", "über", "- dash", "#x", "1.5",
                         "line\nbreak", "trailing "}),
      FloatColumn("yes", {0.30000000000000004, 1e300, -1e-300, -0.0, 5, 6, 7, 8, 9, 10, 11}),
      IntColumn("big", {-9007199254740992, 9007199254740992, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
  });
  Contract c = InferContract(f);
  c.allow_extra_columns = true;
  std::string yaml = ContractToYaml(c, "weird: name");
  Result<Contract> back = ParseContractYaml(yaml, "c.yaml");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << yaml;
  ExpectSameContract(c, *back);
}

TEST(Contract, YamlRoundTripsInfiniteBoundsAndLongCategoryLists) {
  Texts many;
  for (int i = 0; i < 60; ++i) many.push_back("category-number-" + std::to_string(i));
  Contract c = InferContract(FrameOf({CategoricalColumn("c", many)}));
  c.columns.push_back({"f", ColumnType::kFloat, false, 0, -INFINITY, INFINITY, {}, false});
  std::string yaml = ContractToYaml(c, "d");
  Result<Contract> back = ParseContractYaml(yaml, "c.yaml");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << yaml;
  ExpectSameContract(c, *back);
  for (size_t start = 0, end; start < yaml.size(); start = end + 1) {
    end = yaml.find('\n', start);
    if (end == std::string::npos) end = yaml.size();
    EXPECT_LE(end - start, 100u) << yaml.substr(start, end - start);
  }
}

TEST(Contract, YamlIsCommentedAndReadable) {
  Contract c = InferContract(FrameOf({IntColumn("age", {17, 90})}));
  std::string yaml = ContractToYaml(c, "adult");
  EXPECT_EQ(yaml.rfind("# Data contract for the data set adult.", 0), 0u) << yaml;
  EXPECT_NE(yaml.find("  age:\n    type: integer\n    nullable: false\n    min: 17\n    max: 90\n"),
            std::string::npos)
      << yaml;
}

TEST(Contract, HandWrittenContractWithFlowStyleAndAliases) {
  Result<Contract> c = ParseContractYaml(R"(
columns:
  age: {type: int, min: 0, max: 120, nullable: false}
  joined: {type: date, min: 2011-01-01, max: "2012-12-31T23:00:00Z"}
  tier: {type: category, categories: [gold, silver]}
)",
                                         "hand.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->columns.size(), 3u);
  EXPECT_EQ(c->columns[0].type, ColumnType::kInteger);
  EXPECT_EQ(c->columns[1].min, static_cast<double>(k2011));
  EXPECT_EQ(c->columns[1].max, static_cast<double>(1356994800));
  EXPECT_EQ(c->columns[2].categories, (std::vector<std::string>{"gold", "silver"}));
  EXPECT_TRUE(c->columns[2].nullable);
  EXPECT_DOUBLE_EQ(c->columns[2].max_null_rate, 1.0);
}

TEST(Contract, UnknownColumnKeySuggestsTheNearest) {
  std::string m = ErrorOf("columns:\n  age:\n    type: integer\n    maxx: 3\n");
  EXPECT_EQ(m.rfind("contract.yaml:4:5: unknown key 'maxx' in column 'age'", 0), 0u) << m;
  EXPECT_NE(m.find("did you mean 'max'?"), std::string::npos) << m;
}

TEST(Contract, UnknownTopLevelKeySuggestsTheNearest) {
  std::string m = ErrorOf("allow_extra_column: true\ncolumns: {}\n");
  EXPECT_EQ(m.rfind("contract.yaml:1:1:", 0), 0u) << m;
  EXPECT_NE(m.find("did you mean 'allow_extra_columns'?"), std::string::npos) << m;
}

TEST(Contract, FarOffKeyListsTheValidKeys) {
  std::string m = ErrorOf("columns:\n  a: {type: text, zzzzzzzzzz: 1}\n");
  EXPECT_NE(m.find("expected one of: type, nullable, max_null_rate"), std::string::npos) << m;
}

TEST(Contract, UnknownTypeSuggestsTheNearest) {
  std::string m = ErrorOf("columns:\n  age:\n    type: integr\n");
  EXPECT_EQ(m.rfind("contract.yaml:3:11: unknown type 'integr'", 0), 0u) << m;
  EXPECT_NE(m.find("did you mean 'integer'?"), std::string::npos) << m;
}

TEST(Contract, SyntaxErrorsCarryFileLineAndColumn) {
  std::string m = ErrorOf("columns:\n  age: [1, 2\n  b: 3\n");
  EXPECT_EQ(m.rfind("contract.yaml:", 0), 0u) << m;
  EXPECT_NE(m.find("flow"), std::string::npos) << m;
}

TEST(Contract, RejectsInconsistentRules) {
  EXPECT_NE(ErrorOf("columns:\n  a: {type: integer, min: 5, max: 1}\n").find("min 5 above max 1"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: integer, categories: [x]}\n")
                .find("'categories' applies to categorical columns; column 'a' is integer"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: text, min: 1}\n").find("'min' applies to"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: float, unique: true}\n").find("'unique' applies"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: text, max_null_rate: 1.5}\n").find("between 0 and 1"),
            std::string::npos);
}

TEST(Contract, RejectsBadValues) {
  EXPECT_NE(ErrorOf("columns:\n  a: {type: text, nullable: maybe}\n").find("true or false"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: integer, min: ten}\n").find("must be a number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: datetime, min: 2011-13-01}\n").find("UTC datetime"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: categorical, categories: [x, x]}\n").find("twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: categorical, categories: [[x]]}\n").find("single value"),
            std::string::npos);
}

TEST(Contract, RejectsBadStructure) {
  EXPECT_NE(ErrorOf("").find("a contract is a mapping"), std::string::npos);
  EXPECT_NE(ErrorOf("- a\n- b\n").find("a contract is a mapping"), std::string::npos);
  EXPECT_NE(ErrorOf("version: 1\n").find("no 'columns'"), std::string::npos);
  EXPECT_NE(ErrorOf("version: 2\ncolumns: {}\n").find("version '2'"), std::string::npos);
  EXPECT_NE(ErrorOf("columns: [a, b]\n").find("'columns' must map"), std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a:\n").find("contract.yaml:2:3: column 'a' needs a mapping"),
            std::string::npos)
      << ErrorOf("columns:\n  a:\n");
  EXPECT_NE(ErrorOf("columns:\n  a: {nullable: true}\n").find("no 'type'"), std::string::npos);
  EXPECT_NE(ErrorOf("columns:\n  a: {type: text}\n  a: {type: text}\n").find("listed twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf("columns: {}\ncolumns: {}\n").find("repeated"), std::string::npos);
}

TEST(Contract, EmptyColumnsMappingIsAValidContract) {
  Result<Contract> c = ParseContractYaml(ContractToYaml(Contract{}, "empty"), "e.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->columns.empty());
}

}  // namespace
}  // namespace kiln
