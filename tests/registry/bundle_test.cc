// Model bundles: a decoded bundle scores exactly as the one encoded, and damaged bytes are
// refused with a kData Status rather than read or crashed on.
#include "registry/bundle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "features/feature_test_util.h"
#include "train/trainer.h"

namespace kiln {
namespace {

using testing::CategoricalColumn;
using testing::FloatColumn;
using testing::kNan;
using testing::MakeFrame;

// y is likelier for city "x" and large a; a is sometimes missing.
Frame TrainingFrame(size_t rows) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0, 1);
  const std::vector<std::string> cities = {"x", "y", "z"};
  std::vector<double> a, b;
  std::vector<std::string> city, y;
  for (size_t r = 0; r < rows; ++r) {
    const double av = normal(rng);
    city.push_back(cities[r % 3]);
    a.push_back(r % 13 == 0 ? kNan : av);
    b.push_back(normal(rng));
    const double score = av + (city.back() == "x" ? 1.0 : -0.5) + 0.5 * normal(rng);
    y.push_back(score > 0 ? "yes" : "no");
  }
  return MakeFrame({FloatColumn("a", a), FloatColumn("b", b), CategoricalColumn("city", city),
                    CategoricalColumn("y", y)});
}

// Rows as scoring meets them: a category training never saw, missing values in every column.
Frame ScoringFrame() {
  return MakeFrame({FloatColumn("a", {0.3, kNan, -1.2, 2.0, kNan}),
                    FloatColumn("b", {1.0, 0.5, kNan, -0.1, kNan}),
                    CategoricalColumn("city", {"x", "unseen", "", "z", "another"}),
                    CategoricalColumn("y", {"yes", "no", "no", "yes", "no"})});
}

Bundle TrainedBundle(const std::string& models) {
  const std::string yaml =
      "version: 1\nproject: bundles\n"
      "task: {type: binary, target: y, positive_class: \"yes\"}\n"
      "metrics: {north_star: roc_auc}\nvalidation: {folds: 3}\n" +
      models;
  Result<ProblemSpec> spec = ParseProblemSpec(yaml, "kiln.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  if (!spec.ok()) return {};
  Result<TrainOutcome> out = Train(*spec, TrainingFrame(200));
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return {};
  out->bundle.run_id = "run-1";
  out->bundle.dataset = "d@v1";
  out->bundle.extra = {{"cv", 0.9}};
  return std::move(out->bundle);
}

const std::string& XgboostBytes() {
  static const std::string bytes =
      EncodeBundle(TrainedBundle("models: [{family: xgboost, trees: 10, max_depth: 3}]\n"));
  return bytes;
}

void ExpectSameScores(const ScoringPair& original, const ScoringPair& decoded) {
  const Frame frame = ScoringFrame();
  Result<std::vector<double>> want = original.Score(frame);
  Result<std::vector<double>> got = decoded.Score(frame);
  ASSERT_TRUE(want.ok()) << want.status().message();
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), frame.rows());
  // Bit-identical: the same doubles, not merely close ones.
  EXPECT_EQ(*got, *want);
}

void ExpectRoundTrip(const Bundle& bundle) {
  Result<Bundle> decoded = DecodeBundle(EncodeBundle(bundle));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();

  EXPECT_EQ(decoded->project, "bundles");
  EXPECT_EQ(decoded->task.target, "y");
  EXPECT_EQ(decoded->task.positive_class, "yes");
  EXPECT_EQ(decoded->classes, bundle.classes);
  EXPECT_EQ(decoded->threshold, bundle.threshold);
  EXPECT_EQ(decoded->run_id, "run-1");
  EXPECT_EQ(decoded->dataset, "d@v1");
  EXPECT_EQ(decoded->created_at, bundle.created_at);
  EXPECT_EQ(decoded->extra, bundle.extra);
  EXPECT_EQ(decoded->candidate.spec, bundle.candidate.spec);
  EXPECT_EQ(decoded->baseline.spec, bundle.baseline.spec);
  ExpectSameScores(bundle.candidate, decoded->candidate);
  ExpectSameScores(bundle.baseline, decoded->baseline);
}

TEST(Bundle, XgboostRoundTripScoresBitIdentically) {
  ExpectRoundTrip(TrainedBundle("models: [{family: xgboost, trees: 10, max_depth: 3}]\n"));
}

TEST(Bundle, LogisticRoundTripScoresBitIdentically) {
  ExpectRoundTrip(TrainedBundle("models: [logistic]\n"));
}

TEST(Bundle, EncodingIsDeterministic) {
  const Bundle bundle = TrainedBundle("models: [logistic]\n");
  EXPECT_EQ(EncodeBundle(bundle), EncodeBundle(bundle));
  Result<Bundle> decoded = DecodeBundle(EncodeBundle(bundle));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(EncodeBundle(*decoded), EncodeBundle(bundle));
}

// Every byte of the magic line and the manifest, then an even sample of the sections.
std::vector<size_t> Positions(const std::string& bytes, size_t sample) {
  const size_t header = bytes.find('\n', bytes.find('\n') + 1) + 1;
  std::vector<size_t> positions;
  for (size_t i = 0; i < header; ++i) positions.push_back(i);
  const size_t step = std::max<size_t>(1, (bytes.size() - header) / sample);
  for (size_t i = header; i < bytes.size(); i += step) positions.push_back(i);
  positions.push_back(bytes.size() - 1);
  return positions;
}

TEST(Bundle, EveryByteFlipIsADataError) {
  const std::string& bytes = XgboostBytes();
  ASSERT_TRUE(DecodeBundle(bytes).ok());
  for (size_t pos : Positions(bytes, 300)) {
    for (unsigned char mask : {0x01, 0x20, 0x80}) {
      std::string damaged = bytes;
      damaged[pos] = static_cast<char>(static_cast<unsigned char>(damaged[pos]) ^ mask);
      Result<Bundle> decoded = DecodeBundle(damaged);
      ASSERT_FALSE(decoded.ok()) << "flip of byte " << pos << " by " << int{mask}
                                 << " was accepted";
      ASSERT_EQ(decoded.status().code(), ErrorCode::kData) << decoded.status().message();
    }
  }
}

TEST(Bundle, EveryTruncationIsADataError) {
  const std::string& bytes = XgboostBytes();
  for (size_t length : Positions(bytes, 300)) {
    Result<Bundle> decoded = DecodeBundle(std::string_view(bytes).substr(0, length));
    ASSERT_FALSE(decoded.ok()) << "a bundle cut to " << length << " bytes was accepted";
    ASSERT_EQ(decoded.status().code(), ErrorCode::kData) << decoded.status().message();
  }
}

TEST(Bundle, TrailingBytesAreADataError) {
  Result<Bundle> decoded = DecodeBundle(XgboostBytes() + "x");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kData);
  EXPECT_NE(decoded.status().message().find("bytes follow the last section"), std::string::npos)
      << decoded.status().message();
}

TEST(Bundle, OtherFilesAreRefusedAtTheMagicLine) {
  for (const std::string text : {"", "{}", "KILNBNDL 2\n{}\n", "PK\x03\x04"}) {
    Result<Bundle> decoded = DecodeBundle(text);
    ASSERT_FALSE(decoded.ok()) << text;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kData);
    EXPECT_NE(decoded.status().message().find("not a model bundle"), std::string::npos)
        << decoded.status().message();
  }
}

}  // namespace
}  // namespace kiln
