// What every subcommand shares: the global flags, opening the project, and reporting a result or
// an error as text or as JSON (--json) with the documented exit code.
#pragma once

#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/status.h"
#include "ingest/dataset_service.h"
#include "project/project.h"

namespace kiln::cli {

struct Context {
  std::string project_dir = ".";
  std::string store_uri;
  bool json = false;
  int verbosity = 0;
  bool no_progress = false;
  int exit_code = 0;

  bool progress() const;
  Result<Project> OpenProject() const;

  // Prints `status` (text on stderr, or a JSON error object on stdout) and records the exit code.
  void Fail(const Status& status);
  // Prints `json` when --json, otherwise `text` (which should end with a newline).
  void Emit(const nlohmann::json& json, const std::string& text);
};

void RegisterInit(CLI::App& app, Context& ctx);
void RegisterData(CLI::App& app, Context& ctx);
void RegisterAudit(CLI::App& app, Context& ctx);
void RegisterStore(CLI::App& app, Context& ctx);
void RegisterTrain(CLI::App& app, Context& ctx);

// The JSON document and the text `kiln data add` reports for one added source.
std::pair<nlohmann::json, std::string> AddedJson(const AddDatasetReport& r);

// Thousands separators for counts shown to people: 32561 -> "32,561".
std::string Count(int64_t n);

}  // namespace kiln::cli
