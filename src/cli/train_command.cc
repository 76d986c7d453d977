// `kiln train`, `kiln evaluate` and `kiln runs`: cross-validate the candidates kiln.yaml lists,
// record a run with its bundle, and evaluate a run on labelled data behind the go/no-go gate.
#include <cmath>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "cli/common.h"
#include "train/run_service.h"

namespace kiln::cli {
namespace {

std::string Figure(const nlohmann::json& v, int decimals = 4) {
  if (!v.is_number()) return "-";
  return fmt::format("{:.{}f}", v.get<double>(), decimals);
}

std::string Leaderboard(const TrainReport& r) {
  const nlohmann::json& doc = r.document;
  std::string text = fmt::format(
      "{} on {}: {} rows, {} features, {} {}-fold ({})\n\n", r.run.id,
      doc["dataset"].get<std::string>(), Count(static_cast<int64_t>(r.outcome.rows_used)),
      r.outcome.features.size(), doc["validation"]["folds"].get<int>(),
      doc["validation"]["split"].get<std::string>(), doc["north_star"].get<std::string>());
  text += fmt::format("  {:<16} {:>10} {:>9} {:>9}\n", "candidate",
                      doc["north_star"].get<std::string>(), "± std", "seconds");
  for (const nlohmann::json& c : doc["leaderboard"]) {
    const bool chosen = c["name"] == doc["chosen"];
    text += fmt::format("{} {:<16} {:>10} {:>9} {:>9.2f}\n", chosen ? "*" : " ",
                        c["name"].get<std::string>(), Figure(c["north_star"]),
                        Figure(c["north_star_std"]), c["seconds"].get<double>());
  }
  text += fmt::format("\nchosen: {}", r.run.chosen);
  if (doc.contains("threshold")) {
    text += fmt::format(" (decision threshold {:.4f}, {})", doc["threshold"]["value"].get<double>(),
                        doc["threshold"]["objective"].get<std::string>());
  }
  text += fmt::format("\ncross-validated gate: {}\n", r.outcome.cv_gate.go ? "GO" : "NO-GO");
  for (const std::string& reason : r.outcome.cv_gate.reasons) text += "  - " + reason + "\n";
  std::set<std::string> said;  // a combination's columns share one message
  for (const LeakFinding& leak : r.outcome.leaks) {
    if (said.insert(leak.message).second)
      text += "warning: possible target leak: " + leak.message + "\n";
  }
  if (!r.outcome.skipped_features.empty()) {
    text += fmt::format("free-text columns left out: {}\n",
                        fmt::join(r.outcome.skipped_features, ", "));
  }
  text += fmt::format("bundle {} ({} bytes); {:.2f} s in all, {:.2f} s boosting\n", r.run.bundle,
                      Count(r.run.bundle_bytes), r.total_seconds, r.outcome.timings.boost);
  return text;
}

std::string EvaluationText(const EvaluateReport& r);

// What `kiln evaluate --json` prints for an evaluation.
nlohmann::json EvaluationJson(const EvaluateReport& r) {
  nlohmann::json out = r.evaluation.document;
  out["report_path"] = r.html_path;
  out["json_path"] = r.json_path;
  out["timings"] = r.timings;
  out["timings"]["total"] = r.seconds;
  return out;
}

void RefuseOnNoGo(Context& ctx, const EvaluateReport& r) {
  if (r.evaluation.gate.go) return;
  ctx.exit_code = ExitCodeFor(ErrorCode::kGateRefused);
  if (!ctx.json) std::fputs("error: the gate refused the model (NO-GO)\n", stderr);
}

// `evaluate` holds the --evaluate, --resamples and --out options; its dataset is empty when
// --evaluate was not given.
void Train(Context& ctx, const TrainRequest& request, const EvaluateRequest& evaluate) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  TrainRequest r = request;
  r.progress = ctx.progress();
  if (!evaluate.dataset.empty()) r.evaluate = evaluate;
  Result<TrainReport> report = TrainProject(*project, r);
  if (!report.ok()) return ctx.Fail(report.status());
  nlohmann::json out = report->document;
  out["ok"] = true;
  std::string text;
  if (request.ingest) {
    nlohmann::json added = nlohmann::json::array();
    for (const AddDatasetReport& a : report->added) {
      auto [doc, lines] = AddedJson(a);
      added.push_back(std::move(doc));
      text += lines;
    }
    out["added"] = std::move(added);
    text += "\n";
  }
  text += Leaderboard(*report);
  if (report->evaluation) {
    out["evaluation"] = EvaluationJson(*report->evaluation);
    text += "\n" + EvaluationText(*report->evaluation);
  }
  ctx.Emit(out, text);
  if (report->evaluation) RefuseOnNoGo(ctx, *report->evaluation);
}

std::string EvaluationText(const EvaluateReport& r) {
  const nlohmann::json& doc = r.evaluation.document;
  std::string text = fmt::format(
      "{} ({}) on {}: {} rows\n\n", r.run.id, doc["model"]["family"].get<std::string>(),
      doc["dataset"]["name"].get<std::string>(), Count(doc["dataset"]["rows"].get<int64_t>()));
  text +=
      fmt::format("  {:<22} {:>9} {:>21} {:>9}\n", "metric", "value", "95% interval", "baseline");
  for (const auto& [name, m] : doc["metrics"].items()) {
    const nlohmann::json& base = doc["baseline"]["metrics"];
    text += fmt::format(
        "  {:<22} {:>9} {:>21} {:>9}\n", name, Figure(m["value"]),
        m["low"].is_number() ? fmt::format("[{}, {}]", Figure(m["low"]), Figure(m["high"])) : "",
        base.contains(name) ? Figure(base[name]) : "-");
  }
  const GateDecision& gate = r.evaluation.gate;
  text += fmt::format("\ngate: {}\n", gate.go ? "GO" : "NO-GO");
  for (const GateCheck& c : gate.checks) {
    text += fmt::format("  [{}] {}: {}\n", c.passed ? "pass" : "FAIL", c.name, c.detail);
  }
  text += fmt::format("\nreport: {}\njson:   {}\n", r.html_path, r.json_path);
  return text;
}

void Evaluate(Context& ctx, const EvaluateRequest& request) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<EvaluateReport> report = EvaluateRun(*project, request);
  if (!report.ok()) return ctx.Fail(report.status());
  ctx.Emit(EvaluationJson(*report), EvaluationText(*report));
  RefuseOnNoGo(ctx, *report);
}

void Runs(Context& ctx) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<std::vector<RunRecord>> runs = ListRuns(*project);
  if (!runs.ok()) return ctx.Fail(runs.status());
  nlohmann::json list = nlohmann::json::array();
  std::string text = fmt::format("{:<8} {:<24} {:<16} {:<14} {:>9} {:<6}\n", "run", "created",
                                 "dataset", "chosen", "cv", "gate");
  for (const RunRecord& r : *runs) {
    list.push_back({{"id", r.id},
                    {"created_at", r.created_at},
                    {"created_by", r.created_by},
                    {"dataset", r.dataset},
                    {"dataset_version", r.dataset_version},
                    {"chosen", r.chosen},
                    {"family", r.family},
                    {"north_star", r.north_star},
                    {"cv_value", r.cv_value ? nlohmann::json(*r.cv_value) : nullptr},
                    {"cv_go", r.cv_go},
                    {"bundle", r.bundle}});
    text += fmt::format("{:<8} {:<24} {:<16} {:<14} {:>9} {:<6}\n", r.id, r.created_at, r.dataset,
                        r.chosen, r.cv_value ? fmt::format("{:.4f}", *r.cv_value) : "-",
                        r.cv_go ? "GO" : "NO-GO");
  }
  if (runs->empty()) text = "no runs yet; train one with `kiln train`\n";
  ctx.Emit({{"ok", true}, {"runs", list}}, text);
}

}  // namespace

void RegisterTrain(CLI::App& app, Context& ctx) {
  auto request = std::make_shared<TrainRequest>();
  auto* train = app.add_subcommand(
      "train", "Cross-validate the kiln.yaml candidates and a baseline; record the best as a run");
  train->add_option("-d,--dataset", request->dataset,
                    "NAME[@VERSION] to train on (default: the first kiln.yaml source)");
  train
      ->add_option("-j,--threads", request->threads,
                   "Cores to train on (0 = every core); folds train side by side")
      ->capture_default_str();
  train->add_flag("--ingest", request->ingest,
                  "First add every kiln.yaml source, as `kiln data add` does, storing them while "
                  "the folds train");
  auto train_eval = std::make_shared<EvaluateRequest>();
  train->add_option("-e,--evaluate", train_eval->dataset,
                    "NAME[@VERSION] of labelled data to evaluate the new run on, as `kiln "
                    "evaluate` would (exit code 3 on NO-GO)");
  train->add_option("-o,--out", train_eval->out_dir,
                    "With --evaluate: folder for evaluation.json and report.html");
  train->add_option("--resamples", train_eval->resamples, "With --evaluate: bootstrap resamples")
      ->capture_default_str();
  train->callback([&ctx, request, train_eval] { Train(ctx, *request, *train_eval); });

  auto eval = std::make_shared<EvaluateRequest>();
  auto* evaluate = app.add_subcommand(
      "evaluate", "Score a run on labelled data: metrics with intervals, report, go/no-go gate");
  evaluate->add_option("run", eval->run, "Run id (run-3, 3) or latest")->capture_default_str();
  evaluate->add_option("-d,--dataset", eval->dataset, "NAME[@VERSION] of the labelled data")
      ->required();
  evaluate->add_option("-o,--out", eval->out_dir,
                       "Folder for evaluation.json and report.html (default: reports/RUN-DATA)");
  evaluate->add_option("--resamples", eval->resamples, "Bootstrap resamples per interval")
      ->capture_default_str();
  evaluate->callback([&ctx, eval] { Evaluate(ctx, *eval); });

  app.add_subcommand("runs", "List training runs")->callback([&ctx] { Runs(ctx); });
}

}  // namespace kiln::cli
