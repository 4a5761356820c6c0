/**
 * @file state_kernel.cpp
 * @brief Meta kernels of state and _state_backward: shapes only, complex [B, 2^n] (n is an
 * argument of the op, so the Meta kernel needs no program data).
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor state_meta(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                      int64_t num_qubits) {
  check_program_meta(program);
  check_same_device({&program, &weights, &inputs}, "state");
  check_weights_inputs_shapes(weights, inputs, "state");
  TORCH_CHECK_VALUE(num_qubits >= 1 && num_qubits <= torchq::kMaxQubits, "torchq.state: num_qubits must be in [1, ",
                    torchq::kMaxQubits, "], got ", num_qubits);
  return weights.new_empty_symint({inputs.sym_size(0), c10::SymInt(int64_t{1} << num_qubits)},
                                  weights.options().dtype(complex_dtype(weights.scalar_type())));
}

std::tuple<at::Tensor, at::Tensor> state_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                       const at::Tensor& weights, const at::Tensor& inputs,
                                                       int64_t num_qubits, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &weights, &inputs}, "state backward");
  check_weights_inputs_shapes(weights, inputs, "state backward");
  return meta_backward_outputs(weights, inputs, need_weights, need_inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("state", &state_meta);
  m.impl("_state_backward", &state_backward_meta);
}

}  // namespace torchq_ops
