/**
 * @file expval_kernel.cpp
 * @brief C++ autograd of the expval family, so gradients work alike from C++, TorchScript and
 * Python. The forward calls the op below autograd, and the backward calls _expval_backward (the
 * core's batched adjoint sweep). When gradients are wanted and the final states fit, the forward
 * is _expval_keep_states and the backward _expval_backward_from_states, which starts from the kept
 * states instead of running the circuit again. The backward ops' own Autograd kernels refuse
 * second derivatives by name.
 */
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include <algorithm>
#include <cstdlib>

#include "ops/autograd/no_double_backward.h"
#include "ops/autograd/observable_function.h"
#include "ops/checks.h"
#include "ops/expval.h"
#include "ops/inspect.h"

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ExpvalName {
  static constexpr const char* value = "expval";
  static constexpr const char* method = kAdjointMethod;
};

using ExpvalFunction = ObservableFunction<ExpvalName, &expval, &detail::_expval_backward>;

// ---- keeping the final states for the backward ----

/// Bytes of kept final states torchq allows per expval call: TORCHQ_KEEP_STATES_MB (default 1024;
/// 0 turns keeping off), and never more than a quarter of the memory limit (torchq/memory.h).
std::uint64_t keep_states_limit_bytes() {
  static const std::uint64_t from_env = [] {
    const char* v = std::getenv("TORCHQ_KEEP_STATES_MB");
    char* end = nullptr;
    const unsigned long long mb = v != nullptr ? std::strtoull(v, &end, 10) : 1024ULL;
    return (v != nullptr && (end == v || *end != '\0')) ? 1024ULL << 20 : static_cast<std::uint64_t>(mb) << 20;
  }();
  std::uint64_t limit = 0;
  call_core("expval", [&] { limit = torchq::memory_limit_bytes(); });  // a bad TORCHQ_MEMORY_LIMIT_BYTES says so
  return std::min<std::uint64_t>(from_env, limit / 4);
}

/// A tensor with real data on the CPU: not a fake, functional, torch.func (grad, vmap) or other
/// wrapper, whose data may not be read (functorch's wrappers have no storage at all).
bool is_plain_cpu(const at::Tensor& t) {
  static const c10::DispatchKeySet wrappers(
      {c10::DispatchKey::Python, c10::DispatchKey::PythonTLSSnapshot, c10::DispatchKey::Functionalize,
       c10::DispatchKey::FuncTorchBatched, c10::DispatchKey::FuncTorchGradWrapper, c10::DispatchKey::Batched,
       c10::DispatchKey::FuncTorchDynamicLayerFrontMode, c10::DispatchKey::FuncTorchDynamicLayerBackMode});
  return t.device().is_cpu() && !t.is_meta() && t.has_storage() && (t.key_set() & wrappers).empty();
}

/**
 * Whether expval should keep the final states for the backward: gradients are wanted, the
 * tensors are real CPU tensors (while tracing, a fake program has no qubit count to size the
 * states by), and the states fit the limit. Otherwise the backward runs the circuit again: the
 * same gradients, one forward pass slower.
 */
bool keep_final_states(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs) {
  if (!at::GradMode::is_enabled() || !(weights.requires_grad() || inputs.requires_grad())) return false;
  if (!is_plain_cpu(program) || !is_plain_cpu(weights) || !is_plain_cpu(inputs)) return false;
  // A Python dispatch mode (FakeTensorMode, tracing) or a torch.func transform may be active
  // over real tensors.
  if (c10::impl::tls_is_dispatch_key_included(c10::DispatchKey::Python)) return false;
  if (c10::impl::tls_is_dispatch_key_included(c10::DispatchKey::FuncTorchDynamicLayerFrontMode)) return false;
  if (inputs.dim() != 2) return false;  // malformed: the regular path reports what is wrong
  // The qubit count comes from program_info, i.e. the compiled-program cache: the program is
  // parsed and validated once, and the forward below finds it compiled.
  int64_t num_qubits = 0;
  try {
    at::AutoDispatchBelowADInplaceOrView guard;
    num_qubits = detail::program_info(program)[1];
  } catch (const c10::Error&) {
    return false;  // an invalid program: the regular path reports what is wrong
  }
  const std::uint64_t one = torchq::state_bytes(static_cast<int>(num_qubits), 2 * weights.element_size());
  const std::uint64_t batch = static_cast<std::uint64_t>(std::max<int64_t>(inputs.size(0), 1));
  const std::uint64_t limit = keep_states_limit_bytes();
  return one <= limit && batch <= limit / one;
}

std::tuple<at::Tensor, at::Tensor> expval_backward_from_states_autograd(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, const at::Tensor& final_states, bool nw, bool nx) {
  return NoDoubleBackward<ExpvalName>::run(grad_out, weights, inputs, [&] {
    return detail::_expval_backward_from_states(grad_out, program, observables, weights, inputs, final_states, nw, nx);
  });
}

class ExpvalKeepingStates : public torch::autograd::Function<ExpvalKeepingStates> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& observables,
                            const at::Tensor& weights, const at::Tensor& inputs) {
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [values, states] = detail::_expval_keep_states(program, observables, weights, inputs);
    ctx->save_for_backward({program, observables, weights, inputs, states});
    return values;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const bool nw = ctx->needs_input_grad(2), nx = ctx->needs_input_grad(3);
    auto [gw, gx] = expval_backward_from_states_autograd(grads[0], s[0], s[1], s[2], s[3], s[4], nw, nx);
    return {at::Tensor(), at::Tensor(), if_needed(gw, nw), if_needed(gx, nx)};
  }
};

at::Tensor expval_autograd(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                           const at::Tensor& inputs) {
  refuse_functorch_transforms("expval");
  if (keep_final_states(program, weights, inputs)) {
    return ExpvalKeepingStates::apply(program, observables, weights, inputs);
  }
  return ExpvalFunction::apply(program, observables, weights, inputs);
}

/// _expval_keep_states is expval's internal training half: differentiating it directly would
/// give silent None gradients (it has no backward of its own), so it refuses and says what to call.
std::tuple<at::Tensor, at::Tensor> expval_keep_states_autograd(const at::Tensor& program, const at::Tensor& observables,
                                                               const at::Tensor& weights, const at::Tensor& inputs) {
  TORCH_CHECK(!at::GradMode::is_enabled() || !(weights.requires_grad() || inputs.requires_grad()),
              "torchq._expval_keep_states is internal to expval's autograd and has no gradient of its own; "
              "differentiate torchq.expval instead (it keeps the final states for its backward by itself)");
  at::AutoDispatchBelowADInplaceOrView guard;
  return detail::_expval_keep_states(program, observables, weights, inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("expval", &expval_autograd);
  m.impl("_expval_backward", &ExpvalFunction::backward_autograd);
  m.impl("_expval_keep_states", &expval_keep_states_autograd);
  m.impl("_expval_backward_from_states", &expval_backward_from_states_autograd);
}

}  // namespace torchq_ops
