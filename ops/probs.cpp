/**
 * @file probs.cpp
 * @brief The probs family's schemas and dispatcher wrappers. Kernels: ops/cpu, ops/meta and
 * ops/autograd probs_kernel.cpp.
 */
#include "ops/probs.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("probs(Tensor program, Tensor weights, Tensor inputs, int[] wires) -> Tensor");
  m.def("_probs_backward(Tensor grad_out, Tensor program, Tensor weights, Tensor inputs, int[] wires, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
}

namespace torchq_ops {

at::Tensor probs(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                 at::IntArrayRef wires) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::probs", "").typed<decltype(probs)>();
  return op.call(program, weights, inputs, wires);
}

std::tuple<at::Tensor, at::Tensor> detail::_probs_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           at::IntArrayRef wires, bool need_weights,
                                                           bool need_inputs) {
  static auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("torchq::_probs_backward", "").typed<decltype(_probs_backward)>();
  return op.call(grad_out, program, weights, inputs, wires, need_weights, need_inputs);
}

}  // namespace torchq_ops
