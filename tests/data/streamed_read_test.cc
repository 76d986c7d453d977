// The streamed CSV read (ReadCsvFrame) must give exactly the frame of the two-step read
// (ReadCsv, then InferFrame), whether it streams or falls back, and the same errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include <fmt/format.h>

#include "data/columnar.h"
#include "data/csv_reader.h"
#include "data/infer.h"
#include "test_util.h"

namespace kiln {
namespace {

Result<Frame> TwoStep(const std::string& text, const InferOptions& infer = {}) {
  KILN_ASSIGN_OR_RETURN(RawTable table, ReadCsv(text, {}, "t.csv", nullptr));
  return InferFrame(table, infer);
}

void ExpectSameFrame(const std::string& text, const InferOptions& infer = {}) {
  Result<Frame> two_step = TwoStep(text, infer);
  Result<Frame> streamed = ReadCsvFrame(text, {}, infer, "t.csv", nullptr);
  ASSERT_EQ(two_step.ok(), streamed.ok());
  if (!two_step.ok()) {
    EXPECT_EQ(two_step.status().message(), streamed.status().message());
    return;
  }
  ASSERT_EQ(two_step->cols(), streamed->cols());
  for (size_t c = 0; c < two_step->cols(); ++c) {
    EXPECT_EQ(two_step->column(c).type, streamed->column(c).type) << two_step->column(c).name;
  }
  EXPECT_EQ(ContentHash(*two_step), ContentHash(*streamed));

  // Columns converted side by side: the stream gives the same frame, or falls back where the
  // one-thread stream does.
  InferOptions parallel = infer;
  parallel.threads = 3;
  const std::optional<Frame> one = csv_internal::StreamCsvFrame(text, {}, infer, "t.csv", nullptr);
  const std::optional<Frame> side_by_side =
      csv_internal::StreamCsvFrame(text, {}, parallel, "t.csv", nullptr);
  ASSERT_EQ(one.has_value(), side_by_side.has_value());
  if (one) {
    EXPECT_EQ(ContentHash(*one), ContentHash(*side_by_side));
  }
  Result<Frame> threaded = ReadCsvFrame(text, {}, parallel, "t.csv", nullptr);
  ASSERT_TRUE(threaded.ok()) << threaded.status().message();
  EXPECT_EQ(ContentHash(*two_step), ContentHash(*threaded));
}

// Enough rows that the stream takes many chunks.
std::string ManyRows(size_t rows, const std::function<std::string(size_t, std::mt19937_64&)>& row) {
  std::mt19937_64 rng(3);
  std::string text;
  for (size_t r = 0; r < rows; ++r) text += row(r, rng);
  return text;
}

TEST(StreamedRead, NumericAndCategoricalColumnsMatchTheTwoStepRead) {
  std::string text = "x,y,c\n" + ManyRows(20000, [](size_t r, std::mt19937_64& rng) {
                       std::normal_distribution<double> normal;
                       return fmt::format("{:.6f},{},k{}\n", normal(rng), r % 17, rng() % 30);
                     });
  ExpectSameFrame(text);
}

TEST(StreamedRead, IntegerColumnThatWidensToFloatLateMatches) {
  std::string text = "a,b\n" + ManyRows(12000, [](size_t r, std::mt19937_64&) {
                       return r == 11000 ? std::string("2.5,1\n") : fmt::format("{},1\n", r);
                     });
  ExpectSameFrame(text);
}

TEST(StreamedRead, NumericColumnThatTurnsToTextLateFallsBackAndMatches) {
  std::string text = "a,b\n" + ManyRows(12000, [](size_t r, std::mt19937_64&) {
                       return r == 11000 ? std::string("oops,1\n") : fmt::format("{},1\n", r);
                     });
  ExpectSameFrame(text);
}

TEST(StreamedRead, BooleanDatetimeAndTextColumnsMatch) {
  std::string text = "flag,day,note\n" + ManyRows(9000, [](size_t r, std::mt19937_64&) {
                       return fmt::format("{},{:02d}-{:02d}-2012,note number {}\n",
                                          r % 2 ? "yes" : "no", r % 28 + 1, r % 12 + 1, r);
                     });
  ExpectSameFrame(text);
}

TEST(StreamedRead, MissingTokensQuotesAndUnescapedFieldsMatch) {
  std::string text = "a,b,c\n" + ManyRows(9000, [](size_t r, std::mt19937_64&) {
                       if (r % 97 == 0) return std::string("NA,\"\",\"say \"\"hi\"\"\"\n");
                       if (r % 89 == 0) return std::string("?,\"x, y\",plain\n");
                       return fmt::format("{}.25,\"q{}\",plain\n", r, r % 5);
                     });
  ExpectSameFrame(text);
}

TEST(StreamedRead, FractionsOfEveryLengthParseExactly) {
  std::mt19937_64 rng(11);
  std::string text = "x\n";
  for (int i = 0; i < 20000; ++i) {
    const int decimals = static_cast<int>(rng() % 13);
    text += fmt::format("{}{}.{:0{}}\n", rng() % 2 ? "-" : "", rng() % 1000,
                        rng() % 1000000000000ULL % static_cast<uint64_t>(std::pow(10, decimals)),
                        decimals);
  }
  Result<Frame> frame = ReadCsvFrame(text, {}, {}, "t.csv", nullptr);
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  ASSERT_EQ(frame->column(0).type, ColumnType::kFloat);
  size_t row = 0, start = 2;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string cell = text.substr(start, end - start);
    EXPECT_EQ(frame->column(0).floats[row], std::strtod(cell.c_str(), nullptr)) << cell;
    ++row;
    start = end + 1;
  }
}

// The stream reads chunks of plain rows from their delimiter offsets and any other chunk row by
// row; files whose oddities (quotes, CRLF, spaces around fields, blank lines, rows longer than
// a chunk) come and go between long plain stretches must still give the two-step frame.
TEST(StreamedRead, PlainStretchesBetweenOddRowsMatch) {
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    std::mt19937_64 rng(seed);
    std::string text = "x,n,c,y\n";
    for (int stretch = 0; stretch < 16; ++stretch) {
      const size_t plain = rng() % (stretch % 2 ? 300 : 20000);
      for (size_t r = 0; r < plain; ++r) {
        text += fmt::format("{}.{:03d},{},k{},{}\n", static_cast<int>(rng() % 2000) - 1000,
                            rng() % 1000, rng() % 50, rng() % 9, rng() % 7);
      }
      switch (rng() % 8) {
        case 0:
          text += "\"1.5\",2,\"k1\",3\n";
          break;
        case 1:
          text += "2.5,3,k2,4\r\n3.5,4,k3,5\r\n";
          break;
        case 2:
          text += " 4.5, 5 ,k4 , 6\n";
          break;
        case 3:
          text += "\n   \n";
          break;
        case 4:
          text += fmt::format("5.5,6,k{},7\n", std::string(40000, 'z'));
          break;
        case 5:
          text += "NA,,k5,\n";
          break;
        case 6:
          text += "7.5,8,k big,9\n";  // a space inside a field: the chunk stays plain
          break;
        default:
          text += "6.5,7,k6,8";  // a last field without its line break, then the next row
          text += rng() % 2 ? "\n" : "\r\n";
          break;
      }
    }
    SCOPED_TRACE(seed);
    ExpectSameFrame(text);
  }
}

// Enough plain rows for several windows of chunks converted side by side, with a column that
// widens from integers to floats in the last window, odd rows between windows, and a column that
// turns to text late (the stream then falls back, with any number of threads).
TEST(StreamedRead, WindowsConvertedSideBySideMatch) {
  const auto rows = [](bool text_late) {
    return "i,f,c,n\n" + ManyRows(220000, [text_late](size_t r, std::mt19937_64& rng) {
             if (r == 100000) return std::string("\"1\",2.5,\"k1\",3\n");
             if (r == 150000) return std::string("NA,,k5,\n");
             const std::string widened = r == 210000 ? "0.5" : std::to_string(r % 1000);
             const std::string last = text_late && r == 215000 ? "oops" : std::to_string(r % 7);
             return fmt::format("{},{}.{:03d},k{},{}\n", widened,
                                static_cast<int>(rng() % 200) - 100, rng() % 1000, rng() % 40,
                                last);
           });
  };
  const std::string plain = rows(false);
  InferOptions parallel;
  parallel.threads = 2;
  EXPECT_TRUE(csv_internal::StreamCsvFrame(plain, {}, parallel, "t.csv", nullptr).has_value());
  ExpectSameFrame(plain);
  ExpectSameFrame(rows(true));
}

// A missing-value token that looks like a number is missing wherever it stands, although
// numbers are read in a quick pass that does not look at the tokens.
TEST(StreamedRead, NumericLookingMissingTokensStayMissing) {
  std::string text = "x,y\n" + ManyRows(8000, [](size_t r, std::mt19937_64&) {
                       if (r % 11 == 0) return std::string("-999,1.25\n");
                       if (r % 13 == 0) return std::string("-999.5,0.0\n");
                       return fmt::format("{}.5,{}.75\n", r, r % 3);
                     });
  InferOptions infer;
  infer.missing_tokens = {"", "-999", "0.0"};
  ExpectSameFrame(text, infer);
  Result<Frame> frame = ReadCsvFrame(text, {}, infer, "t.csv", nullptr);
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  const Column& x = frame->column(0);
  const Column& y = frame->column(1);
  ASSERT_EQ(x.type, ColumnType::kFloat);
  EXPECT_TRUE(x.is_missing(0));
  EXPECT_TRUE(x.is_missing(11));
  EXPECT_FALSE(x.is_missing(13));
  EXPECT_EQ(x.floats[13], -999.5);
  EXPECT_TRUE(y.is_missing(13));
  EXPECT_FALSE(y.is_missing(1));
}

TEST(StreamedRead, ForcedTypesAndOverrideErrorsMatch) {
  std::string text = "a,b\n" + ManyRows(6000, [](size_t r, std::mt19937_64&) {
                       return fmt::format("{},{}\n", r, r == 5000 ? "x" : "1");
                     });
  InferOptions forced;
  forced.type_overrides["b"] = ColumnType::kInteger;
  ExpectSameFrame(text, forced);
  InferOptions categorical;
  categorical.type_overrides["a"] = ColumnType::kCategorical;
  ExpectSameFrame(text, categorical);
  InferOptions unknown;
  unknown.type_overrides["nosuch"] = ColumnType::kFloat;
  ExpectSameFrame(text, unknown);
}

TEST(StreamedRead, MalformedFilesGiveTheTwoStepError) {
  ExpectSameFrame("a,b\n1,2\n3\n");
  ExpectSameFrame("a,b\n1,\"open\n");
  ExpectSameFrame("");
  ExpectSameFrame("a,b\n");
}

TEST(StreamedRead, RealDatasetsMatchTheTwoStepRead) {
  const auto root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found";
  for (const char* file :
       {"adult/adult-train.csv", "adult/adult-test.csv", "german-credit/german-credit.csv",
        "credit-default/credit-default.csv", "bike-sharing/bike-hourly.csv"}) {
    const std::string path = (*root / file).string();
    Result<RawTable> raw = ReadCsvFile(path, {}, nullptr);
    ASSERT_TRUE(raw.ok()) << raw.status().message();
    Result<Frame> two_step = InferFrame(*raw, {});
    Result<Frame> streamed = ReadCsvFileFrame(path, {}, {}, nullptr);
    ASSERT_TRUE(two_step.ok() && streamed.ok()) << file;
    EXPECT_EQ(ContentHash(*two_step), ContentHash(*streamed)) << file;
  }
}

}  // namespace
}  // namespace kiln
