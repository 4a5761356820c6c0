/**
 * @file probs_kernel.cpp
 * @brief CPU kernels of probs and _probs_backward: check, then call the core.
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

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
  const char* name = "probs backward";
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto w = wires_from_list(wires, c.circuit.num_qubits(), name);
  const Batch b = check_batch(c, weights, inputs, name);
  const BackwardOutputs grads(grad_out, {b.batch_size, int64_t{1} << w.size()}, b.weights.scalar_type(), b,
                              need_weights, need_inputs, name);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_probs_backward", [&] {
    call_core(name, [&] {
      torchq::adjoint_probs_backward<scalar_t>(c, w, batch_view<scalar_t>(c, b), grads.grad_out().data_ptr<scalar_t>(),
                                               grads.grad_weights<scalar_t>(), grads.grad_inputs<scalar_t>(),
                                               share.executor());
    });
  });
  return grads.result();
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("probs", &probs_cpu);
  m.impl("_probs_backward", &probs_backward_cpu);
}

}  // namespace torchq_ops
