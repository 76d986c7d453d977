// `kiln data add` killed with SIGKILL at arbitrary moments must leave the store consistent: every
// catalogued version readable and matching its hash, the audit chain intact, one audit entry per
// version, and no half-registered dataset.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::KilnBinary;
using kiln::testing::RunCommand;
using kiln::testing::TempDir;
using kiln::testing::WriteFile;
using json = nlohmann::json;

std::string MakeCsv(int rows, int salt) {
  std::mt19937 rng(static_cast<unsigned>(salt));
  std::normal_distribution<double> normal;
  std::string csv = "id,a,b,c,d,e,f,city,segment\n";
  for (int i = 0; i < rows; ++i) {
    csv += fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},city{},seg{}\n", i,
                       normal(rng), normal(rng), normal(rng), normal(rng), normal(rng),
                       normal(rng), rng() % 40, rng() % 7);
  }
  return csv;
}

// Starts `kiln data add` and kills it after `delay`; returns true when it finished first.
bool AddAndKill(const std::string& project, const std::string& csv, std::chrono::microseconds delay) {
  pid_t pid = fork();
  if (pid == 0) {
    std::string bin = KilnBinary();
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(bin.c_str(), bin.c_str(), "-q", "--no-progress", "-C", project.c_str(), "data", "add",
          csv.c_str(), "--name", "events", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(delay);
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == pid) return true;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return WIFEXITED(status);
}

json RunJson(const std::string& cmd, int* exit_code) {
  auto r = RunCommand(cmd);
  *exit_code = r.exit_code;
  size_t start = r.out.find('{');
  return start == std::string::npos ? json() : json::parse(r.out.substr(start), nullptr, false);
}

TEST(CrashConsistency, KillingDataAddAtAnyMomentLeavesTheStoreConsistent) {
  TempDir dir;
  WriteFile(dir / "kiln.yaml",
            "version: 1\ntask: {type: regression, target: a}\n"
            "metrics:\n  north_star: {name: rmse}\n");
  ASSERT_EQ(RunCommand(KilnBinary() + " init " + dir.path().string()).exit_code, 0);
  std::string project = dir.path().string();
  std::string kiln = KilnBinary() + " --no-progress -C " + project;

  // Time one complete add so that the kill points spread over the whole of it.
  std::string csv = (dir / "events.csv").string();
  WriteFile(csv, MakeCsv(60000, 0));
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCommand(kiln + " data add " + csv + " --name events").exit_code, 0);
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);

  std::mt19937 rng(7);
  int completed = 0;
  constexpr int kRounds = 24;
  for (int round = 1; round <= kRounds; ++round) {
    WriteFile(csv, MakeCsv(60000, round));  // new content each round, so each add has work to do
    auto delay = std::chrono::microseconds(
        std::uniform_int_distribution<int64_t>(0, full.count() * 11 / 10)(rng));
    completed += AddAndKill(project, csv, delay) ? 1 : 0;

    int code = 0;
    json check = RunJson(kiln + " --json store check", &code);
    ASSERT_EQ(code, 0) << "round " << round << ": " << check.dump();
    ASSERT_TRUE(check["ok"].get<bool>()) << check.dump();
    json audit = RunJson(kiln + " --json audit verify", &code);
    ASSERT_EQ(code, 0) << audit.dump();
    json list = RunJson(kiln + " --json data list", &code);
    size_t versions = list["datasets"][0]["versions"].size();
    ASSERT_EQ(static_cast<int64_t>(versions), audit["entries_checked"].get<int64_t>())
        << "every registered version has exactly one audit entry";
  }
  RecordProperty("rounds_completed_before_kill", completed);

  int code = 0;
  json repaired = RunJson(kiln + " --json store check --repair", &code);
  EXPECT_EQ(code, 0) << repaired.dump();
  json after = RunJson(kiln + " --json store check", &code);
  EXPECT_TRUE(after["orphan_artifacts"].empty()) << after.dump();
  EXPECT_EQ(RunCommand(kiln + " data add " + csv + " --name events").exit_code, 0);
}

}  // namespace
}  // namespace kiln
