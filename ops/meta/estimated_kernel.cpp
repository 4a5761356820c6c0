/**
 * @file estimated_kernel.cpp
 * @brief Meta kernels of expval_estimated and _expval_estimated_backward: the estimator
 * arguments are checked as on the CPU, then only shapes: [B, K] with a symbolic batch size.
 */
#include <torch/library.h>

#include "ops/common.h"

namespace torchq_ops {
namespace {

void check_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                const at::Tensor& inputs, const char* op) {
  TORCH_CHECK_TYPE(program.scalar_type() == at::kDouble, "torchq: the program tensor must be float64, got ",
                   program.scalar_type());
  TORCH_CHECK_VALUE(program.dim() == 1, "torchq: the program tensor must be 1-D, got ", program.dim(), "-D");
  TORCH_CHECK_VALUE(observables.dim() == 2, "torchq: observables must be 2-D [num_observables, row_length]");
  for (const at::Tensor* t : {&observables, &weights, &inputs}) {
    TORCH_CHECK(t->device() == program.device(), "torchq.", op, ": all tensors must be on one device, got ",
                program.device(), " and ", t->device());
  }
  check_weights_inputs_shapes(weights, inputs, op);
}

at::Tensor expval_estimated_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                 const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories,
                                 int64_t seed) {
  estimator_options(mode, shots, trajectories, seed, "expval_estimated");
  check_meta(program, observables, weights, inputs, "expval_estimated");
  return weights.new_empty_symint({inputs.sym_size(0), observables.sym_size(0)});
}

std::tuple<at::Tensor, at::Tensor> expval_estimated_backward_meta(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
    bool need_weights, bool need_inputs) {
  estimator_options(mode, shots, trajectories, seed, "expval_estimated backward");
  check_meta(program, observables, weights, inputs, "expval_estimated backward");
  TORCH_CHECK(grad_out.device() == program.device(), "torchq.expval_estimated backward: all tensors must be on one "
              "device, got ", program.device(), " and ", grad_out.device(), " (grad_out)");
  auto grad_like = [&](const at::Tensor& t, bool needed) {
    return needed ? t.new_empty_symint(t.sym_sizes()) : weights.new_empty({0});
  };
  return {grad_like(weights, need_weights), grad_like(inputs, need_inputs)};
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("expval_estimated", &expval_estimated_meta);
  m.impl("_expval_estimated_backward", &expval_estimated_backward_meta);
}

}  // namespace torchq_ops
