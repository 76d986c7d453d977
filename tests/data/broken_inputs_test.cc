// Every broken file under tests/data/fixtures/broken/ must give a kData error that names the file,
// the line and the column and says what to do; none may crash or hang. The oversized field is
// generated here rather than committed.
#include <gtest/gtest.h>

#include <string>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "test_util.h"

namespace kiln {
namespace {

struct BrokenCase {
  const char* file;
  const char* location;  // "line L, byte column C" as it must appear in the message
  const char* says;      // a phrase the message must hold
};

std::string FixturePath(const std::string& name) {
  return (testing::SourceDir() / "tests" / "data" / "fixtures" / "broken" / name).string();
}

class BrokenInputs : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenInputs, GivesDataErrorWithFileLineAndColumn) {
  const BrokenCase& c = GetParam();
  const std::string path = FixturePath(c.file);
  Result<RawTable> table = ReadCsvFile(path, {}, nullptr);
  ASSERT_FALSE(table.ok()) << c.file << " was read without error";
  const std::string& message = table.status().message();
  EXPECT_EQ(table.status().code(), ErrorCode::kData) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find(c.location), std::string::npos) << message;
  EXPECT_NE(message.find(c.says), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BrokenInputs,
    ::testing::Values(BrokenCase{"ragged_too_many.csv", "line 3, byte column 7",
                                 "the row has 4 fields but the header has 3"},
                      BrokenCase{"ragged_too_few.csv", "line 3, byte column 4",
                                 "the row has 2 fields but the header has 3"},
                      BrokenCase{"unterminated_quote.csv", "line 3, byte column 3", "never closed"},
                      BrokenCase{"text_after_quote.csv", "line 2, byte column 12",
                                 "after the closing quote"},
                      BrokenCase{"invalid_utf8.csv", "line 3, byte column 4", "invalid UTF-8"},
                      BrokenCase{"binary.csv", "line 3, byte column 1", "looks binary"},
                      BrokenCase{"empty.csv", "line 1, byte column 1", "empty"},
                      BrokenCase{"blank_lines_only.csv", "line 1, byte column 1", "empty"},
                      BrokenCase{"header_only.csv", "line 2, byte column 1", "no data rows"}),
    [](const ::testing::TestParamInfo<BrokenCase>& param) {
      std::string name = param.param.file;
      return name.substr(0, name.find('.'));
    });

TEST(BrokenInput, OversizedFieldNamesTheLimitToRaise) {
  testing::TempDir dir;
  const std::string path = (dir / "huge_field.csv").string();
  testing::WriteFile(path, "id,blob\n1,small\n2," + std::string(10u << 20, 'x') + "\n");
  Result<RawTable> table = ReadCsvFile(path, {}, nullptr);
  ASSERT_FALSE(table.ok());
  const std::string& message = table.status().message();
  EXPECT_EQ(table.status().code(), ErrorCode::kData);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("line 3, byte column 3"), std::string::npos) << message;
  EXPECT_NE(message.find("csv.max_field_bytes"), std::string::npos) << message;
}

TEST(BrokenInput, OversizedFieldPassesUnderARaisedLimit) {
  const std::string text = "id,blob\n1," + std::string(2u << 20, 'x') + "\n";
  CsvOptions options;
  options.max_field_bytes = 4u << 20;
  Result<RawTable> table = ReadCsv(text, options, "big.csv", nullptr);
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->cells[1][0].size(), 2u << 20);
}

TEST(BrokenInput, OversizedQuotedFieldIsReportedWhereItOpens) {
  const std::string text = "id,blob\n1,\"" + std::string(2u << 20, 'x') + "\"\n";
  Result<RawTable> table = ReadCsv(text, {}, "q.csv", nullptr);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("line 2, byte column 3"), std::string::npos)
      << table.status().message();
}

TEST(BrokenInput, RaggedRowAfterMultilineFieldNamesBothLines) {
  Result<RawTable> table = ReadCsv("a,b\n\"x\ny\",2,3\n", {}, "m.csv", nullptr);
  ASSERT_FALSE(table.ok());
  const std::string& message = table.status().message();
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("starts on line 2"), std::string::npos) << message;
}

TEST(BrokenInput, RaggedRowWithoutHeaderComparesWithTheFirstRow) {
  CsvOptions options;
  options.header = 0;
  Result<RawTable> table = ReadCsv("1,2\n3,4,5\n", options, "n.csv", nullptr);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("3 fields but the first row has 2"), std::string::npos)
      << table.status().message();
}

TEST(BrokenInput, GarbageNeverCrashes) {
  // A deterministic spread of awkward byte strings; each must give a value or an error.
  const std::string pieces[] = {"\"", "\"\"", ",",  ";", "\n",       "\r", " ",
                                "a",  "1",    "\t", "|", "\xC3\xA9", "NA", "2020-01-01"};
  uint64_t state = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(state % 40);
    for (int i = 0; i < length; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      text += pieces[(state >> 33) % (sizeof pieces / sizeof pieces[0])];
    }
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    Result<RawTable> table = ReadCsv(text, {}, "fuzz.csv", nullptr);
    if (!table.ok()) {
      EXPECT_TRUE(table.status().code() == ErrorCode::kData) << table.status().message();
      continue;
    }
    Result<Frame> frame = InferFrame(*table, {});
    EXPECT_TRUE(frame.ok()) << frame.status().message();
  }
}

}  // namespace
}  // namespace kiln
