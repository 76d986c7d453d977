// Gradient-boosted trees ("xgboost") and random forests ("random_forest") through XGBoost's C API.
// Both use the histogram method with native categorical splits where the feature pipeline marks a
// column categorical. A random forest is XGBoost's own: one round of `trees` parallel trees with
// row and per-node column subsampling and a learning rate of 1.
//
// Saved bytes: a small JSON header line (format, family, task, classes, columns, trees to use)
// followed by XGBoost's UBJSON model, guarded by an XXH3 checksum so that corrupt bytes are
// refused before XGBoost parses them.
#include <xgboost/c_api.h>
#include <xxhash.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "runtime/tree_ensemble.h"
#include "train/model.h"

namespace kiln {
namespace {

constexpr int kFormatVersion = 1;
constexpr std::string_view kMagic = "KILNXGB1";

Status XgbError(std::string_view call) {
  return MakeError(ErrorCode::kInternal, "XGBoost {} failed: {}", call, XGBGetLastError());
}

#define KILN_XGB(call)                       \
  do {                                       \
    if ((call) != 0) return XgbError(#call); \
  } while (false)

struct MatrixDeleter {
  void operator()(void* m) const { XGDMatrixFree(m); }
};
struct BoosterDeleter {
  void operator()(void* b) const { XGBoosterFree(b); }
};
using MatrixPtr = std::unique_ptr<void, MatrixDeleter>;
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;

int Threads(int requested) {
  return requested > 0 ? requested : 0;
}

// A DMatrix over `x` with feature types set, so categorical columns get categorical splits.
Result<MatrixPtr> MakeMatrix(const FeatureMatrix& x, int threads) {
  DMatrixHandle handle = nullptr;
  KILN_XGB(XGDMatrixCreateFromMat_omp(x.values.data(), x.rows, x.cols, std::nanf(""), &handle,
                                      Threads(threads)));
  MatrixPtr matrix(handle);
  bool any_categorical = false;
  std::vector<const char*> types(x.cols, "q");
  for (size_t c = 0; c < x.cols && c < x.categorical.size(); ++c) {
    if (x.categorical[c] != 0) {
      types[c] = "c";
      any_categorical = true;
    }
  }
  if (any_categorical) {
    KILN_XGB(XGDMatrixSetStrFeatureInfo(matrix.get(), "feature_type", types.data(), x.cols));
  }
  return matrix;
}

Result<MatrixPtr> MakeLabelledMatrix(const FeatureMatrix& x, std::span<const double> y,
                                     std::span<const double> weights, int threads) {
  KILN_ASSIGN_OR_RETURN(MatrixPtr matrix, MakeMatrix(x, threads));
  const std::vector<float> labels(y.begin(), y.end());
  KILN_XGB(XGDMatrixSetFloatInfo(matrix.get(), "label", labels.data(), labels.size()));
  if (!weights.empty()) {
    const std::vector<float> w(weights.begin(), weights.end());
    KILN_XGB(XGDMatrixSetFloatInfo(matrix.get(), "weight", w.data(), w.size()));
  }
  return matrix;
}

struct Header {
  std::string family;
  TaskType task = TaskType::kBinary;
  size_t classes = 2;
  size_t cols = 0;
  int rounds = 0;  // boosting rounds kept (early stopping may keep fewer than grown)
  int grown = 0;   // boosting rounds grown
  std::optional<Model::Window> window;  // when this fit's boosting rounds ran
  std::vector<uint8_t> categorical;
};

// XGBoost's UBJSON bytes for the booster.
Result<std::string_view> ModelBytes(void* booster) {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  KILN_XGB(XGBoosterSaveModelToBuffer(booster, R"({"format": "ubj"})", &length, &bytes));
  return std::string_view(bytes, length);
}

class XgboostModel : public Model {
 public:
  // Scoring goes through Kiln's tree runtime, compiled at the first prediction; XGBoost's
  // predictor is the fallback for a model the runtime does not compile.
  XgboostModel(Header header, BoosterPtr booster)
      : header_(std::move(header)), booster_(std::move(booster)) {}

  std::string family() const override { return header_.family; }

  Result<std::vector<double>> Predict(const FeatureMatrix& x) const override {
    if (x.cols != header_.cols) {
      return MakeError(ErrorCode::kUsage, "the model takes {} feature columns, the matrix has {}",
                       header_.cols, x.cols);
    }
    if (x.rows == 0) return std::vector<double>{};
    const size_t per_row = header_.task == TaskType::kMulticlass ? header_.classes : 1;
    std::call_once(compile_once_, [this] { Compile(); });
    if (runtime_ && runtime_->outputs() == per_row) {
      std::vector<float> scores(x.rows * per_row);
      runtime_->Predict(x.values.data(), x.rows, scores.data());
      return std::vector<double>(scores.begin(), scores.end());
    }
    KILN_ASSIGN_OR_RETURN(MatrixPtr matrix, MakeMatrix(x, 0));
    const std::string config =
        fmt::format(R"({{"type": 0, "training": false, "iteration_begin": 0, "iteration_end": {},)"
                    R"( "strict_shape": false}})",
                    header_.rounds);
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* out = nullptr;
    KILN_XGB(XGBoosterPredictFromDMatrix(booster_.get(), matrix.get(), config.c_str(), &shape,
                                         &dims, &out));
    return std::vector<double>(out, out + x.rows * per_row);
  }

  Result<std::string> Save() const override {
    KILN_ASSIGN_OR_RETURN(const std::string_view payload, Bytes());

    const nlohmann::json head = {{"format", kFormatVersion},
                                 {"family", header_.family},
                                 {"task", TaskTypeName(header_.task)},
                                 {"classes", header_.classes},
                                 {"cols", header_.cols},
                                 {"rounds", header_.rounds},
                                 {"grown", header_.grown},
                                 {"categorical", header_.categorical},
                                 {"payload_bytes", payload.size()},
                                 {"payload_xxh3", XXH3_64bits(payload.data(), payload.size())}};
    std::string out(kMagic);
    out += head.dump();
    out += '\n';
    out.append(payload);
    return out;
  }

  std::string Summary() const override {
    return nlohmann::json{{"rounds_grown", header_.grown},
                          {"rounds_kept", header_.rounds},
                          {"boost_seconds", BoostSeconds()},
                          {"scorer", Scorer()}}
        .dump();
  }

  std::optional<Window> BoostWindow() const override { return header_.window; }

  double BoostSeconds() const {
    return header_.window
               ? std::chrono::duration<double>(header_.window->end - header_.window->begin).count()
               : 0.0;
  }

  std::vector<double> Importance() const override {
    std::vector<double> scores(header_.cols, 0.0);
    bst_ulong count = 0, dims = 0;
    const char** names = nullptr;
    const bst_ulong* shape = nullptr;
    const float* values = nullptr;
    if (XGBoosterFeatureScore(booster_.get(), R"({"importance_type": "total_gain"})", &count,
                              &names, &dims, &shape, &values) != 0) {
      return scores;
    }
    // Without feature names XGBoost calls the columns f0, f1, ...
    for (bst_ulong i = 0; i < count; ++i) {
      if (names[i][0] != 'f') continue;
      const size_t col = std::strtoul(names[i] + 1, nullptr, 10);
      if (col < scores.size()) scores[col] = values[i];
    }
    return scores;
  }

 private:
  // The booster's UBJSON, saved once. Scoring compiles from it and Save writes it, so after the
  // first of the two the booster is only read by Importance, which may then run on another
  // thread than Save.
  Result<std::string_view> Bytes() const {
    std::call_once(bytes_once_, [this] {
      Result<std::string_view> view = ModelBytes(booster_.get());
      bytes_ =
          view.ok() ? Result<std::string>(std::string(*view)) : Result<std::string>(view.status());
    });
    if (!bytes_.ok()) return bytes_.status();
    return std::string_view(*bytes_);
  }

  void Compile() const {
    Result<std::string_view> bytes = Bytes();
    if (!bytes.ok()) {
      scorer_ = 2;
      return;
    }
    Result<TreeEnsemble> compiled = TreeEnsemble::FromXgboost(*bytes, header_.rounds);
    if (compiled.ok() && compiled->features() == header_.cols) {
      runtime_ = std::move(*compiled);
      scorer_ = 1;
    } else {
      scorer_ = 2;
      spdlog::debug("{}: scoring with XGBoost's predictor ({})", header_.family,
                    compiled.ok() ? "feature count differs" : compiled.status().message());
    }
  }

  // Which predictor scored: "kiln" once the runtime is compiled, "xgboost" when it could not
  // be, "none" before the first prediction.
  const char* Scorer() const {
    switch (scorer_.load()) {
      case 1:
        return "kiln";
      case 2:
        return "xgboost";
      default:
        return "none";
    }
  }

  Header header_;
  BoosterPtr booster_;
  mutable std::once_flag bytes_once_;
  mutable Result<std::string> bytes_ = std::string();
  mutable std::once_flag compile_once_;
  mutable std::optional<TreeEnsemble> runtime_;
  mutable std::atomic<int> scorer_{0};
};

std::vector<std::pair<std::string, std::string>> Params(const ModelSpec& spec,
                                                        const TrainData& data, bool forest) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"tree_method", "hist"},
      {"max_depth", std::to_string(spec.max_depth)},
      {"min_child_weight", fmt::format("{}", spec.min_child_weight)},
      {"seed", std::to_string(data.seed)},
      {"nthread", std::to_string(Threads(data.threads > 0 ? data.threads : spec.threads))},
      {"verbosity", "0"},
  };
  switch (data.task) {
    case TaskType::kBinary:
      params.emplace_back("objective", "binary:logistic");
      params.emplace_back("eval_metric", "logloss");
      break;
    case TaskType::kMulticlass:
      params.emplace_back("objective", "multi:softprob");
      params.emplace_back("num_class", std::to_string(data.classes));
      params.emplace_back("eval_metric", "mlogloss");
      break;
    case TaskType::kRegression:
      params.emplace_back("objective", "reg:squarederror");
      params.emplace_back("eval_metric", "rmse");
      break;
  }
  if (forest) {
    const double colsample = spec.colsample < 1.0 ? spec.colsample
                                                  : std::sqrt(static_cast<double>(data.x->cols)) /
                                                        std::max<size_t>(data.x->cols, 1);
    params.emplace_back("learning_rate", "1");
    params.emplace_back("num_parallel_tree", std::to_string(spec.trees));
    params.emplace_back("subsample",
                        fmt::format("{}", spec.subsample < 1.0 ? spec.subsample : 0.632));
    params.emplace_back("colsample_bynode", fmt::format("{}", std::min(1.0, colsample)));
    params.emplace_back("reg_lambda", "1e-05");
  } else {
    params.emplace_back("learning_rate", fmt::format("{}", spec.learning_rate));
    params.emplace_back("subsample", fmt::format("{}", spec.subsample));
    params.emplace_back("colsample_bytree", fmt::format("{}", spec.colsample));
  }
  return params;
}

Status CheckSpec(const ModelSpec& spec) {
  if (spec.trees < 1 || spec.trees > 100000) {
    return MakeError(ErrorCode::kConfig, "models[{}].trees is {}; give 1 to 100000", spec.family,
                     spec.trees);
  }
  if (spec.max_depth < 1 || spec.max_depth > 32) {
    return MakeError(ErrorCode::kConfig, "models[{}].max_depth is {}; give 1 to 32", spec.family,
                     spec.max_depth);
  }
  if (!(spec.learning_rate > 0 && spec.learning_rate <= 1)) {
    return MakeError(ErrorCode::kConfig, "models[{}].learning_rate is {}; give a value in (0, 1]",
                     spec.family, spec.learning_rate);
  }
  if (!(spec.subsample > 0 && spec.subsample <= 1) ||
      !(spec.colsample > 0 && spec.colsample <= 1)) {
    return MakeError(ErrorCode::kConfig, "models[{}].subsample and colsample must lie in (0, 1]",
                     spec.family);
  }
  return Status::Ok();
}

// The validation metric from XGBoosterEvalOneIter's "[3]\tvalid-logloss:0.31" text.
std::optional<double> ParseEval(const char* text) {
  const char* colon = std::strrchr(text, ':');
  if (colon == nullptr) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(colon + 1, &end);
  if (end == colon + 1) return std::nullopt;
  return value;
}

Result<std::unique_ptr<Model>> Train(const ModelSpec& spec, const TrainData& data, bool forest) {
  KILN_RETURN_IF_ERROR(CheckSpec(spec));
  const int threads = data.threads > 0 ? data.threads : spec.threads;
  KILN_ASSIGN_OR_RETURN(MatrixPtr train,
                        MakeLabelledMatrix(*data.x, data.y, data.weights, threads));
  MatrixPtr valid;
  const bool early_stopping =
      !forest && spec.early_stopping > 0 && data.valid_x != nullptr && data.valid_x->rows > 0;
  if (early_stopping) {
    KILN_ASSIGN_OR_RETURN(valid, MakeLabelledMatrix(*data.valid_x, data.valid_y, {}, threads));
  }

  BoosterHandle handle = nullptr;
  DMatrixHandle cache[2] = {train.get(), valid.get()};
  KILN_XGB(XGBoosterCreate(cache, early_stopping ? 2 : 1, &handle));
  BoosterPtr booster(handle);
  for (const auto& [key, value] : Params(spec, data, forest)) {
    KILN_XGB(XGBoosterSetParam(booster.get(), key.c_str(), value.c_str()));
  }

  Header header;
  header.family = forest ? "random_forest" : "xgboost";
  header.task = data.task;
  header.classes = data.task == TaskType::kRegression ? 1 : data.classes;
  header.cols = data.x->cols;
  header.categorical = data.x->categorical;
  header.categorical.resize(data.x->cols, 0);

  const int rounds = forest ? 1 : spec.trees;
  double best = std::numeric_limits<double>::infinity();
  int best_round = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < rounds; ++round) {
    KILN_XGB(XGBoosterUpdateOneIter(booster.get(), round, train.get()));
    header.grown = round + 1;
    if (!early_stopping) continue;
    const char* names[] = {"valid"};
    DMatrixHandle sets[] = {valid.get()};
    const char* text = nullptr;
    KILN_XGB(XGBoosterEvalOneIter(booster.get(), round, sets, names, 1, &text));
    const std::optional<double> value = ParseEval(text);
    if (!value) return MakeError(ErrorCode::kInternal, "unreadable XGBoost evaluation '{}'", text);
    if (*value < best) {
      best = *value;
      best_round = round;
    } else if (round - best_round >= spec.early_stopping) {
      break;
    }
  }
  header.window = Model::Window{start, std::chrono::steady_clock::now()};
  header.rounds = early_stopping ? best_round + 1 : header.grown;
  if (early_stopping) {
    spdlog::debug("{}: early stopping kept {} of {} rounds (validation {} {:.5f})", header.family,
                  header.rounds, header.grown,
                  data.task == TaskType::kRegression ? "rmse" : "logloss", best);
  }
  return std::unique_ptr<Model>(new XgboostModel(std::move(header), std::move(booster)));
}

Result<Header> ParseHeader(std::string_view bytes, std::string_view* payload) {
  const auto bad = [](std::string_view why) {
    return MakeError(ErrorCode::kData, "not a Kiln XGBoost model: {}", why);
  };
  if (bytes.substr(0, kMagic.size()) != kMagic) return bad("the magic bytes are missing");
  const size_t newline = bytes.find('\n', kMagic.size());
  if (newline == std::string_view::npos) return bad("the header line is not terminated");
  const nlohmann::json head =
      nlohmann::json::parse(bytes.substr(kMagic.size(), newline - kMagic.size()), nullptr, false);
  if (!head.is_object()) return bad("the header is not a JSON object");
  Header h;
  try {
    if (head.at("format").get<int>() != kFormatVersion) {
      return bad(fmt::format("format {} is not {}; use the Kiln version that wrote it",
                             head.at("format").dump(), kFormatVersion));
    }
    h.family = head.at("family").get<std::string>();
    const std::optional<TaskType> task = ParseTaskType(head.at("task").get<std::string>());
    if (!task) return bad("unknown task");
    h.task = *task;
    h.classes = head.at("classes").get<size_t>();
    h.cols = head.at("cols").get<size_t>();
    h.rounds = head.at("rounds").get<int>();
    h.grown = head.at("grown").get<int>();
    h.categorical = head.at("categorical").get<std::vector<uint8_t>>();
    *payload = bytes.substr(newline + 1);
    if (head.at("payload_bytes").get<size_t>() != payload->size()) {
      return bad("the model is truncated");
    }
    if (head.at("payload_xxh3").get<uint64_t>() != XXH3_64bits(payload->data(), payload->size())) {
      return bad("the checksum does not match");
    }
  } catch (const nlohmann::json::exception& e) {
    return bad(fmt::format("header field missing or of the wrong type ({})", e.what()));
  }
  if ((h.family != "xgboost" && h.family != "random_forest") || h.rounds < 1 ||
      h.rounds > h.grown || h.cols != h.categorical.size() || h.classes < 1 || h.classes > 100000) {
    return bad("the header's figures are inconsistent");
  }
  return h;
}

Result<std::unique_ptr<Model>> Load(std::string_view bytes) {
  std::string_view payload;
  KILN_ASSIGN_OR_RETURN(Header header, ParseHeader(bytes, &payload));
  BoosterHandle handle = nullptr;
  KILN_XGB(XGBoosterCreate(nullptr, 0, &handle));
  BoosterPtr booster(handle);
  if (XGBoosterLoadModelFromBuffer(booster.get(), payload.data(), payload.size()) != 0) {
    return MakeError(ErrorCode::kData, "XGBoost cannot read the model: {}", XGBGetLastError());
  }
  return std::unique_ptr<Model>(new XgboostModel(std::move(header), std::move(booster)));
}

ModelFamily MakeFamily(bool forest) {
  ModelFamily family;
  family.name = forest ? "random_forest" : "xgboost";
  family.description = forest ? "random forest (XGBoost, parallel trees with subsampling)"
                              : "gradient-boosted trees (XGBoost, histogram method)";
  family.traits.keep_missing = true;
  family.traits.native_categorical = true;
  family.supports = [](TaskType) { return true; };
  family.train = [forest](const ModelSpec& spec, const TrainData& data) {
    return Train(spec, data, forest);
  };
  family.load = [](std::string_view bytes) { return Load(bytes); };
  return family;
}

}  // namespace

ModelFamily XgboostFamily() {
  return MakeFamily(false);
}
ModelFamily RandomForestFamily() {
  return MakeFamily(true);
}

}  // namespace kiln
