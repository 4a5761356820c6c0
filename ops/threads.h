/**
 * @file threads.h
 * @brief The threads of torchq's ops: the executor the ops pass to the core (at::parallel_for,
 * so the process keeps torch's one OpenMP runtime), the thread budget (torchq.set_num_threads)
 * and its fair share among calls running side by side.
 */
#pragma once

#include <cstdint>

#include "torchq/parallel.h"

namespace torchq_ops {

/// The executor the ops pass to the core: at::parallel_for with a fixed thread count. Never
/// nests: inside torch's parallel region it runs on the calling thread.
class AtenExecutor final : public torchq::Executor {
 public:
  explicit AtenExecutor(int num_threads) : num_threads_(num_threads) {}
  int num_threads() const override { return num_threads_; }
  void parallel_for(torchq::Index n, torchq::Index grain, torchq::ChunkFn fn) const override;
  /// Helpers from torch's inter-op pool join the caller if they start in time (ops/aten_workers.cpp).
  void run_workers(int workers, torchq::FunctionRef<void(int worker)> body) const override;

 private:
  int num_threads_;
};

/// Holds a share of the thread budget for the duration of one op call, so several callers
/// never oversubscribe: min(budget / active calls, budget - threads in use), at least 1.
class ThreadShare {
 public:
  ThreadShare();
  ~ThreadShare();
  ThreadShare(const ThreadShare&) = delete;
  ThreadShare& operator=(const ThreadShare&) = delete;
  const AtenExecutor& executor() const { return executor_; }

 private:
  AtenExecutor executor_;
};

/// Threads torchq may use: the set_num_threads override, else at::get_num_threads().
int configured_threads();
/// torch.ops.torchq.set_num_threads: 1..4096, or 0 to follow torch.get_num_threads().
void set_thread_override(int64_t n);

}  // namespace torchq_ops
