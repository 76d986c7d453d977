// Parsing and validation of kiln.yaml; see config.h. yaml-cpp builds a node tree (its exceptions
// never leave this file), then a walk over the known schema collects every problem with its
// position before anything is returned, so one run of `kiln validate` shows them all.
#include "core/config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/text_distance.h"

namespace kiln {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr auto kHigher = MetricDirection::kHigherIsBetter;
constexpr auto kLower = MetricDirection::kLowerIsBetter;

// The order matters for "did you mean": on equal distance the earlier, more common name wins.
constexpr MetricInfo kMetrics[] = {
    // name, direction, binary, multiclass, regression, lowest, highest
    {"roc_auc", kHigher, true, true, false, 0, 1},
    {"accuracy", kHigher, true, true, false, 0, 1},
    {"balanced_accuracy", kHigher, true, true, false, 0, 1},
    {"precision", kHigher, true, false, false, 0, 1},
    {"recall", kHigher, true, false, false, 0, 1},
    {"f1", kHigher, true, false, false, 0, 1},
    {"pr_auc", kHigher, true, false, false, 0, 1},
    {"log_loss", kLower, true, true, false, 0, kInf},
    {"brier", kLower, true, false, false, 0, 1},
    {"mcc", kHigher, true, true, false, -1, 1},
    {"macro_f1", kHigher, true, true, false, 0, 1},
    {"micro_f1", kHigher, true, true, false, 0, 1},
    {"weighted_f1", kHigher, true, true, false, 0, 1},
    {"top_k_accuracy", kHigher, false, true, false, 0, 1},
    {"rmse", kLower, false, false, true, 0, kInf},
    {"mae", kLower, false, false, true, 0, kInf},
    {"mape", kLower, false, false, true, 0, kInf},
    {"r2", kHigher, false, false, true, -kInf, 1},
    {"median_ae", kLower, false, false, true, 0, kInf},
};

constexpr MetricInfo kFairnessMetrics[] = {
    {"demographic_parity_difference", kLower, true, false, false, 0, 1},
    {"demographic_parity_ratio", kHigher, true, false, false, 0, 1},
    {"equalized_odds_difference", kLower, true, false, false, 0, 1},
    {"equal_opportunity_difference", kLower, true, false, false, 0, 1},
};

constexpr std::string_view kTaskTypes[] = {"binary", "multiclass", "regression"};
constexpr std::string_view kSplitKinds[] = {"stratified_kfold", "kfold", "group_kfold",
                                            "time_series"};
constexpr std::string_view kColumnTypes[] = {"integer",     "float",    "boolean",
                                             "categorical", "datetime", "text"};

constexpr size_t kMaxReportedProblems = 20;
// Collecting stops here; a file with more problems than this is not worth sorting exactly.
constexpr size_t kMaxCollectedProblems = 1000;
// Far beyond any real kiln.yaml; keeps hostile input away from yaml-cpp's recursive parser.
constexpr int kMaxFlowDepth = 64;
constexpr int kDefaultTopK = 2;
// More rows than any table Kiln trains on; a gap this wide leaves no training window anyway.
constexpr int kMaxGapRows = 1000000000;

// ---------------------------------------------------------------------------------------------
// Problems and positions

struct Problem {
  int line = -1;
  int column = -1;
  std::string text;
};

class Checker {
 public:
  explicit Checker(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  bool ok() const { return problems_.empty(); }
  // Problems added so far; comparing two counts tells whether a part of the file was clean.
  size_t count() const { return total_; }

  std::string Where(const YAML::Mark& mark) const {
    if (mark.is_null()) return file_;
    return fmt::format("{}:{}:{}", file_, mark.line + 1, mark.column + 1);
  }

  // `text` already names the place; the mark only orders the report.
  void Add(const YAML::Mark& mark, std::string text) {
    ++total_;
    if (problems_.size() >= kMaxCollectedProblems) return;
    problems_.push_back({mark.line, mark.column, std::move(text)});
  }

  Status ToStatus() {
    std::stable_sort(problems_.begin(), problems_.end(), [](const Problem& a, const Problem& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::string message;
    for (size_t i = 0; i < problems_.size() && i < kMaxReportedProblems; ++i) {
      if (i) message += '\n';
      message += problems_[i].text;
    }
    if (total_ > kMaxReportedProblems) {
      message +=
          fmt::format("\n... and {} more problems in {}", total_ - kMaxReportedProblems, file_);
    }
    return Status(ErrorCode::kConfig, std::move(message));
  }

 private:
  std::string file_;
  std::vector<Problem> problems_;
  size_t total_ = 0;
};

// A node with the dotted path that names it ("metrics.guardrails[1].min") and the position to
// report it at: its own, or its key's when the value is empty (yaml-cpp places an empty value at
// the next token, often on another line).
struct Value {
  YAML::Node node;
  std::string path;
  YAML::Mark mark;
};

struct Located {
  std::string value;
  YAML::Mark mark = YAML::Mark::null_mark();
};

std::string Printable(std::string_view text, size_t limit = 40) {
  std::string out;
  for (char c : text.substr(0, limit)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  }
  if (text.size() > limit) out += "...";
  return out;
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return fmt::format("'{}'", Printable(node.Scalar()));
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "nothing";
  }
}

template <typename Names>
std::string JoinNames(const Names& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

template <typename Names>
std::string DidYouMean(std::string_view word, const Names& names) {
  std::vector<std::string_view> views(std::begin(names), std::end(names));
  std::optional<std::string> nearest = NearestName(word, std::span<const std::string_view>(views));
  return nearest ? fmt::format("; did you mean '{}'?", *nearest) : "";
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scalars

std::optional<double> ParseNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool IsScalar(Checker& checker, const Value& value, std::string_view expected) {
  if (value.node.IsScalar()) return true;
  checker.Add(value.mark, fmt::format("{} at {} must be {}, got {}", value.path,
                                      checker.Where(value.mark), expected, Describe(value.node)));
  return false;
}

std::optional<std::string> ReadString(Checker& checker, const Value& value) {
  if (!IsScalar(checker, value, "a string")) return std::nullopt;
  return value.node.Scalar();
}

// A column, source or project name: a non-empty string.
std::optional<std::string> ReadName(Checker& checker, const Value& value) {
  std::optional<std::string> name = ReadString(checker, value);
  if (name && name->empty()) {
    checker.Add(value.mark,
                fmt::format("{} at {} must not be empty", value.path, checker.Where(value.mark)));
    return std::nullopt;
  }
  return name;
}

std::optional<double> ReadNumber(Checker& checker, const Value& value) {
  if (!IsScalar(checker, value, "a number")) return std::nullopt;
  std::optional<double> number = ParseNumber(value.node.Scalar());
  if (!number) {
    checker.Add(value.mark, fmt::format("{} at {} must be a number, got {}", value.path,
                                        checker.Where(value.mark), Describe(value.node)));
  }
  return number;
}

std::optional<int64_t> ReadInteger(Checker& checker, const Value& value, int64_t lowest,
                                   int64_t highest) {
  if (!IsScalar(checker, value, "a whole number")) return std::nullopt;
  std::optional<int64_t> number = ParseInteger(value.node.Scalar());
  if (!number) {
    checker.Add(value.mark, fmt::format("{} at {} must be a whole number, got {}", value.path,
                                        checker.Where(value.mark), Describe(value.node)));
    return std::nullopt;
  }
  if (*number < lowest || *number > highest) {
    checker.Add(value.mark, fmt::format("{} at {} must be between {} and {}, got {}", value.path,
                                        checker.Where(value.mark), lowest, highest, *number));
    return std::nullopt;
  }
  return number;
}

std::optional<int> ReadInt(Checker& checker, const Value& value, int lowest, int highest) {
  std::optional<int64_t> number = ReadInteger(checker, value, lowest, highest);
  if (!number) return std::nullopt;
  return static_cast<int>(*number);
}

std::optional<bool> ReadBool(Checker& checker, const Value& value) {
  if (!IsScalar(checker, value, "true or false")) return std::nullopt;
  std::string text = Lower(value.node.Scalar());
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  checker.Add(value.mark, fmt::format("{} at {} must be true or false, got {}", value.path,
                                      checker.Where(value.mark), Describe(value.node)));
  return std::nullopt;
}

template <typename Names>
std::optional<std::string> ReadChoice(Checker& checker, const Value& value, const Names& choices) {
  std::optional<std::string> text = ReadString(checker, value);
  if (!text) return std::nullopt;
  if (std::find(std::begin(choices), std::end(choices), *text) != std::end(choices)) return text;
  checker.Add(value.mark, fmt::format("{} at {} must be one of {}, got {}{}", value.path,
                                      checker.Where(value.mark), JoinNames(choices),
                                      Describe(value.node), DidYouMean(*text, choices)));
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Collections

bool IsMapping(Checker& checker, const Value& value) {
  if (value.node.IsMap()) return true;
  checker.Add(value.mark, fmt::format("{} at {} must be a mapping of keys to values, got {}",
                                      value.path, checker.Where(value.mark), Describe(value.node)));
  return false;
}

std::vector<Value> Items(Checker& checker, const Value& value) {
  std::vector<Value> items;
  if (value.node.IsNull()) return items;
  if (!value.node.IsSequence()) {
    checker.Add(value.mark, fmt::format("{} at {} must be a list (e.g. [a, b]), got {}", value.path,
                                        checker.Where(value.mark), Describe(value.node)));
    return items;
  }
  for (const YAML::Node& item : value.node) {
    YAML::Mark mark = item.IsNull() ? value.mark : item.Mark();
    items.push_back({item, fmt::format("{}[{}]", value.path, items.size()), mark});
  }
  return items;
}

// A list of column names; each appears once.
std::vector<Located> ReadNameList(Checker& checker, const Value& value) {
  std::vector<Located> names;
  std::set<std::string> seen;
  for (const Value& item : Items(checker, value)) {
    std::optional<std::string> name = ReadName(checker, item);
    if (!name) continue;
    if (!seen.insert(*name).second) {
      checker.Add(item.mark, fmt::format("{} at {} repeats '{}'", item.path,
                                         checker.Where(item.mark), Printable(*name)));
      continue;
    }
    names.push_back({*name, item.mark});
  }
  return names;
}

std::vector<std::string> Values(const std::vector<Located>& located) {
  std::vector<std::string> out;
  for (const Located& l : located) out.push_back(l.value);
  return out;
}

// The keys of one mapping, checked against the keys the schema allows there: unknown keys (with
// the nearest valid one), duplicate keys and non-name keys are reported when it is built.
class Section {
 public:
  Section(Checker& checker, const Value& map, std::vector<std::string_view> keys)
      : checker_(checker), self_(map), keys_(std::move(keys)) {
    for (const auto& entry : map.node) Admit(entry.first, entry.second);
  }

  const Value& self() const { return self_; }

  std::optional<Value> Get(std::string_view key) const {
    for (const auto& [name, value] : fields_) {
      if (name == key) return value;
    }
    return std::nullopt;
  }

  // Reports a required key that is absent, with a hint at what it holds.
  void Missing(std::string_view key, std::string_view hint) const {
    checker_.Add(self_.mark, fmt::format("missing required key '{}' {} at {} ({})", key, Place(),
                                         checker_.Where(self_.mark), hint));
  }

 private:
  std::string Place() const {
    return self_.path.empty() ? "at the top level" : fmt::format("in {}", self_.path);
  }

  void Admit(const YAML::Node& key, const YAML::Node& value) {
    if (!key.IsScalar()) {
      YAML::Mark mark = key.IsNull() ? self_.mark : key.Mark();
      checker_.Add(mark, fmt::format("a key {} at {} is {}; keys must be plain names", Place(),
                                     checker_.Where(mark), Describe(key)));
      return;
    }
    const std::string& name = key.Scalar();
    if (std::find(keys_.begin(), keys_.end(), name) == keys_.end()) {
      std::string hint = DidYouMean(name, keys_);
      if (hint.empty()) hint = fmt::format("; valid keys are {}", JoinNames(keys_));
      checker_.Add(key.Mark(), fmt::format("unknown key '{}' {} at {}{}", Printable(name), Place(),
                                           checker_.Where(key.Mark()), hint));
      return;
    }
    if (std::optional<Value> first = Get(name)) {
      checker_.Add(key.Mark(),
                   fmt::format("duplicate key '{}' {} at {} (first given at {})", name, Place(),
                               checker_.Where(key.Mark()), checker_.Where(first->mark)));
      return;
    }
    YAML::Mark mark = value.IsNull() ? key.Mark() : value.Mark();
    fields_.emplace_back(name, Value{value, ChildPath(self_.path, name), mark});
  }

  Checker& checker_;
  Value self_;
  std::vector<std::string_view> keys_;
  std::vector<std::pair<std::string, Value>> fields_;
};

// ---------------------------------------------------------------------------------------------
// The spec being built, with the positions of names that later cross-checks refer to.

struct Draft {
  ProblemSpec spec;
  std::optional<TaskType> task;  // unset when task.type is absent or invalid: skip task checks
  Located target;
  Located time_column;
  Located group_column;
  Located consent_column;
  std::vector<Located> exclude_columns;
  std::vector<Located> protected_attributes;
  std::vector<Located> id_columns;
  YAML::Mark split_mark = YAML::Mark::null_mark();
  YAML::Mark limits_mark = YAML::Mark::null_mark();
  std::optional<YAML::Mark> gap_mark;  // set when validation.gap is given
  bool split_given = false;
};

void ReadVersion(Checker& checker, const Section& root, Draft& draft) {
  std::optional<Value> value = root.Get("version");
  if (!value) return;
  std::optional<int64_t> version = ReadInteger(checker, *value, 1, 1000000);
  if (!version) return;
  if (*version > kProblemSpecVersion) {
    checker.Add(value->mark, fmt::format("version at {} is {}, but this Kiln reads version {} "
                                         "files; upgrade Kiln or write the file for version {}",
                                         checker.Where(value->mark), *version, kProblemSpecVersion,
                                         kProblemSpecVersion));
    return;
  }
  draft.spec.version = static_cast<int>(*version);
}

// The directory name as a project name, or "kiln" when nothing usable is left of it.
std::string DefaultProjectName(const std::filesystem::path& base_dir) {
  std::error_code error;
  std::filesystem::path dir = base_dir.empty() ? std::filesystem::current_path(error)
                                               : std::filesystem::absolute(base_dir, error);
  dir = dir.lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  std::string name = error ? "" : ToProjectName(dir.filename().string());
  return name.empty() ? "kiln" : name;
}

void ReadProject(Checker& checker, const Section& root, Draft& draft) {
  std::optional<Value> value = root.Get("project");
  if (!value) {
    draft.spec.project = DefaultProjectName(draft.spec.base_dir);
    return;
  }
  std::optional<std::string> name = ReadString(checker, *value);
  if (!name) return;
  if (!IsValidProjectName(*name)) {
    checker.Add(value->mark, fmt::format("project at {} must be 1 to 64 letters, digits, '-', '_' "
                                         "or '.', starting with a letter or digit, got {}",
                                         checker.Where(value->mark), Describe(value->node)));
    return;
  }
  draft.spec.project = *name;
}

void ReadTask(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || !IsMapping(checker, *value)) return;
  Section task(checker, *value, {"type", "target", "positive_class"});
  TaskSpec& spec = draft.spec.task;

  if (std::optional<Value> type = task.Get("type")) {
    if (std::optional<std::string> name = ReadChoice(checker, *type, kTaskTypes)) {
      draft.task = ParseTaskType(*name);
      spec.type = *draft.task;
    }
  } else {
    task.Missing("type", "binary, multiclass or regression");
  }

  if (std::optional<Value> target = task.Get("target")) {
    if (std::optional<std::string> name = ReadName(checker, *target)) {
      spec.target = *name;
      draft.target = {*name, target->mark};
    }
  } else {
    task.Missing("target", "the name of the column to predict");
  }

  std::optional<Value> positive = task.Get("positive_class");
  if (positive && draft.task && *draft.task != TaskType::kBinary) {
    checker.Add(positive->mark, fmt::format("task.positive_class at {} applies to binary tasks "
                                            "only; remove it or set task.type: binary",
                                            checker.Where(positive->mark)));
  } else if (positive) {
    if (std::optional<std::string> label = ReadName(checker, *positive))
      spec.positive_class = *label;
  } else if (draft.task == TaskType::kBinary) {
    task.Missing("positive_class", "the target value that counts as positive, e.g. \"1\"");
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics

template <typename Metrics>
std::vector<std::string_view> MetricNames(const Metrics& metrics,
                                          std::optional<TaskType> task = std::nullopt) {
  std::vector<std::string_view> names;
  for (const MetricInfo& metric : metrics) {
    if (!task || MetricAppliesTo(metric, *task)) names.push_back(metric.name);
  }
  return names;
}

const MetricInfo* ReadMetricName(Checker& checker, const Value& value,
                                 std::optional<TaskType> task) {
  std::optional<std::string> name = ReadName(checker, value);
  if (!name) return nullptr;
  std::string where = checker.Where(value.mark);

  if (const MetricInfo* metric = FindMetric(*name)) {
    if (!task || MetricAppliesTo(*metric, *task)) return metric;
    checker.Add(value.mark, fmt::format("{} at {}: '{}' does not apply to a {} task; use one of {}",
                                        value.path, where, *name, TaskTypeName(*task),
                                        JoinNames(MetricNames(kMetrics, task))));
    return nullptr;
  }
  if (FindFairnessMetric(*name)) {
    checker.Add(value.mark, fmt::format("{} at {}: '{}' is a fairness metric; limit it under "
                                        "fairness.limits instead",
                                        value.path, where, *name));
    return nullptr;
  }
  std::string hint = DidYouMean(*name, MetricNames(kMetrics));
  if (hint.empty())
    hint = fmt::format("; known metrics are {}", JoinNames(MetricNames(kMetrics, task)));
  checker.Add(value.mark, fmt::format("{} at {} names an unknown metric {}{}", value.path, where,
                                      Describe(value.node), hint));
  return nullptr;
}

std::string FormatBound(double bound) {
  return fmt::format("{}", bound);
}

void CheckRange(Checker& checker, const Value& value, double number, const MetricInfo& metric) {
  if (number >= metric.lowest && number <= metric.highest) return;
  std::string range;
  if (std::isinf(metric.lowest)) {
    range = "at most " + FormatBound(metric.highest);
  } else if (std::isinf(metric.highest)) {
    range = "at least " + FormatBound(metric.lowest);
  } else {
    range = fmt::format("between {} and {}", metric.lowest, metric.highest);
  }
  checker.Add(value.mark, fmt::format("{} at {} must be {} for {}, got {}", value.path,
                                      checker.Where(value.mark), range, metric.name, number));
}

std::optional<double> ReadBound(Checker& checker, const std::optional<Value>& value,
                                const MetricInfo* metric) {
  if (!value) return std::nullopt;
  std::optional<double> number = ReadNumber(checker, *value);
  if (number && metric) CheckRange(checker, *value, *number, *metric);
  return number;
}

// `k` is read for every metric entry, so that giving it to the wrong metric is reported.
int ReadTopK(Checker& checker, const Section& entry, const MetricInfo* metric) {
  bool top_k = metric && metric->name == "top_k_accuracy";
  std::optional<Value> value = entry.Get("k");
  if (!value) return top_k ? kDefaultTopK : 0;
  if (metric && !top_k) {
    checker.Add(value->mark, fmt::format("{} at {} applies to top_k_accuracy only", value->path,
                                         checker.Where(value->mark)));
    return 0;
  }
  std::optional<int64_t> k = ReadInteger(checker, *value, 1, 1000);
  return k ? static_cast<int>(*k) : kDefaultTopK;
}

void ReadNorthStar(Checker& checker, const Value& value, Draft& draft) {
  NorthStarSpec& spec = draft.spec.metrics.north_star;
  if (value.node.IsScalar()) {  // the short form `north_star: roc_auc`
    if (const MetricInfo* metric = ReadMetricName(checker, value, draft.task)) {
      spec.metric = std::string(metric->name);
      spec.direction = metric->direction;
      spec.k = metric->name == "top_k_accuracy" ? kDefaultTopK : 0;
    }
    return;
  }
  if (!IsMapping(checker, value)) return;
  Section entry(checker, value, {"name", "threshold", "k"});

  const MetricInfo* metric = nullptr;
  if (std::optional<Value> name = entry.Get("name")) {
    metric = ReadMetricName(checker, *name, draft.task);
  } else {
    entry.Missing("name", "the metric to optimise, e.g. roc_auc");
  }
  if (metric) {
    spec.metric = std::string(metric->name);
    spec.direction = metric->direction;
  }
  spec.threshold = ReadBound(checker, entry.Get("threshold"), metric);
  spec.k = ReadTopK(checker, entry, metric);
}

void ReadGuardrail(Checker& checker, const Value& value, Draft& draft) {
  if (!IsMapping(checker, value)) return;
  Section entry(checker, value, {"name", "min", "max", "k"});
  GuardrailSpec spec;

  const MetricInfo* metric = nullptr;
  if (std::optional<Value> name = entry.Get("name")) {
    metric = ReadMetricName(checker, *name, draft.task);
  } else {
    entry.Missing("name", "the metric to bound, e.g. accuracy");
  }
  if (metric) spec.metric = std::string(metric->name);
  spec.min = ReadBound(checker, entry.Get("min"), metric);
  spec.max = ReadBound(checker, entry.Get("max"), metric);
  spec.k = ReadTopK(checker, entry, metric);

  if (!entry.Get("min") && !entry.Get("max")) {
    checker.Add(value.mark, fmt::format("{} at {} needs min, max or both", value.path,
                                        checker.Where(value.mark)));
  } else if (spec.min && spec.max && *spec.min > *spec.max) {
    checker.Add(value.mark, fmt::format("{} at {} has min {} above max {}", value.path,
                                        checker.Where(value.mark), *spec.min, *spec.max));
  }
  draft.spec.metrics.guardrails.push_back(std::move(spec));
}

void ReadMetrics(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || !IsMapping(checker, *value)) return;
  Section metrics(checker, *value, {"north_star", "guardrails"});

  if (std::optional<Value> north_star = metrics.Get("north_star")) {
    ReadNorthStar(checker, *north_star, draft);
  } else {
    metrics.Missing("north_star",
                    "the metric that decides which model is best, e.g. "
                    "{name: roc_auc, threshold: 0.85}");
  }
  if (std::optional<Value> guardrails = metrics.Get("guardrails")) {
    for (const Value& item : Items(checker, *guardrails)) ReadGuardrail(checker, item, draft);
  }
}

// ---------------------------------------------------------------------------------------------
// Fairness

void ReadFairnessLimit(Checker& checker, const Value& value, Draft& draft) {
  if (!IsMapping(checker, value)) return;
  Section entry(checker, value, {"metric", "min", "max"});
  FairnessLimitSpec spec;

  const MetricInfo* metric = nullptr;
  if (std::optional<Value> name = entry.Get("metric")) {
    std::optional<std::string> text = ReadName(checker, *name);
    metric = text ? FindFairnessMetric(*text) : nullptr;
    if (text && !metric) {
      std::string hint = DidYouMean(*text, MetricNames(kFairnessMetrics));
      if (hint.empty()) {
        hint = fmt::format("; fairness metrics are {}", JoinNames(MetricNames(kFairnessMetrics)));
      }
      checker.Add(name->mark,
                  fmt::format("{} at {} names an unknown fairness metric {}{}", name->path,
                              checker.Where(name->mark), Describe(name->node), hint));
    }
  } else {
    entry.Missing("metric", "e.g. demographic_parity_difference");
  }
  if (metric) spec.metric = std::string(metric->name);
  spec.min = ReadBound(checker, entry.Get("min"), metric);
  spec.max = ReadBound(checker, entry.Get("max"), metric);

  if (metric) {
    bool ratio = metric->direction == kHigher;
    std::string_view wanted = ratio ? "min" : "max";
    std::string_view unwanted = ratio ? "max" : "min";
    if (std::optional<Value> wrong = entry.Get(unwanted)) {
      checker.Add(wrong->mark, fmt::format("{} at {}: {} is bounded by {} ({} is better), not {}",
                                           wrong->path, checker.Where(wrong->mark), metric->name,
                                           wanted, ratio ? "higher" : "lower", unwanted));
    } else if (!entry.Get(wanted)) {
      entry.Missing(wanted, ratio ? "the lowest acceptable ratio, e.g. 0.8"
                                  : "the largest acceptable difference, e.g. 0.1");
    }
  }
  draft.spec.fairness.limits.push_back(std::move(spec));
}

void ReadFairness(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || value->node.IsNull() || !IsMapping(checker, *value)) return;
  Section fairness(checker, *value, {"protected_attributes", "limits"});

  if (std::optional<Value> attributes = fairness.Get("protected_attributes")) {
    draft.protected_attributes = ReadNameList(checker, *attributes);
    draft.spec.fairness.protected_attributes = Values(draft.protected_attributes);
  }
  if (std::optional<Value> limits = fairness.Get("limits")) {
    draft.limits_mark = limits->mark;
    for (const Value& item : Items(checker, *limits)) ReadFairnessLimit(checker, item, draft);
  }
}

// ---------------------------------------------------------------------------------------------
// Data

std::filesystem::path Resolve(const std::filesystem::path& base_dir, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal();
  return (base_dir / p).lexically_normal();
}

std::optional<char> ReadDelimiter(Checker& checker, const Value& value) {
  std::optional<std::string> text = ReadString(checker, value);
  if (!text) return std::nullopt;
  if (*text == "tab" || *text == "\\t") return '\t';
  if (text->size() == 1 && (*text)[0] != '\n' && (*text)[0] != '\r' && (*text)[0] != '"') {
    return (*text)[0];
  }
  checker.Add(value.mark, fmt::format("{} at {} must be one character (e.g. \",\" or \";\") or "
                                      "\"tab\", got {}",
                                      value.path, checker.Where(value.mark), Describe(value.node)));
  return std::nullopt;
}

void ReadUri(Checker& checker, const Value& value, SourceSpec& source,
             const std::filesystem::path& base_dir) {
  std::optional<std::string> uri = ReadName(checker, value);
  if (!uri) return;
  if (uri->starts_with("sqlite:")) {
    std::string file = uri->substr(7);
    source.uri =
        file.empty() || file == ":memory:" ? *uri : "sqlite:" + Resolve(base_dir, file).string();
  } else if (uri->starts_with("postgresql://") || uri->starts_with("postgres://")) {
    source.uri = *uri;
  } else {
    checker.Add(value.mark,
                fmt::format("{} at {} must start with sqlite: or postgresql://, got "
                            "{}; use path: for CSV files",
                            value.path, checker.Where(value.mark), Describe(value.node)));
  }
}

void ReadSourceLocation(Checker& checker, const Section& entry, SourceSpec& source,
                        const std::filesystem::path& base_dir) {
  std::optional<Value> path = entry.Get("path");
  std::optional<Value> uri = entry.Get("uri");
  std::optional<Value> query = entry.Get("query");
  const Value& self = entry.self();

  if (path && uri) {
    checker.Add(uri->mark, fmt::format("{} at {} has both path and uri; give one", self.path,
                                       checker.Where(self.mark)));
  } else if (!path && !uri) {
    entry.Missing("path", "a CSV file, or give uri: and query: for a database");
  } else if (path) {
    if (std::optional<std::string> file = ReadName(checker, *path)) {
      source.path = Resolve(base_dir, *file);
    }
  } else {
    ReadUri(checker, *uri, source, base_dir);
  }

  if (query && !uri) {
    checker.Add(query->mark, fmt::format("{} at {} applies to uri: sources only", query->path,
                                         checker.Where(query->mark)));
  } else if (query) {
    if (std::optional<std::string> sql = ReadName(checker, *query)) source.query = *sql;
  } else if (uri) {
    entry.Missing("query", "the SELECT that returns the table, e.g. \"SELECT * FROM t\"");
  }
}

void ReadSource(Checker& checker, const Value& value, Draft& draft, std::set<std::string>& names) {
  if (!IsMapping(checker, value)) return;
  Section entry(checker, value, {"name", "path", "uri", "query", "delimiter", "header"});
  SourceSpec source;
  ReadSourceLocation(checker, entry, source, draft.spec.base_dir);

  if (std::optional<Value> delimiter = entry.Get("delimiter")) {
    source.delimiter = ReadDelimiter(checker, *delimiter).value_or(0);
  }
  if (std::optional<Value> header = entry.Get("header")) {
    if (std::optional<bool> flag = ReadBool(checker, *header)) source.header = *flag ? 1 : 0;
  }

  std::optional<Value> name = entry.Get("name");
  YAML::Mark name_mark = name ? name->mark : value.mark;
  if (name) {
    source.name = ReadName(checker, *name).value_or("");
  } else if (!source.path.empty()) {
    source.name = source.path.stem().string();
  } else if (!source.uri.empty()) {
    entry.Missing("name", "a short name for this database source");
  }
  if (!source.name.empty() && !names.insert(source.name).second) {
    checker.Add(name_mark,
                fmt::format("{} at {}: another source is already named '{}'; names must be unique",
                            value.path, checker.Where(name_mark), Printable(source.name)));
  }
  draft.spec.data.sources.push_back(std::move(source));
}

void ReadColumnOverride(Checker& checker, const Value& value, const std::string& column,
                        Draft& draft) {
  ColumnOverride column_override;
  std::optional<Value> type = value;  // the short form `age: integer`
  std::optional<Value> format;
  if (!value.node.IsScalar()) {
    if (!IsMapping(checker, value)) return;
    Section entry(checker, value, {"type", "format"});
    type = entry.Get("type");
    format = entry.Get("format");
    if (!type) entry.Missing("type", JoinNames(kColumnTypes));
  }

  std::optional<std::string> type_name =
      type ? ReadChoice(checker, *type, kColumnTypes) : std::nullopt;
  if (type_name) column_override.type = *ParseColumnType(*type_name);
  if (format && type_name && column_override.type != ColumnType::kDatetime) {
    checker.Add(format->mark, fmt::format("{} at {} applies to datetime columns only", format->path,
                                          checker.Where(format->mark)));
  } else if (format) {
    std::optional<std::string> text = ReadName(checker, *format);
    if (text && text->find('%') == std::string::npos) {
      checker.Add(format->mark,
                  fmt::format("{} at {} must be a strftime pattern such as "
                              "\"%d-%m-%Y\", got {}",
                              format->path, checker.Where(format->mark), Describe(format->node)));
    } else if (text) {
      column_override.datetime_format = *text;
    }
  }
  if (type_name) draft.spec.data.columns[column] = column_override;
}

void ReadColumns(Checker& checker, const Value& value, Draft& draft) {
  if (value.node.IsNull() || !IsMapping(checker, value)) return;
  std::set<std::string> seen;
  for (const auto& entry : value.node) {
    if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
      YAML::Mark mark = entry.first.IsNull() ? value.mark : entry.first.Mark();
      checker.Add(mark, fmt::format("{} at {}: column names must be non-empty plain names",
                                    value.path, checker.Where(mark)));
      continue;
    }
    const std::string& column = entry.first.Scalar();
    YAML::Mark key_mark = entry.first.Mark();
    if (!seen.insert(column).second) {
      checker.Add(key_mark, fmt::format("{} at {} lists column '{}' twice", value.path,
                                        checker.Where(key_mark), Printable(column)));
      continue;
    }
    YAML::Mark mark = entry.second.IsNull() ? key_mark : entry.second.Mark();
    ReadColumnOverride(checker, {entry.second, ChildPath(value.path, column), mark}, column, draft);
  }
}

void ReadMissingValues(Checker& checker, const Value& value, Draft& draft) {
  std::vector<std::string>& tokens = draft.spec.data.missing_values;
  tokens.clear();
  for (const Value& item : Items(checker, value)) {
    if (item.node.IsNull()) {
      checker.Add(item.mark, fmt::format("{} at {} is empty (YAML reads a bare null or ~ as "
                                         "nothing); quote it: \"null\"",
                                         item.path, checker.Where(item.mark)));
    } else if (std::optional<std::string> token = ReadString(checker, item)) {
      tokens.push_back(*token);
    }
  }
}

std::optional<Located> ReadColumnName(Checker& checker, const std::optional<Value>& value) {
  if (!value) return std::nullopt;
  std::optional<std::string> name = ReadName(checker, *value);
  if (!name) return std::nullopt;
  return Located{*name, value->mark};
}

void ReadData(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  DataSpec& data = draft.spec.data;
  data.missing_values = InferOptions{}.missing_tokens;
  if (!value || value->node.IsNull() || !IsMapping(checker, *value)) return;
  Section section(checker, *value,
                  {"sources", "missing_values", "columns", "id_columns", "time_column",
                   "group_column", "exclude_columns"});

  if (std::optional<Value> sources = section.Get("sources")) {
    std::set<std::string> names;
    for (const Value& item : Items(checker, *sources)) ReadSource(checker, item, draft, names);
  }
  if (std::optional<Value> missing = section.Get("missing_values")) {
    ReadMissingValues(checker, *missing, draft);
  }
  if (std::optional<Value> columns = section.Get("columns")) ReadColumns(checker, *columns, draft);
  if (std::optional<Value> ids = section.Get("id_columns")) {
    draft.id_columns = ReadNameList(checker, *ids);
    data.id_columns = Values(draft.id_columns);
  }
  if (std::optional<Value> excluded = section.Get("exclude_columns")) {
    draft.exclude_columns = ReadNameList(checker, *excluded);
    data.exclude_columns = Values(draft.exclude_columns);
  }
  if (auto time = ReadColumnName(checker, section.Get("time_column"))) {
    draft.time_column = *time;
    data.time_column = time->value;
  }
  if (auto group = ReadColumnName(checker, section.Get("group_column"))) {
    draft.group_column = *group;
    data.group_column = group->value;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation and governance

void ReadValidation(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  ValidationSpec& spec = draft.spec.validation;
  if (!value || value->node.IsNull() || !IsMapping(checker, *value)) return;
  Section section(checker, *value, {"split", "folds", "seed", "gap"});

  if (std::optional<Value> split = section.Get("split")) {
    if (std::optional<std::string> name = ReadChoice(checker, *split, kSplitKinds)) {
      spec.split = *ParseSplitKind(*name);
      draft.split_given = true;
      draft.split_mark = split->mark;
    }
  }
  if (std::optional<Value> folds = section.Get("folds")) {
    spec.folds = static_cast<int>(ReadInteger(checker, *folds, 2, 100).value_or(spec.folds));
  }
  if (std::optional<Value> seed = section.Get("seed")) {
    std::optional<int64_t> number =
        ReadInteger(checker, *seed, 0, std::numeric_limits<int64_t>::max());
    if (number) spec.seed = static_cast<uint64_t>(*number);
  }
  if (std::optional<Value> gap = section.Get("gap")) {
    draft.gap_mark = gap->mark;
    spec.gap = ReadInt(checker, *gap, 0, kMaxGapRows).value_or(spec.gap);
  }
}

void ReadGovernance(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  GovernanceSpec& spec = draft.spec.governance;
  if (!value || value->node.IsNull() || !IsMapping(checker, *value)) return;
  Section section(checker, *value, {"pii_columns", "consent_column", "retention_days"});

  if (std::optional<Value> pii = section.Get("pii_columns")) {
    spec.pii_columns = Values(ReadNameList(checker, *pii));
  }
  if (auto consent = ReadColumnName(checker, section.Get("consent_column"))) {
    draft.consent_column = *consent;
    spec.consent_column = consent->value;
  }
  if (std::optional<Value> retention = section.Get("retention_days")) {
    // A century bounds the arithmetic on dates; zero or less would purge everything at once.
    std::optional<int64_t> days = ReadInteger(checker, *retention, 1, 36500);
    if (days) spec.retention_days = static_cast<int>(*days);
  }
}

// ---------------------------------------------------------------------------------------------
// Bounded parameters

// The values a real-valued parameter may take; `above` leaves out `lowest` itself.
struct Range {
  double lowest = -kInf;
  double highest = kInf;
  bool above = false;
};

constexpr Range kFraction{0, 1, false};         // [0, 1]
constexpr Range kPositiveFraction{0, 1, true};  // (0, 1]
constexpr Range kNonNegative{0, kInf, false};   // [0, inf)
constexpr Range kPositive{0, kInf, true};       // (0, inf)

std::string DescribeRange(const Range& range) {
  bool low = std::isfinite(range.lowest);
  bool high = std::isfinite(range.highest);
  if (low && high && !range.above) {
    return fmt::format("between {} and {}", range.lowest, range.highest);
  }
  std::string out;
  if (low) out = fmt::format("{} {}", range.above ? "above" : "at least", range.lowest);
  if (high) out += fmt::format("{}at most {}", low ? " and " : "", range.highest);
  return out;
}

std::optional<double> ReadReal(Checker& checker, const Value& value, const Range& range) {
  std::optional<double> number = ReadNumber(checker, value);
  if (!number) return std::nullopt;
  bool low_ok = range.above ? *number > range.lowest : *number >= range.lowest;
  if (low_ok && *number <= range.highest) return number;
  checker.Add(value.mark, fmt::format("{} at {} must be {}, got {}", value.path,
                                      checker.Where(value.mark), DescribeRange(range), *number));
  return std::nullopt;
}

// A setting given where another setting makes it meaningless: reported rather than ignored, so
// that a value in the file never silently does nothing.
void AppliesOnlyTo(Checker& checker, const Value& value, std::string_view condition,
                   std::string_view setting) {
  checker.Add(value.mark, fmt::format("{} at {} applies to {} only; set {} or remove it",
                                      value.path, checker.Where(value.mark), condition, setting));
}

// The enumerators of a kiln.yaml choice, by the name the file uses.
template <typename Enum, size_t N>
std::optional<Enum> ReadEnum(Checker& checker, const Value& value,
                             const std::pair<std::string_view, Enum> (&table)[N]) {
  std::vector<std::string_view> names;
  for (const auto& entry : table) names.push_back(entry.first);
  std::optional<std::string> name = ReadChoice(checker, value, names);
  if (!name) return std::nullopt;
  for (const auto& entry : table) {
    if (entry.first == *name) return entry.second;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Models

// One numeric field of ModelSpec that `models:` entries may set; exactly one of `whole` and
// `real` is set.
struct ModelParameter {
  std::string_view name;
  int ModelSpec::*whole;
  double ModelSpec::*real;
  Range range;
};

constexpr ModelParameter kModelParameters[] = {
    {"trees", &ModelSpec::trees, nullptr, {1, 100000}},
    {"max_depth", &ModelSpec::max_depth, nullptr, {1, 32}},
    {"learning_rate", nullptr, &ModelSpec::learning_rate, kPositiveFraction},
    {"early_stopping", &ModelSpec::early_stopping, nullptr, {0, 100000}},
    {"subsample", nullptr, &ModelSpec::subsample, kPositiveFraction},
    {"colsample", nullptr, &ModelSpec::colsample, kPositiveFraction},
    {"min_child_weight", nullptr, &ModelSpec::min_child_weight, kNonNegative},
    {"l2", nullptr, &ModelSpec::l2, kPositive},
    {"max_iterations", &ModelSpec::max_iterations, nullptr, {1, 100000}},
    {"threads", &ModelSpec::threads, nullptr, {0, 4096}},
};

constexpr std::string_view kBoostedParameters[] = {
    "trees",     "max_depth", "learning_rate",    "early_stopping",
    "subsample", "colsample", "min_child_weight", "threads"};
constexpr std::string_view kForestParameters[] = {"trees",     "max_depth",        "subsample",
                                                  "colsample", "min_child_weight", "threads"};
constexpr std::string_view kLogisticParameters[] = {"l2", "max_iterations", "threads"};
constexpr std::string_view kRidgeParameters[] = {"l2", "threads"};
constexpr std::string_view kBaselineParameters[] = {"strategy"};
constexpr std::string_view kBaselineStrategies[] = {"prior", "most_frequent", "mean", "median"};

// A model family as kiln.yaml sees it: the tasks it fits and the parameters it reads.
struct FamilyInfo {
  std::string_view name;
  bool classification;
  bool regression;
  std::span<const std::string_view> parameters;
  std::string_view instead;  // the family to suggest for the task this one does not fit
};

constexpr FamilyInfo kFamilies[] = {
    {"baseline", true, true, kBaselineParameters, ""},
    {"logistic", true, false, kLogisticParameters, "ridge"},
    {"ridge", false, true, kRidgeParameters, "logistic"},
    {"xgboost", true, true, kBoostedParameters, ""},
    {"random_forest", true, true, kForestParameters, ""},
};

std::vector<std::string_view> FamilyNames() {
  std::vector<std::string_view> names;
  for (const FamilyInfo& family : kFamilies) names.push_back(family.name);
  return names;
}

const FamilyInfo& FindFamily(std::string_view name) {
  for (const FamilyInfo& family : kFamilies) {
    if (family.name == name) return family;
  }
  return kFamilies[0];  // unreachable: names are checked against FamilyNames() first
}

// "family" and every parameter of any family: an unknown key is suggested among all of them,
// and a known one that the entry's family does not read is reported by name.
std::vector<std::string_view> ModelKeys() {
  std::vector<std::string_view> keys = {"family"};
  for (const ModelParameter& parameter : kModelParameters) keys.push_back(parameter.name);
  keys.push_back("strategy");
  return keys;
}

bool FamilyFitsTask(Checker& checker, const Value& value, const FamilyInfo& family,
                    std::optional<TaskType> task) {
  if (!task) return true;
  if (*task == TaskType::kRegression ? family.regression : family.classification) return true;
  checker.Add(value.mark,
              fmt::format("{} at {}: {} is for {} tasks, and task.type is {}; use {} "
                          "instead",
                          value.path, checker.Where(value.mark), family.name,
                          family.classification ? "binary and multiclass" : "regression",
                          TaskTypeName(*task), family.instead));
  return false;
}

void ReadStrategy(Checker& checker, const Value& value, std::optional<TaskType> task,
                  ModelSpec& spec) {
  std::optional<std::string> name = ReadChoice(checker, value, kBaselineStrategies);
  if (!name) return;
  bool for_regression = *name == "mean" || *name == "median";
  if (task && for_regression != (*task == TaskType::kRegression)) {
    checker.Add(value.mark,
                fmt::format("{} at {}: '{}' is a {} baseline, and task.type is {}; use {}",
                            value.path, checker.Where(value.mark), *name,
                            for_regression ? "regression" : "classification", TaskTypeName(*task),
                            for_regression ? "prior or most_frequent" : "mean or median"));
    return;
  }
  spec.strategy = *name;
}

void ReadModelParameter(Checker& checker, const Value& value, const ModelParameter& parameter,
                        ModelSpec& spec) {
  if (parameter.whole) {
    std::optional<int64_t> number =
        ReadInteger(checker, value, static_cast<int64_t>(parameter.range.lowest),
                    static_cast<int64_t>(parameter.range.highest));
    if (number) spec.*parameter.whole = static_cast<int>(*number);
  } else if (std::optional<double> number = ReadReal(checker, value, parameter.range)) {
    spec.*parameter.real = *number;
  }
}

void ReadModelParameters(Checker& checker, const Section& entry, const FamilyInfo& family,
                         std::optional<TaskType> task, ModelSpec& spec) {
  const auto& takes = family.parameters;
  for (std::string_view key : ModelKeys()) {
    std::optional<Value> value = entry.Get(key);
    if (!value || key == "family") continue;
    if (std::find(takes.begin(), takes.end(), key) == takes.end()) {
      checker.Add(value->mark,
                  fmt::format("{} at {} does not apply to {}, which takes {}", value->path,
                              checker.Where(value->mark), family.name, JoinNames(takes)));
      continue;
    }
    if (key == "strategy") {
      ReadStrategy(checker, *value, task, spec);
      continue;
    }
    for (const ModelParameter& parameter : kModelParameters) {
      if (parameter.name == key) ReadModelParameter(checker, *value, parameter, spec);
    }
  }
}

// The baseline's strategy when the entry names none; empty while the task is unknown.
std::string DefaultStrategy(std::optional<TaskType> task) {
  if (!task) return "";
  return *task == TaskType::kRegression ? "mean" : "prior";
}

// One entry of `models:`: a family name, or a mapping of `family` and its parameters. nullopt
// when the entry has any problem, so that a broken entry is not compared with the others.
std::optional<ModelSpec> ReadModel(Checker& checker, const Value& value,
                                   std::optional<TaskType> task) {
  size_t problems = checker.count();
  ModelSpec spec;
  if (value.node.IsScalar()) {  // the short form `- xgboost`
    std::optional<std::string> name = ReadChoice(checker, value, FamilyNames());
    if (!name || !FamilyFitsTask(checker, value, FindFamily(*name), task)) return std::nullopt;
    spec.family = *name;
    if (spec.family == "baseline") spec.strategy = DefaultStrategy(task);
    return spec;
  }
  if (!value.node.IsMap()) {
    checker.Add(value.mark,
                fmt::format("{} at {} must be a model family (e.g. xgboost) or a "
                            "mapping of family: and its parameters, got {}",
                            value.path, checker.Where(value.mark), Describe(value.node)));
    return std::nullopt;
  }

  Section entry(checker, value, ModelKeys());
  std::optional<Value> family_value = entry.Get("family");
  if (!family_value) {
    entry.Missing("family", JoinNames(FamilyNames()));
    return std::nullopt;
  }
  std::optional<std::string> name = ReadChoice(checker, *family_value, FamilyNames());
  if (!name) return std::nullopt;
  const FamilyInfo& family = FindFamily(*name);
  spec.family = *name;
  if (spec.family == "baseline") spec.strategy = DefaultStrategy(task);
  FamilyFitsTask(checker, *family_value, family, task);
  ReadModelParameters(checker, entry, family, task, spec);
  if (checker.count() != problems) return std::nullopt;
  return spec;
}

void ReadModels(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || value->node.IsNull()) return;
  std::vector<Value> items = Items(checker, *value);
  if (value->node.IsSequence() && items.empty()) {
    checker.Add(value->mark, fmt::format("models at {} lists no model families; list at least "
                                         "one, or remove models: to train the task's defaults",
                                         checker.Where(value->mark)));
    return;
  }

  std::vector<std::string> paths;  // of the entries in training.models, for repeats
  std::vector<ModelSpec>& models = draft.spec.training.models;
  for (const Value& item : items) {
    std::optional<ModelSpec> spec = ReadModel(checker, item, draft.task);
    if (!spec) continue;
    auto same = std::find(models.begin(), models.end(), *spec);
    if (same != models.end()) {
      checker.Add(item.mark,
                  fmt::format("{} at {} repeats {}: {} with the same parameters would be "
                              "trained twice; remove one or change a parameter",
                              item.path, checker.Where(item.mark),
                              paths[static_cast<size_t>(same - models.begin())], spec->family));
      continue;
    }
    paths.push_back(item.path);
    models.push_back(std::move(*spec));
  }
}

// ---------------------------------------------------------------------------------------------
// Features

constexpr std::pair<std::string_view, NumericImpute> kNumericImputes[] = {
    {"median", NumericImpute::kMedian},
    {"mean", NumericImpute::kMean},
    {"constant", NumericImpute::kConstant},
};
constexpr std::pair<std::string_view, CategoricalImpute> kCategoricalImputes[] = {
    {"constant", CategoricalImpute::kConstant},
    {"most_frequent", CategoricalImpute::kMostFrequent},
};
constexpr std::pair<std::string_view, CategoricalEncoding> kEncodings[] = {
    {"native", CategoricalEncoding::kNative},
    {"one_hot", CategoricalEncoding::kOneHot},
    {"ordinal", CategoricalEncoding::kOrdinal},
    {"target", CategoricalEncoding::kTarget},
};
constexpr std::pair<std::string_view, Scaling> kScalings[] = {
    {"none", Scaling::kNone},
    {"standard", Scaling::kStandard},
    {"robust", Scaling::kRobust},
};

// Far above any useful count; keeps the pipeline's arithmetic on counts in range.
constexpr int kMaxFeatureCount = 1000000;

void ReadImpute(Checker& checker, const Value& value, ImputeSpec& spec) {
  if (!IsMapping(checker, value)) return;
  Section section(checker, value, {"numeric", "categorical", "fill", "missing_indicators"});

  // Unset when the method given is invalid: `fill` is then read without judging it.
  std::optional<NumericImpute> numeric = spec.numeric;
  if (std::optional<Value> given = section.Get("numeric")) {
    numeric = ReadEnum(checker, *given, kNumericImputes);
  }
  if (numeric) spec.numeric = *numeric;
  if (std::optional<Value> fill = section.Get("fill")) {
    if (numeric && *numeric != NumericImpute::kConstant) {
      AppliesOnlyTo(checker, *fill, "numeric: constant", "features.impute.numeric: constant");
    } else if (std::optional<double> number = ReadNumber(checker, *fill)) {
      spec.numeric_fill = *number;
    }
  }
  if (std::optional<Value> categorical = section.Get("categorical")) {
    spec.categorical =
        ReadEnum(checker, *categorical, kCategoricalImputes).value_or(spec.categorical);
  }
  if (std::optional<Value> indicators = section.Get("missing_indicators")) {
    spec.missing_indicators = ReadBool(checker, *indicators).value_or(spec.missing_indicators);
  }
}

void ReadEncode(Checker& checker, const Value& value, EncodeSpec& spec) {
  if (!IsMapping(checker, value)) return;
  Section section(checker, value,
                  {"categorical", "max_categories", "target_smoothing", "target_folds"});

  std::optional<CategoricalEncoding> encoding = spec.categorical;
  if (std::optional<Value> given = section.Get("categorical")) {
    encoding = ReadEnum(checker, *given, kEncodings);
  }
  if (encoding) spec.categorical = *encoding;
  bool target = encoding == CategoricalEncoding::kTarget;
  // native falls back to one-hot for the linear families, so the cap applies to it as well.
  bool one_hot =
      encoding == CategoricalEncoding::kOneHot || encoding == CategoricalEncoding::kNative;

  if (std::optional<Value> cap = section.Get("max_categories")) {
    if (encoding && !one_hot) {
      AppliesOnlyTo(checker, *cap, "categorical: one_hot and native",
                    "features.encode.categorical: one_hot");
    } else {
      spec.max_categories =
          ReadInt(checker, *cap, 2, kMaxFeatureCount).value_or(spec.max_categories);
    }
  }
  if (std::optional<Value> smoothing = section.Get("target_smoothing")) {
    if (encoding && !target) {
      AppliesOnlyTo(checker, *smoothing, "categorical: target",
                    "features.encode.categorical: target");
    } else {
      spec.target_smoothing =
          ReadReal(checker, *smoothing, kNonNegative).value_or(spec.target_smoothing);
    }
  }
  if (std::optional<Value> folds = section.Get("target_folds")) {
    if (encoding && !target) {
      AppliesOnlyTo(checker, *folds, "categorical: target", "features.encode.categorical: target");
    } else {
      spec.target_folds = ReadInt(checker, *folds, 2, 20).value_or(spec.target_folds);
    }
  }
}

void ReadDatetimeParts(Checker& checker, const Value& value, DatetimeSpec& spec) {
  std::vector<std::string> parts;
  std::set<std::string> seen;
  for (const Value& item : Items(checker, value)) {
    std::optional<std::string> part = ReadChoice(checker, item, kDatetimeParts);
    if (!part) continue;
    if (!seen.insert(*part).second) {
      checker.Add(item.mark,
                  fmt::format("{} at {} repeats '{}'", item.path, checker.Where(item.mark), *part));
      continue;
    }
    parts.push_back(*part);
  }
  if (value.node.IsSequence() && value.node.size() == 0) {
    checker.Add(value.mark, fmt::format("{} at {} lists no parts; list at least one, or list the "
                                        "datetime columns in data.exclude_columns to leave them "
                                        "out",
                                        value.path, checker.Where(value.mark)));
  } else if (!parts.empty()) {
    spec.parts = std::move(parts);
  }
}

void ReadDatetime(Checker& checker, const Value& value, DatetimeSpec& spec) {
  if (!IsMapping(checker, value)) return;
  Section section(checker, value, {"parts", "reference"});

  if (std::optional<Value> parts = section.Get("parts")) ReadDatetimeParts(checker, *parts, spec);
  if (std::optional<Value> reference = section.Get("reference")) {
    std::optional<std::string> text = ReadName(checker, *reference);
    if (text && !ParseDatetimeReference(*text)) {
      checker.Add(
          reference->mark,
          fmt::format("{} at {} must be a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, "
                      "got {}",
                      reference->path, checker.Where(reference->mark), Describe(reference->node)));
    } else if (text) {
      spec.reference = *text;
    }
  }
}

void ReadPca(Checker& checker, const Value& value, PcaSpec& spec) {
  if (!IsMapping(checker, value)) return;
  Section section(checker, value, {"components"});
  if (std::optional<Value> components = section.Get("components")) {
    spec.components = ReadInt(checker, *components, 0, kMaxFeatureCount).value_or(spec.components);
  }
}

void ReadSelect(Checker& checker, const Value& value, SelectSpec& spec) {
  if (!IsMapping(checker, value)) return;
  Section section(checker, value,
                  {"min_variance", "max_correlation", "mutual_information_top", "importance_top"});

  if (std::optional<Value> variance = section.Get("min_variance")) {
    spec.min_variance = ReadNumber(checker, *variance).value_or(spec.min_variance);
  }
  if (std::optional<Value> correlation = section.Get("max_correlation")) {
    spec.max_correlation =
        ReadReal(checker, *correlation, kPositiveFraction).value_or(spec.max_correlation);
  }
  if (std::optional<Value> top = section.Get("mutual_information_top")) {
    spec.mutual_information_top =
        ReadInt(checker, *top, 0, kMaxFeatureCount).value_or(spec.mutual_information_top);
  }
  if (std::optional<Value> top = section.Get("importance_top")) {
    spec.importance_top = ReadInt(checker, *top, 0, kMaxFeatureCount).value_or(spec.importance_top);
  }
}

void ReadFeatures(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || value->node.IsNull() || !IsMapping(checker, *value)) return;
  Section section(checker, *value, {"impute", "encode", "scaling", "datetime", "pca", "select"});
  FeatureSpec& spec = draft.spec.training.features;

  if (std::optional<Value> impute = section.Get("impute"))
    ReadImpute(checker, *impute, spec.impute);
  if (std::optional<Value> encode = section.Get("encode"))
    ReadEncode(checker, *encode, spec.encode);
  if (std::optional<Value> scaling = section.Get("scaling")) {
    spec.scaling = ReadEnum(checker, *scaling, kScalings).value_or(spec.scaling);
  }
  if (std::optional<Value> datetime = section.Get("datetime")) {
    ReadDatetime(checker, *datetime, spec.datetime);
  }
  if (std::optional<Value> pca = section.Get("pca")) ReadPca(checker, *pca, spec.pca);
  if (std::optional<Value> select = section.Get("select"))
    ReadSelect(checker, *select, spec.select);
}

// ---------------------------------------------------------------------------------------------
// Decision threshold

constexpr std::string_view kDecisionObjectives[] = {"fixed", "max_f1", "max_recall",
                                                    "max_precision", "min_cost"};

// A setting that only `wanted` reads; `objective` is unset when the one given is invalid.
void ReadDecisionSetting(Checker& checker, const Section& section, std::string_view key,
                         const Range& range, const std::optional<std::string>& objective,
                         std::string_view wanted, double& out) {
  std::optional<Value> value = section.Get(key);
  if (!value) return;
  if (objective && *objective != wanted) {
    AppliesOnlyTo(checker, *value, fmt::format("objective: {}", wanted),
                  fmt::format("decision.objective: {}", wanted));
    return;
  }
  out = ReadReal(checker, *value, range).value_or(out);
}

void CheckDecisionObjective(Checker& checker, const Section& section, std::string_view objective,
                            const ThresholdObjective& spec) {
  if (objective == "max_recall" && !section.Get("min_precision")) {
    section.Missing("min_precision", "the lowest precision the threshold may give, e.g. 0.8");
  }
  if (objective == "max_precision" && !section.Get("min_recall")) {
    section.Missing("min_recall", "the lowest recall the threshold may give, e.g. 0.8");
  }
  if (objective == "min_cost" && spec.cost_false_positive == 0 && spec.cost_false_negative == 0) {
    const Value& self = section.self();
    checker.Add(self.mark, fmt::format("decision at {}: cost_false_positive and "
                                       "cost_false_negative are both 0, so every threshold costs "
                                       "the same; make at least one of them positive",
                                       checker.Where(self.mark)));
  }
}

void ReadDecision(Checker& checker, const std::optional<Value>& value, Draft& draft) {
  if (!value || value->node.IsNull()) return;
  if (draft.task && *draft.task != TaskType::kBinary) {
    checker.Add(value->mark, fmt::format("decision at {} applies to binary tasks only, and "
                                         "task.type is {}; remove it",
                                         checker.Where(value->mark), TaskTypeName(*draft.task)));
    return;
  }
  if (!IsMapping(checker, *value)) return;
  Section section(checker, *value,
                  {"objective", "threshold", "min_precision", "min_recall", "cost_false_positive",
                   "cost_false_negative"});
  ThresholdObjective& spec = draft.spec.training.decision;

  std::optional<std::string> objective = spec.kind;
  if (std::optional<Value> given = section.Get("objective")) {
    objective = ReadChoice(checker, *given, kDecisionObjectives);
  }
  if (objective) spec.kind = *objective;

  ReadDecisionSetting(checker, section, "threshold", kFraction, objective, "fixed", spec.threshold);
  ReadDecisionSetting(checker, section, "min_precision", kPositiveFraction, objective, "max_recall",
                      spec.min_precision);
  ReadDecisionSetting(checker, section, "min_recall", kPositiveFraction, objective, "max_precision",
                      spec.min_recall);
  ReadDecisionSetting(checker, section, "cost_false_positive", kNonNegative, objective, "min_cost",
                      spec.cost_false_positive);
  ReadDecisionSetting(checker, section, "cost_false_negative", kNonNegative, objective, "min_cost",
                      spec.cost_false_negative);
  if (objective) CheckDecisionObjective(checker, section, *objective, spec);
}

// ---------------------------------------------------------------------------------------------
// Checks across sections

void CheckTargetNotIn(Checker& checker, const Draft& draft, const std::vector<Located>& names,
                      std::string_view list, std::string_view why) {
  for (const Located& name : names) {
    if (name.value != draft.target.value) continue;
    checker.Add(name.mark, fmt::format("{} at {} lists the target '{}'; {}", list,
                                       checker.Where(name.mark), Printable(name.value), why));
  }
}

void CheckTargetIsNot(Checker& checker, const Draft& draft, const Located& name,
                      std::string_view key) {
  if (name.value.empty() || name.value != draft.target.value) return;
  checker.Add(name.mark, fmt::format("{} at {} is the target '{}'; it must name another column",
                                     key, checker.Where(name.mark), Printable(name.value)));
}

void CheckTarget(Checker& checker, const Draft& draft) {
  if (draft.target.value.empty()) return;
  CheckTargetNotIn(checker, draft, draft.exclude_columns, "data.exclude_columns",
                   "the column to predict cannot be excluded");
  CheckTargetNotIn(checker, draft, draft.protected_attributes, "fairness.protected_attributes",
                   "groups are formed from other columns than the one predicted");
  CheckTargetNotIn(checker, draft, draft.id_columns, "data.id_columns",
                   "an identifier cannot be the column to predict");
  CheckTargetIsNot(checker, draft, draft.time_column, "data.time_column");
  CheckTargetIsNot(checker, draft, draft.group_column, "data.group_column");
  CheckTargetIsNot(checker, draft, draft.consent_column, "governance.consent_column");
}

void CheckSplit(Checker& checker, Draft& draft) {
  ValidationSpec& validation = draft.spec.validation;
  if (!draft.split_given) {
    bool regression = draft.task == TaskType::kRegression;
    validation.split = regression ? SplitKind::kKFold : SplitKind::kStratifiedKFold;
    return;
  }
  std::string where = checker.Where(draft.split_mark);
  if (validation.split == SplitKind::kStratifiedKFold && draft.task == TaskType::kRegression) {
    checker.Add(draft.split_mark, fmt::format("validation.split at {}: stratified_kfold needs "
                                              "classes; use kfold for a regression task",
                                              where));
  }
  if (validation.split == SplitKind::kGroupKFold && draft.spec.data.group_column.empty()) {
    checker.Add(draft.split_mark, fmt::format("validation.split at {}: group_kfold needs "
                                              "data.group_column to say which rows belong together",
                                              where));
  }
  if (validation.split == SplitKind::kTimeSeries && draft.spec.data.time_column.empty()) {
    checker.Add(draft.split_mark, fmt::format("validation.split at {}: time_series needs "
                                              "data.time_column to order the rows",
                                              where));
  }
}

// Only time_series keeps rows in order, so only there does leaving rows out between the training
// window and the test fold mean anything.
void CheckGap(Checker& checker, const Draft& draft) {
  if (!draft.gap_mark || draft.spec.validation.split == SplitKind::kTimeSeries) return;
  checker.Add(
      *draft.gap_mark,
      fmt::format("validation.gap at {} applies to split: time_series only, and the split "
                  "is {}; set validation.split: time_series or remove it",
                  checker.Where(*draft.gap_mark), SplitKindName(draft.spec.validation.split)));
}

void CheckFairness(Checker& checker, const Draft& draft) {
  const FairnessSpec& fairness = draft.spec.fairness;
  if (fairness.limits.empty()) return;
  std::string where = checker.Where(draft.limits_mark);
  if (fairness.protected_attributes.empty()) {
    checker.Add(draft.limits_mark, fmt::format("fairness.limits at {} need "
                                               "fairness.protected_attributes to form groups",
                                               where));
  }
  if (draft.task && *draft.task != TaskType::kBinary) {
    checker.Add(draft.limits_mark, fmt::format("fairness.limits at {} apply to binary tasks only, "
                                               "and task.type is {}",
                                               where, TaskTypeName(*draft.task)));
  }
}

// ---------------------------------------------------------------------------------------------
// YAML text

// Hints for yaml-cpp's terse messages, for the mistakes people make in configuration files.
std::string SyntaxHint(const std::string& message) {
  if (message.find("block scalar") != std::string::npos) {
    return "; a value starting with '>' or '|' must be quoted, e.g. \">50K\"";
  }
  if (message.find("illegal map value") != std::string::npos) {
    return "; check the indentation, and quote values that contain ': '";
  }
  if (message.find("end of sequence flow") != std::string::npos) {
    return "; a list opened with '[' is not closed with ']'";
  }
  if (message.find("end of map flow") != std::string::npos) {
    return "; a mapping opened with '{' is not closed with '}'";
  }
  if (message.find("end of map not found") != std::string::npos ||
      message.find("end of sequence not found") != std::string::npos) {
    return "; check the indentation: keys of one mapping line up in the same column";
  }
  if (message.find("unknown token") != std::string::npos) {
    return "; values starting with '@' or '`' must be quoted";
  }
  return "";
}
// A mark at byte `pos`, on 0-based `line` that starts at byte `line_begin`.
YAML::Mark MarkAt(size_t pos, int line, size_t line_begin) {
  YAML::Mark mark;
  mark.pos = static_cast<int>(pos);
  mark.line = line;
  mark.column = static_cast<int>(pos - line_begin);
  return mark;
}

// YAML forbids tabs in indentation, and yaml-cpp then reports some unrelated symptom; the first
// such tab at or before the failing line is the real cause.
std::optional<YAML::Mark> FindIndentationTab(std::string_view text, int last_line) {
  int line = 0;
  size_t start = 0;
  while (start <= text.size() && line <= last_line) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view row = text.substr(start, end - start);
    size_t content = row.find_first_not_of(" \t");
    size_t tab = row.find('\t');
    if (content != std::string_view::npos && tab < content && row[content] != '#') {
      return MarkAt(start + tab, line, start);
    }
    start = end + 1;
    ++line;
  }
  return std::nullopt;
}

Status SyntaxError(Checker& checker, std::string_view text, const YAML::Exception& error) {
  if (std::optional<YAML::Mark> tab = FindIndentationTab(text, error.mark.line)) {
    return MakeError(ErrorCode::kConfig,
                     "tab character in the indentation at {}; YAML indents with spaces only",
                     checker.Where(*tab));
  }
  return MakeError(ErrorCode::kConfig, "YAML syntax error at {}: {}{}", checker.Where(error.mark),
                   error.msg, SyntaxHint(error.msg));
}

// Rejects flow collections nested deeper than any configuration needs, before yaml-cpp recurses
// into them. Brackets inside quoted strings count too, which only matters for absurd strings.
Status CheckNesting(Checker& checker, std::string_view text) {
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '[' || c == '{') {
      if (++depth <= kMaxFlowDepth) continue;
      const size_t newline = text.rfind('\n', i);
      const YAML::Mark mark =
          MarkAt(i, static_cast<int>(std::count(text.begin(), text.begin() + i, '\n')),
                 newline == std::string_view::npos ? 0 : newline + 1);
      return MakeError(ErrorCode::kConfig, "{} nests lists or mappings more than {} deep at {}",
                       checker.file(), kMaxFlowDepth, checker.Where(mark));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

// Anchors and aliases let a few lines of YAML stand for an exponential number of values (or, with
// an alias inside its own anchor, an endless one), which validation would then walk. A kiln.yaml
// holds a few hundred values; any document that expands beyond this budget is refused.
constexpr size_t kMaxExpandedValues = 100000;
constexpr int kMaxExpandedDepth = 64;

bool WithinExpansionBudget(const YAML::Node& node, int depth, size_t& budget) {
  if (budget == 0 || depth > kMaxExpandedDepth) return false;
  --budget;
  if (!node.IsSequence() && !node.IsMap()) return true;
  for (const auto& entry : node) {
    if (node.IsMap()) {
      if (!WithinExpansionBudget(entry.first, depth + 1, budget) ||
          !WithinExpansionBudget(entry.second, depth + 1, budget)) {
        return false;
      }
    } else if (!WithinExpansionBudget(entry, depth + 1, budget)) {
      return false;
    }
  }
  return true;
}

// YAML text is printable Unicode: control characters other than tab, line feed and carriage
// return are not allowed, and yaml-cpp mistakes some of them (a NUL) for the end of a value.
Status CheckCharacters(Checker& checker, std::string_view text) {
  int line = 0;
  size_t line_begin = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_begin = i + 1;
      continue;
    }
    if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\r') continue;
    return MakeError(ErrorCode::kConfig,
                     "{} holds the control character 0x{:02x} at {}; a kiln.yaml is text, so "
                     "remove it (is this the right file?)",
                     checker.file(), c, checker.Where(MarkAt(i, line, line_begin)));
  }
  return Status::Ok();
}

// yaml-cpp 0.7 loops forever, allocating, on a ',' outside any flow collection that does not
// continue a plain value: at the start of a line (",", "- a\n,"), after a tag or an anchor ("!,",
// "&a ,", also glued to a finished value: "'a'!,", "[]&a,"), or right after a complete flow
// collection or quoted value ("[],", "'a',"). None of
// these is valid YAML, so they are refused here, before the parser sees them. Quoted values may
// span lines; a quote opens only where a value can start, so the apostrophe in "it's" does not.
Status CheckStrayCommas(Checker& checker, std::string_view text) {
  char quote = 0;  // the open quote character, or 0
  int depth = 0;
  bool value_ended = true;  // nothing that a ',' could continue precedes it on this line
  bool closed = false;      // a quoted value or a flow collection has just ended on this line
  int line = 0;
  size_t line_begin = 0;
  size_t line_indent = 0;
  constexpr size_t kNoBlock = std::numeric_limits<size_t>::max();
  size_t block = kNoBlock;  // the indent of the line that opened a block scalar
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n' || i == 0) {
      if (c == '\n') {
        value_ended = true;
        closed = false;
        ++line;
        line_begin = i + 1;
      }
      size_t end = line_begin;
      while (end < text.size() && text[end] == ' ') ++end;
      line_indent = end - line_begin;
      const bool blank = end == text.size() || text[end] == '\n' || text[end] == '\r';
      // The lines of a block scalar (more indented than the line that opened it, or blank) are
      // text, not YAML: skip them whole.
      if (block != kNoBlock && quote == 0 && (blank || line_indent > block)) {
        while (end < text.size() && text[end] != '\n') ++end;
        i = end - 1;
        continue;
      }
      block = kNoBlock;
      if (c == '\n') continue;
    }
    if (quote != 0) {
      if (quote == '"' && c == '\\') {
        ++i;
      } else if (c == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
        } else {
          quote = 0;
          value_ended = depth == 0;
          closed = depth == 0;
        }
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') continue;
    if (closed && c != ',' && c != ':' &&
        !(c == '#' && (text[i - 1] == ' ' || text[i - 1] == '\t'))) {
      // yaml-cpp can loop forever on text glued to a finished value ("\"\"\"t\",", "'a'!,");
      // it is never valid YAML, so it is refused here.
      return MakeError(ErrorCode::kConfig,
                       "{} has '{}' right after a quoted value or a closing bracket at {}; end the "
                       "line there, or put ':' or ',' where one belongs",
                       checker.file(), c, checker.Where(MarkAt(i, line, line_begin)));
    }
    closed = false;
    if (c == '%' && i == line_begin) {
      // A directive line (%YAML, %TAG): its text is not content, so the scan above would misread
      // it, and yaml-cpp hangs on a stray comma after one ("%[\n,"). kiln.yaml needs none.
      return MakeError(ErrorCode::kConfig,
                       "{} has a YAML directive ('%...') at {}; kiln.yaml takes none: remove the "
                       "line (quote a value that starts with %)",
                       checker.file(), checker.Where(MarkAt(i, line, line_begin)));
    }
    if (c == ',' && depth == 0 && value_ended) {
      return MakeError(ErrorCode::kConfig,
                       "{} has a ',' outside any list or mapping at {}, where no value comes "
                       "before it; put the value in quotes, or inside [ ] to make a list",
                       checker.file(), checker.Where(MarkAt(i, line, line_begin)));
    }
    const char before = i == line_begin ? ' ' : text[i - 1];
    const bool value_start = before == ' ' || before == '\t' || before == '[' || before == '{' ||
                             before == ',' || before == ':';
    if (c == '#' && (before == ' ' || before == '\t')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if ((c == '"' || c == '\'') && value_start) {
      quote = c;
    } else if (depth == 0 && value_start && (c == '!' || c == '&')) {
      // A tag or an anchor: skip it; what follows still starts the value. (One glued to a
      // finished value, "'a'!t,", is refused above.)
      while (i + 1 < text.size() && text[i + 1] != ',' && text[i + 1] != ' ' &&
             text[i + 1] != '\t' && text[i + 1] != '\n') {
        ++i;
      }
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      value_ended = --depth == 0;
      closed = depth == 0;
    } else if (depth == 0 && value_start && (c == '|' || c == '>')) {
      // A block scalar indicator ("|", ">-", "|2") ending its line opens a block scalar.
      size_t j = i + 1;
      while (j < text.size() &&
             (text[j] == '-' || text[j] == '+' || (text[j] >= '1' && text[j] <= '9'))) {
        ++j;
      }
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
      if (j == text.size() || text[j] == '\n' || text[j] == '#') block = line_indent;
      value_ended = false;
    } else if (depth == 0) {
      value_ended = false;
    }
  }
  return Status::Ok();
}

// TODO: the checks above refuse every input known to hang yaml-cpp 0.7 (a fuzzer found each of
// them); a pattern not yet found would still hang it. Bounding the parser's work for certain
// needs a fixed yaml-cpp or a YAML reader of Kiln's own for kiln.yaml's small subset.
Result<YAML::Node> ParseYaml(Checker& checker, std::string_view text) {
  if (text.size() > kMaxProblemSpecBytes) {
    return MakeError(ErrorCode::kConfig, "{} is {} bytes; a kiln.yaml may be at most {} bytes",
                     checker.file(), text.size(), kMaxProblemSpecBytes);
  }
  KILN_RETURN_IF_ERROR(CheckNesting(checker, text));
  KILN_RETURN_IF_ERROR(CheckCharacters(checker, text));
  KILN_RETURN_IF_ERROR(CheckStrayCommas(checker, text));

  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return SyntaxError(checker, text, error);
  }
  if (documents.size() > 1) {
    return MakeError(ErrorCode::kConfig,
                     "{} holds {} YAML documents (separated by ---); it must hold one",
                     checker.file(), documents.size());
  }
  if (documents.empty() || documents[0].IsNull()) {
    return MakeError(ErrorCode::kConfig, "{} is empty; run `kiln init` to write a commented one",
                     checker.file());
  }
  size_t budget = kMaxExpandedValues;
  if (!WithinExpansionBudget(documents[0], 0, budget)) {
    return MakeError(ErrorCode::kConfig,
                     "{} expands, through anchors and aliases, to more than {} values or {} "
                     "levels; write the values out instead of repeating aliases",
                     checker.file(), kMaxExpandedValues, kMaxExpandedDepth);
  }
  return documents[0];
}

Result<ProblemSpec> Validate(std::string_view text, const std::string& file_name,
                             const std::filesystem::path& base_dir) {
  Checker checker(file_name);
  KILN_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(checker, text));
  Value top{root, "", root.Mark()};
  if (!root.IsMap()) {
    return MakeError(ErrorCode::kConfig,
                     "{} must be a mapping of sections (task:, metrics:, ...), got {}",
                     checker.Where(root.Mark()), Describe(root));
  }

  Draft draft;
  draft.spec.file = file_name;
  draft.spec.base_dir = base_dir;
  Section sections(checker, top,
                   {"version", "project", "task", "metrics", "fairness", "data", "validation",
                    "governance", "models", "features", "decision"});
  ReadVersion(checker, sections, draft);
  ReadProject(checker, sections, draft);
  if (!sections.Get("task")) sections.Missing("task", "task: {type: ..., target: ...}");
  ReadTask(checker, sections.Get("task"), draft);
  if (!sections.Get("metrics")) sections.Missing("metrics", "metrics: {north_star: ...}");
  ReadMetrics(checker, sections.Get("metrics"), draft);
  ReadFairness(checker, sections.Get("fairness"), draft);
  ReadData(checker, sections.Get("data"), draft);
  ReadValidation(checker, sections.Get("validation"), draft);
  ReadGovernance(checker, sections.Get("governance"), draft);
  ReadModels(checker, sections.Get("models"), draft);
  ReadFeatures(checker, sections.Get("features"), draft);
  ReadDecision(checker, sections.Get("decision"), draft);

  CheckTarget(checker, draft);
  CheckSplit(checker, draft);
  CheckGap(checker, draft);
  CheckFairness(checker, draft);
  if (!checker.ok()) return checker.ToStatus();
  return std::move(draft.spec);
}

// The one place where exceptions from yaml-cpp or the standard library become a Status.
Result<ProblemSpec> ValidateNoThrow(std::string_view text, const std::string& file_name,
                                    const std::filesystem::path& base_dir) {
  try {
    return Validate(text, file_name, base_dir);
  } catch (const YAML::Exception& error) {
    return MakeError(ErrorCode::kConfig, "{}: unreadable YAML at line {}: {}", file_name,
                     error.mark.line + 1, error.msg);
  } catch (const std::exception& error) {
    return MakeError(ErrorCode::kInternal, "reading {} failed unexpectedly: {}", file_name,
                     error.what());
  }
}

}  // namespace

const char* TaskTypeName(TaskType type) {
  switch (type) {
    case TaskType::kBinary:
      return "binary";
    case TaskType::kMulticlass:
      return "multiclass";
    case TaskType::kRegression:
      return "regression";
  }
  return "binary";
}

std::optional<TaskType> ParseTaskType(std::string_view name) {
  if (name == "binary") return TaskType::kBinary;
  if (name == "multiclass") return TaskType::kMulticlass;
  if (name == "regression") return TaskType::kRegression;
  return std::nullopt;
}

const char* SplitKindName(SplitKind kind) {
  switch (kind) {
    case SplitKind::kKFold:
      return "kfold";
    case SplitKind::kStratifiedKFold:
      return "stratified_kfold";
    case SplitKind::kGroupKFold:
      return "group_kfold";
    case SplitKind::kTimeSeries:
      return "time_series";
  }
  return "kfold";
}

std::optional<SplitKind> ParseSplitKind(std::string_view name) {
  if (name == "kfold") return SplitKind::kKFold;
  if (name == "stratified_kfold") return SplitKind::kStratifiedKFold;
  if (name == "group_kfold") return SplitKind::kGroupKFold;
  if (name == "time_series") return SplitKind::kTimeSeries;
  return std::nullopt;
}

std::span<const MetricInfo> KnownMetrics() {
  return kMetrics;
}
std::span<const MetricInfo> KnownFairnessMetrics() {
  return kFairnessMetrics;
}

const MetricInfo* FindMetric(std::string_view name) {
  for (const MetricInfo& metric : kMetrics) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

const MetricInfo* FindFairnessMetric(std::string_view name) {
  for (const MetricInfo& metric : kFairnessMetrics) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

bool MetricAppliesTo(const MetricInfo& metric, TaskType task) {
  switch (task) {
    case TaskType::kBinary:
      return metric.binary;
    case TaskType::kMulticlass:
      return metric.multiclass;
    case TaskType::kRegression:
      return metric.regression;
  }
  return false;
}

namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool IsValidProjectName(std::string_view name) {
  if (name.empty() || name.size() > kMaxProjectNameLength || !IsAsciiAlnum(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string ToProjectName(std::string_view text) {
  std::string name;
  for (char c : text) {
    if (name.empty() && !IsAsciiAlnum(c)) continue;
    name += (IsAsciiAlnum(c) || c == '_' || c == '.') ? c : '-';
  }
  return name.substr(0, kMaxProjectNameLength);
}

std::string SourceSpec::Spec() const {
  return uri.empty() ? path.string() : uri;
}

SourceOptions ToSourceOptions(const SourceSpec& source) {
  SourceOptions options;
  options.csv.delimiter = source.delimiter;
  options.csv.header = source.header;
  options.query = source.query;
  return options;
}

Result<ProblemSpec> ParseProblemSpec(std::string_view yaml_text, const std::string& file_name) {
  return ValidateNoThrow(yaml_text, file_name, std::filesystem::path(file_name).parent_path());
}

Result<ProblemSpec> LoadProblemSpec(const std::filesystem::path& given) {
  std::error_code error;
  std::filesystem::path path = given;
  if (std::filesystem::is_directory(path, error)) path /= kProblemSpecFileName;
  if (!std::filesystem::exists(path, error)) {
    return MakeError(ErrorCode::kNotFound,
                     "no problem definition at {}; run `kiln init` to write one", path.string());
  }
  uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return MakeError(ErrorCode::kIo, "cannot read {}: {}", path.string(), error.message());
  if (size > kMaxProblemSpecBytes) {
    return MakeError(ErrorCode::kConfig, "{} is {} bytes; a kiln.yaml may be at most {} bytes",
                     path.string(), size, kMaxProblemSpecBytes);
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in.is_open() || in.bad()) {
    return MakeError(ErrorCode::kIo, "cannot read {}: {}", path.string(), std::strerror(errno));
  }
  text.resize(static_cast<size_t>(in.gcount()));

  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  std::filesystem::path base_dir = error ? path.parent_path() : absolute.parent_path();
  return ValidateNoThrow(text, path.string(), base_dir.lexically_normal());
}

InferOptions ToInferOptions(const ProblemSpec& spec) {
  InferOptions options;
  options.missing_tokens = spec.data.missing_values;
  for (const auto& [column, column_override] : spec.data.columns) {
    options.type_overrides[column] = column_override.type;
    if (!column_override.datetime_format.empty()) {
      options.datetime_formats[column] = column_override.datetime_format;
    }
  }
  return options;
}

}  // namespace kiln
