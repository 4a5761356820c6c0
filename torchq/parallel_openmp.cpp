/// @file parallel_openmp.cpp
#include "torchq/parallel_openmp.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>

#include "torchq/errors.h"

namespace torchq {

OpenMPExecutor::OpenMPExecutor(int num_threads) {
  if (num_threads < 0) {
    throw ArgumentError("OpenMPExecutor: num_threads must be >= 0 (0 = all available), got " +
                        std::to_string(num_threads));
  }
  num_threads_ = num_threads == 0 ? std::max(1, omp_get_max_threads()) : num_threads;
}

void OpenMPExecutor::parallel_for(Index n, Index grain, ChunkFn fn) const {
  if (n == 0) return;
  grain = std::max<Index>(grain, 1);
  // Chunks are n / threads long, so at most n / grain threads keep every chunk >= grain.
  const Index max_chunks = std::max<Index>(1, n / grain);
  const int threads = static_cast<int>(std::min<Index>(num_threads_, max_chunks));
  // Never nest: inside a parallel region (or with one thread) run on the caller.
  if (threads <= 1 || omp_in_parallel()) {
    fn(0, n);
    return;
  }
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel num_threads(threads)
  {
    const Index t = static_cast<Index>(omp_get_thread_num());
    const Index nt = static_cast<Index>(omp_get_num_threads());
    const Index begin = n * t / nt;
    const Index end = n * (t + 1) / nt;
    if (begin < end) {
      try {
        fn(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace torchq
