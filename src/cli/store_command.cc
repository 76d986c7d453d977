// `kiln store check [--repair]`: verifies that the catalog and the artifacts agree.
#include <fmt/format.h>

#include "cli/common.h"
#include "ingest/dataset_service.h"

namespace kiln::cli {

void RegisterStore(CLI::App& app, Context& ctx) {
  auto* store = app.add_subcommand("store", "Check the metadata store and the artifacts");
  store->require_subcommand(1);
  auto repair = std::make_shared<bool>(false);
  auto* check = store->add_subcommand(
      "check", "Verify every stored version, the artifacts' checksums and the audit chain");
  check->add_flag("--repair", *repair,
                  "Remove orphan artifacts and temporary files left by interrupted writers");
  check->callback([&ctx, repair] {
    Result<Project> project = ctx.OpenProject();
    if (!project.ok()) return ctx.Fail(project.status());
    Result<StoreCheckReport> r = CheckStore(*project, *repair);
    if (!r.ok()) return ctx.Fail(r.status());
    nlohmann::json out = {{"ok", r->ok()},
                          {"versions_checked", r->versions_checked},
                          {"artifacts_checked", r->artifacts_checked},
                          {"runs_checked", r->runs_checked},
                          {"problems", r->problems},
                          {"orphan_artifacts", r->orphan_artifacts},
                          {"audit_ok", r->audit_ok}};
    std::string text = fmt::format("checked {} versions, {} run bundles and {} artifacts\n",
                                   r->versions_checked, r->runs_checked, r->artifacts_checked);
    for (const auto& p : r->problems) text += "  problem: " + p + "\n";
    if (!r->orphan_artifacts.empty()) {
      text += fmt::format("  {} orphan artifacts (left by interrupted writers){}\n",
                          r->orphan_artifacts.size(), *repair ? ", removed" : "");
    }
    text += r->audit_ok ? "  audit log intact\n" : "  audit log broken: " + r->audit_reason + "\n";
    ctx.Emit(out, text);
    if (!r->ok()) {
      ctx.exit_code = ExitCodeFor(ErrorCode::kData);
      if (!ctx.json) std::fputs("error: the store is inconsistent\n", stderr);
    }
  });
}

}  // namespace kiln::cli
