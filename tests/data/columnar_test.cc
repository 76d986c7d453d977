// Round trips through the columnar file format, the content hash's invariances, and the decoder's
// refusal of damaged files.
#include "data/columnar.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "test_util.h"

namespace kiln {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Column MakeColumn(std::string name, ColumnType type, std::vector<uint8_t> missing) {
  Column c;
  c.name = std::move(name);
  c.type = type;
  c.missing = std::move(missing);
  return c;
}

Column Ints(std::string name, std::vector<int64_t> values, std::vector<uint8_t> missing) {
  Column c = MakeColumn(std::move(name), ColumnType::kInteger, std::move(missing));
  c.ints = std::move(values);
  return c;
}

Column Floats(std::string name, std::vector<double> values, std::vector<uint8_t> missing) {
  Column c = MakeColumn(std::move(name), ColumnType::kFloat, std::move(missing));
  c.floats = std::move(values);
  return c;
}

Column Categories(std::string name, std::vector<std::string> dictionary, std::vector<int32_t> codes,
                  std::vector<uint8_t> missing) {
  Column c = MakeColumn(std::move(name), ColumnType::kCategorical, std::move(missing));
  c.dictionary = std::move(dictionary);
  c.codes = std::move(codes);
  return c;
}

Column Texts(std::string name, std::vector<std::string> values, std::vector<uint8_t> missing) {
  Column c = MakeColumn(std::move(name), ColumnType::kText, std::move(missing));
  c.texts = std::move(values);
  return c;
}

// Three rows of every column type, with missing values in each.
Frame SampleFrame() {
  Frame f;
  f.Add(Ints("age", {39, 0, -7}, {0, 1, 0}));
  f.Add(Floats("score", {0.5, kNan, -2.25}, {0, 1, 0}));
  Column flag = MakeColumn("flag", ColumnType::kBoolean, {0, 0, 1});
  flag.ints = {1, 0, 0};
  f.Add(flag);
  f.Add(Categories("colour", {"blue", "red"}, {1, 0, -1}, {0, 0, 1}));
  Column when = MakeColumn("when", ColumnType::kDatetime, {0, 1, 0});
  when.ints = {1'600'000'000, 0, -86'400};
  when.datetime_format = "%d-%m-%Y";
  f.Add(when);
  f.Add(Texts("note", {"hello, world", "", "émoji ✓"}, {0, 1, 0}));
  return f;
}

void ExpectSameFrame(const Frame& a, const Frame& b) {
  ASSERT_EQ(a.cols(), b.cols());
  ASSERT_EQ(a.rows(), b.rows());
  for (size_t k = 0; k < a.cols(); ++k) {
    const Column& x = a.column(k);
    const Column& y = b.column(k);
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.missing, y.missing);
    EXPECT_EQ(x.dictionary, y.dictionary);
    EXPECT_EQ(x.datetime_format, y.datetime_format);
    for (size_t i = 0; i < x.size(); ++i) {
      if (x.is_missing(i)) continue;
      switch (x.type) {
        case ColumnType::kFloat:
          if (std::isnan(x.floats[i])) {
            EXPECT_TRUE(std::isnan(y.floats[i]));
          } else {
            EXPECT_EQ(std::signbit(x.floats[i]), std::signbit(y.floats[i]));
            EXPECT_EQ(x.floats[i], y.floats[i]) << "row " << i;
          }
          break;
        case ColumnType::kCategorical:
          EXPECT_EQ(x.codes[i], y.codes[i]) << "row " << i;
          break;
        case ColumnType::kText:
          EXPECT_EQ(x.texts[i], y.texts[i]) << "row " << i;
          break;
        default:
          EXPECT_EQ(x.ints[i], y.ints[i]) << "row " << i;
      }
    }
  }
}

Frame RoundTrip(const Frame& frame) {
  Result<std::string> bytes = EncodeFrame(frame);
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  Result<Frame> back = DecodeFrame(*bytes, "test.kcol");
  EXPECT_TRUE(back.ok()) << back.status().message();
  return back.ok() ? *back : Frame();
}

// A frame of `rows` pseudo-random rows, big enough to span several internal chunks.
Frame RandomFrame(size_t rows, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> missing(rows);
  Column ints = MakeColumn("i", ColumnType::kInteger, {});
  Column floats = MakeColumn("f", ColumnType::kFloat, {});
  Column cats = MakeColumn("c", ColumnType::kCategorical, {});
  Column texts = MakeColumn("t", ColumnType::kText, {});
  cats.dictionary = {"a", "bb", "ccc", "dddd"};
  for (size_t i = 0; i < rows; ++i) {
    bool gap = rng() % 10 == 0;
    for (Column* c : {&ints, &floats, &cats, &texts}) c->missing.push_back(gap ? 1 : 0);
    ints.ints.push_back(gap ? 0 : static_cast<int64_t>(rng() % 100000));
    floats.floats.push_back(gap ? kNan : static_cast<double>(rng() % 1000) / 7.0);
    cats.codes.push_back(gap ? -1 : static_cast<int32_t>(rng() % 4));
    texts.texts.push_back(gap ? "" : std::string(rng() % 12, static_cast<char>('a' + i % 26)));
  }
  Frame f;
  for (Column* c : {&ints, &floats, &cats, &texts}) f.Add(std::move(*c));
  return f;
}

Status DecodeStatus(std::string_view bytes, DecodeOptions options = {}) {
  return DecodeFrame(bytes, "damaged.kcol", options).status();
}

void ExpectCorrupt(const Status& status) {
  EXPECT_EQ(status.code(), ErrorCode::kData);
  EXPECT_EQ(status.message().rfind("corrupt dataset file damaged.kcol: ", 0), 0u)
      << status.message();
}

// Rewrites the trailing checksum so that a deliberate edit reaches the checks behind it.
void Reseal(std::string& bytes) {
  uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
}

TEST(Columnar, RoundTripsEveryColumnType) {
  Frame f = SampleFrame();
  ExpectSameFrame(f, RoundTrip(f));
}

TEST(Columnar, MissingPositionsDecodeToPlaceholders) {
  Frame back = RoundTrip(SampleFrame());
  EXPECT_EQ(back.column(0).ints[1], 0);
  EXPECT_TRUE(std::isnan(back.column(1).floats[1]));
  EXPECT_EQ(back.column(3).codes[2], -1);
  EXPECT_EQ(back.column(5).texts[1], "");
}

TEST(Columnar, EmptyTextStaysDistinctFromMissing) {
  Frame f;
  f.Add(Texts("t", {"", "", "x"}, {0, 1, 0}));
  Frame back = RoundTrip(f);
  EXPECT_EQ(back.column(0).missing, (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_NE(ContentHash(f), ContentHash([] {
              Frame g;
              g.Add(Texts("t", {"", "", "x"}, {1, 1, 0}));
              return g;
            }()));
}

TEST(Columnar, ZeroRowsKeepTheSchema) {
  Frame f;
  f.Add(Ints("a", {}, {}));
  f.Add(Categories("b", {"x", "y"}, {}, {}));
  f.Add(Texts("c", {}, {}));
  Frame back = RoundTrip(f);
  ASSERT_EQ(back.cols(), 3u);
  EXPECT_EQ(back.rows(), 0u);
  EXPECT_EQ(back.column(1).dictionary, (std::vector<std::string>{"x", "y"}));
}

TEST(Columnar, ZeroColumnsRoundTrip) {
  Frame back = RoundTrip(Frame());
  EXPECT_EQ(back.cols(), 0u);
}

TEST(Columnar, NanInfinityAndNegativeZeroSurvive) {
  Frame f;
  f.Add(Floats("x", {kNan, kInf, -kInf, -0.0, 5e-324, 1.7976931348623157e308}, {0, 0, 0, 0, 0, 0}));
  Frame back = RoundTrip(f);
  ExpectSameFrame(f, back);
  EXPECT_TRUE(std::signbit(back.column(0).floats[3]));
}

TEST(Columnar, LargeFrameRoundTripsAcrossChunks) {
  Frame f = RandomFrame(50'003, 7);
  Frame back = RoundTrip(f);
  ExpectSameFrame(f, back);
  EXPECT_EQ(ContentHash(f), ContentHash(back));
}

TEST(Columnar, ExtremeIntegersSurviveDeltaEncoding) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  Frame f;
  f.Add(Ints("x", {kMin, kMax, 0, -1, kMin, kMax, 1}, {0, 0, 0, 0, 0, 0, 0}));
  ExpectSameFrame(f, RoundTrip(f));
}

// Sorted timestamps take the delta path and decimals the decimal path; both must be exact.
TEST(Columnar, SortedTimestampsAndDecimalsPickTheirFilters) {
  const size_t n = 40'000;
  Column when = MakeColumn("when", ColumnType::kDatetime, std::vector<uint8_t>(n, 0));
  when.datetime_format = "%Y-%m-%d %H:%M:%S";
  Column temp = MakeColumn("temp", ColumnType::kFloat, std::vector<uint8_t>(n, 0));
  for (size_t i = 0; i < n; ++i) {
    when.ints.push_back(1'293'840'000 + static_cast<int64_t>(i) * 3600);
    temp.floats.push_back(static_cast<double>((i * 37) % 100) / 100.0);
  }
  Frame f;
  f.Add(when);
  f.Add(temp);
  std::string bytes = *EncodeFrame(f);
  Result<FrameStorage> storage = InspectFrameFile(bytes, "t.kcol");
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  EXPECT_EQ(storage->columns[0].encoding, "zstd+delta+shuffle");
  EXPECT_EQ(storage->columns[1].encoding, "zstd+decimal2+shuffle");
  ExpectSameFrame(f, *DecodeFrame(bytes, "t.kcol"));
}

// Values that no decimal scaling reproduces exactly must still come back bit for bit.
TEST(Columnar, FloatsThatAreNotShortDecimalsRoundTrip) {
  std::vector<double> values = {
      0.1,  0.25, 1.0 / 3.0,         -0.0, 1e15, 123456.789012345, 1e-7, 5e-324,
      kInf, kNan, 9007199254740993.0};
  Frame f;
  f.Add(Floats("x", values, std::vector<uint8_t>(values.size(), 0)));
  ExpectSameFrame(f, RoundTrip(f));
  for (size_t keep = 1; keep <= values.size(); ++keep) {
    Frame g;
    std::vector<double> prefix(values.begin(), values.begin() + static_cast<long>(keep));
    g.Add(Floats("x", prefix, std::vector<uint8_t>(keep, 0)));
    ExpectSameFrame(g, RoundTrip(g));
  }
}

TEST(Columnar, InspectionReportsSizesAndTheContentHash) {
  Frame f = RandomFrame(2000, 9);
  std::string bytes = *EncodeFrame(f);
  Result<FrameStorage> storage = InspectFrameFile(bytes, "t.kcol");
  ASSERT_TRUE(storage.ok()) << storage.status().message();
  EXPECT_EQ(storage->rows, 2000u);
  EXPECT_EQ(storage->content_hash, ContentHash(f));
  EXPECT_EQ(storage->file_bytes, bytes.size());
  ASSERT_EQ(storage->columns.size(), 4u);
  EXPECT_EQ(storage->columns[0].raw_bytes, 250u + 2000u * 8);
  for (const ColumnStorage& c : storage->columns) EXPECT_LT(c.stored_bytes, c.raw_bytes);
  ExpectCorrupt(InspectFrameFile(bytes.substr(1), "damaged.kcol").status());
}

TEST(Columnar, EncodingIsDeterministic) {
  Frame f = RandomFrame(1000, 3);
  EXPECT_EQ(*EncodeFrame(f), *EncodeFrame(f));
}

TEST(Columnar, EncodeRejectsMalformedFrames) {
  Frame f;
  f.Add(Ints("a", {1, 2}, {0, 0}));
  f.Add(Ints("b", {1}, {0, 0}));
  EXPECT_EQ(EncodeFrame(f).status().code(), ErrorCode::kInternal);

  Frame g;
  g.Add(Categories("c", {"x"}, {3}, {0}));
  EXPECT_EQ(EncodeFrame(g).status().code(), ErrorCode::kInternal);
}

TEST(ContentHash, IsThirtyTwoHexCharacters) {
  std::string h = ContentHash(SampleFrame());
  ASSERT_EQ(h.size(), 32u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

// Dataset version ids are stored; a change to the canonical encoding must be deliberate. The
// value was computed independently from the encoding in docs/storage-format.md (Python, calling
// libxxhash's XXH3_128bits).
TEST(ContentHash, IsStableAcrossReleases) {
  EXPECT_EQ(ContentHash(SampleFrame()), "54866b69fe562f2135c5e4565d7688b1");
}

TEST(ContentHash, IgnoresCompressionLevel) {
  Frame f = RandomFrame(3000, 1);
  Result<Frame> fast = DecodeFrame(*EncodeFrame(f, 1), "a");
  Result<Frame> small = DecodeFrame(*EncodeFrame(f, 19), "b");
  EXPECT_EQ(ContentHash(*fast), ContentHash(*small));
  EXPECT_EQ(ContentHash(*fast), ContentHash(f));
}

TEST(ContentHash, IgnoresValuesAtMissingPositions) {
  Frame a = SampleFrame();
  Frame b = SampleFrame();
  b.column(0).ints[1] = 12345;
  b.column(1).floats[1] = 3.0;
  b.column(3).codes[2] = 1;
  b.column(5).texts[1] = "ignored";
  EXPECT_EQ(ContentHash(a), ContentHash(b));
}

TEST(ContentHash, IgnoresDictionaryOrderAndUnusedCategories) {
  Frame a;
  a.Add(Categories("c", {"blue", "red"}, {1, 0, 1}, {0, 0, 0}));
  Frame b;
  b.Add(Categories("c", {"red", "green", "blue"}, {0, 2, 0}, {0, 0, 0}));
  EXPECT_EQ(ContentHash(a), ContentHash(b));
}

TEST(ContentHash, TreatsAllNansAsOne) {
  Frame a;
  a.Add(Floats("x", {kNan}, {0}));
  Frame b;
  b.Add(Floats("x", {-std::numeric_limits<double>::signaling_NaN()}, {0}));
  EXPECT_EQ(ContentHash(a), ContentHash(b));
}

TEST(ContentHash, ChangesWithEveryPartOfTheContent) {
  std::string base = ContentHash(SampleFrame());
  auto differs = [&](auto edit) {
    Frame f = SampleFrame();
    edit(f);
    return ContentHash(f) != base;
  };
  EXPECT_TRUE(differs([](Frame& f) { f.column(0).name = "Age"; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(0).ints[0] = 40; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(0).missing[0] = 1; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(0).type = ColumnType::kDatetime; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(1).floats[0] = 0.5000000000000001; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(2).ints[0] = 0; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(3).dictionary[0] = "green"; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(4).datetime_format = "%Y-%m-%d"; }));
  EXPECT_TRUE(differs([](Frame& f) { f.column(5).texts[0] = "hello,world"; }));
  EXPECT_TRUE(differs([](Frame& f) { std::swap(f.columns()[0], f.columns()[1]); }));
}

// Length prefixes keep ("ab", "c") and ("a", "bc") apart.
TEST(ContentHash, StringBoundariesMatter) {
  Frame a;
  a.Add(Texts("t", {"ab", "c"}, {0, 0}));
  Frame b;
  b.Add(Texts("t", {"a", "bc"}, {0, 0}));
  EXPECT_NE(ContentHash(a), ContentHash(b));
}

TEST(ColumnarCorruption, FlippingAnyByteIsDetected) {
  std::string good = *EncodeFrame(SampleFrame());
  for (size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    SCOPED_TRACE("byte " + std::to_string(at));
    ExpectCorrupt(DecodeStatus(bad));
  }
}

TEST(ColumnarCorruption, EveryTruncationIsDetected) {
  std::string good = *EncodeFrame(SampleFrame());
  for (size_t size = 0; size < good.size(); ++size) {
    SCOPED_TRACE("size " + std::to_string(size));
    ExpectCorrupt(DecodeStatus(std::string_view(good).substr(0, size)));
  }
}

TEST(ColumnarCorruption, AppendedBytesAreDetected) {
  ExpectCorrupt(DecodeStatus(*EncodeFrame(SampleFrame()) + "x"));
}

TEST(ColumnarCorruption, OtherFilesAreNotMistakenForFrames) {
  ExpectCorrupt(DecodeStatus("age,income\n39,>50K\n"));
}

TEST(ColumnarCorruption, NewerFormatVersionIsNamed) {
  std::string bytes = *EncodeFrame(SampleFrame());
  bytes[8] = 2;
  Reseal(bytes);
  Status s = DecodeStatus(bytes);
  ExpectCorrupt(s);
  EXPECT_NE(s.message().find("unsupported format version 2"), std::string::npos);
}

// With checksums off, header fields reach the bound checks, which must refuse before allocating.
TEST(ColumnarCorruption, AbsurdRowCountIsRefusedBeforeAllocating) {
  std::string bytes = *EncodeFrame(SampleFrame());
  uint64_t rows = uint64_t{1} << 39;
  std::memcpy(bytes.data() + 16, &rows, 8);
  ExpectCorrupt(DecodeStatus(bytes, {.verify_checksums = false}));
}

TEST(ColumnarCorruption, MemoryLimitIsEnforced) {
  std::string bytes = *EncodeFrame(RandomFrame(10'000, 5));
  Status s = DecodeStatus(bytes, {.max_decoded_bytes = 1000});
  ExpectCorrupt(s);
  EXPECT_NE(s.message().find("memory"), std::string::npos);
}

TEST(ColumnarCorruption, UncheckedDecodingOfFlippedBytesNeverCrashes) {
  std::string good = *EncodeFrame(SampleFrame());
  for (size_t at = 0; at < good.size(); ++at) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ mask);
      (void)DecodeFrame(bad, "x", {.verify_checksums = false, .max_decoded_bytes = 1 << 24});
    }
  }
}

TEST(Columnar, RealDataSetRoundTripsSmallerThanItsCsv) {
  std::optional<std::filesystem::path> datasets = testing::SharedDatasets();
  if (!datasets) GTEST_SKIP() << "shared data sets not found";
  std::filesystem::path csv = *datasets / "adult" / "adult-train.csv";
  Result<RawTable> raw = ReadCsvFile(csv.string(), CsvOptions{}, nullptr);
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  Result<Frame> frame = InferFrame(*raw, InferOptions{});
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  if (frame->cols() == 0) GTEST_SKIP() << "type inference is not available";

  std::string bytes = *EncodeFrame(*frame);
  EXPECT_LT(bytes.size(), std::filesystem::file_size(csv) / 4);
  Frame back = RoundTrip(*frame);
  ExpectSameFrame(*frame, back);
  EXPECT_EQ(ContentHash(*frame), ContentHash(back));
}

}  // namespace
}  // namespace kiln
