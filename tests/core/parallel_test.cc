// ParallelFor: every task runs once, on any number of workers, and the failure reported is the
// lowest-numbered one whatever order the tasks finish in.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/parallel.h"

namespace kiln {
namespace {

TEST(ParallelFor, RunsEveryTaskOnceOnAnyNumberOfWorkers) {
  for (int workers : {1, 2, 3, 8, 64}) {
    std::vector<std::atomic<int>> runs(100);
    const Status s = ParallelFor(runs.size(), workers, [&](size_t i) {
      ++runs[i];
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok());
    for (const auto& r : runs) EXPECT_EQ(r.load(), 1) << workers << " workers";
  }
}

TEST(ParallelFor, ReportsTheLowestNumberedFailureAndStillRunsTheRest) {
  std::atomic<int> ran{0};
  const Status s = ParallelFor(10, 4, [&](size_t i) {
    ++ran;
    if (i == 3) {
      // Finishes last, after task 7 has failed.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return MakeError(ErrorCode::kData, "task {}", i);
    }
    if (i == 7) return MakeError(ErrorCode::kIo, "task {}", i);
    return Status::Ok();
  });
  EXPECT_EQ(ran.load(), 10);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kData);
  EXPECT_EQ(s.message(), "task 3");
}

TEST(ParallelFor, NoTasksIsOk) {
  EXPECT_TRUE(ParallelFor(0, 4, [](size_t) { return MakeError(ErrorCode::kData, "x"); }).ok());
}

TEST(CoresToUse, PositiveRequestsAreKeptAndZeroMeansEveryCore) {
  EXPECT_EQ(CoresToUse(3), 3);
  EXPECT_GE(CoresToUse(0), 1);
  EXPECT_GE(CoresToUse(-2), 1);
}

}  // namespace
}  // namespace kiln
