/**
 * @file state_kernel.cpp
 * @brief CPU kernels of state and _state_backward: check, then call the core.
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

namespace torchq_ops {
namespace {

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
  const char* name = "state backward";
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  check_num_qubits(c, num_qubits, name);
  const Batch b = check_batch(c, weights, inputs, name);
  // The upstream gradient of a complex state is complex.
  const BackwardOutputs grads(grad_out, {b.batch_size, int64_t{1} << num_qubits},
                              complex_dtype(b.weights.scalar_type()), b, need_weights, need_inputs, name);
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_state_backward", [&] {
    const auto* gp = reinterpret_cast<const torchq::Complex<scalar_t>*>(grads.grad_out().data_ptr());
    call_core(name, [&] {
      torchq::adjoint_state_backward<scalar_t>(c, batch_view<scalar_t>(c, b), gp, grads.grad_weights<scalar_t>(),
                                               grads.grad_inputs<scalar_t>(), share.executor());
    });
  });
  return grads.result();
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("state", &state_cpu);
  m.impl("_state_backward", &state_backward_cpu);
}

}  // namespace torchq_ops
