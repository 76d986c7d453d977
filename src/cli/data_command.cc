// `kiln data add|list|show|validate|purge`: versioned datasets.
#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "cli/common.h"
#include "ingest/dataset_service.h"

namespace kiln::cli {

using json = nlohmann::json;

namespace {

std::string Short(const std::string& hash) {
  return hash.substr(0, 12);
}

json RecordJson(const DatasetVersionRecord& r) {
  json out = {{"dataset", r.dataset},
              {"version", r.version},
              {"seq", r.seq},
              {"rows", r.rows},
              {"columns", r.cols},
              {"stored_bytes", r.artifact_bytes},
              {"source", r.source},
              {"created_at", r.created_at},
              {"created_by", r.created_by},
              {"kiln_version", r.kiln_version},
              {"purged_at", r.purged_at ? json(*r.purged_at) : json(nullptr)}};
  out["schema"] = json::parse(r.schema_json, nullptr, false);
  out["lineage"] = json::parse(r.lineage_json, nullptr, false);
  return out;
}

json ContractJson(const ContractReport& report) {
  return ContractReportToJson(report);
}

std::string ContractText(const ContractReport& report) {
  json j = ContractReportToJson(report);
  std::string text;
  if (j.value("passed", false)) return "  contract: all rules pass\n";
  text += "  contract: VIOLATED\n";
  for (const auto& v : j.value("violations", json::array())) {
    text += fmt::format("    {} {}: {} violation(s)", v.value("column", "-"), v.value("rule", "?"),
                        v.value("count", 0));
    if (v.contains("message")) text += " - " + v["message"].get<std::string>();
    text += "\n";
    for (const auto& ex : v.value("examples", json::array())) {
      text += "      e.g. " + ex.dump() + "\n";
    }
  }
  return text;
}

}  // namespace

std::pair<json, std::string> AddedJson(const AddDatasetReport& r) {
  const DatasetVersionRecord& rec = r.record;
  json out = {{"ok", true}, {"already_present", r.already_present}, {"dataset", RecordJson(rec)}};
  std::string text;
  if (r.already_present) {
    text = fmt::format("{}@v{} ({}) already holds exactly this data; nothing added\n", rec.dataset,
                       rec.seq, Short(rec.version));
  } else {
    text = fmt::format("added {}@v{} ({}): {} rows x {} columns, {} stored in {:.2f} s\n",
                       rec.dataset, rec.seq, Short(rec.version), Count(rec.rows), rec.cols,
                       fmt::format("{:.1f} MB", static_cast<double>(rec.artifact_bytes) / 1e6),
                       r.read_seconds + r.infer_seconds + r.store_seconds);
  }
  out["timings"] = {
      {"read_s", r.read_seconds}, {"infer_s", r.infer_seconds}, {"store_s", r.store_seconds}};
  json pii = json::array();
  for (const PiiFinding& f : r.pii) {
    pii.push_back({{"column", f.column},
                   {"kind", PiiKindName(f.kind)},
                   {"evidence", PiiEvidenceName(f.evidence)},
                   {"match_rate", f.match_rate},
                   {"examples", f.examples}});
    text += fmt::format("  PII: column '{}' looks like {} (by {}{})\n", f.column,
                        PiiKindName(f.kind), PiiEvidenceName(f.evidence),
                        f.examples.empty() ? "" : ", e.g. " + f.examples.front());
  }
  out["pii"] = pii;
  if (r.consent_excluded) {
    out["rows_without_consent"] = *r.consent_excluded;
    text += fmt::format("  {} rows lack consent and are excluded from training\n",
                        Count(*r.consent_excluded));
  }
  if (!r.contract_path.empty()) out["contract"] = r.contract_path;
  if (r.contract_created) {
    text += fmt::format("  inferred a data contract: {} (edit it to tighten the rules)\n",
                        r.contract_path);
  }
  if (r.contract_check) {
    out["contract_check"] = ContractJson(*r.contract_check);
    text += ContractText(*r.contract_check);
  }
  return {out, text};
}

namespace {

void Add(Context& ctx, AddDatasetOptions options, const std::string& delimiter) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  if (delimiter == "tab" || delimiter == "\\t") {
    options.source.csv.delimiter = '\t';
  } else if (delimiter.size() == 1) {
    options.source.csv.delimiter = delimiter[0];
  } else if (!delimiter.empty()) {
    return ctx.Fail(MakeError(ErrorCode::kUsage,
                              "--delimiter must be one character or 'tab', got '{}'", delimiter));
  }
  options.progress = ctx.progress();

  // No source and no name with several kiln.yaml sources: every source, read side by side.
  const std::vector<SourceSpec>& declared = project->spec().data.sources;
  if (options.source_spec.empty() && options.name.empty() && declared.size() > 1) {
    Result<std::vector<AddDatasetOptions>> all = DeclaredSources(*project, options);
    if (!all.ok()) return ctx.Fail(all.status());
    Result<std::vector<AddDatasetReport>> reports = AddDatasets(*project, *all, 0);
    if (!reports.ok()) return ctx.Fail(reports.status());
    json added = json::array();
    std::string text;
    for (const AddDatasetReport& r : *reports) {
      auto [doc, lines] = AddedJson(r);
      added.push_back(std::move(doc));
      text += lines;
    }
    ctx.Emit({{"ok", true}, {"added", added}}, text);
    return;
  }

  Result<AddDatasetReport> r = AddDataset(*project, options);
  if (!r.ok()) return ctx.Fail(r.status());
  auto [out, text] = AddedJson(*r);
  ctx.Emit(out, text);
}

void List(Context& ctx) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  json out = json::array();
  std::string text;
  Status s = project->db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(auto datasets, ListDatasets(tx));
    for (const auto& d : datasets) {
      KILN_ASSIGN_OR_RETURN(auto versions, ListDatasetVersions(tx, d.name));
      json vs = json::array();
      for (const auto& v : versions) {
        vs.push_back(RecordJson(v));
        text += fmt::format("{:<20} v{:<4} {}  {:>10} rows  {:>3} cols  {}  {}{}\n", d.name, v.seq,
                            Short(v.version), Count(v.rows), v.cols, v.created_at, v.source,
                            v.purged() ? "  [purged]" : "");
      }
      out.push_back({{"name", d.name}, {"latest", d.latest_version}, {"versions", vs}});
    }
    return Status::Ok();
  });
  if (!s.ok()) return ctx.Fail(s);
  ctx.Emit({{"ok", true}, {"datasets", out}},
           text.empty() ? "no datasets yet; add one with `kiln data add FILE`\n" : text);
}

json ColumnStats(const Column& c) {
  json s = {{"name", c.name}, {"type", ColumnTypeName(c.type)}};
  size_t n = c.size();
  size_t missing = c.missing_count();
  s["missing"] = missing;
  s["missing_rate"] = n ? static_cast<double>(missing) / static_cast<double>(n) : 0.0;
  if (c.is_numeric() || c.type == ColumnType::kDatetime) {
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < n; ++i) {
      double v = c.AsDouble(i);
      if (std::isnan(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
      ++count;
    }
    if (count) {
      if (c.type == ColumnType::kDatetime) {
        size_t first = 0, last = 0;
        for (size_t i = 0; i < n; ++i) {
          if (c.is_missing(i)) continue;
          if (c.ints[i] == static_cast<int64_t>(lo)) first = i;
          if (c.ints[i] == static_cast<int64_t>(hi)) last = i;
        }
        s["min"] = c.Render(first);
        s["max"] = c.Render(last);
      } else {
        s["min"] = lo;
        s["max"] = hi;
        s["mean"] = sum / static_cast<double>(count);
      }
    }
  }
  if (c.type == ColumnType::kCategorical) {
    std::vector<size_t> counts(c.dictionary.size(), 0);
    for (size_t i = 0; i < n; ++i) {
      if (!c.is_missing(i)) ++counts[static_cast<size_t>(c.codes[i])];
    }
    std::vector<size_t> order(counts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return counts[a] > counts[b]; });
    json top = json::array();
    for (size_t i = 0; i < std::min<size_t>(5, order.size()); ++i) {
      top.push_back({{"value", c.dictionary[order[i]]}, {"count", counts[order[i]]}});
    }
    s["categories"] = c.dictionary.size();
    s["top"] = top;
  }
  if (c.type == ColumnType::kDatetime) s["format"] = c.datetime_format;
  return s;
}

std::string StatsText(const json& s) {
  std::string detail;
  if (s.contains("top")) {
    detail = fmt::format("{} categories; top:", s["categories"].get<size_t>());
    for (const auto& t : s["top"]) {
      detail += fmt::format(" {} ({})", t["value"].get<std::string>(), t["count"].get<size_t>());
    }
  } else if (s.contains("mean")) {
    detail = fmt::format("min {:.6g}  max {:.6g}  mean {:.6g}", s["min"].get<double>(),
                         s["max"].get<double>(), s["mean"].get<double>());
  } else if (s.contains("min")) {
    detail = fmt::format("{} .. {} ({})", s["min"].get<std::string>(), s["max"].get<std::string>(),
                         s["format"].get<std::string>());
  }
  return fmt::format("  {:<28} {:<12} {:>6.2f}% missing  {}\n", s["name"].get<std::string>(),
                     s["type"].get<std::string>(), 100 * s["missing_rate"].get<double>(), detail);
}

void Show(Context& ctx, const std::string& ref_text, size_t sample_rows) {
  Result<DatasetRef> ref = ParseDatasetRef(ref_text);
  if (!ref.ok()) return ctx.Fail(ref.status());
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<LoadedDataset> loaded = LoadDataset(*project, *ref);
  if (!loaded.ok()) return ctx.Fail(loaded.status());
  const Frame& frame = loaded->frame;
  const DatasetVersionRecord& rec = loaded->record;

  json columns = json::array();
  std::string text = fmt::format("{}@v{} ({})\n  {} rows x {} columns, from {}\n  added {} by {}\n",
                                 rec.dataset, rec.seq, rec.version, Count(rec.rows), rec.cols,
                                 rec.source, rec.created_at, rec.created_by);
  text += "schema:\n";
  for (const Column& c : frame.columns()) {
    json s = ColumnStats(c);
    text += StatsText(s);
    columns.push_back(std::move(s));
  }
  json sample = json::array();
  size_t n = std::min(sample_rows, frame.rows());
  text += fmt::format("first {} rows:\n", n);
  for (size_t r = 0; r < n; ++r) {
    json row = json::object();
    std::string line = " ";
    for (const Column& c : frame.columns()) {
      row[c.name] = c.is_missing(r) ? json(nullptr) : json(c.Render(r));
      line += " " + (c.is_missing(r) ? std::string("NA") : c.Render(r));
    }
    sample.push_back(std::move(row));
    text += line + "\n";
  }
  json out = RecordJson(rec);
  out["ok"] = true;
  out["columns"] = columns;
  out["sample"] = sample;
  ctx.Emit(out, text);
}

void Validate(Context& ctx, const std::string& ref_text, const std::string& contract) {
  Result<DatasetRef> ref = ParseDatasetRef(ref_text);
  if (!ref.ok()) return ctx.Fail(ref.status());
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<ValidateReport> r = ValidateDataset(*project, *ref, contract);
  if (!r.ok()) return ctx.Fail(r.status());
  json report = ContractJson(r->report);
  bool passed = report.value("passed", false);
  json out = {
      {"ok", passed},         {"dataset", r->record.dataset}, {"version", r->record.version},
      {"seq", r->record.seq}, {"contract", r->contract_path}, {"report", report}};
  std::string text =
      fmt::format("{}@v{} against {}\n", r->record.dataset, r->record.seq, r->contract_path) +
      ContractText(r->report);
  ctx.Emit(out, text);
  if (!passed) {
    ctx.exit_code = ExitCodeFor(ErrorCode::kData);
  }
}

void Purge(Context& ctx, bool expired, bool dry_run, const std::string& ref_text) {
  if (expired == !ref_text.empty()) {
    return ctx.Fail(MakeError(ErrorCode::kUsage,
                              "say what to purge: --expired, or one NAME@VERSION (not both)"));
  }
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<PurgeReport> r = MakeError(ErrorCode::kInternal, "unreachable");
  if (expired) {
    r = PurgeExpired(*project, dry_run, std::chrono::system_clock::now());
  } else {
    Result<DatasetRef> ref = ParseDatasetRef(ref_text);
    if (!ref.ok()) return ctx.Fail(ref.status());
    r = PurgeVersion(*project, *ref, dry_run);
  }
  if (!r.ok()) return ctx.Fail(r.status());
  json items = json::array();
  std::string text;
  for (const auto& item : r->purged) {
    items.push_back({{"dataset", item.dataset},
                     {"version", item.version},
                     {"seq", item.seq},
                     {"created_at", item.created_at},
                     {"artifact_deleted", item.artifact_deleted}});
    text += fmt::format("{} {}@v{} ({}, added {})\n", dry_run ? "would purge" : "purged",
                        item.dataset, item.seq, Short(item.version), item.created_at);
  }
  if (text.empty()) text = "nothing to purge\n";
  ctx.Emit({{"ok", true}, {"dry_run", dry_run}, {"purged", items}}, text);
}

}  // namespace

void RegisterData(CLI::App& app, Context& ctx) {
  auto* data = app.add_subcommand("data", "Add, inspect, validate and purge dataset versions");
  data->require_subcommand(1);

  auto add_options = std::make_shared<AddDatasetOptions>();
  auto delimiter = std::make_shared<std::string>();
  auto* add = data->add_subcommand("add", "Ingest a CSV file or SQL query as a new version");
  add->add_option("source", add_options->source_spec,
                  "CSV path, sqlite:PATH or postgresql://URI (default: every kiln.yaml source)");
  add->add_option("-n,--name", add_options->name, "Dataset name (default: from the source)");
  add->add_option("--query", add_options->source.query, "SELECT statement for SQL sources");
  add->add_option("--delimiter", *delimiter, "CSV delimiter (default: sniffed)");
  add->add_option("-j,--threads", add_options->threads, "Threads for type conversion")
      ->capture_default_str();
  add->callback([&ctx, add_options, delimiter] { Add(ctx, *add_options, *delimiter); });

  data->add_subcommand("list", "List datasets and their versions")->callback([&ctx] { List(ctx); });

  auto ref = std::make_shared<std::string>();
  auto rows = std::make_shared<size_t>(5);
  auto* show = data->add_subcommand("show", "Schema, counts, missing rates and a sample");
  show->add_option("dataset", *ref, "NAME[@VERSION]")->required();
  show->add_option("--rows", *rows, "Sample rows to print")->capture_default_str();
  show->callback([&ctx, ref, rows] { Show(ctx, *ref, *rows); });

  auto vref = std::make_shared<std::string>();
  auto* validate = data->add_subcommand("validate", "Check a version against its data contract");
  auto contract = std::make_shared<std::string>();
  validate->add_option("dataset", *vref, "NAME[@VERSION]")->required();
  validate->add_option("--contract", *contract,
                       "Check against this contract file instead of the dataset's own");
  validate->callback([&ctx, vref, contract] { Validate(ctx, *vref, *contract); });

  auto expired = std::make_shared<bool>(false);
  auto dry_run = std::make_shared<bool>(false);
  auto pref = std::make_shared<std::string>();
  auto* purge = data->add_subcommand("purge", "Delete versions past the retention period");
  purge->add_flag("--expired", *expired, "Purge every version older than retention_days");
  purge->add_flag("--dry-run", *dry_run, "Only list what would be purged");
  purge->add_option("dataset", *pref, "One NAME@VERSION to purge");
  purge->callback([&ctx, expired, dry_run, pref] { Purge(ctx, *expired, *dry_run, *pref); });
}

}  // namespace kiln::cli
