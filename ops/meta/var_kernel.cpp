/**
 * @file var_kernel.cpp
 * @brief Meta kernels of var and _var_backward: shapes only ([B, K], as expval).
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor var_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                    const at::Tensor& inputs) {
  return meta_observable_values(program, observables, weights, inputs, "var");
}

std::tuple<at::Tensor, at::Tensor> var_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                     const at::Tensor& observables, const at::Tensor& weights,
                                                     const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &observables, &weights, &inputs}, "var backward");
  check_weights_inputs_shapes(weights, inputs, "var backward");
  return meta_backward_outputs(weights, inputs, need_weights, need_inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("var", &var_meta);
  m.impl("_var_backward", &var_backward_meta);
}

}  // namespace torchq_ops
