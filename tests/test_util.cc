#include "test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "data/csv_reader.h"
#include "data/infer.h"

namespace kiln::testing {

TempDir::TempDir() {
  std::random_device rd;
  std::filesystem::path base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("kiln-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path SourceDir() {
  return KILN_SOURCE_DIR;
}

std::optional<std::filesystem::path> SharedDatasets() {
  std::filesystem::path p = SourceDir().parent_path() / "shared" / "datasets";
  if (const char* env = std::getenv("KILN_DATASETS")) p = env;
  if (std::filesystem::exists(p / "adult" / "adult-train.csv")) return p;
  return std::nullopt;
}

std::string KilnBinary() {
  return KILN_BINARY;
}

CommandResult RunCommand(const std::string& command_line) {
  CommandResult result;
  std::string wrapped = command_line + " 2>&1";
  FILE* pipe = popen(wrapped.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
  int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool PeerHas(const std::string& modules) {
  static std::mutex mutex;
  static std::map<std::string, bool> known;
  const std::lock_guard<std::mutex> lock(mutex);
  const auto found = known.find(modules);
  if (found != known.end()) return found->second;
  const bool has =
      RunCommand("/usr/bin/python3 -c 'import " + modules + "' 2>/dev/null").exit_code == 0;
  known.emplace(modules, has);
  return has;
}

nlohmann::json AskPeer(const std::string& script, const nlohmann::json& request) {
  TempDir dir;
  WriteFile(dir / "request.json", request.dump());
  const std::string path = (SourceDir() / "tests" / "scripts" / script).string();
  const CommandResult run =
      RunCommand("/usr/bin/python3 " + path + " '" + (dir / "request.json").string() + "' '" +
                 (dir / "answer.json").string() + "'");
  EXPECT_EQ(run.exit_code, 0) << script << ": " << run.out;
  std::ifstream in(dir / "answer.json");
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

const Frame* AdultTrain() {
  static const std::optional<Frame> frame = []() -> std::optional<Frame> {
    const auto root = SharedDatasets();
    if (!root) return std::nullopt;
    Result<RawTable> raw = ReadCsvFile((*root / "adult/adult-train.csv").string(), {}, nullptr);
    if (!raw.ok()) return std::nullopt;
    Result<Frame> inferred = InferFrame(*raw, {});
    if (!inferred.ok()) return std::nullopt;
    return std::move(inferred).value();
  }();
  return frame ? &*frame : nullptr;
}

}  // namespace kiln::testing
