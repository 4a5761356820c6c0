/**
 * @file autograd_kernels.cpp
 * @brief C++ autograd for expval, var, probs and state, so gradients work alike from C++,
 * TorchScript and Python. Each forward calls the op below autograd; each backward calls the
 * registered backward op (the core's batched adjoint sweep). The backward ops have an autograd
 * kernel of their own that refuses second derivatives by name.
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include "ops/autograd/no_double_backward.h"
#include "ops/common.h"

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

template <class Name>
at::Tensor observable_autograd(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                               const at::Tensor& inputs) {
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
  return StateFunction::apply(program, weights, inputs, num_qubits);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("expval", &observable_autograd<ExpvalName>);
  m.impl("_expval_backward", &observable_backward_autograd<ExpvalName>);
  m.impl("var", &observable_autograd<VarName>);
  m.impl("_var_backward", &observable_backward_autograd<VarName>);
  m.impl("probs", &probs_autograd);
  m.impl("_probs_backward", &probs_backward_autograd);
  m.impl("state", &state_autograd);
  m.impl("_state_backward", &state_backward_autograd);
}

}  // namespace torchq_ops
