/**
 * @file api.cpp
 * @brief The C++ API of ops/torchq_ops.h that is not an op: ensure_loaded(), the call a
 * deploying program makes so the op library is loaded, and the conversions between circuits and
 * tensors. The ops' own functions (expval, probs, ...) are their dispatcher wrappers, defined
 * beside their schemas in ops/<op>.cpp.
 */
#include <ATen/core/dispatch/Dispatcher.h>

#include "ops/checks.h"
#include "ops/observables.h"
#include "ops/program_cache.h"
#include "ops/torchq_ops.h"

namespace torchq_ops {

int ensure_loaded() {
  // Running this function means the library is loaded, so its TORCH_LIBRARY block and fragments
  // have run (at load time, in static initialisers). Count what they registered rather than a
  // number written here, so the answer stays true as operators are added.
  int count = 0;
  auto& dispatcher = c10::Dispatcher::singleton();
  for (const c10::OperatorName& name : dispatcher.getAllOpNames()) {
    // getAllOpNames also lists names that only have kernels (no schema); count schemas only.
    if (name.name.rfind("torchq::", 0) == 0 && dispatcher.findSchema(name).has_value()) ++count;
  }
  TORCH_CHECK(count > 0, "torchq: libtorchq_ops.so is loaded but no torch.ops.torchq schema is registered");
  return count;
}

at::Tensor program_tensor(const torchq::Circuit& circuit) {
  const std::vector<double> p = circuit.to_program();
  return at::tensor(at::ArrayRef<double>(p), at::TensorOptions().dtype(at::kDouble));
}

at::Tensor observables_tensor(const std::vector<torchq::Observable>& observables) {
  return observables_table_tensor(observables, std::nullopt, "observables");
}

torchq::Circuit circuit_from_tensor(const at::Tensor& program) { return program_from_tensor(program)->circuit; }

}  // namespace torchq_ops
