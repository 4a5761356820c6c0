/**
 * @file probs_kernel.cpp
 * @brief C++ autograd of probs: the forward calls probs below autograd and keeps the wires, the
 * backward calls _probs_backward (an adjoint sweep), whose own Autograd kernel refuses second
 * derivatives by name.
 */
#include <torch/autograd.h>
#include <torch/library.h>

#include "ops/autograd/no_double_backward.h"
#include "ops/probs.h"

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ProbsName {
  static constexpr const char* value = "probs";
  static constexpr const char* method = kAdjointMethod;
};

std::tuple<at::Tensor, at::Tensor> probs_backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                           const at::Tensor& weights, const at::Tensor& inputs,
                                                           at::IntArrayRef wires, bool nw, bool nx) {
  return NoDoubleBackward<ProbsName>::run(grad_out, weights, inputs, [&] {
    return detail::_probs_backward(grad_out, program, weights, inputs, wires, nw, nx);
  });
}

class ProbsFunction : public torch::autograd::Function<ProbsFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& weights,
                            const at::Tensor& inputs, at::IntArrayRef wires) {
    ctx->save_for_backward({program, weights, inputs});
    ctx->saved_data["wires"] = wires.vec();
    at::AutoDispatchBelowADInplaceOrView guard;
    return probs(program, weights, inputs, wires);
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

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("probs", &probs_autograd);
  m.impl("_probs_backward", &probs_backward_autograd);
}

}  // namespace torchq_ops
