/**
 * @file parallel.h
 * @brief The pluggable parallel loop.
 *
 * The core never starts threads itself: every loop goes through an Executor. Standalone
 * programs use OpenMPExecutor (parallel_openmp.h, target torchq_core_openmp); the LibTorch
 * ops plug in an executor over at::parallel_for, so that a process holds a single OpenMP
 * runtime (the torch wheel bundles its own libgomp, and two runtimes fight over cores).
 *
 * Rules every executor follows:
 *  - parallel_for(n, grain, fn) calls fn(begin, end) on disjoint chunks covering [0, n) and
 *    returns when all are done; no chunk is shorter than `grain` unless n is.
 *  - An exception thrown by fn is rethrown from parallel_for (the first one wins).
 *  - Loops are never nested: code running inside a chunk gets SerialExecutor.
 */
#pragma once

#include <vector>

#include "torchq/function_ref.h"
#include "torchq/types.h"

namespace torchq {

using ChunkFn = FunctionRef<void(Index begin, Index end)>;

class Executor {
 public:
  virtual ~Executor() = default;
  /// Threads this executor may use for one loop (>= 1).
  virtual int num_threads() const = 0;
  /// Runs fn over [0, n) in chunks of at least `grain` iterations. See the file comment.
  virtual void parallel_for(Index n, Index grain, ChunkFn fn) const = 0;

  /**
   * @brief Runs body(worker) on up to `workers` threads, the caller's thread always among them
   * (worker 0); bodies share the work by claiming items themselves (an atomic counter), so the
   * result must not depend on how many bodies run. Returns when every body that started has
   * returned; the first exception is rethrown.
   *
   * The default runs `workers` bodies through parallel_for. The ops' executor does better on a
   * busy machine: helpers that have not started by the time the caller's body has claimed every
   * item never run at all, so a descheduled thread cannot stall a small batch by milliseconds.
   */
  virtual void run_workers(int workers, FunctionRef<void(int worker)> body) const {
    parallel_for(workers, 1, [&](Index lo, Index hi) {
      for (Index w = lo; w < hi; ++w) body(static_cast<int>(w));
    });
  }
};

/// Runs everything on the calling thread.
class SerialExecutor final : public Executor {
 public:
  int num_threads() const override { return 1; }
  void parallel_for(Index n, Index /*grain*/, ChunkFn fn) const override {
    if (n > 0) fn(0, n);
  }
};

/// The shared serial executor (stateless).
const Executor& serial_executor();

/// Minimum loop length per chunk for per-amplitude kernels: below it threads cost more than they
/// save, and a parallel region waiting on a descheduled thread (a busy machine) costs far more.
inline constexpr Index kAmplitudeGrain = Index{1} << 14;

/**
 * @brief Sums fn(begin, end) over fixed blocks of `block` iterations, in block order.
 *
 * The blocks do not depend on the thread count, so the result is bitwise identical for
 * any executor: results never depend on the number of threads.
 */
template <class Acc, class F>
Acc deterministic_sum(const Executor& ex, Index n, Index block, F&& fn) {
  if (n == 0) return Acc{};
  const Index num_blocks = (n + block - 1) / block;
  if (num_blocks == 1) return fn(Index{0}, n);
  std::vector<Acc> partial(num_blocks);
  ex.parallel_for(num_blocks, 1, [&](Index b, Index e) {
    for (Index j = b; j < e; ++j) {
      const Index lo = j * block;
      const Index hi = lo + block < n ? lo + block : n;
      partial[j] = fn(lo, hi);
    }
  });
  Acc total{};
  for (const Acc& p : partial) total += p;
  return total;
}

}  // namespace torchq
