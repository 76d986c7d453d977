#include "cli/app.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/common.h"
#include "core/log.h"
#include "core/progress.h"
#include "kiln/version.h"

namespace kiln::cli {

bool Context::progress() const {
  return !json && !no_progress && ProgressBar::Wanted();
}

Result<Project> Context::OpenProject() const {
  ProjectOptions options;
  options.start = project_dir;
  options.store_uri = store_uri;
  return Project::Open(options);
}

void Context::Fail(const Status& status) {
  exit_code = ExitCodeFor(status.code());
  if (json) {
    nlohmann::json error = {{"ok", false},
                            {"error",
                             {{"code", ErrorCodeName(status.code())},
                              {"message", status.message()},
                              {"exit_code", exit_code}}}};
    std::puts(error.dump(2).c_str());
  } else {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
  }
}

void Context::Emit(const nlohmann::json& json_value, const std::string& text) {
  if (json) {
    std::puts(json_value.dump(2).c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
}

std::string Count(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 1 usage or configuration error, 2 data error, 3 gate refused, "
    "4 internal error.";

int Run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"Kiln: from a written ML problem to a monitored, self-retraining service."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("-C,--project", ctx.project_dir,
                 "Project folder (searched upwards for kiln.yaml)");
  app.add_option("--store", ctx.store_uri,
                 "Metadata store URI (sqlite:PATH or postgresql://...); overrides KILN_STORE");
  app.add_flag("--json", ctx.json, "Print machine-readable JSON on stdout");
  app.add_flag("-v,--verbose", ctx.verbosity, "More log output (repeat for more)");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "Only log errors");
  app.add_flag("--no-progress", ctx.no_progress, "Never draw progress bars");

  auto* version = app.add_subcommand("version", "Print Kiln's version");
  version->callback([&] {
    ctx.Emit({{"ok", true}, {"version", kVersion}}, fmt::format("kiln {}\n", kVersion));
  });
  RegisterInit(app, ctx);
  RegisterData(app, ctx);
  RegisterAudit(app, ctx);
  RegisterStore(app, ctx);
  RegisterTrain(app, ctx);

  // Like git -C: the command runs as if started in that folder, so relative paths given to it
  // (data files, contracts, output paths) resolve against the project, not the caller.
  app.parse_complete_callback([&] {
    InitLogging(quiet ? -1 : ctx.verbosity);
    if (ctx.project_dir == ".") return;
    std::error_code ec;
    std::filesystem::current_path(ctx.project_dir, ec);
    if (ec) {
      throw CLI::ValidationError(
          "-C", fmt::format("cannot enter {}: {}; give an existing project folder", ctx.project_dir,
                            ec.message()));
    }
    ctx.project_dir = ".";
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return ExitCodeFor(ErrorCode::kUsage);
  }
  return ctx.exit_code;
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\nplease report this with the command you ran\n",
                 e.what());
    return ExitCodeFor(ErrorCode::kInternal);
  }
}

}  // namespace kiln::cli
