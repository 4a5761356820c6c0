/// @file api.cpp
#include <ATen/core/dispatch/Dispatcher.h>

#include "ops/common.h"
#include "ops/torchq_ops.h"

namespace torchq_ops {
namespace {

c10::OperatorHandle handle(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

}  // namespace

int ensure_loaded() {
  handle("torchq::expval");
  return 11;
}

at::Tensor expval(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                  const at::Tensor& inputs) {
  static auto op = handle("torchq::expval")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&)>();
  return op.call(program, observables, weights, inputs);
}

at::Tensor var(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
               const at::Tensor& inputs) {
  static auto op = handle("torchq::var")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&)>();
  return op.call(program, observables, weights, inputs);
}

at::Tensor probs(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                 at::IntArrayRef wires) {
  static auto op = handle("torchq::probs")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::IntArrayRef)>();
  return op.call(program, weights, inputs, wires);
}

at::Tensor state(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs, int64_t num_qubits) {
  static auto op = handle("torchq::state")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t)>();
  return op.call(program, weights, inputs, num_qubits);
}

at::Tensor sample(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                  at::IntArrayRef wires, int64_t shots, int64_t seed) {
  static auto op = handle("torchq::sample")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::IntArrayRef,
                                         int64_t, int64_t)>();
  return op.call(program, weights, inputs, wires, shots, seed);
}

at::Tensor expval_estimated(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                            const at::Tensor& inputs, const std::string& mode, int64_t shots, int64_t trajectories,
                            int64_t seed) {
  static auto op = handle("torchq::expval_estimated")
                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                         c10::string_view, int64_t, int64_t, int64_t)>();
  return op.call(program, observables, weights, inputs, mode, shots, trajectories, seed);
}

at::Tensor program_tensor(const torchq::Circuit& circuit) {
  const std::vector<double> p = circuit.to_program();
  return at::tensor(at::ArrayRef<double>(p), at::TensorOptions().dtype(at::kDouble));
}

at::Tensor observables_tensor(const std::vector<torchq::Observable>& observables) {
  std::size_t width = 0;
  std::vector<double> table;
  call_core("observables", [&] {
    torchq::validate_observables(observables, torchq::kMaxQubits);
    table = torchq::observables_to_table(observables, &width);
  });
  TORCH_CHECK_VALUE(!observables.empty(), "torchq: give at least one observable");
  return at::tensor(at::ArrayRef<double>(table), at::TensorOptions().dtype(at::kDouble))
      .reshape({static_cast<int64_t>(observables.size()), static_cast<int64_t>(width)});
}

torchq::Circuit circuit_from_tensor(const at::Tensor& program) { return program_from_tensor(program)->circuit; }

}  // namespace torchq_ops
