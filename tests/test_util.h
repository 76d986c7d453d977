// Helpers shared by the tests: temporary directories, paths to the shared real data sets, and
// running the kiln binary as a user would.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/frame.h"

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
// adult/adult-train.csv read with Kiln's defaults, loaded once per test binary; nullptr when the
// shared data sets are absent (tests then skip).
const Frame* AdultTrain();

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};
// Runs a shell command line and captures its output and exit code.
CommandResult RunCommand(const std::string& command_line);
void WriteFile(const std::filesystem::path& path, const std::string& content);

// True when /usr/bin/python3 imports every module of `modules` ("sklearn, numpy"); remembered
// per distinct list. Peer tests skip when it is false.
bool PeerHas(const std::string& modules);

// Runs tests/scripts/<script> under /usr/bin/python3 with a JSON request file and an answer
// file, the protocol every peer script follows, and returns the parsed answer (a discarded JSON
// value, with the test failed, when the script fails or writes no JSON).
nlohmann::json AskPeer(const std::string& script, const nlohmann::json& request);
std::string ReadFile(const std::filesystem::path& path);

}  // namespace kiln::testing
