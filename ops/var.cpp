/**
 * @file var.cpp
 * @brief The var family's schemas and dispatcher wrappers. Kernels: ops/cpu, ops/meta and
 * ops/autograd var_kernel.cpp.
 */
#include "ops/var.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("var(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> Tensor");
  m.def("_var_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, Tensor inputs, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
}

namespace torchq_ops {

at::Tensor var(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
               const at::Tensor& inputs) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::var", "").typed<decltype(var)>();
  return op.call(program, observables, weights, inputs);
}

std::tuple<at::Tensor, at::Tensor> detail::_var_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                         const at::Tensor& observables, const at::Tensor& weights,
                                                         const at::Tensor& inputs, bool need_weights,
                                                         bool need_inputs) {
  static auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("torchq::_var_backward", "").typed<decltype(_var_backward)>();
  return op.call(grad_out, program, observables, weights, inputs, need_weights, need_inputs);
}

}  // namespace torchq_ops
