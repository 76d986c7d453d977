// Reads each shared real data set with Kiln and with pandas (tests/scripts/pandas_dump.py, run
// under /usr/bin/python3 with the equivalent options) and checks shape, types and every cell.
// Skips when the data sets or pandas are absent.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "test_util.h"

namespace kiln {
namespace {

struct Dataset {
  std::string file;
  std::string pandas_flags;  // options for pandas_dump.py matching what Kiln does by default
  size_t rows;
  size_t cols;
  std::map<std::string, ColumnType> types;  // a few columns whose type is known
};

bool HasPandas() {
  static const bool has = testing::RunCommand("/usr/bin/python3 -c 'import pandas'").exit_code == 0;
  return has;
}

nlohmann::json PandasDump(const std::string& path, const std::string& flags,
                          const testing::TempDir& dir) {
  const std::string out = (dir / "pandas.json").string();
  const std::string script =
      (testing::SourceDir() / "tests" / "scripts" / "pandas_dump.py").string();
  const testing::CommandResult run =
      testing::RunCommand("/usr/bin/python3 " + script + " '" + path + "' '" + out + "' " + flags);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  std::ifstream in(out);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Whether Kiln's cell equals pandas' value.
bool SameCell(const Column& col, size_t row, const nlohmann::json& v) {
  if (v.is_null()) return col.is_missing(row);
  if (col.is_missing(row)) return false;
  switch (col.type) {
    case ColumnType::kInteger:
      return v.is_number_integer() ? v.get<int64_t>() == col.ints[row]
                                   : v.get<double>() == static_cast<double>(col.ints[row]);
    case ColumnType::kFloat:
      return v.is_number() && v.get<double>() == col.floats[row];
    case ColumnType::kBoolean:
      if (v.is_boolean()) return v.get<bool>() == (col.ints[row] != 0);
      return v.is_string() &&
             col.Render(row) == (v == "yes" || v == "Yes" || v == "true" ? "true" : "false");
    case ColumnType::kDatetime:
      return v.is_number_integer() && v.get<int64_t>() == col.ints[row];
    case ColumnType::kCategorical:
    case ColumnType::kText:
      return v.is_string() && v.get<std::string>() == col.Render(row);
  }
  return false;
}

// The pandas dtypes that agree with a Kiln type (integers with gaps are float64 in pandas).
bool SameType(const Column& col, const std::string& dtype) {
  switch (col.type) {
    case ColumnType::kInteger:
      return dtype == "int64" || (dtype == "float64" && col.missing_count() > 0);
    case ColumnType::kFloat:
      return dtype == "float64";
    case ColumnType::kBoolean:
      return dtype == "bool" || dtype == "object";
    case ColumnType::kDatetime:
      return dtype.rfind("datetime64", 0) == 0;
    case ColumnType::kCategorical:
    case ColumnType::kText:
      return dtype == "object";
  }
  return false;
}

void CheckAgainstPandas(const Dataset& d) {
  const auto root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found";
  if (!HasPandas()) GTEST_SKIP() << "pandas is not installed for /usr/bin/python3";
  const std::string path = (*root / d.file).string();

  // The path `kiln data add` takes: the streamed read where it applies.
  Result<Frame> frame = ReadCsvFileFrame(path, {}, {}, nullptr);
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  ASSERT_EQ(frame->rows(), d.rows);
  ASSERT_EQ(frame->cols(), d.cols);
  for (const auto& [name, type] : d.types) {
    const auto c = frame->Find(name);
    ASSERT_TRUE(c.has_value()) << name;
    EXPECT_EQ(frame->column(*c).type, type) << name;
  }

  testing::TempDir dir;
  const nlohmann::json dump = PandasDump(path, d.pandas_flags, dir);
  ASSERT_FALSE(dump.is_discarded()) << "pandas_dump.py wrote no JSON";
  ASSERT_EQ(dump["shape"][0].get<size_t>(), d.rows);
  ASSERT_EQ(dump["shape"][1].get<size_t>(), d.cols);
  for (size_t c = 0; c < d.cols; ++c) {
    const Column& col = frame->column(c);
    EXPECT_EQ(col.name, dump["columns"][c].get<std::string>());
    const std::string dtype = dump["dtypes"][c].get<std::string>();
    EXPECT_TRUE(SameType(col, dtype))
        << col.name << ": kiln " << ColumnTypeName(col.type) << ", pandas " << dtype;
    const nlohmann::json& values = dump["values"][c];
    size_t mismatches = 0;
    for (size_t r = 0; r < d.rows; ++r) {
      if (SameCell(col, r, values[r])) continue;
      if (++mismatches <= 3) {
        ADD_FAILURE() << col.name << " row " << r << ": kiln '" << col.Render(r) << "', pandas "
                      << values[r].dump();
      }
    }
    EXPECT_EQ(mismatches, 0u) << col.name;
  }
}

TEST(RealDatasets, AdultTrainMatchesPandas) {
  CheckAgainstPandas({"adult/adult-train.csv",
                      "--skipinitialspace",
                      32561,
                      15,
                      {{"age", ColumnType::kInteger},
                       {"work_class", ColumnType::kCategorical},
                       {"fnlgwt", ColumnType::kInteger},
                       {"education", ColumnType::kCategorical},
                       {"native_country", ColumnType::kCategorical},
                       {"target", ColumnType::kCategorical}}});
}

TEST(RealDatasets, AdultTestMatchesPandas) {
  CheckAgainstPandas({"adult/adult-test.csv",
                      "--skipinitialspace",
                      16281,
                      15,
                      {{"age", ColumnType::kInteger}, {"occupation", ColumnType::kCategorical}}});
}

TEST(RealDatasets, AdultMissingValuesComeFromQuestionMarks) {
  const Frame* frame = testing::AdultTrain();
  if (frame == nullptr) GTEST_SKIP() << "shared data sets not found";
  const Column& work_class = frame->column(*frame->Find("work_class"));
  EXPECT_EQ(work_class.missing_count(), 1836u);
  EXPECT_EQ(work_class.dictionary.size(), 8u);
  EXPECT_EQ(work_class.dictionary.front(), "Federal-gov");
}

TEST(RealDatasets, GermanCreditMatchesPandas) {
  CheckAgainstPandas({"german-credit/german-credit.csv",
                      "",
                      1000,
                      21,
                      {{"StatusAcount1", ColumnType::kCategorical},
                       {"Duration2", ColumnType::kInteger},
                       {"Telephone19", ColumnType::kCategorical},
                       {"foreign20", ColumnType::kBoolean},
                       {"classlabel21", ColumnType::kInteger}}});
}

TEST(RealDatasets, CreditDefaultMatchesPandas) {
  CheckAgainstPandas({"credit-default/credit-default.csv",
                      "--sep ';'",
                      30000,
                      25,
                      {{"ID", ColumnType::kInteger},
                       {"LIMIT_BAL", ColumnType::kInteger},
                       {"default payment next month", ColumnType::kInteger}}});
}

TEST(RealDatasets, BikeSharingMatchesPandas) {
  CheckAgainstPandas({"bike-sharing/bike-hourly.csv",
                      "--dayfirst-dates dateday",
                      17379,
                      17,
                      {{"dateday", ColumnType::kDatetime},
                       {"temp", ColumnType::kFloat},
                       {"count", ColumnType::kInteger}}});
}

TEST(RealDatasets, BikeSharingDatesAreDayFirst) {
  const auto root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found";
  Result<RawTable> raw =
      ReadCsvFile((*root / "bike-sharing/bike-hourly.csv").string(), {}, nullptr);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  Result<Frame> frame = InferFrame(*raw, {});
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  const Column& day = frame->column(*frame->Find("dateday"));
  EXPECT_EQ(day.datetime_format, "%d-%m-%Y");
  EXPECT_EQ(day.Render(0), "2011-01-01");
  EXPECT_EQ(day.Render(day.size() - 1), "2012-12-31");
}

}  // namespace
}  // namespace kiln
