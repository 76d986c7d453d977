// The commented kiln.yaml written by `kiln init`; see config_template.h. Every string that comes
// from data (column names, labels, paths) is written quoted when it is a value and sanitised when
// it is in a comment, so no column name can break the file.
#include "core/config_template.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace kiln {
namespace {

constexpr size_t kMaxSketchedColumns = 200;
constexpr size_t kWidth = 100;

// Text safe inside a YAML comment: one line, no control characters.
std::string CommentText(std::string_view text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  return out;
}

// Appends `text` as comment lines under `indent`, wrapped at spaces to stay within kWidth.
void AppendComment(std::string& out, std::string_view indent, std::string_view text) {
  std::string line;
  auto flush = [&] {
    if (!line.empty()) out += fmt::format("{}# {}\n", indent, line);
    line.clear();
  };
  std::string safe = CommentText(text);
  size_t start = 0;
  while (start <= safe.size()) {
    size_t end = std::min(safe.find(' ', start), safe.size());
    std::string_view word = std::string_view(safe).substr(start, end - start);
    if (!line.empty() && indent.size() + 2 + line.size() + 1 + word.size() > kWidth) flush();
    if (!word.empty()) line += (line.empty() ? "" : " ") + std::string(word);
    start = end + 1;
  }
  flush();
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += QuoteYaml(names[i]);
  }
  return out + "]";
}

std::string FormatNumber(double value) {
  return std::isfinite(value) ? fmt::format("{}", value) : "0";
}

const char* Direction(const MetricInfo* metric) {
  if (!metric) return "";
  return metric->direction == MetricDirection::kHigherIsBetter ? "higher is better"
                                                               : "lower is better";
}

void AppendHeader(std::string& out, const InitProposal& p) {
  out +=
      "# kiln.yaml: the problem definition that every Kiln stage reads. `kiln validate` checks\n"
      "# it; docs/kiln-yaml.md describes every key. Optional sections are commented out: remove\n"
      "# the leading '# ' to use them. Strings are quoted so that labels like \">50K\" stay "
      "text.\n";
  if (p.columns.empty()) {
    out += "#\n# Set task.target and data.sources to your data, then run `kiln validate`.\n";
    return;
  }
  out += "#\n";
  AppendComment(out, "",
                fmt::format("Proposed by `kiln init` from {} ({} rows, {} columns). "
                            "Review every guess.",
                            p.source_path, p.rows, p.columns.size()));
  out += "#\n";
  size_t width = 6;
  for (const ColumnSketch& c : p.columns) width = std::max(width, CommentText(c.name).size());
  width = std::min<size_t>(width, 40);
  out += fmt::format("#   {:<{}}  {:<11}  {:>8}  {:>8}\n", "column", width, "type", "distinct",
                     "missing");
  for (size_t i = 0; i < p.columns.size() && i < kMaxSketchedColumns; ++i) {
    const ColumnSketch& c = p.columns[i];
    out += fmt::format("#   {:<{}}  {:<11}  {:>8}  {:>8}{}\n", CommentText(c.name), width,
                       ColumnTypeName(c.type), c.distinct, c.missing,
                       c.name == p.target ? "   <- target" : "");
  }
  if (p.columns.size() > kMaxSketchedColumns) {
    out += fmt::format("#   ... and {} more\n", p.columns.size() - kMaxSketchedColumns);
  }
}

void AppendTask(std::string& out, const InitProposal& p) {
  std::string project = ToProjectName(p.project);
  if (project.empty()) project = "my-project";
  out += fmt::format("\nversion: {}\nproject: {}\n", kProblemSpecVersion, QuoteYaml(project));
  out +=
      "\n# What to predict.\n"
      "task:\n"
      "  # binary (two classes), multiclass (three or more) or regression (a number).\n";
  if (!p.task_reason.empty()) AppendComment(out, "  ", "Proposed because " + p.task_reason + ".");
  out += fmt::format("  type: {}\n", TaskTypeName(p.task_type));
  out += "  # The column to predict, spelt exactly as in the data.\n";
  out += fmt::format("  target: {}\n", QuoteYaml(p.target));
  if (p.task_type != TaskType::kBinary) return;
  out += "  # The label that counts as positive for precision, recall, ROC and fairness rates.\n";
  if (!p.positive_class_reason.empty()) {
    AppendComment(out, "  ", "Proposed because " + p.positive_class_reason + ".");
  }
  out += fmt::format("  positive_class: {}\n", QuoteYaml(p.positive_class));
}

void AppendGuardrailExamples(std::string& out, TaskType task) {
  out +=
      "  # Bounds that any released model must also meet (min, max or both):\n"
      "  # guardrails:\n";
  switch (task) {
    case TaskType::kBinary:
      out +=
          "  #   - {name: accuracy, min: 0.8}\n"
          "  #   - {name: log_loss, max: 0.4}\n";
      break;
    case TaskType::kMulticlass:
      out +=
          "  #   - {name: accuracy, min: 0.7}\n"
          "  #   - {name: log_loss, max: 1.0}\n";
      break;
    case TaskType::kRegression:
      out +=
          "  #   - {name: r2, min: 0.5}\n"
          "  #   - {name: mae, max: 100}\n";
      break;
  }
}

void AppendMetrics(std::string& out, const InitProposal& p) {
  const MetricInfo* metric = FindMetric(p.north_star);
  out +=
      "\n# How models are judged. The north star ranks candidate models and gates releases.\n"
      "# Metrics: accuracy, balanced_accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss,\n"
      "# brier, mcc, macro_f1, micro_f1, weighted_f1, top_k_accuracy, rmse, mae, mape, r2,\n"
      "# median_ae (each for the tasks it fits).\n"
      "metrics:\n";
  std::string note = fmt::format("{}: {}.", p.north_star, Direction(metric));
  if (!p.threshold_reason.empty()) note += " " + p.threshold_reason + ".";
  AppendComment(out, "  ", note);
  out += fmt::format("  north_star: {{name: {}, threshold: {}}}\n", p.north_star,
                     FormatNumber(p.threshold));
  AppendGuardrailExamples(out, p.task_type);
}

void AppendFairness(std::string& out, const InitProposal& p) {
  out +=
      "\n# Fairness: metrics are reported for each group of each protected attribute; limits\n"
      "# make the gate refuse a model whose groups are treated too differently (binary tasks).\n";
  if (p.protected_attributes.empty()) {
    out +=
        "# fairness:\n"
        "#   protected_attributes: [sex, race]\n"
        "#   limits:\n"
        "#     - {metric: demographic_parity_difference, max: 0.2}\n"
        "#     - {metric: equalized_odds_difference, max: 0.2}\n";
    return;
  }
  out +=
      "fairness:\n"
      "  # Guessed from column names: remove any that is not a protected attribute.\n";
  out += fmt::format("  protected_attributes: {}\n", QuotedList(p.protected_attributes));
  out +=
      "  # limits:\n"
      "  #   - {metric: demographic_parity_difference, max: 0.2}\n"
      "  #   - {metric: equalized_odds_difference, max: 0.2}\n";
}

void AppendSources(std::string& out, const InitProposal& p) {
  out +=
      "\n# Where the data comes from and how to read it.\n"
      "data:\n"
      "  sources:\n"
      "    # A CSV file (a relative path is relative to this file), or a database, e.g.\n"
      "    #   - {name: warehouse, uri: \"sqlite:data.db\", query: \"SELECT * FROM loans\"}\n"
      "    #   - {name: warehouse, uri: \"postgresql://user@host/db\", query: \"SELECT ...\"}\n";
  out += fmt::format("    - name: {}\n      path: {}\n", QuoteYaml(p.source_name),
                     QuoteYaml(p.source_path));
  out +=
      "      # delimiter: \",\"   # sniffed among , ; tab | when absent\n"
      "      # header: true     # sniffed when absent\n";
}

void AppendColumns(std::string& out, const InitProposal& p) {
  out +=
      "  # Values read as missing; the default is \"\", NA, N/A, ?, null, NULL, NaN and nan.\n"
      "  # missing_values: [\"\", \"NA\", \"?\"]\n"
      "  # Types to force where inference gets one wrong: integer, float, boolean, categorical,\n"
      "  # datetime (with an optional strftime format) or text.\n"
      "  # columns:\n"
      "  #   zip_code: {type: categorical}\n"
      "  #   signup_date: {type: datetime, format: \"%d-%m-%Y\"}\n"
      "  # Identifiers are never used as features.\n";
  if (p.id_columns.empty()) {
    out += "  # id_columns: [customer_id]\n";
  } else {
    out += fmt::format(
        "  # Guessed: unique values in a column named like an id.\n"
        "  id_columns: {}\n",
        QuotedList(p.id_columns));
  }
  out +=
      "  # time_column: date              # orders rows for time_series splits and drift reports\n"
      "  # group_column: customer_id      # rows of one group stay in one fold (group_kfold)\n"
      "  # exclude_columns: [leaky_column] # never features, e.g. columns known only afterwards\n";
}

void AppendValidation(std::string& out, const InitProposal& p) {
  const char* split = p.task_type == TaskType::kRegression ? "kfold" : "stratified_kfold";
  out +=
      "\n# How candidate models are validated while training.\n"
      "validation:\n";
  out +=
      fmt::format("  split: {}   # kfold | stratified_kfold | group_kfold | time_series\n", split);
  out += "  folds: 5\n  seed: 42\n";
  out += "  # gap: 0        # time_series only: rows left out between training and test windows\n";
}

void AppendModels(std::string& out, const InitProposal& p) {
  bool regression = p.task_type == TaskType::kRegression;
  out +=
      "\n# Candidate models, ranked by the north star under the validation split. Without this\n"
      "# section Kiln trains the defaults for the task: baseline, logistic and xgboost for\n"
      "# classification, baseline, ridge and xgboost for regression. An entry is a family name or\n"
      "# a mapping of family: and its parameters; docs/kiln-yaml.md lists each family's.\n"
      "# models:\n"
      "#   - baseline\n";
  out += regression ? "#   - {family: ridge, l2: 1.0}\n" : "#   - {family: logistic, l2: 1.0}\n";
  out +=
      "#   - {family: xgboost, trees: 300, max_depth: 6, learning_rate: 0.1, early_stopping: 20}\n"
      "#   - {family: random_forest, trees: 500, max_depth: 12}\n";
}

void AppendFeatures(std::string& out) {
  out +=
      "\n# How columns become features. Every setting has a default; see docs/kiln-yaml.md.\n"
      "# features:\n"
      "#   impute: {numeric: median, categorical: constant, missing_indicators: true}\n"
      "#   encode: {categorical: native, max_categories: 20}   # native | one_hot | ordinal | "
      "target\n"
      "#   scaling: none                                        # none | standard | robust\n"
      "#   datetime: {parts: [year, month, day_of_week, hour, elapsed]}\n";
}

void AppendDecision(std::string& out, const InitProposal& p) {
  if (p.task_type != TaskType::kBinary) return;
  out +=
      "\n# How the threshold on the positive-class probability is chosen: fixed (0.5 unless\n"
      "# threshold: says otherwise), max_f1, max_recall (with min_precision), max_precision (with\n"
      "# min_recall) or min_cost (with cost_false_positive and cost_false_negative).\n"
      "# decision:\n"
      "#   objective: max_recall\n"
      "#   min_precision: 0.8\n";
}

void AppendGovernance(std::string& out) {
  out +=
      "\n# Personal data and retention.\n"
      "# governance:\n"
      "#   pii_columns: [email]      # declared PII; detection also runs on every dataset\n"
      "#   consent_column: consent   # rows whose value is false/no/0 are left out of training\n"
      "#   retention_days: 365       # `kiln data purge --expired` removes older dataset "
      "versions\n";
}

}  // namespace

std::string QuoteYaml(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string RenderKilnYamlTemplate(const InitProposal& proposal) {
  std::string out;
  AppendHeader(out, proposal);
  AppendTask(out, proposal);
  AppendMetrics(out, proposal);
  AppendFairness(out, proposal);
  AppendSources(out, proposal);
  AppendColumns(out, proposal);
  AppendValidation(out, proposal);
  AppendModels(out, proposal);
  AppendFeatures(out);
  AppendDecision(out, proposal);
  AppendGovernance(out);
  return out;
}

}  // namespace kiln
