/**
 * @file state_kernel.cpp
 * @brief C++ autograd of state: the forward calls state below autograd and keeps num_qubits,
 * the backward calls _state_backward (an adjoint sweep), whose own Autograd kernel refuses second
 * derivatives by name.
 */
#include <torch/autograd.h>
#include <torch/library.h>

#include "ops/autograd/no_double_backward.h"
#include "ops/state.h"

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct StateName {
  static constexpr const char* value = "state";
  static constexpr const char* method = kAdjointMethod;
};

std::tuple<at::Tensor, at::Tensor> state_backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           int64_t num_qubits, bool nw, bool nx) {
  return NoDoubleBackward<StateName>::run(grad_out, weights, inputs, [&] {
    return detail::_state_backward(grad_out, program, weights, inputs, num_qubits, nw, nx);
  });
}

class StateFunction : public torch::autograd::Function<StateFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& weights,
                            const at::Tensor& inputs, int64_t num_qubits) {
    ctx->save_for_backward({program, weights, inputs});
    ctx->saved_data["num_qubits"] = num_qubits;
    at::AutoDispatchBelowADInplaceOrView guard;
    return state(program, weights, inputs, num_qubits);
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

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("state", &state_autograd);
  m.impl("_state_backward", &state_backward_autograd);
}

}  // namespace torchq_ops
