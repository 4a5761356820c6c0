/**
 * @file state.cpp
 * @brief The state family's schemas and dispatcher wrappers. Kernels: ops/cpu, ops/meta and
 * ops/autograd state_kernel.cpp.
 */
#include "ops/state.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("state(Tensor program, Tensor weights, Tensor inputs, int num_qubits) -> Tensor");
  m.def("_state_backward(Tensor grad_out, Tensor program, Tensor weights, Tensor inputs, int num_qubits, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
}

namespace torchq_ops {

at::Tensor state(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs, int64_t num_qubits) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::state", "").typed<decltype(state)>();
  return op.call(program, weights, inputs, num_qubits);
}

std::tuple<at::Tensor, at::Tensor> detail::_state_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           int64_t num_qubits, bool need_weights, bool need_inputs) {
  static auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("torchq::_state_backward", "").typed<decltype(_state_backward)>();
  return op.call(grad_out, program, weights, inputs, num_qubits, need_weights, need_inputs);
}

}  // namespace torchq_ops
