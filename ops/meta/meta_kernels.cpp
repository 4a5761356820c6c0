/**
 * @file meta_kernels.cpp
 * @brief Meta kernels of every torchq op: shapes and dtypes only, with symbolic sizes, so
 * torch.compile and torch.export trace the ops (a dynamic batch dimension included) without
 * running them and without Python fake kernels.
 */
#include <torch/library.h>

#include "ops/common.h"

namespace torchq_ops {
namespace {

/// Real kernels refuse tensors on different devices; so must the shape-only ones.
void check_same_device(std::initializer_list<const at::Tensor*> tensors, const char* op) {
  const at::Device d = (*tensors.begin())->device();
  for (const at::Tensor* t : tensors) {
    TORCH_CHECK(t->device() == d, "torchq.", op, ": all tensors must be on one device, got ", d, " and ", t->device());
  }
}

void check_program_meta(const at::Tensor& program) {
  TORCH_CHECK_TYPE(program.scalar_type() == at::kDouble, "torchq: the program tensor must be float64, got ",
                   program.scalar_type());
  TORCH_CHECK_VALUE(program.dim() == 1, "torchq: the program tensor must be 1-D, got ", program.dim(), "-D");
}

at::Tensor grad_like(const at::Tensor& t, bool needed) {
  return needed ? t.new_empty_symint(t.sym_sizes()) : t.new_empty({0});
}

at::Tensor expval_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                       const at::Tensor& inputs) {
  check_program_meta(program);
  TORCH_CHECK_VALUE(observables.dim() == 2, "torchq: observables must be 2-D [num_observables, row_length]");
  check_same_device({&program, &observables, &weights, &inputs}, "expval");
  check_weights_inputs_shapes(weights, inputs, "expval");
  return weights.new_empty_symint({inputs.sym_size(0), observables.sym_size(0)});
}

std::tuple<at::Tensor, at::Tensor> expval_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                        const at::Tensor& observables, const at::Tensor& weights,
                                                        const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &observables, &weights, &inputs}, "expval backward");
  check_weights_inputs_shapes(weights, inputs, "expval backward");
  return {grad_like(weights, need_weights), need_inputs ? grad_like(inputs, true) : weights.new_empty({0})};
}

std::tuple<at::Tensor, at::Tensor> expval_backward_from_states_meta(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, const at::Tensor& final_states, bool need_weights, bool need_inputs) {
  check_same_device({&grad_out, &final_states}, "expval backward");
  return expval_backward_meta(grad_out, program, observables, weights, inputs, need_weights, need_inputs);
}

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
  return {grad_like(weights, need_weights), need_inputs ? grad_like(inputs, true) : weights.new_empty({0})};
}

at::ScalarType complex_of(const at::Tensor& weights) {
  return weights.scalar_type() == at::kFloat ? at::kComplexFloat : at::kComplexDouble;
}

at::Tensor state_meta(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                      int64_t num_qubits) {
  check_program_meta(program);
  check_same_device({&program, &weights, &inputs}, "state");
  check_weights_inputs_shapes(weights, inputs, "state");
  TORCH_CHECK_VALUE(num_qubits >= 1 && num_qubits <= torchq::kMaxQubits, "torchq.state: num_qubits must be in [1, ",
                    torchq::kMaxQubits, "], got ", num_qubits);
  return weights.new_empty_symint({inputs.sym_size(0), c10::SymInt(int64_t{1} << num_qubits)},
                                  weights.options().dtype(complex_of(weights)));
}

std::tuple<at::Tensor, at::Tensor> state_backward_meta(const at::Tensor& grad_out, const at::Tensor& program,
                                                       const at::Tensor& weights, const at::Tensor& inputs,
                                                       int64_t num_qubits, bool need_weights, bool need_inputs) {
  check_program_meta(program);
  check_same_device({&grad_out, &program, &weights, &inputs}, "state backward");
  check_weights_inputs_shapes(weights, inputs, "state backward");
  return {grad_like(weights, need_weights), need_inputs ? grad_like(inputs, true) : weights.new_empty({0})};
}

at::Tensor sample_meta(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                       at::IntArrayRef wires, int64_t shots, int64_t seed) {
  check_program_meta(program);
  check_same_device({&program, &weights, &inputs}, "sample");
  check_weights_inputs_shapes(weights, inputs, "sample");
  TORCH_CHECK_VALUE(shots >= 1 && shots <= torchq::kMaxShots, "torchq.sample: shots must be >= 1 and at most 2^40, got ",
                    shots);
  return weights.new_empty_symint({inputs.sym_size(0), c10::SymInt(shots), c10::SymInt(static_cast<int64_t>(wires.size()))},
                                  weights.options().dtype(at::kLong));
}

/// The ops whose results are the program's data, not its shape, cannot run on a meta program:
/// say so, and how the meta-device idiom gets real buffers.
[[noreturn]] void refuse_meta_data(const char* op, const char* needs) {
  TORCH_CHECK(false, "torchq.", op, ": ", needs, " the program's values, and a meta tensor has none. Build the "
              "layer on the CPU, or, after creating it under torch.device('meta'), load real buffers with "
              "load_state_dict(..., assign=True) (or module.to_empty(device='cpu') and a state dict) before calling it");
}

std::vector<int64_t> program_info_meta(const at::Tensor& program) {
  check_program_meta(program);
  refuse_meta_data("program_info", "the version, qubit, weight, input and operation counts are");
}

std::string draw_meta(const at::Tensor& program) {
  check_program_meta(program);
  refuse_meta_data("draw", "a drawing shows");
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
  m.impl("var", &expval_meta);  // same shapes as expval
  m.impl("_expval_backward", &expval_backward_meta);
  m.impl("_var_backward", &expval_backward_meta);  // same shapes
  m.impl("_expval_backward_from_states", &expval_backward_from_states_meta);
  m.impl("_expval_keep_states", &expval_keep_states_meta);
  m.impl("program_info", &program_info_meta);
  m.impl("draw", &draw_meta);
  m.impl("probs", &probs_meta);
  m.impl("_probs_backward", &probs_backward_meta);
  m.impl("state", &state_meta);
  m.impl("_state_backward", &state_backward_meta);
  m.impl("sample", &sample_meta);
}

}  // namespace torchq_ops
