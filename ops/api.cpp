/**
 * @file api.cpp
 * @brief The C++ API of ops/torchq_ops.h: dispatcher calls to the torchq operators, and
 * ensure_loaded(), the call a deploying program makes so the op library is loaded.
 */
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
  // Running this function means the library is loaded, so its TORCH_LIBRARY block has run (at
  // load time, in a static initialiser). Count what it registered rather than a number written
  // here, so the answer stays true as operators are added.
  int count = 0;
  auto& dispatcher = c10::Dispatcher::singleton();
  for (const c10::OperatorName& name : dispatcher.getAllOpNames()) {
    // getAllOpNames also lists names that only have kernels (no schema); count schemas only.
    if (name.name.rfind("torchq::", 0) == 0 && dispatcher.findSchema(name).has_value()) ++count;
  }
  TORCH_CHECK(count > 0, "torchq: libtorchq_ops.so is loaded but no torch.ops.torchq schema is registered");
  return count;
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

void set_num_threads(int64_t num_threads) {
  static auto op = handle("torchq::set_num_threads").typed<void(int64_t)>();
  op.call(num_threads);
}

int64_t get_num_threads() {
  static auto op = handle("torchq::get_num_threads").typed<int64_t()>();
  return op.call();
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
