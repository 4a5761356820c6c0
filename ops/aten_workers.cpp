/**
 * @file aten_workers.cpp
 * @brief AtenExecutor::run_workers: the batch loop's workers, late starters excused.
 *
 * A batch of small circuits is split between threads by letting each worker claim samples one at
 * a time (torchq/work_loop.h). With a fixed split (OpenMP's static chunks), the caller waits at
 * the end for every thread of the team, and on a busy machine a thread that the OS has not
 * scheduled yet costs a time slice: a small batch ran many times slower on 2 threads than on 1
 * (benchmarks/README.md, "Small batches"). Here the caller runs worker 0 itself and asks torch's inter-op pool (at::launch)
 * for the others; a helper that starts before the caller has finished takes a share, one that
 * starts after finds the loop closed and returns without touching it. The caller waits only for
 * helpers that entered, so a late thread cannot stall a small batch.
 */
#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>

#include "ops/threads.h"

namespace torchq_ops {
namespace {

/// Shared between the caller and its helpers; it outlives the call (a helper may start after).
struct WorkerControl {
  std::atomic<int> active{0};       // helpers inside body
  std::atomic<bool> closed{false};  // set when the caller's body returned: late helpers leave
  std::mutex mutex;
  std::condition_variable idle;
  std::exception_ptr error;
  const torchq::FunctionRef<void(int)>* body = nullptr;  // valid while closed is false or active > 0

  void record(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) error = std::move(e);
  }
  void leave() {
    if (active.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mutex);
      idle.notify_all();
    }
  }
};

}  // namespace

void AtenExecutor::run_workers(int workers, torchq::FunctionRef<void(int worker)> body) const {
  workers = std::min(workers, num_threads_);
  if (workers <= 1 || at::in_parallel_region()) {
    body(0);
    return;
  }
  auto control = std::make_shared<WorkerControl>();
  control->body = &body;
  for (int w = 1; w < workers; ++w) {
    at::launch([control, w] {
      // Entering before reading `closed` (both sequentially consistent): if the caller saw no
      // helper active when it closed, this helper sees the loop closed and never calls body.
      control->active.fetch_add(1);
      if (!control->closed.load()) {
        try {
          (*control->body)(w);
        } catch (...) {
          control->record(std::current_exception());
        }
      }
      control->leave();
    });
  }
  try {
    body(0);
  } catch (...) {
    control->record(std::current_exception());
  }
  control->closed.store(true);
  {
    std::unique_lock<std::mutex> lock(control->mutex);
    control->idle.wait(lock, [&] { return control->active.load() == 0; });
  }
  if (control->error) std::rethrow_exception(control->error);
}

}  // namespace torchq_ops
