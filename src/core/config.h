// The problem definition: kiln.yaml parsed once into a typed, validated ProblemSpec that every
// stage receives. No other code reads the YAML. Parsing reports every problem it finds (up to a
// limit) in one kConfig Status, each with file:line:column and, for misspelt names, the nearest
// valid one. docs/kiln-yaml.md describes each key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/frame.h"
#include "data/infer.h"
#include "data/source.h"
#include "features/spec.h"

namespace kiln {

// The schema version this build reads and writes. A file with a higher version is refused.
inline constexpr int kProblemSpecVersion = 1;
inline constexpr std::string_view kProblemSpecFileName = "kiln.yaml";
// kiln.yaml is a hand-written file of a few kilobytes; anything larger is refused before parsing.
inline constexpr size_t kMaxProblemSpecBytes = 1u << 20;

enum class TaskType { kBinary, kMulticlass, kRegression };
const char* TaskTypeName(TaskType type);
std::optional<TaskType> ParseTaskType(std::string_view name);

enum class MetricDirection { kHigherIsBetter, kLowerIsBetter };

// What the configuration needs to know about a metric in order to validate kiln.yaml: whether it
// applies to the task, which way is better, and the range a threshold can sensibly take. The
// computations themselves belong to evaluate/.
struct MetricInfo {
  std::string_view name;
  MetricDirection direction;
  bool binary;
  bool multiclass;
  bool regression;
  double lowest;   // -inf when unbounded
  double highest;  // +inf when unbounded
};

// Model-quality metrics usable as the north star or a guardrail.
std::span<const MetricInfo> KnownMetrics();
// Group-fairness metrics usable under fairness.limits (binary tasks only).
std::span<const MetricInfo> KnownFairnessMetrics();
// nullptr when `name` is not a known model-quality (resp. fairness) metric.
const MetricInfo* FindMetric(std::string_view name);
const MetricInfo* FindFairnessMetric(std::string_view name);
bool MetricAppliesTo(const MetricInfo& metric, TaskType task);

struct TaskSpec {
  TaskType type = TaskType::kBinary;
  std::string target;
  // Binary only: the label, as it appears in the data, that counts as the positive class.
  std::string positive_class;
};

struct NorthStarSpec {
  std::string metric;
  MetricDirection direction = MetricDirection::kHigherIsBetter;
  // The value the model must reach: a minimum when higher is better, a maximum otherwise.
  // Absent when the north star is only tracked, not gated.
  std::optional<double> threshold;
  int k = 0;  // top_k_accuracy only; 0 otherwise
};

struct GuardrailSpec {
  std::string metric;
  std::optional<double> min;  // at least one of min and max is set
  std::optional<double> max;
  int k = 0;  // top_k_accuracy only; 0 otherwise
};

struct MetricsSpec {
  NorthStarSpec north_star;
  std::vector<GuardrailSpec> guardrails;
};

struct FairnessLimitSpec {
  std::string metric;
  // Differences take a max, ratios a min; exactly the one that matches the metric is set.
  std::optional<double> min;
  std::optional<double> max;
};

struct FairnessSpec {
  std::vector<std::string> protected_attributes;
  std::vector<FairnessLimitSpec> limits;
};

// One entry of data.sources. Exactly one of `path` and `uri` is set.
struct SourceSpec {
  std::string name;
  std::filesystem::path path;  // a CSV file, resolved against the kiln.yaml directory
  std::string uri;             // sqlite:<resolved path> or postgresql://...
  std::string query;           // SQL sources only (required there)
  char delimiter = 0;          // CSV: 0 = sniff
  int header = -1;             // CSV: -1 = sniff, 0 = no header row, 1 = header row

  // The string OpenSource() takes: the path for files, the URI otherwise.
  std::string Spec() const;
};
SourceOptions ToSourceOptions(const SourceSpec& source);

struct ColumnOverride {
  ColumnType type = ColumnType::kText;
  std::string datetime_format;  // strftime-style; datetime only, empty = infer
};

struct DataSpec {
  std::vector<SourceSpec> sources;                // may be empty: `kiln data add` can name one
  std::vector<std::string> missing_values;        // defaults to InferOptions' tokens
  std::map<std::string, ColumnOverride> columns;  // forced types by column name
  std::vector<std::string> id_columns;            // never features
  std::string time_column;                        // empty when none
  std::string group_column;                       // empty when none
  std::vector<std::string> exclude_columns;       // never features (e.g. leaks)
};

enum class SplitKind { kKFold, kStratifiedKFold, kGroupKFold, kTimeSeries };
const char* SplitKindName(SplitKind kind);
std::optional<SplitKind> ParseSplitKind(std::string_view name);

struct ValidationSpec {
  // Defaults to stratified_kfold for classification and kfold for regression.
  SplitKind split = SplitKind::kStratifiedKFold;
  int folds = 5;
  uint64_t seed = 42;
  int gap = 0;  // time_series: rows left out between the training window and the test fold
};

struct GovernanceSpec {
  std::vector<std::string> pii_columns;
  // Rows whose value here is false/no/0 are left out of training. Empty when none.
  std::string consent_column;
  // Dataset versions older than this are purged by `kiln data purge --expired`. Absent = keep.
  std::optional<int> retention_days;
};

// How a binary classifier's decision threshold is chosen (kiln.yaml `decision:`).
struct ThresholdObjective {
  // "fixed" (use `threshold`), "max_f1", "max_recall" (subject to min_precision), "max_precision"
  // (subject to min_recall), "min_cost" (cost_false_positive * FP + cost_false_negative * FN).
  std::string kind = "fixed";
  double threshold = 0.5;
  double min_precision = 0;
  double min_recall = 0;
  double cost_false_positive = 1;
  double cost_false_negative = 1;
};

// One candidate model family of kiln.yaml `models:`. The baseline is always trained as well.
struct ModelSpec {
  // "xgboost" (gradient-boosted trees), "random_forest", "logistic" (L2), "ridge", "baseline".
  std::string family;
  int trees = 300;              // xgboost, random_forest
  int max_depth = 6;            // xgboost, random_forest
  double learning_rate = 0.1;   // xgboost
  int early_stopping = 0;       // xgboost: rounds without improvement on a validation split; 0 off
  double subsample = 1.0;       // xgboost; random_forest defaults to 0.632 when left at 1
  double colsample = 1.0;       // per tree (xgboost), per node (random_forest defaults to sqrt)
  double min_child_weight = 1;  // xgboost, random_forest
  double l2 = 1.0;              // logistic, ridge: regularisation strength (sklearn's 1/C, alpha)
  int max_iterations = 200;     // logistic
  std::string strategy;         // baseline: "prior"/"most_frequent" or "mean"/"median"
  int threads = 0;              // 0 = all cores

  // Two entries of `models:` that compare equal would train the same model twice.
  bool operator==(const ModelSpec&) const = default;
};

struct TrainingSpec {
  std::vector<ModelSpec> models;  // empty = the defaults for the task (see docs/kiln-yaml.md)
  FeatureSpec features;
  ThresholdObjective decision;
};

struct ProblemSpec {
  int version = kProblemSpecVersion;
  std::string project;             // defaults to the name of the directory holding kiln.yaml
  std::filesystem::path file;      // where the spec was read from, as given
  std::filesystem::path base_dir;  // relative paths in the spec were resolved against this
  TaskSpec task;
  MetricsSpec metrics;
  FairnessSpec fairness;
  DataSpec data;
  ValidationSpec validation;
  GovernanceSpec governance;
  TrainingSpec training;
};

inline constexpr size_t kMaxProjectNameLength = 64;
// 1 to 64 ASCII letters, digits, '-', '_' or '.', starting with a letter or digit: safe in file
// names, URLs and metric labels.
bool IsValidProjectName(std::string_view name);
// `text` made into a valid project name: leading characters other than letters and digits are
// dropped, other characters outside the allowed set become '-', and the result is cut to 64.
// Empty when nothing is left.
std::string ToProjectName(std::string_view text);

// Reads and validates a kiln.yaml; given a directory, reads the kiln.yaml in it. Relative paths
// resolve against the file's absolute directory.
// kNotFound when the file does not exist, kIo when it cannot be read, kConfig for any content
// problem (all of them, one per line).
Result<ProblemSpec> LoadProblemSpec(const std::filesystem::path& path);

// Validates YAML text. `file_name` appears in messages, and its directory part (possibly empty,
// meaning the working directory) is where relative paths resolve. Never throws, whatever the
// input.
Result<ProblemSpec> ParseProblemSpec(std::string_view yaml_text, const std::string& file_name);

// The inference settings kiln.yaml implies: missing-value tokens and forced column types/formats.
InferOptions ToInferOptions(const ProblemSpec& spec);

}  // namespace kiln
