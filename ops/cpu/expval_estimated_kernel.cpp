/**
 * @file expval_estimated_kernel.cpp
 * @brief CPU kernels of expval_estimated and _expval_estimated_backward: check, then call the
 * core's estimators (torchq/estimators.h: statevector, trajectories or density matrix, exact or
 * with shots; gradients by the adjoint method or parameter shift).
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

namespace torchq_ops {
namespace {

at::Tensor expval_estimated_cpu(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories,
                                int64_t seed) {
  const torchq::EstimatorOptions opt = estimator_options(mode, shots, trajectories, seed, "expval_estimated");
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, "expval_estimated");
  Outputs outputs("expval_estimated");
  at::Tensor out = outputs.empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval_estimated", [&] {
    call_core("expval_estimated", [&] {
      torchq::expval_estimated<scalar_t>(c, obs, batch_view<scalar_t>(c, b), opt, out.data_ptr<scalar_t>(),
                                         share.executor());
    });
  });
  return out;
}

std::tuple<at::Tensor, at::Tensor> expval_estimated_backward_cpu(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
    bool need_weights, bool need_inputs) {
  const char* name = "expval_estimated backward";
  const torchq::EstimatorOptions opt = estimator_options(mode, shots, trajectories, seed, name);
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, name);
  const BackwardOutputs grads(grad_out, {b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.scalar_type(), b,
                              need_weights, need_inputs, name);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval_estimated_backward", [&] {
    call_core(name, [&] {
      torchq::expval_estimated_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), opt,
                                                  grads.grad_out().data_ptr<scalar_t>(), grads.grad_weights<scalar_t>(),
                                                  grads.grad_inputs<scalar_t>(), share.executor());
    });
  });
  return grads.result();
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("expval_estimated", &expval_estimated_cpu);
  m.impl("_expval_estimated_backward", &expval_estimated_backward_cpu);
}

}  // namespace torchq_ops
