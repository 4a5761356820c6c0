/**
 * @file expval_kernel.cpp
 * @brief Meta kernels of the expval family: shapes and dtypes only, with symbolic sizes, so
 * torch.compile and torch.export trace expval (a dynamic batch dimension included) without
 * running it and without Python fake kernels.
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor expval_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                       const at::Tensor& inputs) {
  return meta_observable_values(program, observables, weights, inputs, "expval");
}

std::tuple<at::Tensor, at::Tensor> expval_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                        const at::Tensor& observables, const at::Tensor& weights,
                                                        const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &observables, &weights, &inputs}, "expval backward");
  check_weights_inputs_shapes(weights, inputs, "expval backward");
  return meta_backward_outputs(weights, inputs, need_weights, need_inputs);
}

std::tuple<at::Tensor, at::Tensor> expval_backward_from_states_meta(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, const at::Tensor& final_states, bool need_weights, bool need_inputs) {
  check_same_device({&grad_out, &final_states}, "expval backward");
  return expval_backward_meta(grad_out, program, observables, weights, inputs, need_weights, need_inputs);
}

std::tuple<at::Tensor, at::Tensor> expval_keep_states_meta(const at::Tensor& program, const at::Tensor& observables,
                                                           const at::Tensor& weights, const at::Tensor& inputs) {
  check_program_meta(program);
  // The kept states' shape [B, 2^n] holds n, which is in the program's data. expval's autograd
  // kernel uses this op only on real CPU tensors, never while tracing.
  refuse_meta_data("_expval_keep_states", "the kept states' size [B, 2^n] comes from");
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("expval", &expval_meta);
  m.impl("_expval_backward", &expval_backward_meta);
  m.impl("_expval_backward_from_states", &expval_backward_from_states_meta);
  m.impl("_expval_keep_states", &expval_keep_states_meta);
}

}  // namespace torchq_ops
