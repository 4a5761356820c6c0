/**
 * @file observable_function.h
 * @brief The autograd Function of the exact observable ops, expval and var: both take
 * (program, observables, weights, inputs), and their backward ops (grad_out, the same,
 * need_weights, need_inputs). Instantiated in autograd/expval_kernel.cpp and var_kernel.cpp.
 */
#pragma once

#include <torch/autograd.h>

#include <tuple>

#include "ops/autograd/no_double_backward.h"

namespace torchq_ops {

using ObservableForward = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&);
using ObservableBackward = std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                                              const at::Tensor&, const at::Tensor&, bool, bool);

/**
 * @brief Name is the op's name for messages (Name::value, Name::method); Forward and Backward are
 * its dispatcher wrappers (ops/<op>.h), called below autograd.
 */
template <class Name, ObservableForward* Forward, ObservableBackward* Backward>
class ObservableFunction : public torch::autograd::Function<ObservableFunction<Name, Forward, Backward>> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& program,
                            const at::Tensor& observables, const at::Tensor& weights, const at::Tensor& inputs) {
    ctx->save_for_backward({program, observables, weights, inputs});
    at::AutoDispatchBelowADInplaceOrView guard;
    return Forward(program, observables, weights, inputs);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const bool nw = ctx->needs_input_grad(2), nx = ctx->needs_input_grad(3);
    auto [gw, gx] = backward_autograd(grads[0], s[0], s[1], s[2], s[3], nw, nx);
    return {at::Tensor(), at::Tensor(), if_needed(gw, nw), if_needed(gx, nx)};
  }
  /// The Autograd kernel of the backward op: refuses to be differentiated again.
  static std::tuple<at::Tensor, at::Tensor> backward_autograd(const at::Tensor& grad_out, const at::Tensor& program,
                                                              const at::Tensor& observables, const at::Tensor& weights,
                                                              const at::Tensor& inputs, bool nw, bool nx) {
    return NoDoubleBackward<Name>::run(grad_out, weights, inputs, [&] {
      return Backward(grad_out, program, observables, weights, inputs, nw, nx);
    });
  }
};

}  // namespace torchq_ops
