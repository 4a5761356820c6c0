/**
 * @file probs_kernel.cpp
 * @brief Meta kernels of probs and _probs_backward: shapes only, [B, 2^m] for m wires.
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor probs_meta(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                      at::IntArrayRef wires) {
  check_program_meta(program);
  check_same_device({&program, &weights, &inputs}, "probs");
  check_weights_inputs_shapes(weights, inputs, "probs");
  TORCH_CHECK_VALUE(!wires.empty() && wires.size() <= torchq::kMaxQubits, "torchq.probs: give 1 to ",
                    torchq::kMaxQubits, " wires, got ", wires.size());
  return weights.new_empty_symint({inputs.sym_size(0), c10::SymInt(int64_t{1} << wires.size())});
}

std::tuple<at::Tensor, at::Tensor> probs_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                       const at::Tensor& weights, const at::Tensor& inputs,
                                                       at::IntArrayRef wires, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &weights, &inputs}, "probs backward");
  check_weights_inputs_shapes(weights, inputs, "probs backward");
  return meta_backward_outputs(weights, inputs, need_weights, need_inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("probs", &probs_meta);
  m.impl("_probs_backward", &probs_backward_meta);
}

}  // namespace torchq_ops
