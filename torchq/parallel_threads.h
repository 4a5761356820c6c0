/**
 * @file parallel_threads.h
 * @brief Executor over std::thread, for programs that use the core without LibTorch or OpenMP,
 * and for ThreadSanitizer (tests/sanitize/tsan_driver.cpp): TSan understands std::thread, while an
 * uninstrumented OpenMP runtime makes it report races that are not there.
 *
 * Each parallel_for starts its worker threads and joins them before returning (no pool): simple
 * and obviously correct, at a cost of tens of microseconds per loop, which the core's grain
 * sizes (kAmplitudeGrain) keep small. Programs that care about that cost use OpenMPExecutor.
 * It follows every rule of parallel.h: disjoint chunks of at least `grain`, the first exception
 * rethrown after all chunks ended, and a loop started from inside a chunk runs serially.
 */
#pragma once

#include "torchq/parallel.h"

namespace torchq {

class ThreadExecutor final : public Executor {
 public:
  /// @param num_threads threads per loop (the caller's included); 0 = std::thread::hardware_concurrency().
  explicit ThreadExecutor(int num_threads = 0);
  int num_threads() const override { return num_threads_; }
  void parallel_for(Index n, Index grain, ChunkFn fn) const override;

  /// True on a thread while it runs a chunk of some ThreadExecutor loop (the caller's chunk included).
  static bool in_parallel_region();

 private:
  int num_threads_;
};

}  // namespace torchq
