// FeaturePipeline: the input reader followed by the registered steps (step.h), fitted in order on
// the training workspace, each fitted on what the steps before it produced. The serialised form
// is one JSON document:
//   {"format": "kiln.feature_pipeline", "version": 1, "task": ..., "classes": [...],
//    "inputs": {...}, "steps": [{"step": "<name>", ...}, ...],
//    "features": {"names": [...], "categorical": [...], "category_counts": [...]}}
// Deserialize checks every field and then transforms an empty frame, so a document whose steps do
// not fit together is refused up front rather than at the first prediction.
#include "features/pipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "features/inputs.h"
#include "features/step.h"

namespace kiln {

namespace {

constexpr std::string_view kFormat = "kiln.feature_pipeline";
constexpr int kVersion = 1;

using features::Feature;
using features::FeatureKind;
using features::Step;
using features::TrainingContext;
using features::Workspace;

Status CheckRows(std::span<const size_t> rows, size_t frame_rows) {
  for (size_t row : rows) {
    if (row >= frame_rows) {
      return MakeError(ErrorCode::kData, "row {} is out of range: the frame has {} rows", row,
                       frame_rows);
    }
  }
  return Status::Ok();
}

Result<TrainingContext> MakeTraining(const Target& target, std::span<const size_t> rows,
                                     size_t frame_rows, uint64_t seed) {
  if (target.values.size() != frame_rows) {
    return MakeError(ErrorCode::kData, "the target has {} values but the frame has {} rows",
                     target.values.size(), frame_rows);
  }
  if (target.task != TaskType::kRegression && target.classes.empty()) {
    return MakeError(ErrorCode::kData, "a classification target needs its class labels");
  }
  TrainingContext training;
  training.task = target.task;
  training.classes = target.classes;
  training.seed = seed;
  if (rows.empty()) {
    training.target = target.values;
  } else {
    training.target.reserve(rows.size());
    for (size_t row : rows) training.target.push_back(target.values[row]);
  }
  if (target.task != TaskType::kRegression) {
    for (double y : training.target) {
      if (!std::isnan(y) &&
          !(y >= 0 && y < static_cast<double>(target.classes.size()) && y == std::floor(y))) {
        return MakeError(ErrorCode::kData, "target value {} is not a class index below {}", y,
                         target.classes.size());
      }
    }
  }
  return training;
}

const char* TaskName(TaskType task) {
  switch (task) {
    case TaskType::kBinary:
      return "binary";
    case TaskType::kMulticlass:
      return "multiclass";
    case TaskType::kRegression:
      return "regression";
  }
  return "binary";
}

}  // namespace

struct FeaturePipeline::State {
  TaskType task = TaskType::kBinary;
  std::vector<std::string> classes;
  uint64_t seed = 42;
  features::InputReader inputs;
  std::vector<std::unique_ptr<Step>> steps;
  std::vector<std::string> names;
  std::vector<uint8_t> categorical;
  std::vector<int32_t> category_counts;

  State() = default;
  State(const State& other)
      : task(other.task),
        classes(other.classes),
        seed(other.seed),
        inputs(other.inputs),
        names(other.names),
        categorical(other.categorical),
        category_counts(other.category_counts) {
    for (const auto& step : other.steps) steps.push_back(step->Clone());
  }

  Status Run(const Frame& frame, std::span<const size_t> rows, const TrainingContext* training,
             Workspace& workspace) const {
    KILN_RETURN_IF_ERROR(inputs.Read(frame, rows, workspace));
    for (const auto& step : steps) KILN_RETURN_IF_ERROR(step->Apply(workspace, training));
    return Status::Ok();
  }

  void RecordFeatures(const Workspace& workspace) {
    names.clear();
    categorical.clear();
    category_counts.clear();
    for (const Feature& feature : workspace.features) {
      const bool native = feature.kind == FeatureKind::kNative;
      names.push_back(feature.name);
      categorical.push_back(native ? 1 : 0);
      category_counts.push_back(native ? feature.category_count : 0);
    }
  }

  Result<FeatureMatrix> Assemble(const Workspace& workspace) const {
    if (workspace.features.size() != names.size()) {
      return features::MismatchError("output", "the steps made a different number of features");
    }
    FeatureMatrix matrix;
    matrix.rows = workspace.rows;
    matrix.cols = names.size();
    matrix.names = names;
    matrix.categorical = categorical;
    matrix.category_counts = category_counts;
    matrix.values.resize(matrix.rows * matrix.cols);
    const size_t cols = matrix.cols;
    std::vector<const double*> sources(cols);
    for (size_t c = 0; c < cols; ++c) {
      if (workspace.features[c].values.size() != matrix.rows) {
        return features::MismatchError("output", "a feature has the wrong number of rows");
      }
      sources[c] = workspace.features[c].values.data();
    }
    // Column-major to row-major in blocks of rows, so the block being written stays in cache.
    constexpr size_t kBlockRows = 256;
    float* out = matrix.values.data();
    for (size_t begin = 0; begin < matrix.rows; begin += kBlockRows) {
      const size_t end = std::min(begin + kBlockRows, matrix.rows);
      for (size_t c = 0; c < cols; ++c) {
        const double* source = sources[c];
        for (size_t r = begin; r < end; ++r) out[r * cols + c] = static_cast<float>(source[r]);
      }
    }
    return matrix;
  }
};

FeaturePipeline::FeaturePipeline() : state_(std::make_unique<State>()) {}
FeaturePipeline::~FeaturePipeline() = default;
FeaturePipeline::FeaturePipeline(FeaturePipeline&&) noexcept = default;
FeaturePipeline& FeaturePipeline::operator=(FeaturePipeline&&) noexcept = default;
FeaturePipeline::FeaturePipeline(const FeaturePipeline& other)
    : state_(std::make_unique<State>(*other.state_)) {}
FeaturePipeline& FeaturePipeline::operator=(const FeaturePipeline& other) {
  if (this != &other) state_ = std::make_unique<State>(*other.state_);
  return *this;
}

Result<FeaturePipeline> FeaturePipeline::Fit(const Frame& frame, std::span<const size_t> rows,
                                             const Target& target, const FeatureSpec& spec,
                                             const Options& options) {
  if (rows.empty()) return MakeError(ErrorCode::kData, "no training rows to fit features on");
  KILN_RETURN_IF_ERROR(CheckRows(rows, frame.rows()));
  KILN_ASSIGN_OR_RETURN(TrainingContext training,
                        MakeTraining(target, rows, frame.rows(), options.seed));

  FeaturePipeline pipeline;
  State& state = *pipeline.state_;
  state.task = target.task;
  state.classes = target.classes;
  state.seed = options.seed;
  KILN_RETURN_IF_ERROR(state.inputs.Fit(frame, rows, options.columns));

  Workspace workspace;
  KILN_RETURN_IF_ERROR(state.inputs.Read(frame, rows, workspace));
  for (const features::StepKind& kind : features::StepRegistry()) {
    std::unique_ptr<Step> step = kind.create(spec, options, /*for_deserialize=*/false);
    if (step == nullptr) continue;
    KILN_RETURN_IF_ERROR(step->Fit(workspace, training));
    KILN_RETURN_IF_ERROR(step->Apply(workspace, &training));
    state.steps.push_back(std::move(step));
  }
  state.RecordFeatures(workspace);
  return pipeline;
}

Result<FeatureMatrix> FeaturePipeline::Transform(const Frame& frame,
                                                 std::span<const size_t> rows) const {
  Workspace workspace;
  KILN_RETURN_IF_ERROR(state_->Run(frame, rows, nullptr, workspace));
  return state_->Assemble(workspace);
}

Result<FeatureMatrix> FeaturePipeline::TransformTraining(const Frame& frame,
                                                         std::span<const size_t> rows,
                                                         const Target& target) const {
  KILN_RETURN_IF_ERROR(CheckRows(rows, frame.rows()));
  KILN_ASSIGN_OR_RETURN(TrainingContext training,
                        MakeTraining(target, rows, frame.rows(), state_->seed));
  if (training.task != state_->task || training.classes != state_->classes) {
    return MakeError(ErrorCode::kData,
                     "the target given to TransformTraining is not the one the feature pipeline "
                     "was fitted with");
  }
  Workspace workspace;
  KILN_RETURN_IF_ERROR(state_->Run(frame, rows, &training, workspace));
  return state_->Assemble(workspace);
}

const std::vector<std::string>& FeaturePipeline::input_columns() const {
  return state_->inputs.names();
}
const std::vector<std::string>& FeaturePipeline::feature_names() const {
  return state_->names;
}
const std::vector<std::string>& FeaturePipeline::skipped_columns() const {
  return state_->inputs.skipped();
}

std::string FeaturePipeline::Serialize() const {
  const State& s = *state_;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : s.steps) {
    nlohmann::json entry = step->ToJson();
    entry["step"] = step->name();
    steps.push_back(std::move(entry));
  }
  const nlohmann::json document = {
      {"format", kFormat},
      {"version", kVersion},
      {"task", TaskName(s.task)},
      {"classes", s.classes},
      {"seed", s.seed},
      {"inputs", s.inputs.ToJson()},
      {"steps", std::move(steps)},
      {"features",
       {{"names", s.names},
        {"categorical", s.categorical},
        {"category_counts", s.category_counts}}},
  };
  return document.dump(1);
}

namespace {

// A frame with no rows and the fitted inputs, to check a deserialised pipeline end to end.
Frame EmptyFrameFor(const features::InputReader& inputs) {
  Frame frame;
  for (const features::InputColumn& input : inputs.inputs()) {
    Column column;
    column.name = input.name;
    switch (input.role) {
      case features::InputRole::kNumeric:
        column.type = ColumnType::kFloat;
        break;
      case features::InputRole::kBoolean:
        column.type = ColumnType::kBoolean;
        break;
      case features::InputRole::kDatetime:
        column.type = ColumnType::kDatetime;
        break;
      case features::InputRole::kCategorical:
        column.type = ColumnType::kCategorical;
        break;
    }
    frame.Add(std::move(column));
  }
  return frame;
}

Status DocumentError(std::string_view what) {
  return MakeError(ErrorCode::kData, "not a Kiln feature pipeline: {}", what);
}

}  // namespace

Result<FeaturePipeline> FeaturePipeline::Deserialize(std::string_view text) {
  const nlohmann::json document =
      nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return DocumentError("the text is not valid JSON");
  if (!document.is_object()) return DocumentError("the JSON is not an object");
  constexpr std::string_view kContext = "document";

  KILN_ASSIGN_OR_RETURN(std::string format, features::ReadString(document, "format", kContext));
  if (format != kFormat) return DocumentError(fmt::format("format is '{}'", format));
  KILN_ASSIGN_OR_RETURN(int64_t version,
                        features::ReadInt(document, "version", kContext, 0, 1 << 30));
  if (version != kVersion) {
    return MakeError(ErrorCode::kData,
                     "feature pipeline version {} is not readable by this Kiln (reads version {}); "
                     "refit the model with this Kiln",
                     version, kVersion);
  }

  FeaturePipeline pipeline;
  State& s = *pipeline.state_;
  KILN_ASSIGN_OR_RETURN(std::string task, features::ReadString(document, "task", kContext));
  const std::optional<TaskType> parsed_task = task == "binary"       ? TaskType::kBinary
                                              : task == "multiclass" ? TaskType::kMulticlass
                                              : task == "regression"
                                                  ? std::optional(TaskType::kRegression)
                                                  : std::nullopt;
  if (!parsed_task) return DocumentError(fmt::format("unknown task '{}'", task));
  s.task = *parsed_task;
  KILN_ASSIGN_OR_RETURN(s.classes, features::ReadStrings(document, "classes", kContext));
  if (!document.contains("seed") || !document["seed"].is_number_unsigned()) {
    return DocumentError("'seed' is missing or not an unsigned integer");
  }
  s.seed = document["seed"].get<uint64_t>();
  if (!document.contains("inputs")) return DocumentError("'inputs' is missing");
  KILN_RETURN_IF_ERROR(s.inputs.FromJson(document["inputs"]));

  KILN_ASSIGN_OR_RETURN(const nlohmann::json* steps,
                        features::ReadArray(document, "steps", kContext));
  for (const nlohmann::json& entry : *steps) {
    KILN_ASSIGN_OR_RETURN(std::string name, features::ReadString(entry, "step", "steps"));
    const features::StepKind* kind = features::FindStepKind(name);
    if (kind == nullptr) return DocumentError(fmt::format("unknown step '{}'", name));
    std::unique_ptr<Step> step = kind->create(FeatureSpec{}, Options{}, /*for_deserialize=*/true);
    KILN_RETURN_IF_ERROR(step->FromJson(entry));
    s.steps.push_back(std::move(step));
  }

  if (!document.contains("features")) return DocumentError("'features' is missing");
  const nlohmann::json& output = document["features"];
  KILN_ASSIGN_OR_RETURN(s.names, features::ReadStrings(output, "names", "features"));
  KILN_ASSIGN_OR_RETURN(std::vector<int64_t> categorical,
                        features::ReadInts(output, "categorical", "features", 0, 1));
  KILN_ASSIGN_OR_RETURN(std::vector<int64_t> counts,
                        features::ReadInts(output, "category_counts", "features", 0, INT32_MAX));
  s.categorical.assign(categorical.begin(), categorical.end());
  s.category_counts.assign(counts.begin(), counts.end());
  if (s.categorical.size() != s.names.size() || s.category_counts.size() != s.names.size()) {
    return DocumentError("the feature lists differ in length");
  }

  // Every step checks its fit to the workspace, so running the pipeline on no rows checks them
  // all together, and the outcome must be the recorded features.
  Workspace workspace;
  KILN_RETURN_IF_ERROR(s.Run(EmptyFrameFor(s.inputs), {}, nullptr, workspace));
  State check;
  check.RecordFeatures(workspace);
  if (check.names != s.names || check.categorical != s.categorical ||
      check.category_counts != s.category_counts) {
    return DocumentError("its steps do not produce the features it lists");
  }
  return pipeline;
}

}  // namespace kiln
