/**
 * @file expval_kernel.cpp
 * @brief CPU kernels of the expval family: check, then call the core.
 *
 * _expval_keep_states / _expval_backward_from_states are expval's training pair: the forward
 * keeps each sample's final state (the circuit runs in it), so the adjoint sweep starts from it
 * instead of running the circuit again (see ops/autograd/expval_kernel.cpp for when).
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

namespace torchq_ops {
namespace {

at::Tensor expval_cpu(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                      const at::Tensor& inputs) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, "expval");
  Outputs outputs("expval");
  at::Tensor out = outputs.empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval", [&] {
    call_core("expval", [&] { torchq::expval<scalar_t>(c, obs, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor()); });
  });
  return out;
}

std::tuple<at::Tensor, at::Tensor> expval_keep_states_cpu(const at::Tensor& program, const at::Tensor& observables,
                                                          const at::Tensor& weights, const at::Tensor& inputs) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const int n = c.circuit.num_qubits();
  const auto obs = observables_from_tensor(observables, n);
  const Batch b = check_batch(c, weights, inputs, "expval");
  // The kept states are B full states: the guard refuses them before they are allocated.
  Outputs outputs("expval (keeping the final states for backward)");
  at::Tensor out = outputs.empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  at::Tensor states =
      outputs.empty({b.batch_size, int64_t{1} << n}, b.weights.options().dtype(complex_dtype(b.weights.scalar_type())));
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval_keep_states", [&] {
    auto* kept = reinterpret_cast<torchq::Complex<scalar_t>*>(states.data_ptr());
    call_core("expval", [&] {
      torchq::expval<scalar_t>(c, obs, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor(), kept);
    });
  });
  return {out, states};
}

/// _expval_backward, or _expval_backward_from_states when kept_states is given.
std::tuple<at::Tensor, at::Tensor> backward_impl(const at::Tensor& grad_out, const at::Tensor& program,
                                                 const at::Tensor& observables, const at::Tensor& weights,
                                                 const at::Tensor& inputs, const at::Tensor* kept_states,
                                                 bool need_weights, bool need_inputs) {
  const char* name = "expval backward";
  if (kept_states != nullptr) check_cpu(*kept_states, "final_states", name);
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, name);
  const BackwardOutputs grads(grad_out, {b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.scalar_type(), b,
                              need_weights, need_inputs, name);
  at::Tensor kept;
  if (kept_states != nullptr) {
    const at::ScalarType ct = complex_dtype(b.weights.scalar_type());
    const int64_t size = int64_t{1} << c.circuit.num_qubits();
    TORCH_CHECK_VALUE(kept_states->scalar_type() == ct && kept_states->dim() == 2 &&
                          kept_states->size(0) == b.batch_size && kept_states->size(1) == size,
                      "torchq.", name, ": final_states must be the ", ct, " CPU tensor [", b.batch_size, ", ", size,
                      "] that torchq::_expval_keep_states returned, got ", kept_states->scalar_type(), " ",
                      kept_states->sizes(), " on ", kept_states->device());
    kept = kept_states->contiguous();
  }
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval_backward", [&] {
    const auto* kp = kept.defined() ? reinterpret_cast<const torchq::Complex<scalar_t>*>(kept.data_ptr()) : nullptr;
    call_core(name, [&] {
      torchq::adjoint_expval_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), grads.grad_out().data_ptr<scalar_t>(),
                                                grads.grad_weights<scalar_t>(), grads.grad_inputs<scalar_t>(),
                                                share.executor(), kp);
    });
  });
  return grads.result();
}

std::tuple<at::Tensor, at::Tensor> expval_backward_cpu(const at::Tensor& grad_out, const at::Tensor& program,
                                                       const at::Tensor& observables, const at::Tensor& weights,
                                                       const at::Tensor& inputs, bool need_weights, bool need_inputs) {
  return backward_impl(grad_out, program, observables, weights, inputs, nullptr, need_weights, need_inputs);
}

std::tuple<at::Tensor, at::Tensor> expval_backward_from_states_cpu(const at::Tensor& grad_out,
                                                                   const at::Tensor& program,
                                                                   const at::Tensor& observables,
                                                                   const at::Tensor& weights, const at::Tensor& inputs,
                                                                   const at::Tensor& final_states, bool need_weights,
                                                                   bool need_inputs) {
  return backward_impl(grad_out, program, observables, weights, inputs, &final_states, need_weights, need_inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("expval", &expval_cpu);
  m.impl("_expval_backward", &expval_backward_cpu);
  m.impl("_expval_keep_states", &expval_keep_states_cpu);
  m.impl("_expval_backward_from_states", &expval_backward_from_states_cpu);
}

}  // namespace torchq_ops
