/**
 * @file autograd_kernels.cpp
 * @brief C++ autograd for expval, var, probs and state, so gradients work alike from C++,
 * TorchScript and Python. Each forward calls the op below autograd; each backward calls the
 * registered backward op (the core's batched adjoint sweep). The backward ops have an autograd
 * kernel of their own that refuses second derivatives by name.
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include "ops/autograd/no_double_backward.h"
#include "ops/common.h"

#include <cstdlib>

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

constexpr const char* kAdjoint = "exact ones by the adjoint method";
struct ExpvalName { static constexpr const char* value = "expval"; static constexpr const char* method = kAdjoint; };
struct ProbsName { static constexpr const char* value = "probs"; static constexpr const char* method = kAdjoint; };
struct StateName { static constexpr const char* value = "state"; static constexpr const char* method = kAdjoint; };

// ---- expval and var: observables over the batch ----

using ObservableBackward = std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                                              const at::Tensor&, const at::Tensor&, bool, bool);
using ObservableForward = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&);

struct VarName { static constexpr const char* value = "var"; static constexpr const char* method = kAdjoint; };

/// Op names of one observable measurement: Name::value is "expval" or "var".
template <class Name>
struct ObservableOps {
  static const c10::TypedOperatorHandle<ObservableForward>& forward() {
    static auto op = c10::Dispatcher::singleton()
                         .findSchemaOrThrow((std::string("torchq::") + Name::value).c_str(), "")
                         .template typed<ObservableForward>();
    return op;
  }
  static const c10::TypedOperatorHandle<ObservableBackward>& backward() {
    static auto op = c10::Dispatcher::singleton()
                         .findSchemaOrThrow((std::string("torchq::_") + Name::value + "_backward").c_str(), "")
                         .template typed<ObservableBackward>();
    return op;
  }
};

template <class Name>
std::tuple<at::Tensor, at::Tensor> observable_backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                                const at::Tensor& observables,
                                                                const at::Tensor& weights, const at::Tensor& inputs,
                                                                bool nw, bool nx) {
  auto out = NoDoubleBackward<Name>::apply(grad_out, weights, inputs, [&] {
    return ObservableOps<Name>::backward().call(grad_out, program, observables, weights, inputs, nw, nx);
  });
  return {out[0], out[1]};
}

template <class Name>
class ObservableFunction : public torch::autograd::Function<ObservableFunction<Name>> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& observables,
                            const at::Tensor& weights, const at::Tensor& inputs) {
    ctx->save_for_backward({program, observables, weights, inputs});
    at::AutoDispatchBelowADInplaceOrView guard;
    return ObservableOps<Name>::forward().call(program, observables, weights, inputs);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const bool nw = ctx->needs_input_grad(2), nx = ctx->needs_input_grad(3);
    auto [gw, gx] = observable_backward_autograd<Name>(grads[0], s[0], s[1], s[2], s[3], nw, nx);
    return {at::Tensor(), at::Tensor(), if_needed(gw, nw), if_needed(gx, nx)};
  }
};

// ---- expval keeping its final states for the backward ----

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
  if (program.scalar_type() != at::kDouble || program.dim() != 1 || program.numel() < 3 || inputs.dim() != 2) {
    return false;  // malformed: the regular path reports what is wrong
  }
  const double nq = program.contiguous().data_ptr<double>()[2];  // header: magic, version, qubits, ...
  if (!(nq >= 1 && nq <= torchq::kMaxQubits)) return false;
  const std::uint64_t one = torchq::state_bytes(static_cast<int>(nq), 2 * weights.element_size());
  const std::uint64_t batch = static_cast<std::uint64_t>(std::max<int64_t>(inputs.size(0), 1));
  const std::uint64_t limit = keep_states_limit_bytes();
  return one <= limit && batch <= limit / one;
}

struct KeptName { static constexpr const char* value = "expval"; static constexpr const char* method = kAdjoint; };

class ExpvalKeepingStates : public torch::autograd::Function<ExpvalKeepingStates> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& observables,
                            const at::Tensor& weights, const at::Tensor& inputs) {
    static auto op = c10::Dispatcher::singleton()
                         .findSchemaOrThrow("torchq::_expval_keep_states", "")
                         .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&,
                                                                   const at::Tensor&, const at::Tensor&)>();
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [values, states] = op.call(program, observables, weights, inputs);
    ctx->save_for_backward({program, observables, weights, inputs, states});
    return values;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads);
};

std::tuple<at::Tensor, at::Tensor> expval_backward_from_states_autograd(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, const at::Tensor& final_states, bool nw, bool nx) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_backward_from_states", "")
                       .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&,
                                                                 const at::Tensor&, const at::Tensor&,
                                                                 const at::Tensor&, const at::Tensor&, bool, bool)>();
  auto out = NoDoubleBackward<KeptName>::apply(grad_out, weights, inputs, [&] {
    return op.call(grad_out, program, observables, weights, inputs, final_states, nw, nx);
  });
  return {out[0], out[1]};
}

variable_list ExpvalKeepingStates::backward(AutogradContext* ctx, variable_list grads) {
  const auto s = ctx->get_saved_variables();
  const bool nw = ctx->needs_input_grad(2), nx = ctx->needs_input_grad(3);
  auto [gw, gx] = expval_backward_from_states_autograd(grads[0], s[0], s[1], s[2], s[3], s[4], nw, nx);
  return {at::Tensor(), at::Tensor(), if_needed(gw, nw), if_needed(gx, nx)};
}

template <class Name>
at::Tensor observable_autograd(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                               const at::Tensor& inputs) {
  refuse_functorch_transforms(Name::value);
  if constexpr (std::is_same_v<Name, ExpvalName>) {
    if (keep_final_states(program, weights, inputs)) {
      return ExpvalKeepingStates::apply(program, observables, weights, inputs);
    }
  }
  return ObservableFunction<Name>::apply(program, observables, weights, inputs);
}

// ---- probs ----

std::tuple<at::Tensor, at::Tensor> probs_backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           at::IntArrayRef wires, bool nw, bool nx) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_probs_backward", "")
                       .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                                                 const at::Tensor&, at::IntArrayRef, bool, bool)>();
  auto out = NoDoubleBackward<ProbsName>::apply(grad_out, weights, inputs, [&] { return op.call(grad_out, program, weights, inputs, wires, nw, nx); });
  return {out[0], out[1]};
}

class ProbsFunction : public torch::autograd::Function<ProbsFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& weights,
                            const at::Tensor& inputs, at::IntArrayRef wires) {
    static auto op = c10::Dispatcher::singleton()
                         .findSchemaOrThrow("torchq::probs", "")
                         .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::IntArrayRef)>();
    ctx->save_for_backward({program, weights, inputs});
    ctx->saved_data["wires"] = wires.vec();
    at::AutoDispatchBelowADInplaceOrView guard;
    return op.call(program, weights, inputs, wires);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const auto wires = ctx->saved_data["wires"].toIntVector();
    const bool nw = ctx->needs_input_grad(1), nx = ctx->needs_input_grad(2);
    auto [gw, gx] = probs_backward_autograd(grads[0], s[0], s[1], s[2], wires, nw, nx);
    return {at::Tensor(), if_needed(gw, nw), if_needed(gx, nx), at::Tensor()};
  }
};

at::Tensor probs_autograd(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                          at::IntArrayRef wires) {
  refuse_functorch_transforms("probs");
  return ProbsFunction::apply(program, weights, inputs, wires);
}

// ---- state ----

std::tuple<at::Tensor, at::Tensor> state_backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           int64_t num_qubits, bool nw, bool nx) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_state_backward", "")
                       .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                                                 const at::Tensor&, int64_t, bool, bool)>();
  auto out = NoDoubleBackward<StateName>::apply(grad_out, weights, inputs, [&] { return op.call(grad_out, program, weights, inputs, num_qubits, nw, nx); });
  return {out[0], out[1]};
}

class StateFunction : public torch::autograd::Function<StateFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& weights,
                            const at::Tensor& inputs, int64_t num_qubits) {
    static auto op = c10::Dispatcher::singleton()
                         .findSchemaOrThrow("torchq::state", "")
                         .typed<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, int64_t)>();
    ctx->save_for_backward({program, weights, inputs});
    ctx->saved_data["num_qubits"] = num_qubits;
    at::AutoDispatchBelowADInplaceOrView guard;
    return op.call(program, weights, inputs, num_qubits);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const int64_t n = ctx->saved_data["num_qubits"].toInt();
    const bool nw = ctx->needs_input_grad(1), nx = ctx->needs_input_grad(2);
    auto [gw, gx] = state_backward_autograd(grads[0], s[0], s[1], s[2], n, nw, nx);
    return {at::Tensor(), if_needed(gw, nw), if_needed(gx, nx), at::Tensor()};
  }
};

at::Tensor state_autograd(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                          int64_t num_qubits) {
  refuse_functorch_transforms("state");
  return StateFunction::apply(program, weights, inputs, num_qubits);
}

/// _expval_keep_states is expval's internal training half: differentiating it directly would
/// give silent None gradients (it has no backward of its own), so it refuses and says what to call.
std::tuple<at::Tensor, at::Tensor> expval_keep_states_autograd(const at::Tensor& program, const at::Tensor& observables,
                                                               const at::Tensor& weights, const at::Tensor& inputs) {
  TORCH_CHECK(!at::GradMode::is_enabled() || !(weights.requires_grad() || inputs.requires_grad()),
              "torchq._expval_keep_states is internal to expval's autograd and has no gradient of its own; "
              "differentiate torchq.expval instead (it keeps the final states for its backward by itself)");
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_keep_states", "")
                       .typed<std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&,
                                                                 const at::Tensor&, const at::Tensor&)>();
  at::AutoDispatchBelowADInplaceOrView guard;
  return op.call(program, observables, weights, inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("_expval_keep_states", &expval_keep_states_autograd);
  m.impl("expval", &observable_autograd<ExpvalName>);
  m.impl("_expval_backward", &observable_backward_autograd<ExpvalName>);
  m.impl("_expval_backward_from_states", &expval_backward_from_states_autograd);
  m.impl("var", &observable_autograd<VarName>);
  m.impl("_var_backward", &observable_backward_autograd<VarName>);
  m.impl("probs", &probs_autograd);
  m.impl("_probs_backward", &probs_backward_autograd);
  m.impl("state", &state_autograd);
  m.impl("_state_backward", &state_backward_autograd);
}

}  // namespace torchq_ops
