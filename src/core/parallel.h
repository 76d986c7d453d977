// Small pieces of shared-memory parallelism: how many cores to use, and a parallel loop over
// independent tasks that reports the first failure by task order, not by finishing order, so
// that errors are the same on every run.
#pragma once

#include <cstddef>
#include <functional>

#include "core/status.h"

namespace kiln {

// `requested` when positive, otherwise the cores this machine has (at least 1).
int CoresToUse(int requested);

// Runs task(0) .. task(n - 1) on up to `workers` threads (the caller's thread is one of them).
// Every task runs even when an earlier one fails; the result is the failure of the lowest-numbered
// failing task, or Ok.
Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& task);

}  // namespace kiln
