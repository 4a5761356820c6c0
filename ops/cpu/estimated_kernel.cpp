/**
 * @file estimated_kernel.cpp
 * @brief CPU kernels of expval_estimated and _expval_estimated_backward: check, then call the
 * core's estimators (torchq/estimators.h: statevector, trajectories or density matrix, exact or
 * with shots; gradients by the adjoint method or parameter shift).
 */
#include <torch/library.h>

#include "ops/common.h"

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
  check_cpu(grad_out, "grad_out", name);
  const torchq::EstimatorOptions opt = estimator_options(mode, shots, trajectories, seed, name);
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, name);
  TORCH_CHECK_VALUE(grad_out.dim() == 2 && grad_out.size(0) == b.batch_size &&
                        grad_out.size(1) == static_cast<int64_t>(obs.size()),
                    "torchq.", name, ": grad_out must have shape [", b.batch_size, ", ", obs.size(), "], got ",
                    grad_out.sizes());
  const at::Tensor g = grad_out.to(b.weights.scalar_type()).contiguous();
  Outputs outputs(name);
  at::Tensor gw = outputs.grad_for(b.weights, need_weights);
  at::Tensor gx = outputs.grad_for(b.inputs, need_inputs);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval_estimated_backward", [&] {
    scalar_t* gwp = need_weights && gw.numel() > 0 ? gw.data_ptr<scalar_t>() : nullptr;
    scalar_t* gxp = need_inputs && gx.numel() > 0 ? gx.data_ptr<scalar_t>() : nullptr;
    call_core(name, [&] {
      torchq::expval_estimated_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), opt, g.data_ptr<scalar_t>(), gwp,
                                                  gxp, share.executor());
    });
  });
  return {gw, gx};
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("expval_estimated", &expval_estimated_cpu);
  m.impl("_expval_estimated_backward", &expval_estimated_backward_cpu);
}

}  // namespace torchq_ops
