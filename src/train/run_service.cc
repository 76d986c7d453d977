// The train and evaluate workflows over a project's store.
#include "train/run_service.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <span>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/progress.h"
#include "evaluate/metrics.h"
#include "ingest/dataset_service.h"
#include "kiln/version.h"
#include "report/evaluation_report.h"
#include "store/audit.h"
#include "store/catalog.h"

namespace kiln {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr const char* kRunColumns =
    "id, seq, created_at, created_by, kiln_version, dataset, dataset_version, task, chosen, "
    "family, north_star, cv_value, cv_go, bundle, bundle_bytes, report_json";

RunRecord RunFromRow(const SqlRow& row) {
  RunRecord r;
  r.id = SqlText(row[0]);
  r.seq = SqlInt(row[1]);
  r.created_at = SqlText(row[2]);
  r.created_by = SqlText(row[3]);
  r.kiln_version = SqlText(row[4]);
  r.dataset = SqlText(row[5]);
  r.dataset_version = SqlText(row[6]);
  r.task = SqlText(row[7]);
  r.chosen = SqlText(row[8]);
  r.family = SqlText(row[9]);
  r.north_star = SqlText(row[10]);
  if (!SqlIsNull(row[11])) r.cv_value = SqlDouble(row[11]);
  r.cv_go = SqlInt(row[12]) != 0;
  r.bundle = SqlText(row[13]);
  r.bundle_bytes = SqlInt(row[14]);
  r.report_json = SqlText(row[15]);
  return r;
}

// The dataset `kiln train` uses when none is named.
Result<DatasetRef> DefaultDataset(Project& project, const std::string& given) {
  if (!given.empty()) return ParseDatasetRef(given);
  if (!project.spec().data.sources.empty()) {
    return DatasetRef{project.spec().data.sources.front().name, ""};
  }
  std::vector<DatasetSummary> datasets;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(datasets, ListDatasets(tx));
    return Status::Ok();
  }));
  if (datasets.size() == 1) return DatasetRef{datasets.front().name, ""};
  std::vector<std::string> names;
  for (const DatasetSummary& d : datasets) names.push_back(d.name);
  return MakeError(ErrorCode::kUsage,
                   "name the dataset to train on with --dataset NAME[@VERSION] (datasets: {})",
                   names.empty() ? std::string("none yet; add one with `kiln data add`")
                                 : fmt::format("{}", fmt::join(names, ", ")));
}

nlohmann::json Number(double v) {
  return FiniteOrNull(v);
}

nlohmann::json MetricMap(const std::map<std::string, double>& m) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : m) out[k] = Number(v);
  return out;
}

nlohmann::json TrainDocument(const ProblemSpec& spec, const TrainOutcome& o,
                             const std::string& dataset) {
  nlohmann::json board = nlohmann::json::array();
  const std::string& metric = spec.metrics.north_star.metric;
  for (const CandidateResult& c : o.leaderboard) {
    nlohmann::json folds = nlohmann::json::array();
    for (const auto& f : c.folds) folds.push_back(MetricMap(f));
    board.push_back(
        {{"name", c.name},
         {"family", c.spec.family},
         {"north_star", c.mean.count(metric) ? Number(c.mean.at(metric)) : nullptr},
         {"north_star_std", c.stddev.count(metric) ? Number(c.stddev.at(metric)) : nullptr},
         {"mean", MetricMap(c.mean)},
         {"std", MetricMap(c.stddev)},
         {"folds", folds},
         {"seconds", c.seconds},
         {"boost_seconds", c.boost_seconds},
         {"summary", nlohmann::json::parse(c.summary, nullptr, false)}});
  }
  nlohmann::json leaks = nlohmann::json::array();
  for (const LeakFinding& leak : o.leaks) {
    leaks.push_back({{"column", leak.column},
                     {"kind", leak.kind},
                     {"score", leak.score},
                     {"together", leak.together},
                     {"message", leak.message}});
  }
  nlohmann::json doc = {
      {"dataset", dataset},
      {"task", TaskTypeName(spec.task.type)},
      {"target", spec.task.target},
      {"rows_used", o.rows_used},
      {"rows_missing_target", o.rows_missing_target},
      {"features", o.features},
      {"skipped_features", o.skipped_features},
      {"labels", o.labels},
      {"leaks", leaks},
      {"validation",
       {{"split", SplitKindName(spec.validation.split)},
        {"folds", spec.validation.folds},
        {"seed", spec.validation.seed},
        {"gap", spec.validation.gap}}},
      {"north_star", metric},
      {"leaderboard", board},
      {"chosen", o.chosen},
      {"cv_gate", {{"go", o.cv_gate.go}, {"reasons", o.cv_gate.reasons}}},
      {"timings",
       {{"leakage", o.timings.leakage},
        {"folds", o.timings.folds},
        {"cv", o.timings.cv},
        {"final_fit", o.timings.final_fit},
        {"boost", o.timings.boost}}},
  };
  if (spec.task.type == TaskType::kBinary) {
    doc["threshold"] = {{"objective", spec.training.decision.kind},
                        {"value", o.threshold.threshold},
                        {"precision", o.threshold.precision},
                        {"recall", o.threshold.recall},
                        {"constraint_met", o.threshold.constraint_met}};
  }
  return doc;
}

// The leaderboard sorted best first by the north star, baseline wherever it falls.
void SortLeaderboard(const ProblemSpec& spec, std::vector<CandidateResult>& board) {
  const std::string& metric = spec.metrics.north_star.metric;
  const bool lower = DirectionOf(metric) == MetricDirection::kLowerIsBetter;
  const auto value = [&](const CandidateResult& c) {
    const auto it = c.mean.find(metric);
    return it == c.mean.end() || std::isnan(it->second) ? (lower ? INFINITY : -INFINITY)
                                                        : it->second;
  };
  std::stable_sort(board.begin(), board.end(), [&](const auto& a, const auto& b) {
    return lower ? value(a) < value(b) : value(a) > value(b);
  });
}

}  // namespace

namespace {

// `kiln train --ingest`: every kiln.yaml source read, and stored beside the fits while the run
// trains on the frames as read. Nothing else uses the store until the fits are done.
struct IngestBeside {
  std::vector<PendingDataset> pending;
  std::vector<AddDatasetReport> stored;  // once stored: one report per pending source

  // The source that becomes `ref`'s latest version once stored; null when `ref` names a version
  // or a dataset no source adds to.
  const PendingDataset* Find(const DatasetRef& ref) const {
    if (!ref.version.empty()) return nullptr;
    const PendingDataset* found = nullptr;
    for (const PendingDataset& p : pending) {
      if (p.name == ref.name) found = &p;  // of two sources with one name, the later is latest
    }
    return found;
  }
};

// The data a run reads, after governance: a stored version, loaded, or a source being added,
// read in place (its record is filled in once it is stored).
struct RunData {
  DatasetVersionRecord record;
  std::optional<Frame> owned;               // a loaded version, or rows kept for consent
  const PendingDataset* pending = nullptr;  // a source being added

  const Frame& frame() const { return owned ? *owned : pending->frame; }
  std::string Name() const { return record.dataset + "@" + record.version; }
};

Result<RunData> OpenRunData(Project& project, const DatasetRef& ref, const IngestBeside* ingest,
                            int64_t* excluded) {
  RunData data;
  if (ingest != nullptr) data.pending = ingest->Find(ref);
  if (data.pending != nullptr) {
    data.record.dataset = data.pending->name;
    if (project.spec().governance.consent_column.empty()) {
      if (excluded != nullptr) *excluded = 0;
      return data;
    }
    KILN_ASSIGN_OR_RETURN(data.owned, ApplyGovernance(project, data.pending->frame, excluded));
    return data;
  }
  KILN_ASSIGN_OR_RETURN(LoadedDataset loaded, LoadDataset(project, ref));
  data.record = std::move(loaded.record);
  KILN_ASSIGN_OR_RETURN(data.owned, ApplyGovernance(project, std::move(loaded.frame), excluded));
  return data;
}

// Labelled data to evaluate on.
Result<RunData> LoadEvaluationData(Project& project, const std::string& dataset,
                                   const IngestBeside* ingest = nullptr) {
  if (dataset.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "name the labelled data to evaluate on with --dataset "
                     "NAME[@VERSION]");
  }
  KILN_ASSIGN_OR_RETURN(DatasetRef ref, ParseDatasetRef(dataset));
  return OpenRunData(project, ref, ingest, nullptr);
}

// Fills in the records of the data read from the sources, once they are stored.
void FinishIngest(const IngestBeside& ingest, std::initializer_list<RunData*> data) {
  for (RunData* d : data) {
    if (d == nullptr || d->pending == nullptr) continue;
    d->record = ingest.stored[static_cast<size_t>(d->pending - ingest.pending.data())].record;
  }
}

// Scores of the bundle's two pairs on every row of the evaluation frame, made before the bundle
// was complete (while other folds trained).
struct EarlyScores {
  std::optional<std::vector<double>> candidate, baseline;
  std::shared_ptr<const PreparedResamples> resamples;  // the candidate's bootstrap, drawn ahead
};

// The rows whose target has a value.
std::vector<size_t> LabelledRows(const Target& target) {
  std::vector<size_t> rows;
  for (size_t r = 0; r < target.values.size(); ++r) {
    if (!std::isnan(target.values[r])) rows.push_back(r);
  }
  return rows;
}

// `all` holds `per_row` scores for every row of the frame; the scores of `rows`, in order.
std::vector<double> ScoresOfRows(const std::vector<double>& all, std::span<const size_t> rows,
                                 size_t per_row) {
  std::vector<double> out;
  out.reserve(rows.size() * per_row);
  for (size_t row : rows) {
    out.insert(out.end(), all.begin() + static_cast<std::ptrdiff_t>(row * per_row),
               all.begin() + static_cast<std::ptrdiff_t>((row + 1) * per_row));
  }
  return out;
}

// An evaluation's figures: scores (unless `early` has them), metrics with intervals, the gate.
// It reads only `spec`, `bundle`, `data` and `early`, so it may run while the run is stored;
// `timings` receives "score" and "evaluate".
Result<Evaluation> ComputeEvaluation(const ProblemSpec& spec, const EvaluateRequest& request,
                                     const Bundle& bundle, const RunData& data,
                                     const EarlyScores& early,
                                     std::map<std::string, double>* timings) {
  const Frame& frame = data.frame();
  KILN_ASSIGN_OR_RETURN(Target target, ExtractTargetFor(frame, bundle.task, bundle.classes));
  const std::vector<size_t> rows = LabelledRows(target);
  if (rows.empty()) {
    return MakeError(ErrorCode::kData,
                     "{} has no rows with a value in target column '{}'; "
                     "evaluation needs labelled rows",
                     request.dataset, spec.task.target);
  }
  auto step = Clock::now();
  const size_t per_row =
      bundle.task.type == TaskType::kMulticlass ? std::max<size_t>(bundle.classes.size(), 1) : 1;
  const auto predict = [&](const ScoringPair& pair,
                           const std::optional<std::vector<double>>& scores) {
    if (!scores) return PredictRows(bundle, pair, frame, rows, target);
    return Result<Predictions>(MakePredictions(bundle.task.type, bundle.classes, bundle.threshold,
                                               rows, target, ScoresOfRows(*scores, rows, per_row)));
  };
  KILN_ASSIGN_OR_RETURN(Predictions candidate, predict(bundle.candidate, early.candidate));
  KILN_ASSIGN_OR_RETURN(Predictions baseline, predict(bundle.baseline, early.baseline));
  (*timings)["score"] = Since(step);
  step = Clock::now();

  EvaluationOptions options;
  options.resamples = request.resamples;
  options.seed = spec.validation.seed;
  options.prepared = early.resamples;
  KILN_ASSIGN_OR_RETURN(Evaluation evaluation,
                        Evaluate(spec, bundle, candidate, baseline, data.Name(), options));
  (*timings)["evaluate"] = Since(step);
  return evaluation;
}

// Records `report.evaluation` of `report.run`: the JSON document and the HTML report written side
// by side, then the audit entry. `start` is when the caller began, for the total.
Result<EvaluateReport> RecordEvaluation(Project& project, const EvaluateRequest& request,
                                        EvaluateReport report, const RunData& data,
                                        Clock::time_point start) {
  auto step = Clock::now();
  nlohmann::json& doc = report.evaluation.document;
  doc["model"]["run"] = report.run.id;
  const std::filesystem::path dir =
      request.out_dir.empty()
          ? project.root() / "reports" / fmt::format("{}-{}", report.run.id, data.record.dataset)
          : std::filesystem::path(request.out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot create report folder {}: {}", dir.string(),
                     ec.message());
  }
  report.json_path = (dir / "evaluation.json").string();
  report.html_path = (dir / "report.html").string();
  // The two are made side by side and written only once both are made, so that a report that
  // cannot be rendered leaves no document behind.
  std::future<std::string> json_text =
      std::async(std::launch::async, [&doc] { return doc.dump(2) + "\n"; });
  Result<std::string> html = RenderEvaluationReport(doc);
  const std::string json = json_text.get();
  if (!html.ok()) return html.status();
  std::future<Status> json_written =
      std::async(std::launch::async, [&] { return WriteFileAtomic(report.json_path, json); });
  const Status html_written = WriteFileAtomic(report.html_path, *html);
  KILN_RETURN_IF_ERROR(json_written.get());
  KILN_RETURN_IF_ERROR(html_written);
  report.timings["report"] = Since(step);
  step = Clock::now();

  const GateDecision& gate = report.evaluation.gate;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    const nlohmann::json details = {{"dataset", data.Name()},
                                    {"go", gate.go},
                                    {"reasons", gate.reasons},
                                    {"report", report.json_path}};
    return AppendAudit(
        tx, AuditEvent{CurrentActor(), "run.evaluate", "run:" + report.run.id, details.dump()});
  }));
  report.timings["store"] = Since(step);
  report.seconds = Since(start);
  return report;
}

}  // namespace

Result<TrainReport> TrainProject(Project& project, const TrainRequest& request) {
  const auto start = Clock::now();
  const ProblemSpec& spec = project.spec();
  TrainReport report;
  std::optional<IngestBeside> ingest;
  if (request.ingest) {
    KILN_ASSIGN_OR_RETURN(std::vector<AddDatasetOptions> sources, DeclaredSources(project));
    ingest.emplace();
    KILN_ASSIGN_OR_RETURN(ingest->pending, ReadSources(project, sources, request.threads));
  }
  KILN_ASSIGN_OR_RETURN(DatasetRef ref, DefaultDataset(project, request.dataset));
  KILN_ASSIGN_OR_RETURN(RunData data, OpenRunData(project, ref, ingest ? &*ingest : nullptr,
                                                  &report.consent_excluded));
  const Frame& frame = data.frame();
  // The data to evaluate on is loaded before training, so that a wrong name fails at once.
  std::optional<RunData> evaluation_data;
  EarlyScores early;
  EvaluateReport evaluation;
  if (request.evaluate) {
    const auto eval_start = Clock::now();
    KILN_ASSIGN_OR_RETURN(evaluation_data, LoadEvaluationData(project, request.evaluate->dataset,
                                                              ingest ? &*ingest : nullptr));
    evaluation.timings["load"] = Since(eval_start);
  }
  report.load_seconds = Since(start);
  spdlog::info("training on {}{}: {} rows, {} columns", ref.name,
               data.pending != nullptr ? " (the version being added)"
                                       : fmt::format(" (v{})", data.record.seq),
               frame.rows(), frame.cols());

  TrainOptions options;
  options.threads = request.threads;
  ProgressBar bar("training", 0, "steps", request.progress);
  options.progress = [&](size_t done, size_t total, const std::string&) {
    bar.Update(done, total);
  };
  if (ingest) {
    options.beside = [&]() -> Status {
      KILN_ASSIGN_OR_RETURN(ingest->stored, StoreSources(project, ingest->pending, 1));
      return Status::Ok();
    };
  }
  double early_score_seconds = 0;
  std::mutex early_mutex;
  if (evaluation_data) {
    // Each refitted pair scores the evaluation data at once, on the worker that fitted it.
    // The candidate's bootstrap resamples are drawn there too: only counting each resample's
    // rows above the decision threshold waits for the folds.
    options.on_refit = [&](const TrainOptions::Refitted& refit) -> Status {
      const auto score_start = Clock::now();
      const bool baseline = refit.baseline;
      const Frame& eval_frame = evaluation_data->frame();
      KILN_ASSIGN_OR_RETURN(std::vector<double> scores, refit.pair->Score(eval_frame));
      std::shared_ptr<const PreparedResamples> resamples;
      if (!baseline && spec.task.type == TaskType::kBinary && request.evaluate->resamples > 0) {
        const std::vector<std::string>& classes = *refit.classes;
        Result<Target> target = ExtractTargetFor(eval_frame, spec.task, classes);
        if (target.ok()) {  // else the evaluation reports the problem
          const std::vector<size_t> rows = LabelledRows(*target);
          // The threshold is not chosen yet, and the resamples do not depend on it.
          const Predictions p = MakePredictions(spec.task.type, classes, 0.5, rows, *target,
                                                ScoresOfRows(scores, rows, 1));
          resamples =
              PrepareResamples(p, request.evaluate->resamples, spec.validation.seed, refit.threads);
        }
      }
      const std::lock_guard<std::mutex> lock(early_mutex);
      (baseline ? early.baseline : early.candidate) = std::move(scores);
      if (resamples) early.resamples = std::move(resamples);
      early_score_seconds += Since(score_start);
      return Status::Ok();
    };
  }
  KILN_ASSIGN_OR_RETURN(report.outcome, Train(spec, frame, options));
  bar.Finish();
  if (ingest) {
    FinishIngest(*ingest, {&data, evaluation_data ? &*evaluation_data : nullptr});
    report.added = ingest->stored;
  }
  const std::string dataset = data.Name();
  TrainOutcome& o = report.outcome;
  // When the baseline is chosen, the bundle's candidate is the baseline's pair, scored once.
  if (evaluation_data && !early.candidate && o.bundle.candidate.model == o.bundle.baseline.model) {
    early.candidate = early.baseline;
  }

  const auto store_start = Clock::now();
  const auto chosen = std::find_if(o.leaderboard.begin(), o.leaderboard.end(),
                                   [&](const CandidateResult& c) { return c.name == o.chosen; });
  RunRecord& run = report.run;
  run.created_by = CurrentActor();
  run.kiln_version = kVersion;
  run.dataset = data.record.dataset;
  run.dataset_version = data.record.version;
  run.task = TaskTypeName(spec.task.type);
  run.chosen = o.chosen;
  run.family = chosen->spec.family;
  run.north_star = spec.metrics.north_star.metric;
  if (chosen->mean.count(run.north_star)) run.cv_value = chosen->mean.at(run.north_star);
  run.cv_go = o.cv_gate.go;
  SortLeaderboard(spec, o.leaderboard);
  report.document = TrainDocument(spec, o, dataset);

  // The evaluation's figures are computed while the run is stored: they read a copy of the
  // bundle, which the transaction completes with the run id.
  o.bundle.dataset = dataset;
  const auto eval_start = Clock::now();
  std::optional<Bundle> evaluated_bundle;
  std::future<Result<Evaluation>> evaluated;
  if (evaluation_data) {
    evaluated_bundle = o.bundle;
    evaluated = std::async(std::launch::async, [&] {
      return ComputeEvaluation(spec, *request.evaluate, *evaluated_bundle, *evaluation_data, early,
                               &evaluation.timings);
    });
  }

  // The run id is only known inside the transaction; the bundle records it, so the bundle is
  // stored inside the transaction too (a retried transaction stores identical bytes again).
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT COALESCE(MAX(seq), 0) FROM runs"));
    run.seq = SqlInt(rows[0][0]) + 1;
    run.id = fmt::format("run-{}", run.seq);
    run.created_at = SqlTimestampNow();
    o.bundle.run_id = run.id;
    o.bundle.extra = {{"cv", report.document["leaderboard"]}};
    const std::string bytes = EncodeBundle(o.bundle);
    KILN_ASSIGN_OR_RETURN(run.bundle, project.artifacts().Put(bytes, "model bundle"));
    run.bundle_bytes = static_cast<int64_t>(bytes.size());
    report.document["run"] = run.id;
    report.document["bundle"] = run.bundle;
    run.report_json = report.document.dump();
    KILN_RETURN_IF_ERROR(tx.Exec(
        fmt::format("INSERT INTO runs ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    kRunColumns),
        {run.id, run.seq, run.created_at, run.created_by, run.kiln_version, run.dataset,
         run.dataset_version, run.task, run.chosen, run.family, run.north_star,
         run.cv_value ? SqlValue(*run.cv_value) : SqlValue(), int64_t{run.cv_go ? 1 : 0},
         run.bundle, run.bundle_bytes, run.report_json}));
    const nlohmann::json details = {{"dataset", dataset},
                                    {"chosen", run.chosen},
                                    {"north_star", run.north_star},
                                    {"cv_value", run.cv_value ? Number(*run.cv_value) : nullptr},
                                    {"cv_go", run.cv_go},
                                    {"bundle", run.bundle}};
    return AppendAudit(tx,
                       AuditEvent{run.created_by, "run.train", "run:" + run.id, details.dump()});
  }));
  report.store_seconds = Since(store_start);
  report.document["timings"]["load"] = report.load_seconds;
  report.document["timings"]["store"] = report.store_seconds;

  if (evaluation_data) {
    evaluation.run = run;
    KILN_ASSIGN_OR_RETURN(evaluation.evaluation, evaluated.get());
    KILN_ASSIGN_OR_RETURN(EvaluateReport done,
                          RecordEvaluation(project, *request.evaluate, std::move(evaluation),
                                           *evaluation_data, eval_start));
    // Scoring ran during training; its time is reported beside the rest of the evaluation.
    done.timings["score_during_training"] = early_score_seconds;
    report.document["timings"]["evaluation"] = done.seconds;
    report.evaluation = std::move(done);
  }
  report.total_seconds = Since(start);
  report.document["timings"]["total"] = report.total_seconds;
  return report;
}

Result<std::vector<RunRecord>> ListRuns(Project& project) {
  std::vector<RunRecord> runs;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(auto rows,
                          tx.Query(fmt::format("SELECT {} FROM runs ORDER BY seq", kRunColumns)));
    for (const SqlRow& row : rows) runs.push_back(RunFromRow(row));
    return Status::Ok();
  }));
  return runs;
}

Result<RunRecord> FindRun(Project& project, const std::string& ref) {
  KILN_ASSIGN_OR_RETURN(std::vector<RunRecord> runs, ListRuns(project));
  if (runs.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "the project has no runs yet; train one with `kiln "
                     "train`");
  }
  if (ref.empty() || ref == "latest") return runs.back();
  for (const RunRecord& r : runs) {
    if (r.id == ref || std::to_string(r.seq) == ref) return r;
  }
  return MakeError(ErrorCode::kNotFound, "no run '{}'; runs are run-1 to run-{} (see `kiln runs`)",
                   ref, runs.back().seq);
}

Result<Bundle> LoadRunBundle(Project& project, const RunRecord& run) {
  KILN_ASSIGN_OR_RETURN(std::string bytes, project.artifacts().Get(run.bundle));
  return DecodeBundle(bytes);
}

Result<EvaluateReport> EvaluateRun(Project& project, const EvaluateRequest& request) {
  const auto start = Clock::now();
  if (request.dataset.empty()) return LoadEvaluationData(project, request.dataset).status();
  EvaluateReport report;
  KILN_ASSIGN_OR_RETURN(report.run, FindRun(project, request.run));
  KILN_ASSIGN_OR_RETURN(Bundle bundle, LoadRunBundle(project, report.run));
  KILN_ASSIGN_OR_RETURN(RunData data, LoadEvaluationData(project, request.dataset));
  report.timings["load"] = Since(start);
  const ProblemSpec& spec = project.spec();
  if (bundle.task.type != spec.task.type || bundle.task.target != spec.task.target) {
    return MakeError(ErrorCode::kConfig,
                     "{} was trained for a {} task on '{}', but kiln.yaml now "
                     "states a {} task on '{}'; retrain or restore kiln.yaml",
                     report.run.id, TaskTypeName(bundle.task.type), bundle.task.target,
                     TaskTypeName(spec.task.type), spec.task.target);
  }
  KILN_ASSIGN_OR_RETURN(report.evaluation, ComputeEvaluation(spec, request, bundle, data,
                                                             EarlyScores{}, &report.timings));
  return RecordEvaluation(project, request, std::move(report), data, start);
}

}  // namespace kiln
