// `kiln audit verify` and `kiln audit list`: the hash-chained record of every state change.
#include <fmt/format.h>

#include "cli/common.h"
#include "store/audit.h"

namespace kiln::cli {

namespace {

void Verify(Context& ctx) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<AuditVerification> v = VerifyAudit(project->db());
  if (!v.ok()) return ctx.Fail(v.status());
  nlohmann::json out = {{"ok", v->ok},
                        {"entries_checked", v->entries_checked},
                        {"head_hash", v->head_hash}};
  if (!v->ok) {
    out["first_broken_seq"] = v->first_broken_seq;
    out["reason"] = v->reason;
    ctx.Emit(out, "");
    return ctx.Fail(MakeError(ErrorCode::kData,
                              "audit log is broken at entry {}: {} ({} entries before it intact)",
                              v->first_broken_seq, v->reason, v->entries_checked));
  }
  ctx.Emit(out, fmt::format("audit log intact: {} entries, head {}\n", Count(v->entries_checked),
                            v->head_hash.substr(0, 16)));
}

void List(Context& ctx, int64_t limit) {
  Result<Project> project = ctx.OpenProject();
  if (!project.ok()) return ctx.Fail(project.status());
  Result<std::vector<AuditEntry>> entries = ListAudit(project->db(), limit);
  if (!entries.ok()) return ctx.Fail(entries.status());
  nlohmann::json out = nlohmann::json::array();
  std::string text;
  for (const AuditEntry& e : *entries) {
    out.push_back({{"seq", e.seq},
                   {"ts", e.ts},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"subject", e.subject},
                   {"details", nlohmann::json::parse(e.details_json.empty() ? "{}" : e.details_json,
                                                     nullptr, false)},
                   {"hash", e.hash}});
    text += fmt::format("{:>5}  {}  {:<16} {:<20} {}\n", e.seq, e.ts, e.action, e.actor,
                        e.subject);
  }
  ctx.Emit({{"ok", true}, {"entries", out}}, text.empty() ? "audit log is empty\n" : text);
}

}  // namespace

void RegisterAudit(CLI::App& app, Context& ctx) {
  auto* audit = app.add_subcommand("audit", "Inspect and verify the audit log");
  audit->require_subcommand(1);
  audit->add_subcommand("verify", "Recompute the hash chain and report the first broken entry")
      ->callback([&ctx] { Verify(ctx); });
  auto limit = std::make_shared<int64_t>(50);
  auto* list = audit->add_subcommand("list", "Show the most recent entries");
  list->add_option("-n,--limit", *limit, "How many entries")->capture_default_str();
  list->callback([&ctx, limit] { List(ctx, *limit); });
}

}  // namespace kiln::cli
