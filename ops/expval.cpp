/**
 * @file expval.cpp
 * @brief The expval family's schemas and dispatcher wrappers. Kernels: ops/cpu, ops/meta and
 * ops/autograd expval_kernel.cpp.
 */
#include "ops/expval.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("expval(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> Tensor");
  m.def("_expval_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, Tensor inputs, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  // expval's training pair: the forward also returns the final states [B, 2^n] (complex), which
  // the backward starts its sweep from (used by expval's autograd kernel when they fit).
  m.def("_expval_keep_states(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> (Tensor, Tensor)");
  m.def("_expval_backward_from_states(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, "
        "Tensor inputs, Tensor final_states, bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
}

namespace torchq_ops {

at::Tensor expval(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                  const at::Tensor& inputs) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::expval", "").typed<decltype(expval)>();
  return op.call(program, observables, weights, inputs);
}

namespace detail {

std::tuple<at::Tensor, at::Tensor> _expval_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                    const at::Tensor& observables, const at::Tensor& weights,
                                                    const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  static auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("torchq::_expval_backward", "").typed<decltype(_expval_backward)>();
  return op.call(grad_out, program, observables, weights, inputs, need_weights, need_inputs);
}

std::tuple<at::Tensor, at::Tensor> _expval_keep_states(const at::Tensor& program, const at::Tensor& observables,
                                                       const at::Tensor& weights, const at::Tensor& inputs) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_keep_states", "")
                       .typed<decltype(_expval_keep_states)>();
  return op.call(program, observables, weights, inputs);
}

std::tuple<at::Tensor, at::Tensor> _expval_backward_from_states(const at::Tensor& grad_out, const at::Tensor& program,
                                                                const at::Tensor& observables,
                                                                const at::Tensor& weights, const at::Tensor& inputs,
                                                                const at::Tensor& final_states, bool need_weights,
                                                                bool need_inputs) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_backward_from_states", "")
                       .typed<decltype(_expval_backward_from_states)>();
  return op.call(grad_out, program, observables, weights, inputs, final_states, need_weights, need_inputs);
}

}  // namespace detail
}  // namespace torchq_ops
