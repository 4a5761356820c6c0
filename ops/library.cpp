/**
 * @file library.cpp
 * @brief The one TORCH_LIBRARY(torchq, m) block (a namespace has exactly one; every op family
 * adds its schemas with TORCH_LIBRARY_FRAGMENT in ops/<op>.cpp), holding the ops that belong to
 * no op family: the thread setting and the program cache's diagnostics.
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include "ops/program_cache.h"
#include "ops/threads.h"
#include "ops/torchq_ops.h"

namespace torchq_ops {
namespace {

int64_t get_num_threads_impl() { return configured_threads(); }

}  // namespace

void set_num_threads(int64_t num_threads) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::set_num_threads", "").typed<decltype(set_num_threads)>();
  op.call(num_threads);
}

int64_t get_num_threads() {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::get_num_threads", "").typed<decltype(get_num_threads)>();
  return op.call();
}

}  // namespace torchq_ops

TORCH_LIBRARY(torchq, m) {
  m.def("set_num_threads(int num_threads) -> ()", &torchq_ops::set_thread_override);
  m.def("get_num_threads() -> int", &torchq_ops::get_num_threads_impl);
  // [entries, bytes, entry limit, byte limit] of the compiled-program cache (tests, diagnostics).
  m.def("_program_cache_info() -> int[]", &torchq_ops::program_cache_usage);
}
