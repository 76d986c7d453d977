// Cross-validation of the candidates, the choice, and the refit on all usable rows.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/parallel.h"
#include "evaluate/metrics.h"
#include "store/database.h"
#include "train/split.h"

namespace kiln {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The features a family gets differ only by these, so candidates that agree share one fitted
// pipeline (and its matrices) per fold.
struct PipelineKey {
  bool keep_missing = false;
  bool native_categorical = false;
  Scaling scaling = Scaling::kNone;
  bool operator<(const PipelineKey& o) const {
    return std::tie(keep_missing, native_categorical, scaling) <
           std::tie(o.keep_missing, o.native_categorical, o.scaling);
  }
};

PipelineKey KeyFor(const ModelSpec& model, const FeatureSpec& features) {
  const ModelFamily* family = FindModelFamily(model.family);
  PipelineKey key;
  key.scaling = features.scaling;
  if (family == nullptr) return key;
  key.keep_missing = family->traits.keep_missing;
  key.native_categorical = family->traits.native_categorical;
  // Linear models' L2 penalty assumes comparable feature scales; trees do not care.
  if (family->traits.wants_scaling && key.scaling == Scaling::kNone) {
    key.scaling = Scaling::kStandard;
  }
  return key;
}

// One fold's prepared matrices for one pipeline key.
struct Prepared {
  FeaturePipeline pipeline;
  FeatureMatrix train;  // training rows less the early-stopping rows
  std::vector<double> train_y;
  FeatureMatrix valid;  // early-stopping rows (empty when none)
  std::vector<double> valid_y;
  FeatureMatrix test;
};

// Every tenth training row (by a seeded hash, or the latest tenth in time order) is held back
// for early stopping.
void SplitEarlyStopping(const std::vector<size_t>& rows, bool time_ordered, uint64_t seed,
                        std::vector<size_t>* fit, std::vector<size_t>* valid) {
  if (time_ordered) {
    const size_t cut = rows.size() - rows.size() / 10;
    fit->assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(cut));
    valid->assign(rows.begin() + static_cast<std::ptrdiff_t>(cut), rows.end());
    return;
  }
  for (size_t row : rows) {
    uint64_t h = (row + 1) * 0x9E3779B97F4A7C15ull ^ seed;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 29;
    (h % 10 == 0 ? valid : fit)->push_back(row);
  }
}

std::vector<double> Gather(const std::vector<double>& values, const std::vector<size_t>& rows) {
  std::vector<double> out;
  out.reserve(rows.size());
  for (size_t r : rows) out.push_back(values[r]);
  return out;
}

Result<Prepared> Prepare(const ProblemSpec& spec, const Frame& frame, const Target& target,
                         const std::vector<std::string>& columns, const PipelineKey& key,
                         const std::vector<size_t>& train_rows,
                         const std::vector<size_t>& test_rows, bool early_stopping) {
  FeatureSpec features = spec.training.features;
  features.scaling = key.scaling;
  FeaturePipeline::Options options;
  options.columns = columns;
  options.keep_missing = key.keep_missing;
  options.native_categorical = key.native_categorical;
  options.seed = spec.validation.seed;

  Prepared p;
  std::vector<size_t> fit_rows, valid_rows;
  if (early_stopping) {
    SplitEarlyStopping(train_rows, spec.validation.split == SplitKind::kTimeSeries,
                       spec.validation.seed, &fit_rows, &valid_rows);
  } else {
    fit_rows = train_rows;
  }
  KILN_ASSIGN_OR_RETURN(p.pipeline,
                        FeaturePipeline::Fit(frame, fit_rows, target, features, options));
  KILN_ASSIGN_OR_RETURN(p.train, p.pipeline.TransformTraining(frame, fit_rows, target));
  p.train_y = Gather(target.values, fit_rows);
  if (!valid_rows.empty()) {
    KILN_ASSIGN_OR_RETURN(p.valid, p.pipeline.Transform(frame, valid_rows));
    p.valid_y = Gather(target.values, valid_rows);
  }
  if (!test_rows.empty()) {
    KILN_ASSIGN_OR_RETURN(p.test, p.pipeline.Transform(frame, test_rows));
  }
  return p;
}

TrainData MakeTrainData(const ProblemSpec& spec, const Target& target, const Prepared& p,
                        int threads) {
  TrainData data;
  data.task = spec.task.type;
  data.classes = target.classes.size();
  data.x = &p.train;
  data.y = p.train_y;
  if (!p.valid_y.empty()) {
    data.valid_x = &p.valid;
    data.valid_y = p.valid_y;
  }
  data.seed = spec.validation.seed;
  data.threads = threads;
  return data;
}

double Seconds(const Model::Window& w) {
  return std::chrono::duration<double>(w.end - w.begin).count();
}

// The wall time covered by at least one of `windows`.
double CoveredSeconds(std::vector<Model::Window> windows) {
  std::sort(windows.begin(), windows.end(),
            [](const Model::Window& a, const Model::Window& b) { return a.begin < b.begin; });
  double covered = 0;
  std::optional<Model::Window> run;
  for (const Model::Window& w : windows) {
    if (run && w.begin <= run->end) {
      run->end = std::max(run->end, w.end);
      continue;
    }
    if (run) covered += Seconds(*run);
    run = w;
  }
  if (run) covered += Seconds(*run);
  return covered;
}

// Group codes for group k-fold: equal values share a code, missing values share one.
std::vector<int64_t> GroupCodes(const Column& column) {
  std::map<std::string, int64_t> codes;
  std::vector<int64_t> out(column.size());
  for (size_t row = 0; row < column.size(); ++row) {
    const std::string key =
        column.is_missing(row) ? std::string("\x01missing") : column.Render(row);
    out[row] = codes.emplace(key, static_cast<int64_t>(codes.size())).first->second;
  }
  return out;
}

Result<std::vector<Fold>> BuildFolds(const ProblemSpec& spec, const Frame& frame,
                                     const Target& target, const std::vector<size_t>& usable) {
  std::vector<double> classes, times;
  std::vector<int64_t> groups;
  SplitInputs inputs;
  inputs.rows = usable.size();
  if (spec.validation.split == SplitKind::kStratifiedKFold) {
    if (spec.task.type == TaskType::kRegression) {
      return MakeError(ErrorCode::kConfig,
                       "validation.split stratified_kfold needs a classification task; use kfold "
                       "or time_series for regression");
    }
    classes = Gather(target.values, usable);
    inputs.classes = classes;
  }
  if (spec.validation.split == SplitKind::kGroupKFold) {
    const std::optional<size_t> col = frame.Find(spec.data.group_column);
    if (spec.data.group_column.empty() || !col) {
      return MakeError(ErrorCode::kConfig,
                       "validation.split group_kfold needs data.group_column naming a column of "
                       "the data (got '{}')",
                       spec.data.group_column);
    }
    const std::vector<int64_t> all = GroupCodes(frame.column(*col));
    for (size_t r : usable) groups.push_back(all[r]);
    inputs.groups = groups;
  }
  if (spec.validation.split == SplitKind::kTimeSeries && !spec.data.time_column.empty()) {
    const std::optional<size_t> col = frame.Find(spec.data.time_column);
    if (!col) {
      return MakeError(ErrorCode::kConfig, "data.time_column '{}' is not a column of the data",
                       spec.data.time_column);
    }
    const Column& column = frame.column(*col);
    for (size_t r : usable) {
      const double t = column.AsDouble(r);
      if (std::isnan(t)) {
        return MakeError(ErrorCode::kData,
                         "time column '{}' is missing in row {}; a time-series split needs a time "
                         "for every row",
                         column.name, r + 1);
      }
      times.push_back(t);
    }
    inputs.times = times;
  }
  return MakeFolds(spec.validation, inputs);
}

Status CheckFoldClasses(const ProblemSpec& spec, const Target& target,
                        const std::vector<Fold>& folds, const std::vector<size_t>& usable) {
  if (spec.task.type == TaskType::kRegression) return Status::Ok();
  for (size_t f = 0; f < folds.size(); ++f) {
    std::set<double> present;
    for (size_t pos : folds[f].train) present.insert(target.values[usable[pos]]);
    if (present.size() < 2) {
      return MakeError(ErrorCode::kData,
                       "fold {} of {} trains on a single class ('{}'); a classifier needs two: use "
                       "validation.split stratified_kfold, fewer folds, or more data",
                       f + 1, folds.size(), target.classes[static_cast<size_t>(*present.begin())]);
    }
  }
  return Status::Ok();
}

void Summarise(CandidateResult& result) {
  std::map<std::string, std::vector<double>> values;
  for (const auto& fold : result.folds) {
    for (const auto& [name, v] : fold) values[name].push_back(v);
  }
  for (const auto& [name, list] : values) {
    const double mean = std::accumulate(list.begin(), list.end(), 0.0) / list.size();
    double ss = 0;
    for (double v : list) ss += (v - mean) * (v - mean);
    result.mean[name] = mean;
    result.stddev[name] = list.size() > 1 ? std::sqrt(ss / (list.size() - 1)) : 0.0;
  }
}

Predictions EmptyPredictions(const ProblemSpec& spec, const Target& target,
                             const std::vector<size_t>& usable) {
  Predictions p;
  p.task = spec.task.type;
  if (p.task != TaskType::kRegression) p.classes = target.classes.size();
  p.labels = target.classes;
  p.truth = Gather(target.values, usable);
  const size_t per_row = p.task == TaskType::kMulticlass ? p.classes : 1;
  p.scores.assign(usable.size() * per_row, 0.0);
  return p;
}

// Where each out-of-fold score goes: positions in `usable` of the fold's test rows.
Predictions FoldPredictions(const Predictions& oof, const std::vector<size_t>& test) {
  Predictions p;
  p.task = oof.task;
  p.classes = oof.classes;
  p.labels = oof.labels;
  p.threshold = oof.threshold;
  const size_t per_row = oof.task == TaskType::kMulticlass ? oof.classes : 1;
  for (size_t pos : test) {
    p.truth.push_back(oof.truth[pos]);
    for (size_t k = 0; k < per_row; ++k) p.scores.push_back(oof.scores[pos * per_row + k]);
  }
  return p;
}

bool Better(const std::string& metric, double a, double b) {
  const std::optional<MetricDirection> direction = DirectionOf(metric);
  if (std::isnan(b)) return !std::isnan(a);
  if (std::isnan(a)) return false;
  return direction == MetricDirection::kLowerIsBetter ? a < b : a > b;
}

double MeanOf(const CandidateResult& c, const std::string& metric) {
  const auto it = c.mean.find(metric);
  return it == c.mean.end() ? std::nan("") : it->second;
}

}  // namespace

std::vector<ModelSpec> CandidateSpecs(const ProblemSpec& spec) {
  std::vector<ModelSpec> models = spec.training.models;
  if (models.empty()) {
    const bool regression = spec.task.type == TaskType::kRegression;
    for (const char* family : {"logistic", "xgboost"}) {
      ModelSpec m;
      m.family = regression && std::string_view(family) == "logistic" ? "ridge" : family;
      models.push_back(m);
    }
  }
  const auto baseline = std::find_if(models.begin(), models.end(),
                                     [](const ModelSpec& m) { return m.family == "baseline"; });
  ModelSpec base;
  base.family = "baseline";
  if (baseline != models.end()) {
    base = *baseline;
    models.erase(baseline);
  }
  models.insert(models.begin(), base);
  return models;
}

std::vector<std::string> CandidateNames(const std::vector<ModelSpec>& specs) {
  std::map<std::string, int> seen;
  std::vector<std::string> names;
  for (const ModelSpec& s : specs) {
    const int n = ++seen[s.family];
    names.push_back(n == 1 ? s.family : fmt::format("{}#{}", s.family, n));
  }
  return names;
}

std::vector<std::string> FeatureColumns(const ProblemSpec& spec, const Frame& frame) {
  std::set<std::string> excluded(spec.data.exclude_columns.begin(),
                                 spec.data.exclude_columns.end());
  excluded.insert(spec.data.id_columns.begin(), spec.data.id_columns.end());
  excluded.insert(spec.governance.pii_columns.begin(), spec.governance.pii_columns.end());
  excluded.insert(spec.task.target);
  if (!spec.data.group_column.empty()) excluded.insert(spec.data.group_column);
  if (!spec.governance.consent_column.empty()) excluded.insert(spec.governance.consent_column);
  std::vector<std::string> columns;
  for (const Column& c : frame.columns()) {
    if (!excluded.count(c.name)) columns.push_back(c.name);
  }
  return columns;
}

Result<TrainOutcome> Train(const ProblemSpec& spec, const Frame& frame,
                           const TrainOptions& options) {
  TrainOutcome out;
  KILN_ASSIGN_OR_RETURN(Target target, ExtractTarget(frame, spec.task));
  out.labels = target.classes;
  std::vector<size_t> usable;
  for (size_t r = 0; r < frame.rows(); ++r) {
    if (std::isnan(target.values[r])) {
      ++out.rows_missing_target;
    } else {
      usable.push_back(r);
    }
  }
  out.rows_used = usable.size();
  out.features = FeatureColumns(spec, frame);
  if (out.features.empty()) {
    return MakeError(ErrorCode::kData,
                     "no feature columns are left after removing the target, "
                     "ids and exclusions; check data.exclude_columns in kiln.yaml");
  }

  // The leakage check only reports, so it runs beside the folds rather than before them. It
  // reads what the folds read and writes only out.leaks and its timing.
  const auto leak_check = [&]() -> Status {
    const auto leak_start = Clock::now();
    LeakOptions leak_options;
    leak_options.target_name = spec.task.target;
    if (Result<std::vector<LeakFinding>> leaks =
            FindLeaks(frame, usable, target, out.features, leak_options);
        leaks.ok()) {
      out.leaks = std::move(*leaks);
    } else {
      spdlog::debug("leakage check skipped: {}", leaks.status().message());
    }
    std::set<std::string> said;
    for (const LeakFinding& leak : out.leaks) {
      if (said.insert(leak.message).second) spdlog::warn("possible target leak: {}", leak.message);
    }
    out.timings.leakage = Since(leak_start);
    return Status::Ok();
  };

  auto start = Clock::now();
  KILN_ASSIGN_OR_RETURN(std::vector<Fold> folds, BuildFolds(spec, frame, target, usable));
  KILN_RETURN_IF_ERROR(CheckFoldClasses(spec, target, folds, usable));
  out.timings.folds = Since(start);

  const std::vector<ModelSpec> specs = CandidateSpecs(spec);
  const std::vector<std::string> names = CandidateNames(specs);
  for (const ModelSpec& m : specs) {
    const ModelFamily* family = FindModelFamily(m.family);
    if (family == nullptr || !family->supports(spec.task.type)) {
      TrainData task_only;  // the registry checks the family and the task before any data
      task_only.task = spec.task.type;
      return TrainModel(m, task_only).status();  // its message names the problem
    }
  }
  // The choice is known before cross-validation when a single candidate competes with the
  // baseline (the baseline is chosen only when alone), and then its refit on every row need not
  // wait for the folds.
  const std::optional<size_t> known_choice =
      specs.size() <= 2 ? std::optional<size_t>(specs.size() - 1) : std::nullopt;

  // Every (candidate, fold) fit, and the known refits, is an independent task. They run side by
  // side, one core each, longest first: on the small and middle-sized data most projects have,
  // XGBoost gains less from a second thread than a second fold gains from a core of its own.
  struct Task {
    size_t candidate = 0;
    std::optional<size_t> fold;  // empty: the refit on every usable row
    double cost = 0;
    std::function<Status()> beside;  // set: work beside the fits instead of a fit
  };
  const auto cost_of = [&](size_t c, size_t rows) {
    const std::string& family = specs[c].family;
    const double per_row = family == "xgboost" || family == "random_forest" ? specs[c].trees
                           : family == "baseline"                           ? 0.01
                                                                            : 1.0;
    return per_row * static_cast<double>(rows);
  };
  std::vector<Task> tasks;
  for (size_t c = 0; c < specs.size(); ++c) {
    for (size_t f = 0; f < folds.size(); ++f) {
      tasks.push_back({c, f, cost_of(c, folds[f].train.size()), {}});
    }
  }
  std::vector<size_t> refit = {known_choice.value_or(0)};
  if (refit[0] != 0) refit.push_back(0);
  if (known_choice) {
    for (size_t c : refit) tasks.push_back({c, std::nullopt, cost_of(c, usable.size()), {}});
  }
  // Longest first, except that the cheap tasks (baselines, mostly) go second: one worker starts
  // the longest fit at once while the others clear the cheap ones, so that they run under
  // boosting rather than after it.
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& a, const Task& b) { return a.cost > b.cost; });
  auto after_cheap = tasks.begin() + std::min<std::ptrdiff_t>(1, std::ssize(tasks));
  if (tasks.size() > 2) {
    const double cheap = tasks.front().cost / 100;
    after_cheap = std::stable_partition(tasks.begin() + 1, tasks.end(),
                                        [&](const Task& t) { return t.cost < cheap; });
  }
  // The work beside the fits comes after the cheap tasks, so that the longest fit starts at once
  // without sharing a core with it, and it is done long before the last fits.
  std::vector<Task> beside = {{0, std::nullopt, 0, leak_check}};
  if (options.beside) beside.push_back({0, std::nullopt, 0, options.beside});
  tasks.insert(after_cheap, beside.begin(), beside.end());
  const int cores = CoresToUse(options.threads);
  const int workers = std::min<int>(cores, static_cast<int>(tasks.size()));
  const int threads_per_task = std::max(1, cores / std::max(workers, 1));

  const size_t steps = tasks.size() - beside.size() + (known_choice ? 0 : refit.size());
  size_t step = 0;
  std::mutex progress_mutex;
  const auto report = [&](const std::string& what) {
    if (!options.progress) return;
    const std::lock_guard<std::mutex> lock(progress_mutex);
    options.progress(++step, steps, what);
  };

  struct FoldOutcome {
    std::map<std::string, double> metrics;
    double boost_seconds = 0;
    double seconds = 0;
    std::string summary;
  };
  std::vector<std::vector<FoldOutcome>> outcomes(specs.size(),
                                                 std::vector<FoldOutcome>(folds.size()));
  out.leaderboard.resize(specs.size());
  for (size_t c = 0; c < specs.size(); ++c) {
    out.leaderboard[c].name = names[c];
    out.leaderboard[c].spec = specs[c];
    out.leaderboard[c].oof = EmptyPredictions(spec, target, usable);
  }
  std::vector<std::optional<ScoringPair>> refitted(specs.size());

  // Candidates that share a pipeline key share each fold's prepared matrices; a fold's mutex
  // guards its cache while an entry is looked up or made (map entries never move once made).
  std::vector<std::map<PipelineKey, Prepared>> cache(folds.size());
  std::vector<std::mutex> cache_mutex(folds.size());
  const size_t per_row = spec.task.type == TaskType::kMulticlass ? target.classes.size() : 1;
  // When each fit's boosting rounds ran, folds and refits alike, for timings.boost.
  std::vector<Model::Window> windows;
  std::mutex windows_mutex;
  const auto record_window = [&](const Model& model) -> double {
    const std::optional<Model::Window> w = model.BoostWindow();
    if (!w) return 0;
    const std::lock_guard<std::mutex> lock(windows_mutex);
    windows.push_back(*w);
    return Seconds(*w);
  };

  // A fold's scores on its test rows, their metrics and its outcome.
  const auto score_fold = [&](size_t c, size_t f, const Prepared& p, const Model& model,
                              Clock::time_point task_start) -> Status {
    KILN_ASSIGN_OR_RETURN(std::vector<double> scores, model.Predict(p.test));
    Predictions& oof = out.leaderboard[c].oof;
    for (size_t i = 0; i < folds[f].test.size(); ++i) {
      for (size_t k = 0; k < per_row; ++k) {
        oof.scores[folds[f].test[i] * per_row + k] = scores[i * per_row + k];
      }
    }
    FoldOutcome& o = outcomes[c][f];
    o.metrics = ComputeAllMetrics(FoldPredictions(oof, folds[f].test));
    o.boost_seconds = record_window(model);
    o.summary = model.Summary();
    o.seconds = Since(task_start);
    report(fmt::format("{} fold {}/{}", names[c], f + 1, folds.size()));
    return Status::Ok();
  };
  // A fit that boosted is scored on a thread of its own, sharing the cores with the fits, so that
  // its worker goes straight on to the next fit: two workers that finish fits together would
  // otherwise both stop boosting while they score. Keyed by (candidate, fold), so that the first
  // failure reported is the same on every run; declared after what the threads use.
  std::map<std::pair<size_t, size_t>, std::future<Status>> fold_scores;
  std::mutex fold_scores_mutex;
  const auto run_fold = [&](size_t c, size_t f, int threads) -> Status {
    const auto task_start = Clock::now();
    const PipelineKey key = KeyFor(specs[c], spec.training.features);
    // Early stopping changes the rows the pipeline is fitted on, so its matrices are its own and
    // not cached.
    const bool early_stopping = specs[c].early_stopping > 0;
    std::shared_ptr<const Prepared> own;
    const Prepared* p = nullptr;
    {
      std::unique_lock<std::mutex> lock(cache_mutex[f], std::defer_lock);
      if (!early_stopping) lock.lock();
      auto found = early_stopping ? cache[f].end() : cache[f].find(key);
      if (found == cache[f].end()) {
        std::vector<size_t> train_rows, test_rows;
        for (size_t pos : folds[f].train) train_rows.push_back(usable[pos]);
        for (size_t pos : folds[f].test) test_rows.push_back(usable[pos]);
        KILN_ASSIGN_OR_RETURN(Prepared prepared, Prepare(spec, frame, target, out.features, key,
                                                         train_rows, test_rows, early_stopping));
        if (early_stopping) {
          own = std::make_shared<const Prepared>(std::move(prepared));
        } else {
          found = cache[f].emplace(key, std::move(prepared)).first;
        }
      }
      p = own ? own.get() : &found->second;
    }
    if (f == 0 && c == 0) out.skipped_features = p->pipeline.skipped_columns();
    KILN_ASSIGN_OR_RETURN(std::unique_ptr<Model> fitted,
                          TrainModel(specs[c], MakeTrainData(spec, target, *p, threads)));
    if (!fitted->BoostWindow()) return score_fold(c, f, *p, *fitted, task_start);
    const std::shared_ptr<const Model> model(std::move(fitted));
    const std::lock_guard<std::mutex> lock(fold_scores_mutex);
    fold_scores[{c, f}] =
        std::async(std::launch::async, [&score_fold, c, f, p, own, model, task_start] {
          return score_fold(c, f, *p, *model, task_start);
        });
    return Status::Ok();
  };
  // With the choice known, each refit is handed to options.on_refit (scoring held-out data,
  // mostly) on a thread of its own that shares the cores with the fits: the worker that refitted
  // goes straight on to its next fit, and the cores never wait together for the hand-over.
  // Declared after `refitted`, so that the threads are waited for before it goes.
  std::vector<std::future<Status>> hand_overs;
  std::mutex hand_overs_mutex;
  const auto run_refit = [&](size_t c, int threads) -> Status {
    const ModelSpec& m = specs[c];
    KILN_ASSIGN_OR_RETURN(
        Prepared p, Prepare(spec, frame, target, out.features, KeyFor(m, spec.training.features),
                            usable, {}, m.early_stopping > 0));
    KILN_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                          TrainModel(m, MakeTrainData(spec, target, p, threads)));
    record_window(*model);
    refitted[c] =
        ScoringPair{m, std::move(p.pipeline), std::shared_ptr<const Model>(std::move(model))};
    report(fmt::format("{} on every row", names[c]));
    if (!options.on_refit) return Status::Ok();
    const TrainOptions::Refitted handed{c == 0, &*refitted[c], &target.classes, threads};
    if (!known_choice) return options.on_refit(handed);
    const std::lock_guard<std::mutex> lock(hand_overs_mutex);
    hand_overs.push_back(std::async(std::launch::async, options.on_refit, handed));
    return Status::Ok();
  };

  start = Clock::now();
  // Each task writes only its own slots and its own fold's out-of-fold rows.
  KILN_RETURN_IF_ERROR(ParallelFor(tasks.size(), workers, [&](size_t t) -> Status {
    const Task& task = tasks[t];
    if (task.beside) return task.beside();
    return task.fold ? run_fold(task.candidate, *task.fold, threads_per_task)
                     : run_refit(task.candidate, threads_per_task);
  }));
  for (auto& [fit, scored] : fold_scores) KILN_RETURN_IF_ERROR(scored.get());
  for (std::future<Status>& handed : hand_overs) KILN_RETURN_IF_ERROR(handed.get());
  cache.clear();
  out.timings.cv = Since(start);
  if (!windows.empty()) {
    Clock::time_point first = Clock::time_point::max(), last = Clock::time_point::min();
    for (const Model::Window& w : windows) {
      first = std::min(first, w.begin);
      last = std::max(last, w.end);
      spdlog::trace("boosting from {:.3f} s to {:.3f} s",
                    std::chrono::duration<double>(w.begin - start).count(),
                    std::chrono::duration<double>(w.end - start).count());
    }
    spdlog::debug("cross-validation: boosting began {:.3f} s in and ended {:.3f} s before the end",
                  std::chrono::duration<double>(first - start).count(),
                  std::chrono::duration<double>(Clock::now() - last).count());
  }

  const std::string& metric = spec.metrics.north_star.metric;
  for (size_t c = 0; c < specs.size(); ++c) {
    CandidateResult& result = out.leaderboard[c];
    for (const FoldOutcome& o : outcomes[c]) {
      result.folds.push_back(o.metrics);
      result.boost_seconds += o.boost_seconds;
      result.seconds += o.seconds;
    }
    result.summary = outcomes[c].back().summary;
    Summarise(result);
    spdlog::info("{}: {} {:.4f} ± {:.4f} over {} folds in {:.2f} s", result.name, metric,
                 MeanOf(result, metric),
                 result.stddev.count(metric) ? result.stddev.at(metric) : 0.0, folds.size(),
                 result.seconds);
  }

  // The choice: the best north star among real candidates (the baseline only when alone).
  size_t chosen = out.leaderboard.size() > 1 ? 1 : 0;
  for (size_t c = 2; c < out.leaderboard.size(); ++c) {
    if (Better(metric, MeanOf(out.leaderboard[c], metric),
               MeanOf(out.leaderboard[chosen], metric))) {
      chosen = c;
    }
  }
  out.chosen = out.leaderboard[chosen].name;
  Predictions chosen_oof = out.leaderboard[chosen].oof;
  const Predictions baseline_oof = out.leaderboard[0].oof;
  if (spec.task.type == TaskType::kBinary) {
    KILN_ASSIGN_OR_RETURN(out.threshold, ChooseThreshold(chosen_oof, spec.training.decision));
    chosen_oof.threshold = out.threshold.threshold;
  }
  Predictions baseline_at = baseline_oof;
  baseline_at.threshold = chosen_oof.threshold;
  KILN_ASSIGN_OR_RETURN(out.cv_gate,
                        DecideGate(spec, chosen_oof, baseline_at, spec.validation.seed));

  // The refit on every usable row, for the bundle (already done when the choice was known).
  start = Clock::now();
  if (!known_choice) {
    refit = {chosen};
    if (chosen != 0) refit.push_back(0);
    for (const size_t c : refit) KILN_RETURN_IF_ERROR(run_refit(c, cores));
  }
  out.bundle.project = spec.project;
  out.bundle.task = spec.task;
  out.bundle.classes = target.classes;
  out.bundle.threshold = spec.task.type == TaskType::kBinary ? out.threshold.threshold : 0.5;
  out.bundle.created_at = SqlTimestampNow();
  for (const size_t c : refit) {
    ScoringPair& pair = c == 0 ? out.bundle.baseline : out.bundle.candidate;
    pair = std::move(*refitted[c]);
    if (c == 0 && chosen == 0) out.bundle.candidate = out.bundle.baseline;
  }
  out.timings.final_fit = Since(start);
  out.timings.boost = CoveredSeconds(std::move(windows));
  return out;
}

}  // namespace kiln
