// Tests of the CSV tokenizer on small in-memory files: dialects, quoting, header handling,
// line numbers and progress. Broken inputs are in broken_inputs_test.cc.
#include "data/csv_reader.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

namespace kiln {
namespace {

// Reads `text` and keeps it alive inside the table, since the cells are views into it.
RawTable Read(std::string text, const CsvOptions& options = {}) {
  auto owned = std::make_shared<std::string>(std::move(text));
  Result<RawTable> table = ReadCsv(*owned, options, "test.csv", nullptr);
  EXPECT_TRUE(table.ok()) << table.status().message();
  if (!table.ok()) return RawTable{};
  table->backing = owned;
  return std::move(table).value();
}

std::string Cell(const RawTable& t, size_t col, size_t row) {
  return std::string(t.cells[col][row]);
}

std::vector<std::string> Names(const std::string& text, const CsvOptions& options = {}) {
  return Read(text, options).names;
}

TEST(CsvReader, ReadsHeaderAndRows) {
  RawTable t = Read("a,b\n1,x\n2,y\n");
  EXPECT_EQ(t.names, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(Cell(t, 0, 1), "2");
  EXPECT_EQ(Cell(t, 1, 0), "x");
  EXPECT_EQ(t.source, "test.csv");
}

// Rows of one-character fields put up to 64 delimiters in one 64-byte block, and rows of long
// fields none: every count of stops per block the fast path must list.
TEST(CsvReader, ReadsBlocksDenseAndSparseInStops) {
  std::string text;
  for (int c = 0; c < 40; ++c) text += (c ? ",c" : "c") + std::to_string(c);
  text += "\n";
  for (int r = 0; r < 50; ++r) {
    for (int c = 0; c < 40; ++c) {
      if (c) text += ',';
      text += r % 3 == 0   ? std::string(1, static_cast<char>('0' + (r + c) % 10))
              : r % 3 == 1 ? std::to_string(r * 1000 + c)
                           : std::string(70 + c % 5, static_cast<char>('a' + c % 26));
    }
    text += "\n";
  }
  RawTable t = Read(text);
  ASSERT_EQ(t.cols(), 40u);
  ASSERT_EQ(t.rows(), 50u);
  for (int r = 0; r < 50; ++r) {
    for (int c = 0; c < 40; ++c) {
      const std::string expected =
          r % 3 == 0   ? std::string(1, static_cast<char>('0' + (r + c) % 10))
          : r % 3 == 1 ? std::to_string(r * 1000 + c)
                       : std::string(70 + c % 5, static_cast<char>('a' + c % 26));
      ASSERT_EQ(Cell(t, static_cast<size_t>(c), static_cast<size_t>(r)), expected)
          << "row " << r << " column " << c;
    }
  }
}

// Text lengths on both sides of the 16- and 64-byte steps of the UTF-8 check and the
// tokenizer, in exactly sized heap buffers (so a read past the end shows under AddressSanitizer),
// through both the two-step and the streamed read.
TEST(CsvReader, ReadsTextsOfEveryLengthAroundTheBlockSizes) {
  for (size_t length = 4; length <= 300; ++length) {
    // "v\n" then rows "7\n", the first one "17\n" when the length is odd.
    const size_t rows = (length - 2) / 2;
    std::string text = length % 2 == 1 ? "v\n17\n" : "v\n7\n";
    while (text.size() < length) text += "7\n";
    ASSERT_EQ(text.size(), length);
    const std::vector<char> bytes(text.begin(), text.end());  // no terminating NUL after it
    const std::string_view exact(bytes.data(), bytes.size());
    Result<RawTable> table = ReadCsv(exact, {}, "len.csv", nullptr);
    ASSERT_TRUE(table.ok()) << length << ": " << table.status().message();
    EXPECT_EQ(table->rows(), rows) << length;
    Result<Frame> frame = ReadCsvFrame(exact, {}, {}, "len.csv", nullptr);
    ASSERT_TRUE(frame.ok()) << length << ": " << frame.status().message();
    EXPECT_EQ(frame->rows(), rows) << length;
  }
}

TEST(CsvReader, ReadsLastLineWithoutNewline) {
  RawTable t = Read("a,b\n1,2");
  ASSERT_EQ(t.rows(), 1u);
  EXPECT_EQ(Cell(t, 1, 0), "2");
}

TEST(CsvReader, SniffsSemicolonTabAndPipe) {
  EXPECT_EQ(SniffDelimiter("a;b;c\n1;2,5;3\n"), ';');
  EXPECT_EQ(SniffDelimiter("a\tb\n1\t2\n"), '\t');
  EXPECT_EQ(SniffDelimiter("a|b|c\n1|2|3\n"), '|');
  EXPECT_EQ(SniffDelimiter("a,b\n1,2\n"), ',');
  EXPECT_EQ(Read("x;y\n1;2\n").names, (std::vector<std::string>{"x", "y"}));
}

TEST(CsvReader, SniffingIgnoresDelimitersInsideQuotes) {
  EXPECT_EQ(SniffDelimiter("\"a;b;c\",d\n\"x;y;z\",w\n"), ',');
}

TEST(CsvReader, SniffingDefaultsToCommaForOneColumn) {
  EXPECT_EQ(SniffDelimiter("a\n1\n2\n"), ',');
}

TEST(CsvReader, ExplicitDelimiterWins) {
  CsvOptions options;
  options.delimiter = ';';
  RawTable t = Read("a,b;c\n1,2;3\n", options);
  EXPECT_EQ(t.names, (std::vector<std::string>{"a,b", "c"}));
}

TEST(CsvReader, QuotedFieldsKeepDelimitersQuotesAndNewlines) {
  RawTable t = Read("a,b\n\"x,y\",\"he said \"\"hi\"\"\nthen left\"\n");
  ASSERT_EQ(t.rows(), 1u);
  EXPECT_EQ(Cell(t, 0, 0), "x,y");
  EXPECT_EQ(Cell(t, 1, 0), "he said \"hi\"\nthen left");
}

TEST(CsvReader, QuoteInsideUnquotedFieldIsLiteral) {
  RawTable t = Read("a,b\n5\" pipe,2\n");
  EXPECT_EQ(Cell(t, 0, 0), "5\" pipe");
}

TEST(CsvReader, ReadsCrlfAndLoneCrLineEndings) {
  RawTable crlf = Read("a,b\r\n1,2\r\n3,4\r\n");
  ASSERT_EQ(crlf.rows(), 2u);
  EXPECT_EQ(Cell(crlf, 1, 1), "4");
  RawTable cr = Read("a,b\r1,2\r3,4\r");
  ASSERT_EQ(cr.rows(), 2u);
  EXPECT_EQ(Cell(cr, 1, 1), "4");
}

TEST(CsvReader, SkipsUtf8ByteOrderMark) {
  RawTable t = Read("\xEF\xBB\xBFid,name\n1,K\xC3\xB6ln\n");
  EXPECT_EQ(t.names.front(), "id");
  EXPECT_EQ(Cell(t, 1, 0), "K\xC3\xB6ln");
}

TEST(CsvReader, TrimsSpacesOutsideQuotes) {
  RawTable t = Read("a, b\n1,  x y  \n");
  EXPECT_EQ(t.names[1], "b");
  EXPECT_EQ(Cell(t, 1, 0), "x y");
}

TEST(CsvReader, KeepsSpacesInsideQuotes) {
  RawTable t = Read("a,b\n1, \" x \" \n");
  EXPECT_EQ(Cell(t, 1, 0), " x ");
}

TEST(CsvReader, KeepsSpacesWhenTrimmingIsOff) {
  CsvOptions options;
  options.trim_spaces = false;
  RawTable t = Read("a,b\n1, x \n", options);
  EXPECT_EQ(Cell(t, 1, 0), " x ");
}

TEST(CsvReader, SkipsBlankAndTrailingLines) {
  RawTable t = Read("\na,b\n1,2\n\n   \n3,4\n\n\n");
  ASSERT_EQ(t.rows(), 2u);
  EXPECT_EQ(Cell(t, 0, 1), "3");
}

TEST(CsvReader, UnquotesHeaderNames) {
  EXPECT_EQ(Names("\"StatusAcount1\",\"Duration2\"\nA11,6\n"),
            (std::vector<std::string>{"StatusAcount1", "Duration2"}));
}

TEST(CsvReader, RenamesDuplicateAndEmptyNames) {
  EXPECT_EQ(Names("a,a,,a_2,a\nx,y,z,w,v\n"),
            (std::vector<std::string>{"a", "a_3", "col_3", "a_2", "a_4"}));
}

TEST(CsvReader, SniffsMissingHeaderFromNumbers) {
  RawTable t = Read("1,2\n3,4\n");
  EXPECT_EQ(t.names, (std::vector<std::string>{"col_1", "col_2"}));
  EXPECT_EQ(t.rows(), 2u);
}

TEST(CsvReader, SniffsMissingHeaderFromRepeatedValues) {
  RawTable t = Read("red,small\nblue,large\nred,small\nblue,small\n");
  EXPECT_EQ(t.names.front(), "col_1");
  EXPECT_EQ(t.rows(), 4u);
}

TEST(CsvReader, HeaderOptionOverridesSniffing) {
  CsvOptions with_header;
  with_header.header = 1;
  EXPECT_EQ(Names("2019,2020\n1,2\n", with_header), (std::vector<std::string>{"2019", "2020"}));
  CsvOptions without_header;
  without_header.header = 0;
  RawTable t = Read("name,city\nAda,London\n", without_header);
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(Cell(t, 0, 0), "name");
}

TEST(CsvReader, RecordsTheLineWhereEachRowStarts) {
  RawTable t = Read("a,b\n1,\"two\nlines\"\n\n3,4\n");
  EXPECT_EQ(t.row_lines, (std::vector<int64_t>{2, 5}));
}

TEST(CsvReader, MarksQuotedCellsOnlyWhenThereAreAny) {
  RawTable plain = Read("a,b\n1,2\n");
  EXPECT_TRUE(plain.cell_quoted.empty());
  RawTable quoted = Read("a,b\n1,2\n3,\"\"\n5,6\n");
  ASSERT_EQ(quoted.cell_quoted.size(), 2u);
  EXPECT_EQ(quoted.cell_quoted[1], (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(quoted.cell_quoted[0], (std::vector<uint8_t>{0, 0, 0}));
}

TEST(CsvReader, EmptyFieldsAreEmptyNotNull) {
  RawTable t = Read("a,b,c\n,,\n");
  ASSERT_EQ(t.rows(), 1u);
  EXPECT_TRUE(t.cells[2][0].empty());
  EXPECT_NE(t.cells[2][0].data(), nullptr);
}

// Writes rows mixing plain, padded and quoted fields (with delimiters, doubled quotes and line
// breaks inside) and reads them back: the fast path for plain rows and the general path must
// hand over to each other at any point, across chunk boundaries, and agree on every cell.
TEST(CsvReader, MixedRowsReadBackExactly) {
  const std::vector<std::string> values = {"1.5", "abc", "", "x y", "-7", "2020-01-01", "NA"};
  for (const char* eol : {"\n", "\r\n"}) {
    uint64_t state = 42;
    auto next = [&](uint64_t bound) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return static_cast<size_t>((state >> 33) % bound);
    };
    std::string text = std::string("a,b,c") + eol;
    std::vector<std::vector<std::string>> expected(3);
    for (int row = 0; row < 30000; ++row) {
      const bool special_row = next(50) == 0;
      for (int c = 0; c < 3; ++c) {
        std::string value = values[next(values.size())];
        if (special_row && c == 1) {
          value = "q\"uote, \nline";
          text += "\"q\"\"uote, \nline\"";
        } else if (special_row && c == 2) {
          text += "  " + value + " ";
        } else {
          text += value;
        }
        expected[c].push_back(value);
        text += c < 2 ? "," : eol;
      }
    }
    RawTable t = Read(text);
    ASSERT_EQ(t.rows(), 30000u) << "line ends " << (eol[0] == '\r' ? "CRLF" : "LF");
    for (size_t c = 0; c < 3; ++c) {
      for (size_t r = 0; r < t.rows(); ++r)
        ASSERT_EQ(Cell(t, c, r), expected[c][r]) << c << "," << r;
    }
  }
}

TEST(CsvReader, ReportsProgressUpToTheTotal) {
  std::string text = "a,b\n";
  while (text.size() < (9u << 20)) text += "12345.678,abcdefgh\n";
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  ProgressFn progress = [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
  Result<RawTable> t = ReadCsv(text, {}, "big.csv", progress);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{text.size()}, uint64_t{text.size()}));
  for (size_t i = 1; i < calls.size(); ++i) EXPECT_GE(calls[i].first, calls[i - 1].first);
}

TEST(CsvReader, ReadsAFileThroughTheSource) {
  testing::TempDir dir;
  testing::WriteFile(dir / "small.csv", "x,y\n1,2\n3,4\n");
  Result<std::unique_ptr<DataSource>> source = MakeCsvSource((dir / "small.csv").string(), {});
  ASSERT_TRUE(source.ok()) << source.status().message();
  EXPECT_EQ((*source)->Describe(), (dir / "small.csv").string());
  Result<RawTable> t = (*source)->Read(nullptr);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rows(), 2u);
  EXPECT_NE(t->backing, nullptr);
  EXPECT_EQ(std::string(t->cells[1][1]), "4");
}

TEST(CsvReader, MissingFileIsNotFound) {
  Result<std::unique_ptr<DataSource>> source = MakeCsvSource("/nonexistent/data.csv", {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(source.status().message().find("/nonexistent/data.csv"), std::string::npos);
}

TEST(CsvReader, RejectsAQuoteAsDelimiter) {
  CsvOptions options;
  options.delimiter = '"';
  Result<RawTable> t = ReadCsv("a\n1\n", options, "q.csv", nullptr);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), ErrorCode::kConfig);
}

}  // namespace
}  // namespace kiln
