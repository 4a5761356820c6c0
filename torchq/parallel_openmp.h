/**
 * @file parallel_openmp.h
 * @brief Executor over OpenMP, for programs that use the core without LibTorch.
 *
 * Lives in its own target (torchq_core_openmp) so that libtorchq_ops.so, which uses
 * at::parallel_for instead, never links a second OpenMP runtime.
 */
#pragma once

#include "torchq/parallel.h"

namespace torchq {

class OpenMPExecutor final : public Executor {
 public:
  /// @param num_threads threads to use; 0 means omp_get_max_threads().
  explicit OpenMPExecutor(int num_threads = 0);
  int num_threads() const override { return num_threads_; }
  void parallel_for(Index n, Index grain, ChunkFn fn) const override;

 private:
  int num_threads_;
};

}  // namespace torchq
