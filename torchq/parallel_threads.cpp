/// @file parallel_threads.cpp
#include "torchq/parallel_threads.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "torchq/errors.h"

namespace torchq {
namespace {

thread_local bool t_in_chunk = false;

/// Marks the current thread as running a chunk, so a nested loop runs serially (parallel.h).
class ChunkScope {
 public:
  ChunkScope() : outer_(t_in_chunk) { t_in_chunk = true; }
  ~ChunkScope() { t_in_chunk = outer_; }
  ChunkScope(const ChunkScope&) = delete;
  ChunkScope& operator=(const ChunkScope&) = delete;

 private:
  bool outer_;
};

}  // namespace

ThreadExecutor::ThreadExecutor(int num_threads) {
  if (num_threads < 0) {
    throw ArgumentError("ThreadExecutor: num_threads must be >= 0 (0 = all available), got " +
                        std::to_string(num_threads));
  }
  num_threads_ = num_threads == 0 ? std::max(1, static_cast<int>(std::thread::hardware_concurrency())) : num_threads;
}

bool ThreadExecutor::in_parallel_region() { return t_in_chunk; }

void ThreadExecutor::parallel_for(Index n, Index grain, ChunkFn fn) const {
  if (n == 0) return;
  grain = std::max<Index>(grain, 1);
  // At most n / grain chunks keep every chunk >= grain (as OpenMPExecutor).
  const Index chunks = std::min<Index>(static_cast<Index>(num_threads_), std::max<Index>(1, n / grain));
  if (chunks <= 1 || t_in_chunk) {
    ChunkScope scope;
    fn(0, n);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run_chunk = [&](Index t) {
    ChunkScope scope;
    try {
      fn(n * t / chunks, n * (t + 1) / chunks);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  Index started = 1;
  try {
    for (; started < chunks; ++started) workers.emplace_back(run_chunk, started);
  } catch (const std::system_error&) {
    // No more threads to be had: the caller runs the chunks that did not start.
  }
  run_chunk(0);
  for (Index t = started; t < chunks; ++t) run_chunk(t);
  for (std::thread& w : workers) w.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace torchq
