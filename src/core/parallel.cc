#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace kiln {

int CoresToUse(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& task) {
  std::vector<Status> results(n, Status::Ok());
  std::atomic<size_t> next{0};
  const auto run = [&] {
    for (size_t i = next++; i < n; i = next++) results[i] = task(i);
  };
  const size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(workers, 1)));
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
  for (Status& s : results) {
    if (!s.ok()) return std::move(s);
  }
  return Status::Ok();
}

}  // namespace kiln
