// Renders the evaluation document as one HTML page. The page is static HTML for the facts
// (header, gate, tables) plus a JSON list of Chart.js configurations and the inlined library that
// draws them; nothing is fetched, and a Content-Security-Policy forbids the page from trying.
//
// The page reports its own health for automated checks: <body data-charts="N"> is the number of
// charts it holds, data-rendered the number drawn (set once drawing finishes), and data-errors
// the messages of any script error.
#include "report/evaluation_report.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "kiln/version.h"
#include "report/document.h"
#include "report/evaluation_charts.h"
#include "report/html.h"
#include "report/report_page.h"
#include "report/web_library.h"

namespace kiln {
namespace {

using nlohmann::json;

std::string Escaped(const json* value) {
  return EscapeHtml(TextAt(value));
}

void AddHeader(const json& result, ReportPage& page) {
  const json* model = Member(result, "model");
  const json* dataset = Member(result, "dataset");
  std::string model_text = Escaped(Member(model, "family"));
  if (const json* name = Member(model, "name")) {
    model_text += fmt::format(" ({})", Escaped(name));
  }
  if (const json* run = Member(model, "run")) model_text += fmt::format(", run {}", Escaped(run));
  std::string dataset_text = Escaped(Member(dataset, "name"));
  if (const json* version = Member(dataset, "version")) {
    dataset_text += "@" + Escaped(version);
  }

  const std::string project = Escaped(Member(result, "project"));
  std::string& html = page.body();
  html += fmt::format("<header>\n<h1>{}</h1>\n<dl class=\"facts\">\n",
                      project.empty() ? "Evaluation" : "Evaluation: " + project);
  auto fact = [&html](const char* name, const std::string& text) {
    if (!text.empty()) html += fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", name, text);
  };
  fact("Model", model_text);
  fact("Dataset", dataset_text);
  fact("Rows scored", Escaped(Member(dataset, "rows")));
  fact("Task", Escaped(Member(result, "task")));
  fact("Target", Escaped(Member(result, "target")));
  fact("Evaluated", Escaped(Member(result, "created_at")));
  html += "</dl>\n</header>\n";
}

std::string Interval(const json* low, const json* high) {
  const double lo = NumberAt(low), hi = NumberAt(high);
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "—";
  return fmt::format("[{}, {}]", FormatNumber(lo), FormatNumber(hi));
}

std::string VersusBaseline(const json& versus) {
  const double p_value = NumberAt(Member(versus, "p_value"));
  const json* significant = Member(versus, "significant");
  const bool is_significant =
      significant != nullptr && significant->is_boolean() && significant->get<bool>();
  // Four decimals, not FormatNumber's scientific notation: p-values are read against 0.05.
  const std::string p_text = !std::isfinite(p_value) ? "—"
                             : p_value < 1e-4        ? "&lt; 0.0001"
                                                     : fmt::format("{:.4f}", p_value);
  return fmt::format(
      "<p class=\"versus\">Versus baseline on <b>{}</b> ({}): candidate {}, baseline {}, "
      "difference {} {}, <b>p = {}</b>, {}.</p>\n",
      Escaped(Member(versus, "metric")), Escaped(Member(versus, "method")),
      Escaped(Member(versus, "candidate")), Escaped(Member(versus, "baseline")),
      Escaped(Member(versus, "difference")),
      Interval(Member(versus, "low"), Member(versus, "high")), p_text,
      is_significant ? "significant at the 5 % level" : "not significant at the 5 % level");
}

void AddGate(const json& result, ReportPage& page) {
  const json* gate = Member(result, "gate");
  if (gate == nullptr) return;
  const json* go_field = Member(gate, "go");
  const bool go = go_field != nullptr && go_field->is_boolean() && go_field->get<bool>();

  std::string& html = page.body();
  html += fmt::format("<section class=\"gate {}\">\n<h2>Promotion gate</h2>\n", go ? "go" : "nogo");
  html += fmt::format("<div class=\"verdict\" id=\"verdict\">{}</div>\n", go ? "GO" : "NO-GO");

  const std::vector<std::string> reasons = TextsAt(Member(gate, "reasons"));
  if (!reasons.empty()) {
    html += "<ul class=\"reasons\">\n";
    for (const std::string& reason : reasons) html += "<li>" + EscapeHtml(reason) + "</li>\n";
    html += "</ul>\n";
  }

  const json* checks = Member(gate, "checks");
  if (checks != nullptr && checks->is_array() && !checks->empty()) {
    html +=
        "<table class=\"checks\">\n<tr><th>Check</th><th>Result</th><th>Value</th>"
        "<th>Detail</th></tr>\n";
    for (const json& check : *checks) {
      const json* passed_field = Member(check, "passed");
      const bool passed =
          passed_field != nullptr && passed_field->is_boolean() && passed_field->get<bool>();
      html += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
          passed ? "pass" : "fail", Escaped(Member(check, "name")),
          passed ? "&#10003; passed" : "&#10007; failed", Escaped(Member(check, "value")),
          Escaped(Member(check, "detail")));
    }
    html += "</table>\n";
  }

  if (const json* versus = Member(gate, "versus_baseline")) html += VersusBaseline(*versus);
  html += "</section>\n";
}

void AddMetrics(const json& result, ReportPage& page) {
  const json& metrics = *Member(result, "metrics");  // checked by RenderEvaluationReport
  const json* baseline = Member(result, "baseline");
  const json* baseline_metrics = Member(baseline, "metrics");

  std::string& html = page.body();
  html +=
      "<section>\n<h2>Metrics</h2>\n<table class=\"metrics\">\n"
      "<tr><th>Metric</th><th>Value</th><th>95 % interval</th>";
  if (baseline_metrics != nullptr) {
    const std::string family = Escaped(Member(baseline, "family"));
    html += family.empty() ? "<th>Baseline</th>" : "<th>Baseline (" + family + ")</th>";
  }
  html += "</tr>\n";
  for (const auto& [name, metric] : metrics.items()) {
    html += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                        EscapeHtml(name), Escaped(Member(metric, "value")),
                        Interval(Member(metric, "low"), Member(metric, "high")));
    if (baseline_metrics != nullptr) {
      const std::string value = Escaped(Member(baseline_metrics, name));
      html += fmt::format("<td class=\"num\">{}</td>", value.empty() ? "—" : value);
    }
    html += "</tr>\n";
  }
  html += "</table>\n</section>\n";
}

void AddChartGrid(const std::string& title, const std::vector<std::optional<json>>& charts,
                  const std::string& id_prefix, ReportPage& page) {
  std::vector<const json*> present;
  for (const auto& chart : charts) {
    if (chart) present.push_back(&*chart);
  }
  if (present.empty()) return;

  page.body() += fmt::format("<section>\n<h2>{}</h2>\n<div class=\"grid\">\n", EscapeHtml(title));
  for (std::size_t i = 0; i < present.size(); ++i) {
    page.AddChart(fmt::format("{}-{}", id_prefix, i), *present[i]);
  }
  page.body() += "</div>\n</section>\n";
}

void AddThresholdChoice(const json& result, ReportPage& page) {
  const json* choice = Member(result, "threshold_choice");
  std::optional<json> chart = ThresholdChart(result);
  if (choice == nullptr && !chart) return;

  std::string& html = page.body();
  html += "<section>\n<h2>Decision threshold</h2>\n";
  if (choice != nullptr) {
    html += "<table class=\"threshold\">\n<tr>";
    const std::pair<const char*, const char*> fields[] = {{"objective", "Objective"},
                                                          {"threshold", "Threshold"},
                                                          {"precision", "Precision"},
                                                          {"recall", "Recall"},
                                                          {"f1", "F1"},
                                                          {"cost", "Expected cost"},
                                                          {"constraint_met", "Constraint met"}};
    for (const auto& [field, heading] : fields) html += fmt::format("<th>{}</th>", heading);
    html += "</tr>\n<tr>";
    for (const auto& [field, heading] : fields) {
      const std::string text = Escaped(Member(choice, field));
      html += fmt::format("<td>{}</td>", text.empty() ? "—" : text);
    }
    html += "</tr>\n</table>\n";
  }
  if (chart) {
    html += "<div class=\"grid\">\n";
    page.AddChart("chart-threshold", *chart);
    html += "</div>\n";
  }
  html += "</section>\n";
}

// Rows are the true class. Each cell is shaded by its share of the row, so the diagonal reads as
// per-class recall whatever the class sizes.
void AddConfusionMatrix(const json& result, ReportPage& page) {
  const json* confusion = Member(result, "confusion");
  const json* matrix = Member(confusion, "matrix");
  if (matrix == nullptr || !matrix->is_array() || matrix->empty()) return;
  std::vector<std::string> labels = TextsAt(Member(confusion, "labels"));
  if (labels.empty()) labels = TextsAt(Member(result, "labels"));
  auto label = [&labels](std::size_t i) {
    return i < labels.size() ? EscapeHtml(labels[i]) : std::to_string(i);
  };

  std::string& html = page.body();
  html +=
      "<section>\n<h2>Confusion matrix</h2>\n<table class=\"confusion\">\n"
      "<tr><th class=\"corner\">true \\ predicted</th>";
  const std::size_t columns = (*matrix)[0].is_array() ? (*matrix)[0].size() : 0;
  for (std::size_t j = 0; j < columns; ++j) html += "<th>" + label(j) + "</th>";
  html += "</tr>\n";
  for (std::size_t i = 0; i < matrix->size(); ++i) {
    const std::vector<double> row = NumbersAt(&(*matrix)[i]);
    double total = 0;
    for (double count : row) total += std::isfinite(count) ? count : 0;
    html += "<tr><th>" + label(i) + "</th>";
    for (double count : row) {
      const double share = total > 0 && std::isfinite(count) ? count / total : 0;
      html += fmt::format(
          "<td style=\"background: rgba(37, 99, 235, {:.3f}); color: {}\">{}<small>{:.1f} %"
          "</small></td>",
          share, share > 0.55 ? "#fff" : "#111",
          count == std::round(count) ? fmt::format("{:.0f}", count) : FormatNumber(count),
          100 * share);
    }
    html += "</tr>\n";
  }
  html += "</table>\n</section>\n";
}

void AddPerClass(const json& result, ReportPage& page) {
  const json* per_class = Member(result, "per_class");
  if (per_class == nullptr || !per_class->is_array() || per_class->empty()) return;

  std::string& html = page.body();
  html +=
      "<section>\n<h2>Per class</h2>\n<table class=\"per-class\">\n<tr><th>Class</th>"
      "<th>Precision</th><th>Recall</th><th>F1</th><th>Support</th></tr>\n";
  for (const json& row : *per_class) {
    html += fmt::format("<tr><td>{}</td>", Escaped(Member(row, "label")));
    for (const char* field : {"precision", "recall", "f1", "support"}) {
      html += fmt::format("<td class=\"num\">{}</td>", Escaped(Member(row, field)));
    }
    html += "</tr>\n";
  }
  html += "</table>\n";
  if (std::optional<json> chart = PerClassChart(result)) {
    html += "<div class=\"grid\">\n";
    page.AddChart("chart-per-class", *chart);
    html += "</div>\n";
  }
  html += "</section>\n";
}

void AddFeatureImportance(const json& result, ReportPage& page) {
  std::optional<json> chart = FeatureImportanceChart(result);
  if (!chart) return;

  // A bar per feature needs height in proportion to the number of features.
  const std::size_t bars = (*chart)["data"]["labels"].size();
  page.body() += "<section>\n<h2>Feature importance</h2>\n";
  page.AddChart("chart-feature-importance", *chart, static_cast<int>(80 + 22 * bars));
  page.body() += "</section>\n";
}

void AddFooter(ReportPage& page) {
  const WebLibrary& chart_js = ChartJsLibrary();
  page.body() += fmt::format(
      "<footer>Written by Kiln {}. Charts drawn by {} {} ({} License), inlined in this file; "
      "the report needs no network.</footer>\n",
      kVersion, chart_js.name, chart_js.version, chart_js.license);
}

Status CheckRequiredFields(const json& result) {
  if (!result.is_object()) {
    return MakeError(ErrorCode::kUsage,
                     "the evaluation document is a JSON {}, not an object; pass the document "
                     "`kiln evaluate` writes (docs/evaluation-json.md)",
                     result.type_name());
  }
  const json* task = Member(result, "task");
  if (task == nullptr || !task->is_string()) {
    return MakeError(ErrorCode::kUsage,
                     "the evaluation document has no string field `task`; it must be one of "
                     "binary, multiclass or regression (docs/evaluation-json.md)");
  }
  const std::string name = task->get<std::string>();
  if (name != "binary" && name != "multiclass" && name != "regression") {
    return MakeError(ErrorCode::kUsage,
                     "the evaluation document's field `task` is \"{}\"; it must be one of binary, "
                     "multiclass or regression",
                     name);
  }
  const json* metrics = Member(result, "metrics");
  if (metrics == nullptr || !metrics->is_object()) {
    return MakeError(ErrorCode::kUsage,
                     "the evaluation document has no object field `metrics` (metric name -> "
                     "{{value, low, high}}); see docs/evaluation-json.md");
  }
  return Status::Ok();
}

std::string PageTitle(const json& result) {
  std::string title = "Kiln evaluation";
  for (const json* part : {Member(result, "project"), Member(Member(result, "model"), "family")}) {
    const std::string text = TextAt(part);
    if (!text.empty()) title += " · " + text;
  }
  return title;
}

}  // namespace

Result<std::string> RenderEvaluationReport(const json& result) {
  KILN_RETURN_IF_ERROR(CheckRequiredFields(result));
  const std::string task = Member(result, "task")->get<std::string>();  // checked above

  ReportPage page;
  AddHeader(result, page);
  AddGate(result, page);
  AddMetrics(result, page);
  if (task == "binary") {
    AddChartGrid("Curves",
                 {RocChart(result), PrecisionRecallChart(result), CalibrationChart(result)},
                 "chart-curve", page);
    AddThresholdChoice(result, page);
    AddConfusionMatrix(result, page);
  } else if (task == "multiclass") {
    AddConfusionMatrix(result, page);
    AddPerClass(result, page);
  } else {
    AddChartGrid("Predictions", {PredictedVsTruthChart(result), ResidualHistogramChart(result)},
                 "chart-regression", page);
  }
  AddFeatureImportance(result, page);
  AddFooter(page);
  return page.Render(PageTitle(result));
}

}  // namespace kiln
