/**
 * @file threads.cpp
 * @brief AtenExecutor and the thread budget. Built with -fopenmp (ops/CMakeLists.txt):
 * at::parallel_for is a header template whose `#pragma omp parallel` is compiled into this object.
 */
#include "ops/threads.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>

namespace torchq_ops {
namespace {

std::atomic<int64_t> g_thread_override{0};
std::atomic<int> g_active_calls{0};
std::atomic<int> g_threads_in_use{0};

}  // namespace

void AtenExecutor::parallel_for(torchq::Index n, torchq::Index grain, torchq::ChunkFn fn) const {
  if (n == 0) return;
  grain = std::max<torchq::Index>(grain, 1);
  // Chunks are n / tasks long: at most n / grain tasks keep every chunk at least `grain` long.
  const int64_t tasks = static_cast<int64_t>(std::min<torchq::Index>(num_threads_, std::max<torchq::Index>(1, n / grain)));
  // Never nest: inside torch's parallel region, run on the calling thread.
  if (tasks <= 1 || at::in_parallel_region()) {
    fn(0, n);
    return;
  }
  // One task per thread: at::parallel_for then starts exactly `tasks` threads.
  at::parallel_for(0, tasks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const torchq::Index begin = n * static_cast<torchq::Index>(t) / static_cast<torchq::Index>(tasks);
      const torchq::Index end = n * static_cast<torchq::Index>(t + 1) / static_cast<torchq::Index>(tasks);
      if (begin < end) fn(begin, end);
    }
  });
}

int configured_threads() {
  const int64_t o = g_thread_override.load();
  return o > 0 ? static_cast<int>(o) : std::max(1, at::get_num_threads());
}

void set_thread_override(int64_t n) {
  TORCH_CHECK(n >= 0, "torchq.set_num_threads: the thread count must be >= 1, or 0 to follow "
              "torch.get_num_threads(); got ", n);
  TORCH_CHECK(n <= 4096, "torchq.set_num_threads: ", n, " threads is more than any machine has; use at most 4096");
  g_thread_override.store(n);
}

ThreadShare::ThreadShare() : executor_([] {
  // Calls running side by side split the budget: a call takes its fair share of the budget, but
  // never more than the threads other running calls left free, so a call that started alone and
  // holds every thread is not joined by a second one taking half again. Every call gets at least
  // its own thread (the caller's), so together they use at most max(budget, number of callers).
  const int budget = configured_threads();
  const int active = g_active_calls.fetch_add(1) + 1;
  int in_use = g_threads_in_use.load();
  for (;;) {
    const int take = std::max(1, std::min(budget / active, budget - in_use));
    if (g_threads_in_use.compare_exchange_weak(in_use, in_use + take)) return take;
  }
}()) {}

ThreadShare::~ThreadShare() {
  g_threads_in_use.fetch_sub(executor_.num_threads());
  g_active_calls.fetch_sub(1);
}

}  // namespace torchq_ops
