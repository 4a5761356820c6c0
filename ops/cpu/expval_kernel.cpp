/**
 * @file expval_kernel.cpp
 * @brief CPU kernels of expval, var and _expval_backward: check, then call the core.
 */
#include <torch/library.h>

#include "ops/common.h"

namespace torchq_ops {
namespace {

at::Tensor expval_cpu(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                      const at::Tensor& inputs) {
  const auto c = program_from_tensor(program);
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, "expval");
  at::Tensor out = at::empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_expval", [&] {
    call_core("expval", [&] { torchq::expval<scalar_t>(c, obs, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor()); });
  });
  return out;
}

at::Tensor var_cpu(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                   const at::Tensor& inputs) {
  const auto c = program_from_tensor(program);
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, "var");
  at::Tensor out = at::empty({b.batch_size, static_cast<int64_t>(obs.size())}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_var", [&] {
    call_core("var", [&] { torchq::variance<scalar_t>(c, obs, batch_view<scalar_t>(c, b), out.data_ptr<scalar_t>(), share.executor()); });
  });
  return out;
}

/// The backward of an observable op: Core is adjoint_expval_backward or adjoint_variance_backward.
enum class Measured { kExpval, kVar };

template <Measured M>
std::tuple<at::Tensor, at::Tensor> observable_backward_cpu(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& observables, const at::Tensor& weights,
                                                           const at::Tensor& inputs, bool need_weights,
                                                           bool need_inputs) {
  const char* name = M == Measured::kExpval ? "expval backward" : "var backward";
  const auto c = program_from_tensor(program);
  const auto obs = observables_from_tensor(observables, c.circuit.num_qubits());
  const Batch b = check_batch(c, weights, inputs, name);
  TORCH_CHECK_VALUE(grad_out.dim() == 2 && grad_out.size(0) == b.batch_size &&
                        grad_out.size(1) == static_cast<int64_t>(obs.size()),
                    "torchq.", name, ": grad_out must have shape [", b.batch_size, ", ", obs.size(), "], got ",
                    grad_out.sizes());
  const at::Tensor g = grad_out.to(b.weights.scalar_type()).contiguous();
  at::Tensor gw = need_weights ? at::empty_like(b.weights) : at::empty({0}, b.weights.options());
  at::Tensor gx = need_inputs ? at::empty_like(b.inputs) : at::empty({0}, b.weights.options());
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_observable_backward", [&] {
    scalar_t* gwp = need_weights ? gw.data_ptr<scalar_t>() : nullptr;
    scalar_t* gxp = need_inputs && gx.numel() > 0 ? gx.data_ptr<scalar_t>() : nullptr;
    call_core(name, [&] {
      if constexpr (M == Measured::kExpval) {
        torchq::adjoint_expval_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), g.data_ptr<scalar_t>(), gwp, gxp,
                                                  share.executor());
      } else {
        torchq::adjoint_variance_backward<scalar_t>(c, obs, batch_view<scalar_t>(c, b), g.data_ptr<scalar_t>(), gwp,
                                                    gxp, share.executor());
      }
    });
  });
  return {gw, gx};
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("expval", &expval_cpu);
  m.impl("var", &var_cpu);
  m.impl("_expval_backward", &observable_backward_cpu<Measured::kExpval>);
  m.impl("_var_backward", &observable_backward_cpu<Measured::kVar>);
}

}  // namespace torchq_ops
