// Helpers shared by the tests: temporary directories, paths to the shared real data sets, and
// running the kiln binary as a user would.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace kiln::testing {

// A fresh directory removed when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::filesystem::path SourceDir();
// ../shared/datasets relative to the source tree, or nullopt when absent (tests then skip).
std::optional<std::filesystem::path> SharedDatasets();
std::string KilnBinary();

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};
// Runs a shell command line and captures its output and exit code.
CommandResult RunCommand(const std::string& command_line);
void WriteFile(const std::filesystem::path& path, const std::string& content);
std::string ReadFile(const std::filesystem::path& path);

}  // namespace kiln::testing
