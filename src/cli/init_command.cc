// `kiln init [DIR] [--from SOURCE --target COLUMN]`: creates a project.
#include <fmt/format.h>

#include "cli/common.h"

namespace kiln::cli {

void RegisterInit(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Create a project: a commented kiln.yaml and .kiln/");
  auto options = std::make_shared<InitOptions>();
  auto dir = std::make_shared<std::string>(".");
  cmd->add_option("dir", *dir, "Folder to create the project in")->capture_default_str();
  cmd->add_option("--from", options->from,
                  "A CSV file (or source URI) to propose the task and schema from");
  cmd->add_option("--target", options->target, "The column to predict (with --from)");
  cmd->add_option("--store-uri", options->store_uri,
                  "Use this store instead of .kiln/kiln.db (e.g. postgresql://...)");
  cmd->add_flag("--force", options->force, "Replace an existing kiln.yaml");
  cmd->callback([&ctx, options, dir] {
    options->dir = *dir;
    Result<InitReport> report = InitProject(*options);
    if (!report.ok()) return ctx.Fail(report.status());
    nlohmann::json out = {{"ok", true},
                          {"root", report->root.string()},
                          {"spec", report->spec_path.string()},
                          {"spec_written", report->spec_written},
                          {"store", report->store_uri}};
    std::string text = fmt::format("initialised Kiln project in {}\n", report->root.string());
    if (report->spec_written) {
      text += fmt::format("  wrote {}\n", report->spec_path.string());
    } else {
      text += fmt::format("  kept existing {}\n", report->spec_path.string());
    }
    text += fmt::format("  store {}\n", report->store_uri);
    if (!report->task_type.empty()) {
      out["task"] = report->task_type;
      out["proposal"] = report->proposal_note;
      text += fmt::format("  proposed task: {} ({})\n", report->task_type, report->proposal_note);
    }
    text += "next: review kiln.yaml, then `kiln data add` your data\n";
    ctx.Emit(out, text);
  });
}

}  // namespace kiln::cli
