// The pieces the feature pipeline is assembled from. A pipeline reads its input columns into a
// Workspace of named feature columns, then runs a fixed sequence of Steps (datetime expansion,
// imputation, one categorical encoder, scaling, PCA, selection) over it. Each Step is fitted once
// on the training workspace and afterwards only applied; it serialises every fitted number, so a
// pipeline read back from JSON applies bit-identically. Steps are created by name from the registry
// in step_registry.cc, which also fixes their order: adding a step is one file and one line there.
//
// Internal to features/: the public surface is features/pipeline.h.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/status.h"
#include "features/pipeline.h"
#include "features/spec.h"

namespace kiln::features {

// What a workspace column holds; decides which steps touch it.
enum class FeatureKind : uint8_t {
  kNumeric,   // a measured quantity: imputed, scaled, fed to PCA
  kBinary,    // 0/1: booleans, missing indicators, one-hot columns
  kDatetime,  // seconds since the epoch, before expansion into parts
  kCategory,  // fitted category index before encoding: -1 missing, -2 unseen at fit time
  kNative,    // category index for native splits; NaN when missing or unseen
  kEncoded,   // ordinal or target encoding: already meaningful numbers, left alone
};

inline constexpr double kMissingCategory = -1;
inline constexpr double kUnseenCategory = -2;

struct Feature {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  int32_t category_count = 0;  // kCategory and kNative: number of fitted categories
  // kCategory only: the fitted labels, owned by the pipeline's input reader, which outlives every
  // workspace. Encoders read them at fit time to name their columns.
  const std::vector<std::string>* labels = nullptr;
  bool had_missing = false;    // kCategory only: training rows had missing values
  std::vector<double> values;  // one per workspace row; NaN = missing
};

// The feature columns of the rows being fitted or transformed, column-major so every step works on
// contiguous vectors.
struct Workspace {
  size_t rows = 0;
  std::vector<Feature> features;
};

// What fitting may look at besides the features: the target of each workspace row. Also passed
// to Apply when transforming training rows, so target encoding can go out-of-fold.
struct TrainingContext {
  TaskType task = TaskType::kBinary;
  std::vector<std::string> classes;  // classification labels, index = class
  std::vector<double> target;        // one per workspace row; NaN = missing
  uint64_t seed = 42;
};

class Step {
 public:
  virtual ~Step() = default;

  // The registry name, also the "step" field of its JSON.
  virtual std::string_view name() const = 0;
  // Learns the step's numbers from the training workspace.
  virtual Status Fit(const Workspace& workspace, const TrainingContext& training) = 0;
  // Transforms `workspace` in place. `training` is set when the rows are the training rows
  // themselves (during Fit and TransformTraining). Fails with kData, never crashes, when the
  // workspace does not have the features the step was fitted on (a corrupt pipeline).
  virtual Status Apply(Workspace& workspace, const TrainingContext* training) const = 0;

  // Every fitted number and setting; FromJson(ToJson()) restores the step exactly.
  virtual nlohmann::json ToJson() const = 0;
  virtual Status FromJson(const nlohmann::json& json) = 0;
  virtual std::unique_ptr<Step> Clone() const = 0;
};

// A registered step kind. `create` returns nullptr when the spec and options leave the step out;
// Deserialize calls it with a default spec and options, then FromJson.
struct StepKind {
  std::string_view name;
  std::unique_ptr<Step> (*create)(const FeatureSpec& spec, const FeaturePipeline::Options& options,
                                  bool for_deserialize);
};

// All step kinds, in the order a pipeline runs them.
std::span<const StepKind> StepRegistry();
const StepKind* FindStepKind(std::string_view name);

// Factories, one per step file; see StepKind::create.
std::unique_ptr<Step> CreateDatetimeStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateImputeStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateNativeStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateOneHotStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateOrdinalStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateTargetStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateScaleStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreatePcaStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);
std::unique_ptr<Step> CreateSelectStep(const FeatureSpec&, const FeaturePipeline::Options&, bool);

// The error every step returns when a (deserialised) pipeline does not fit its workspace.
Status MismatchError(std::string_view step, std::string_view what);

// Exact JSON for doubles: finite values as JSON numbers (nlohmann writes them so that they read
// back to the same bits), NaN and infinities as the strings "nan", "inf", "-inf".
nlohmann::json DoubleJson(double value);
nlohmann::json DoublesJson(std::span<const double> values);

// Checked readers for step JSON: kData naming `context` and the field when it is absent or of the
// wrong type, so a corrupt document is an error, never an exception or a crash.
Result<double> ReadDouble(const nlohmann::json& object, std::string_view field,
                          std::string_view context);
Result<std::vector<double>> ReadDoubles(const nlohmann::json& object, std::string_view field,
                                        std::string_view context);
Result<int64_t> ReadInt(const nlohmann::json& object, std::string_view field,
                        std::string_view context, int64_t lowest, int64_t highest);
Result<std::vector<int64_t>> ReadInts(const nlohmann::json& object, std::string_view field,
                                      std::string_view context, int64_t lowest, int64_t highest);
Result<bool> ReadBool(const nlohmann::json& object, std::string_view field,
                      std::string_view context);
Result<std::string> ReadString(const nlohmann::json& object, std::string_view field,
                               std::string_view context);
Result<std::vector<std::string>> ReadStrings(const nlohmann::json& object, std::string_view field,
                                             std::string_view context);
Result<const nlohmann::json*> ReadArray(const nlohmann::json& object, std::string_view field,
                                        std::string_view context);

// Statistics over the non-NaN entries of `values`; NaN when there are none.
double MeanIgnoringNan(std::span<const double> values);
// numpy's default (linear) percentile, q in [0, 1], of the non-NaN entries.
double QuantileIgnoringNan(std::span<const double> values, double q);

}  // namespace kiln::features
