// Tests for the HTML evaluation report (report/evaluation_report.h): required fields, escaping,
// the sections shown for each task, curve thinning in the page, and, in headless Chromium, that
// every chart draws without a script error and without the network.
#include "report/evaluation_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <regex>
#include <string>

#include "test_util.h"

namespace kiln {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// Fields every task shares, with a failing gate so that NO-GO and its reasons show.
json CommonDocument(const std::string& task) {
  return {
      {"ok", true},
      {"kind", "evaluation"},
      {"project", "churn"},
      {"created_at", "2026-03-01T10:00:00Z"},
      {"task", task},
      {"target", "label"},
      {"model",
       {{"run", "run-7"}, {"family", "gbdt"}, {"name", "xgboost"}, {"params", json::object()}}},
      {"dataset", {{"name", "customers"}, {"version", 3}, {"rows", 1200}}},
      {"gate",
       {{"go", false},
        {"checks",
         {{{"name", "north_star roc_auc >= 0.85"},
           {"passed", false},
           {"value", 0.81},
           {"detail", "0.81 is below 0.85"}},
          {{"name", "beats baseline"}, {"passed", true}, {"value", 0.12}, {"detail", "p < 0.05"}}}},
        {"reasons", {"roc_auc 0.81 is below the north star's 0.85"}},
        {"versus_baseline",
         {{"method", "paired bootstrap"},
          {"metric", "roc_auc"},
          {"candidate", 0.81},
          {"baseline", 0.69},
          {"difference", 0.12},
          {"low", 0.08},
          {"high", 0.16},
          {"p_value", 0.0004},
          {"significant", true}}}}},
      {"feature_importance",
       {{{"name", "tenure"}, {"value", 0.4}},
        {{"name", "plan"}, {"value", 0.25}},
        {{"name", "region"}, {"value", 0.1}}}},
  };
}

// A binary document whose ROC and precision-recall curves have `curve_points` points.
json BinaryDocument(int curve_points = 4000) {
  json doc = CommonDocument("binary");
  doc["metrics"] = {{"roc_auc", {{"value", 0.81}, {"low", 0.78}, {"high", 0.84}}},
                    {"log_loss", {{"value", 0.42}, {"low", nullptr}, {"high", nullptr}}}};
  doc["baseline"] = {{"family", "logistic"}, {"metrics", {{"roc_auc", 0.69}}}};
  doc["labels"] = {"stay", "churn"};
  doc["threshold"] = 0.4;
  doc["threshold_choice"] = {{"objective", "max f1"}, {"threshold", 0.4}, {"precision", 0.7},
                             {"recall", 0.6},         {"f1", 0.646},      {"cost", nullptr},
                             {"constraint_met", true}};
  json roc_x, roc_y, pr_x, pr_y, thresholds;
  thresholds.push_back(nullptr);  // +inf: the point that predicts nothing positive
  for (int i = 0; i < curve_points; ++i) {
    const double t = i / (curve_points - 1.0);
    roc_x.push_back(t);
    roc_y.push_back(std::sqrt(t));
    pr_x.push_back(t);
    pr_y.push_back(1.0 - 0.6 * t * t);
    if (i > 0) thresholds.push_back(1.0 - t);
  }
  doc["curves"] = {{"roc", {{"x", roc_x}, {"y", roc_y}, {"thresholds", thresholds}}},
                   {"pr", {{"x", pr_x}, {"y", pr_y}, {"thresholds", thresholds}}}};
  doc["calibration"] = {{"mean_predicted", {0.05, 0.15, 0.25, nullptr, 0.85}},
                        {"fraction_positive", {0.04, 0.18, 0.22, nullptr, 0.9}},
                        {"counts", {400, 300, 200, 0, 100}},
                        {"ece", 0.031}};
  doc["confusion"] = {{"labels", {"stay", "churn"}}, {"matrix", {{800, 100}, {120, 180}}}};
  return doc;
}

json MulticlassDocument() {
  json doc = CommonDocument("multiclass");
  doc["metrics"] = {{"macro_f1", {{"value", 0.71}, {"low", 0.66}, {"high", 0.75}}}};
  doc["labels"] = {"cat", "dog", "bird"};
  doc["confusion"] = {{"labels", {"cat", "dog", "bird"}},
                      {"matrix", {{50, 5, 2}, {7, 40, 3}, {1, 2, 30}}}};
  doc["per_class"] = {
      {{"label", "cat"}, {"precision", 0.86}, {"recall", 0.88}, {"f1", 0.87}, {"support", 57}},
      {{"label", "dog"}, {"precision", 0.85}, {"recall", 0.8}, {"f1", 0.82}, {"support", 50}},
      {{"label", "bird"}, {"precision", 0.86}, {"recall", 0.91}, {"f1", 0.88}, {"support", 33}}};
  return doc;
}

json RegressionDocument() {
  json doc = CommonDocument("regression");
  doc["gate"]["go"] = true;
  doc["gate"]["reasons"] = json::array();
  doc["metrics"] = {{"rmse", {{"value", 3.2}, {"low", 3.0}, {"high", 3.4}}}};
  json truth, predicted;
  for (int i = 0; i < 2000; ++i) {
    truth.push_back(i * 0.05);
    predicted.push_back(i * 0.05 + std::sin(i * 0.7) * 2.0);
  }
  doc["residuals"] = {{"truth", truth}, {"predicted", predicted}};
  return doc;
}

std::string Render(const json& doc) {
  Result<std::string> html = RenderEvaluationReport(doc);
  EXPECT_TRUE(html.ok()) << html.status().message();
  return html.ok() ? *html : std::string();
}

// The chart list the page draws from: [{id, config}].
json ChartsOf(const std::string& html) {
  const std::string open = "id=\"kiln-charts\">";
  const size_t begin = html.find(open);
  if (begin == std::string::npos) return json::array();
  const size_t end = html.find("</script>", begin);
  return json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

std::vector<std::string> ChartIds(const std::string& html) {
  std::vector<std::string> ids;
  for (const json& chart : ChartsOf(html)) ids.push_back(chart["id"]);
  return ids;
}

TEST(EvaluationReport, MissingTaskIsAUsageErrorNamingTheField) {
  json doc = BinaryDocument();
  doc.erase("task");
  const Result<std::string> html = RenderEvaluationReport(doc);
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(html.status().message(), HasSubstr("`task`"));
}

TEST(EvaluationReport, MissingMetricsIsAUsageErrorNamingTheField) {
  json doc = BinaryDocument();
  doc.erase("metrics");
  const Result<std::string> html = RenderEvaluationReport(doc);
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(html.status().message(), HasSubstr("`metrics`"));
}

TEST(EvaluationReport, UnknownTaskIsAUsageErrorListingTheValidOnes) {
  const Result<std::string> html =
      RenderEvaluationReport({{"task", "ranking"}, {"metrics", json::object()}});
  ASSERT_FALSE(html.ok());
  EXPECT_EQ(html.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(html.status().message(), HasSubstr("binary, multiclass or regression"));
}

TEST(EvaluationReport, EscapesTextFromTheDocument) {
  json doc = BinaryDocument();
  doc["project"] = "<script>alert('project')</script>";
  doc["feature_importance"][0]["name"] = "</script><script>alert('feature')</script>";
  doc["gate"]["reasons"] = {"<img src=x onerror=alert(1)>"};
  const std::string html = Render(doc);

  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(&#39;project&#39;)&lt;/script&gt;"));
  EXPECT_EQ(ChartsOf(html).back()["config"]["data"]["labels"][0],
            "</script><script>alert('feature')</script>");
}

TEST(EvaluationReport, HeaderNamesProjectModelDatasetAndRows) {
  const std::string html = Render(BinaryDocument());
  EXPECT_THAT(html, HasSubstr("Evaluation: churn"));
  EXPECT_THAT(html, HasSubstr("gbdt (xgboost), run run-7"));
  EXPECT_THAT(html, HasSubstr("customers@3"));
  EXPECT_THAT(html, HasSubstr("<dd>1200</dd>"));
  EXPECT_THAT(html, HasSubstr("2026-03-01T10:00:00Z"));
}

TEST(EvaluationReport, FailedGateShowsNoGoWithEveryCheckAndTheBaselineComparison) {
  const std::string html = Render(BinaryDocument());
  EXPECT_THAT(html, HasSubstr("class=\"gate nogo\""));
  EXPECT_THAT(html, HasSubstr(">NO-GO</div>"));
  EXPECT_THAT(html, HasSubstr("roc_auc 0.81 is below the north star&#39;s 0.85"));
  EXPECT_THAT(html, HasSubstr("north_star roc_auc &gt;= 0.85"));
  EXPECT_THAT(html, HasSubstr("beats baseline"));
  EXPECT_THAT(html, HasSubstr("p = 0.0004"));
  EXPECT_THAT(html, HasSubstr("significant at the 5 % level"));
}

TEST(EvaluationReport, PassedGateShowsGo) {
  const std::string html = Render(RegressionDocument());
  EXPECT_THAT(html, HasSubstr("class=\"gate go\""));
  EXPECT_THAT(html, HasSubstr(">GO</div>"));
}

TEST(EvaluationReport, MetricsTableShowsValueIntervalAndBaseline) {
  const std::string html = Render(BinaryDocument());
  EXPECT_THAT(html, HasSubstr("<th>Baseline (logistic)</th>"));
  EXPECT_THAT(html, HasSubstr("<td>roc_auc</td><td class=\"num\">0.8100</td>"
                              "<td class=\"num\">[0.7800, 0.8400]</td><td class=\"num\">0.6900"));
  // log_loss has no interval and no baseline value.
  EXPECT_THAT(html, HasSubstr("<td>log_loss</td><td class=\"num\">0.4200</td>"
                              "<td class=\"num\">—</td><td class=\"num\">—</td>"));
}

TEST(EvaluationReport, BinaryShowsCurvesThresholdConfusionAndImportance) {
  const std::string html = Render(BinaryDocument());
  EXPECT_THAT(ChartIds(html),
              ::testing::ElementsAre("chart-curve-0", "chart-curve-1", "chart-curve-2",
                                     "chart-threshold", "chart-feature-importance"));
  EXPECT_THAT(html, HasSubstr("data-charts=\"5\""));
  EXPECT_THAT(html, HasSubstr("Calibration (ECE 0.0310)"));
  EXPECT_THAT(html, HasSubstr("<h2>Confusion matrix</h2>"));
  EXPECT_THAT(html, HasSubstr("<h2>Decision threshold</h2>"));
  EXPECT_THAT(html, Not(HasSubstr("<h2>Per class</h2>")));
}

TEST(EvaluationReport, MulticlassShowsConfusionAndPerClassButNoCurves) {
  const std::string html = Render(MulticlassDocument());
  EXPECT_THAT(ChartIds(html),
              ::testing::ElementsAre("chart-per-class", "chart-feature-importance"));
  EXPECT_THAT(html, HasSubstr("<h2>Confusion matrix</h2>"));
  EXPECT_THAT(html, HasSubstr("<h2>Per class</h2>"));
  EXPECT_THAT(html, HasSubstr("<th>bird</th>"));
  EXPECT_THAT(html, Not(HasSubstr("<h2>Curves</h2>")));
}

TEST(EvaluationReport, RegressionShowsScatterAndResidualHistogram) {
  const std::string html = Render(RegressionDocument());
  const json charts = ChartsOf(html);
  ASSERT_EQ(charts.size(), 3u);
  EXPECT_EQ(charts[0]["config"]["options"]["plugins"]["title"]["text"], "Predicted vs truth");
  EXPECT_EQ(charts[0]["config"]["data"]["datasets"][0]["data"].size(), 2000u);
  EXPECT_EQ(charts[1]["config"]["type"], "bar");
  EXPECT_THAT(html, Not(HasSubstr("<h2>Confusion matrix</h2>")));
}

TEST(EvaluationReport, MissingOptionalSectionsAreLeftOut) {
  const std::string html = Render({{"task", "binary"}, {"metrics", json::object()}});
  EXPECT_THAT(html, HasSubstr("data-charts=\"0\""));
  EXPECT_THAT(html, HasSubstr("<h2>Metrics</h2>"));
  for (const char* heading : {"Promotion gate", "Curves", "Decision threshold", "Confusion matrix",
                              "Feature importance"}) {
    EXPECT_THAT(html, Not(HasSubstr(std::string("<h2>") + heading))) << heading;
  }
}

TEST(EvaluationReport, LongCurvesAreThinnedKeepingTheirEndpoints) {
  const json charts = ChartsOf(Render(BinaryDocument(/*curve_points=*/100000)));
  const json& roc = charts[0]["config"]["data"]["datasets"][0]["data"];
  ASSERT_LE(roc.size(), 500u);
  EXPECT_EQ(roc.front(), json({{"x", 0.0}, {"y", 0.0}}));
  EXPECT_EQ(roc.back(), json({{"x", 1.0}, {"y", 1.0}}));
  for (const json& dataset : charts[3]["config"]["data"]["datasets"]) {
    EXPECT_LE(dataset["data"].size(), 500u) << dataset["label"];
  }
}

TEST(EvaluationReport, InlinesChartJsAndReferencesNothingOutside) {
  const std::string html = Render(BinaryDocument());
  EXPECT_THAT(html, HasSubstr("Chart.js v4."));
  EXPECT_THAT(html, HasSubstr("(MIT License)"));
  EXPECT_THAT(html, HasSubstr("Content-Security-Policy\" content=\"default-src 'none'"));
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("sourceMappingURL")));
}

// Headless Chromium loads the page from disk with networking features off; the page's own
// attributes say how many charts drew and whether any script failed.
class EvaluationReportBrowser : public ::testing::Test {
 protected:
  static constexpr const char* kChromium = "/usr/bin/chromium";

  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) {
      GTEST_SKIP() << kChromium << " is absent; scripts/bootstrap installs the chromium package "
                   << "this test draws the report with";
    }
  }

  // The DOM after the page's scripts ran, as Chromium dumps it.
  std::string LoadInBrowser(const std::string& html, const std::string& name) {
    const std::filesystem::path page = dir_ / (name + ".html");
    const std::filesystem::path dom = dir_ / (name + "-dom.html");
    const std::filesystem::path profile = dir_ / (name + "-profile");
    testing::WriteFile(page, html);
    std::filesystem::create_directory(profile);
    const std::string command =
        std::string("timeout 120 ") + kChromium +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
        " --disable-background-networking --disable-component-update --disable-sync"
        " --user-data-dir=" +
        profile.string() + " --virtual-time-budget=5000 --dump-dom file://" + page.string() +
        " > " + dom.string();
    const testing::CommandResult result = testing::RunCommand(command);
    EXPECT_EQ(result.exit_code, 0) << "chromium failed: " << result.out.substr(0, 4000);
    return testing::ReadFile(dom);
  }

  // Expects the page to have drawn `charts` charts and recorded no error.
  void ExpectDrawn(const json& doc, const std::string& name, int charts) {
    const std::string dom = LoadInBrowser(Render(doc), name);
    std::smatch body;
    ASSERT_TRUE(std::regex_search(dom, body, std::regex("<body[^>]*>")))
        << "no <body> in the dumped DOM: " << dom.substr(0, 2000);
    EXPECT_THAT(body.str(), HasSubstr("data-charts=\"" + std::to_string(charts) + "\""));
    EXPECT_THAT(body.str(), HasSubstr("data-rendered=\"" + std::to_string(charts) + "\""));
    EXPECT_THAT(body.str(), Not(HasSubstr("data-errors")));
  }

  testing::TempDir dir_;
};

TEST_F(EvaluationReportBrowser, BinaryReportDrawsAllFiveCharts) {
  ExpectDrawn(BinaryDocument(), "binary", 5);
}

TEST_F(EvaluationReportBrowser, MulticlassReportDrawsBothCharts) {
  ExpectDrawn(MulticlassDocument(), "multiclass", 2);
}

TEST_F(EvaluationReportBrowser, RegressionReportDrawsAllThreeCharts) {
  ExpectDrawn(RegressionDocument(), "regression", 3);
}

TEST_F(EvaluationReportBrowser, PageWithAScriptErrorIsReported) {
  // The check above is only meaningful if an error would show: break one chart on purpose.
  json doc = RegressionDocument();
  const std::string html = Render(doc);
  std::string broken = html;
  const std::string type = "\"type\":\"bar\"";
  broken.replace(broken.find(type), type.size(), "\"type\":\"no-such-chart\"");
  const std::string dom = LoadInBrowser(broken, "broken");
  EXPECT_THAT(dom, HasSubstr("data-errors=\""));
  EXPECT_THAT(dom, HasSubstr("data-rendered=\"2\""));
}

}  // namespace
}  // namespace kiln
