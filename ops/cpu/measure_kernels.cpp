/**
 * @file measure_kernels.cpp
 * @brief CPU kernels of probs, state, sample, their backward ops, and program_info.
 */
#include <torch/library.h>

#include "ops/common.h"

namespace torchq_ops {
namespace {

at::Tensor probs_cpu(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                     at::IntArrayRef wires) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto w = wires_from_list(wires, c.circuit.num_qubits(), "probs");
  const Batch b = check_batch(c, weights, inputs, "probs");
  Outputs outputs("probs");
  at::Tensor out = outputs.empty({b.batch_size, int64_t{1} << w.size()}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_probs", [&] {
    call_core("probs", [&] { torchq::probs<scalar_t>(c, w, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor()); });
  });
  return out;
}

std::tuple<at::Tensor, at::Tensor> probs_backward_cpu(const at::Tensor& grad_out, const at::Tensor& program,
                                                      const at::Tensor& weights, const at::Tensor& inputs,
                                                      at::IntArrayRef wires, bool need_weights, bool need_inputs) {
  check_cpu(grad_out, "grad_out", "probs backward");
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto w = wires_from_list(wires, c.circuit.num_qubits(), "probs backward");
  const Batch b = check_batch(c, weights, inputs, "probs backward");
  TORCH_CHECK_VALUE(grad_out.dim() == 2 && grad_out.size(0) == b.batch_size && grad_out.size(1) == (int64_t{1} << w.size()),
                    "torchq.probs backward: grad_out must have shape [", b.batch_size, ", ", int64_t{1} << w.size(),
                    "], got ", grad_out.sizes());
  const at::Tensor g = grad_out.to(b.weights.scalar_type()).contiguous();
  Outputs outputs("probs backward");
  at::Tensor gw = outputs.grad_for(b.weights, need_weights);
  at::Tensor gx = outputs.grad_for(b.inputs, need_inputs);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_probs_backward", [&] {
    call_core("probs backward", [&] {
      torchq::adjoint_probs_backward<scalar_t>(c, w, batch_view<scalar_t>(c, b), g.data_ptr<scalar_t>(),
                                               need_weights ? gw.data_ptr<scalar_t>() : nullptr,
                                               need_inputs && gx.numel() > 0 ? gx.data_ptr<scalar_t>() : nullptr,
                                               share.executor());
    });
  });
  return {gw, gx};
}

void check_num_qubits(const torchq::CompiledCircuit& c, int64_t num_qubits, const char* op) {
  TORCH_CHECK_VALUE(num_qubits == c.circuit.num_qubits(), "torchq.", op, ": num_qubits=", num_qubits,
                    " but the program has ", c.circuit.num_qubits(), " qubits; pass the program's qubit count");
}

at::Tensor state_cpu(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                     int64_t num_qubits) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  check_num_qubits(c, num_qubits, "state");
  const Batch b = check_batch(c, weights, inputs, "state");
  // The output holds B full states: the guard refuses them before they are allocated.
  Outputs outputs("state");
  at::Tensor out = outputs.empty({b.batch_size, int64_t{1} << num_qubits},
                                 b.weights.options().dtype(complex_dtype(b.weights.scalar_type())));
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_state", [&] {
    auto* o = reinterpret_cast<torchq::Complex<scalar_t>*>(out.data_ptr());
    call_core("state", [&] { torchq::final_state<scalar_t>(c, batch_view<scalar_t>(c, b), o, share.executor()); });
  });
  return out;
}

std::tuple<at::Tensor, at::Tensor> state_backward_cpu(const at::Tensor& grad_out, const at::Tensor& program,
                                                      const at::Tensor& weights, const at::Tensor& inputs,
                                                      int64_t num_qubits, bool need_weights, bool need_inputs) {
  check_cpu(grad_out, "grad_out", "state backward");
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  check_num_qubits(c, num_qubits, "state backward");
  const Batch b = check_batch(c, weights, inputs, "state backward");
  TORCH_CHECK_VALUE(grad_out.dim() == 2 && grad_out.size(0) == b.batch_size && grad_out.size(1) == (int64_t{1} << num_qubits),
                    "torchq.state backward: grad_out must have shape [", b.batch_size, ", ", int64_t{1} << num_qubits,
                    "], got ", grad_out.sizes());
  const at::Tensor g = grad_out.to(complex_dtype(b.weights.scalar_type())).contiguous();
  Outputs outputs("state backward");
  at::Tensor gw = outputs.grad_for(b.weights, need_weights);
  at::Tensor gx = outputs.grad_for(b.inputs, need_inputs);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_state_backward", [&] {
    const auto* gp = reinterpret_cast<const torchq::Complex<scalar_t>*>(g.data_ptr());
    call_core("state backward", [&] {
      torchq::adjoint_state_backward<scalar_t>(c, batch_view<scalar_t>(c, b), gp,
                                               need_weights ? gw.data_ptr<scalar_t>() : nullptr,
                                               need_inputs && gx.numel() > 0 ? gx.data_ptr<scalar_t>() : nullptr,
                                               share.executor());
    });
  });
  return {gw, gx};
}

at::Tensor sample_cpu(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                      at::IntArrayRef wires, int64_t shots, int64_t seed) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto w = wires_from_list(wires, c.circuit.num_qubits(), "sample");
  TORCH_CHECK_VALUE(shots >= 1 && shots <= torchq::kMaxShots, "torchq.sample: shots must be >= 1 and at most 2^40, got ",
                    shots);
  const Batch b = check_batch(c, weights, inputs, "sample");
  Outputs outputs("sample");
  at::Tensor out = outputs.empty({b.batch_size, shots, static_cast<int64_t>(w.size())}, b.weights.options().dtype(at::kLong));
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_sample", [&] {
    call_core("sample", [&] {
      torchq::sample<scalar_t>(c, w, batch_view<scalar_t>(c, b), shots, static_cast<std::uint64_t>(seed),
                               out.data_ptr<int64_t>(), share.executor());
    });
  });
  return out;
}

std::vector<int64_t> program_info_cpu(const at::Tensor& program) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  return {torchq::kProgramVersion, c.circuit.num_qubits(), c.circuit.num_weights(), c.circuit.num_inputs(),
          static_cast<int64_t>(c.circuit.operations().size())};
}

std::string draw_cpu(const at::Tensor& program) { return torchq::draw(program_from_tensor(program)->circuit); }

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("probs", &probs_cpu);
  m.impl("_probs_backward", &probs_backward_cpu);
  m.impl("state", &state_cpu);
  m.impl("_state_backward", &state_backward_cpu);
  m.impl("sample", &sample_cpu);
  m.impl("program_info", &program_info_cpu);
  m.impl("draw", &draw_cpu);
}

}  // namespace torchq_ops
