/**
 * @file var_kernel.cpp
 * @brief CPU kernels of var and _var_backward: check, then call the core.
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

namespace torchq_ops {
namespace {

at::Tensor var_cpu(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                   const at::Tensor& inputs) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, "var");
  Outputs outputs("var");
  at::Tensor out = outputs.empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_var", [&] {
    call_core("var", [&] { torchq::variance<scalar_t>(c, obs, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor()); });
  });
  return out;
}

std::tuple<at::Tensor, at::Tensor> var_backward_cpu(const at::Tensor& grad_out, const at::Tensor& program,
                                                    const at::Tensor& observables, const at::Tensor& weights,
                                                    const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  const char* name = "var backward";
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, name);
  const BackwardOutputs grads(grad_out, {b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.scalar_type(), b,
                              need_weights, need_inputs, name);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_var_backward", [&] {
    call_core(name, [&] {
      torchq::adjoint_variance_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), grads.grad_out().data_ptr<scalar_t>(),
                                                  grads.grad_weights<scalar_t>(), grads.grad_inputs<scalar_t>(),
                                                  share.executor());
    });
  });
  return grads.result();
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("var", &var_cpu);
  m.impl("_var_backward", &var_backward_cpu);
}

}  // namespace torchq_ops
