/**
 * @file expval_estimated_kernel.cpp
 * @brief Meta kernels of expval_estimated and _expval_estimated_backward: the estimator
 * arguments are checked as on the CPU, then only shapes: [B, K] with a symbolic batch size.
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor expval_estimated_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                 const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories,
                                 int64_t seed) {
  estimator_options(mode, shots, trajectories, seed, "expval_estimated");
  return meta_observable_values(program, observables, weights, inputs, "expval_estimated");
}

std::tuple<at::Tensor, at::Tensor> expval_estimated_backward_meta(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
    bool need_weights, bool need_inputs) {
  const char* name = "expval_estimated backward";
  estimator_options(mode, shots, trajectories, seed, name);
  check_observable_call_meta(program, observables, weights, inputs, name);
  check_same_device({&program, &grad_out}, name);
  return meta_backward_outputs(weights, inputs, need_weights, need_inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("expval_estimated", &expval_estimated_meta);
  m.impl("_expval_estimated_backward", &expval_estimated_backward_meta);
}

}  // namespace torchq_ops
