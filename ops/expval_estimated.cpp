/**
 * @file expval_estimated.cpp
 * @brief The expval_estimated family's schemas and dispatcher wrappers. Kernels: ops/cpu,
 * ops/meta and ops/autograd expval_estimated_kernel.cpp.
 */
#include "ops/expval_estimated.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("expval_estimated(Tensor program, Tensor observables, Tensor weights, Tensor inputs, str mode, int shots, "
        "int trajectories, int seed) -> Tensor");
  m.def("_expval_estimated_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, "
        "Tensor inputs, str mode, int shots, int trajectories, int seed, bool need_weights, bool need_inputs) "
        "-> (Tensor, Tensor)");
}

namespace torchq_ops {
namespace detail {

at::Tensor expval_estimated(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                            const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories,
                            int64_t seed) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::expval_estimated", "")
                       .typed<decltype(detail::expval_estimated)>();
  return op.call(program, observables, weights, inputs, mode, shots, trajectories, seed);
}

std::tuple<at::Tensor, at::Tensor> _expval_estimated_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                              const at::Tensor& observables, const at::Tensor& weights,
                                                              const at::Tensor& inputs, c10::string_view mode,
                                                              int64_t shots, int64_t trajectories, int64_t seed,
                                                              bool need_weights, bool need_inputs) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_estimated_backward", "")
                       .typed<decltype(_expval_estimated_backward)>();
  return op.call(grad_out, program, observables, weights, inputs, mode, shots, trajectories, seed, need_weights,
                 need_inputs);
}

}  // namespace detail

at::Tensor expval_estimated(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                            const at::Tensor& inputs, const std::string& mode, int64_t shots, int64_t trajectories,
                            int64_t seed) {
  return detail::expval_estimated(program, observables, weights, inputs, mode, shots, trajectories, seed);
}

}  // namespace torchq_ops
