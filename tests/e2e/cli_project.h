// A Kiln project folder driven through the binary, as a user drives it: the end-to-end tests'
// fixture.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace kiln::testing {

// A project folder with its kiln.yaml, initialised by `kiln init`, removed at the end.
class CliProject {
 public:
  explicit CliProject(const std::string& yaml) {
    WriteFile(dir_ / "kiln.yaml", yaml);
    init_ = RunCommand(KilnBinary() + " init " + dir_.path().string());
  }

  const CommandResult& init() const { return init_; }
  const std::filesystem::path& root() const { return dir_.path(); }

  // stdout and stderr interleaved, as a user sees them.
  CommandResult Run(const std::string& args) const {
    return RunCommand(KilnBinary() + " --no-progress -C " + dir_.path().string() + " " + args);
  }

  // With --json: the document on stdout (null when it does not parse), the exit code, and
  // stderr's logs in `out`, kept apart so that a log line cannot break the document.
  nlohmann::json RunJson(const std::string& args, CommandResult* result) const {
    const std::filesystem::path out = scratch_ / "stdout.json";
    *result = RunCommand("(" + KilnBinary() + " --no-progress --json -C " + dir_.path().string() +
                         " " + args + " > " + out.string() + ")");
    return nlohmann::json::parse(ReadFile(out), nullptr, false);
  }

  CommandResult AddData(const std::filesystem::path& csv, const std::string& name) const {
    return Run("data add " + csv.string() + " --name " + name);
  }

 private:
  TempDir dir_;
  TempDir scratch_;  // captured output, kept out of the project
  CommandResult init_;
};

}  // namespace kiln::testing
