// Encoding, decoding and scoring of model bundles (see bundle.h for the layout).
#include "registry/bundle.h"

#include <xxhash.h>

#include <utility>

#include <fmt/format.h>

namespace kiln {
namespace {

// The first line is this, the manifest's XXH3-64 as 16 lowercase hex digits, and a newline.
constexpr std::string_view kMagic = "KILNBNDL 1 ";
constexpr size_t kChecksumDigits = 16;
constexpr size_t kMaxManifestBytes = 1u << 20;

nlohmann::json SpecJson(const ModelSpec& s) {
  return {{"family", s.family},
          {"trees", s.trees},
          {"max_depth", s.max_depth},
          {"learning_rate", s.learning_rate},
          {"early_stopping", s.early_stopping},
          {"subsample", s.subsample},
          {"colsample", s.colsample},
          {"min_child_weight", s.min_child_weight},
          {"l2", s.l2},
          {"max_iterations", s.max_iterations},
          {"strategy", s.strategy}};
}

ModelSpec SpecFromJson(const nlohmann::json& j) {
  ModelSpec s;
  s.family = j.at("family").get<std::string>();
  s.trees = j.at("trees").get<int>();
  s.max_depth = j.at("max_depth").get<int>();
  s.learning_rate = j.at("learning_rate").get<double>();
  s.early_stopping = j.at("early_stopping").get<int>();
  s.subsample = j.at("subsample").get<double>();
  s.colsample = j.at("colsample").get<double>();
  s.min_child_weight = j.at("min_child_weight").get<double>();
  s.l2 = j.at("l2").get<double>();
  s.max_iterations = j.at("max_iterations").get<int>();
  s.strategy = j.at("strategy").get<std::string>();
  return s;
}

struct Section {
  std::string name;
  std::string bytes;
};

Result<std::vector<Section>> PairSections(const ScoringPair& pair, const std::string& prefix) {
  if (pair.model == nullptr) {
    return MakeError(ErrorCode::kInternal, "bundle {} has no model", prefix);
  }
  KILN_ASSIGN_OR_RETURN(std::string model_bytes, pair.model->Save());
  return std::vector<Section>{{prefix + ".pipeline", pair.pipeline.Serialize()},
                              {prefix + ".model", std::move(model_bytes)}};
}

// Sections carry their own checksums in the manifest; this one covers the manifest itself, so
// that a damaged threshold, class label or section size is refused rather than used.
std::string ManifestChecksum(std::string_view text) {
  return fmt::format("{:016x}", XXH3_64bits(text.data(), text.size()));
}

Status Bad(std::string_view why) {
  return MakeError(ErrorCode::kData,
                   "not a model bundle this Kiln can read: {}; retrain, or use the Kiln version "
                   "that wrote it",
                   why);
}

Result<ScoringPair> DecodePair(const nlohmann::json& manifest, const std::string& prefix,
                               const std::map<std::string, std::string_view>& sections) {
  const auto pipeline = sections.find(prefix + ".pipeline");
  const auto model = sections.find(prefix + ".model");
  if (pipeline == sections.end() || model == sections.end()) {
    return Bad(fmt::format("the {} sections are missing", prefix));
  }
  ScoringPair pair;
  try {
    pair.spec = SpecFromJson(manifest.at(prefix));
  } catch (const nlohmann::json::exception& e) {
    return Bad(fmt::format("the {} model's parameters are unreadable ({})", prefix, e.what()));
  }
  KILN_ASSIGN_OR_RETURN(pair.pipeline, FeaturePipeline::Deserialize(pipeline->second));
  KILN_ASSIGN_OR_RETURN(std::unique_ptr<Model> loaded, LoadModel(pair.spec.family, model->second));
  pair.model = std::move(loaded);
  return pair;
}

}  // namespace

Result<std::vector<double>> ScoringPair::Score(const Frame& frame,
                                               std::span<const size_t> rows) const {
  KILN_ASSIGN_OR_RETURN(FeatureMatrix x, pipeline.Transform(frame, rows));
  return model->Predict(x);
}

std::string EncodeBundle(const Bundle& bundle) {
  std::vector<Section> sections;
  for (const auto& [prefix, pair] :
       {std::pair<std::string, const ScoringPair*>{"candidate", &bundle.candidate},
        {"baseline", &bundle.baseline}}) {
    Result<std::vector<Section>> part = PairSections(*pair, prefix);
    if (!part.ok()) continue;  // an incomplete bundle encodes without the pair; decoding refuses
    for (Section& s : *part) sections.push_back(std::move(s));
  }

  nlohmann::json list = nlohmann::json::array();
  for (const Section& s : sections) {
    list.push_back({{"name", s.name},
                    {"bytes", s.bytes.size()},
                    {"xxh3", XXH3_64bits(s.bytes.data(), s.bytes.size())}});
  }
  const nlohmann::json manifest = {
      {"project", bundle.project},
      {"task", TaskTypeName(bundle.task.type)},
      {"target", bundle.task.target},
      {"positive_class", bundle.task.positive_class},
      {"classes", bundle.classes},
      {"threshold", bundle.threshold},
      {"run", bundle.run_id},
      {"dataset", bundle.dataset},
      {"created_at", bundle.created_at},
      {"candidate", SpecJson(bundle.candidate.spec)},
      {"baseline", SpecJson(bundle.baseline.spec)},
      {"extra", bundle.extra},
      {"sections", list},
  };
  const std::string text = manifest.dump();
  std::string out(kMagic);
  out += ManifestChecksum(text);
  out += '\n';
  out += text;
  out += '\n';
  for (const Section& s : sections) out += s.bytes;
  return out;
}

Result<Bundle> DecodeBundle(std::string_view bytes) {
  const size_t magic_line = kMagic.size() + kChecksumDigits + 1;
  if (bytes.size() < magic_line || bytes.substr(0, kMagic.size()) != kMagic ||
      bytes[magic_line - 1] != '\n') {
    return Bad("it does not start with the bundle magic line");
  }
  const std::string_view checksum = bytes.substr(kMagic.size(), kChecksumDigits);
  bytes.remove_prefix(magic_line);
  const size_t newline = bytes.find('\n');
  if (newline == std::string_view::npos || newline > kMaxManifestBytes) {
    return Bad("the manifest line is missing or too long");
  }
  const std::string_view text = bytes.substr(0, newline);
  if (ManifestChecksum(text) != checksum) return Bad("the manifest fails its checksum");
  const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
  if (!manifest.is_object()) return Bad("the manifest is not a JSON object");
  bytes.remove_prefix(newline + 1);

  Bundle bundle;
  std::map<std::string, std::string_view> sections;
  try {
    const std::optional<TaskType> task = ParseTaskType(manifest.at("task").get<std::string>());
    if (!task) return Bad("unknown task type");
    bundle.task.type = *task;
    bundle.task.target = manifest.at("target").get<std::string>();
    bundle.task.positive_class = manifest.at("positive_class").get<std::string>();
    bundle.project = manifest.at("project").get<std::string>();
    bundle.classes = manifest.at("classes").get<std::vector<std::string>>();
    bundle.threshold = manifest.at("threshold").get<double>();
    bundle.run_id = manifest.at("run").get<std::string>();
    bundle.dataset = manifest.at("dataset").get<std::string>();
    bundle.created_at = manifest.at("created_at").get<std::string>();
    bundle.extra = manifest.at("extra");
    size_t offset = 0;
    for (const nlohmann::json& s : manifest.at("sections")) {
      const std::string name = s.at("name").get<std::string>();
      const size_t size = s.at("bytes").get<size_t>();
      if (size > bytes.size() - offset) return Bad(fmt::format("section {} is truncated", name));
      const std::string_view body = bytes.substr(offset, size);
      if (XXH3_64bits(body.data(), body.size()) != s.at("xxh3").get<uint64_t>()) {
        return Bad(fmt::format("section {} fails its checksum", name));
      }
      sections[name] = body;
      offset += size;
    }
    if (offset != bytes.size()) return Bad("bytes follow the last section");
  } catch (const nlohmann::json::exception& e) {
    return Bad(fmt::format("a manifest field is missing or of the wrong type ({})", e.what()));
  }
  if (bundle.task.type != TaskType::kRegression && bundle.classes.size() < 2) {
    return Bad("a classification bundle lists fewer than two classes");
  }
  KILN_ASSIGN_OR_RETURN(bundle.candidate, DecodePair(manifest, "candidate", sections));
  KILN_ASSIGN_OR_RETURN(bundle.baseline, DecodePair(manifest, "baseline", sections));
  return bundle;
}

Predictions MakePredictions(TaskType task, const std::vector<std::string>& classes,
                            double threshold, std::span<const size_t> rows, const Target& target,
                            std::vector<double> scores) {
  Predictions p;
  p.task = task;
  if (task != TaskType::kRegression) p.classes = classes.size();
  p.labels = classes;
  p.threshold = threshold;
  p.truth.reserve(rows.size());
  for (size_t row : rows) p.truth.push_back(target.values[row]);
  p.scores = std::move(scores);
  return p;
}

Result<Predictions> PredictRows(const Bundle& bundle, const ScoringPair& pair, const Frame& frame,
                                std::span<const size_t> rows, const Target& target) {
  KILN_ASSIGN_OR_RETURN(std::vector<double> scores, pair.Score(frame, rows));
  return MakePredictions(bundle.task.type, bundle.classes, bundle.threshold, rows, target,
                         std::move(scores));
}

}  // namespace kiln
