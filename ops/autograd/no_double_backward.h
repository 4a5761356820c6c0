/**
 * @file no_double_backward.h
 * @brief What every autograd kernel of ops/autograd shares: the wrapper that runs a backward op
 * and refuses to differentiate it again, naming the op, and if_needed.
 */
#pragma once

#include <ATen/FuncTorchTLS.h>
#include <torch/autograd.h>

#include <tuple>

namespace torchq_ops {

/**
 * @brief Refuses torch.func transforms with what works instead. torchq's gradients come from C++
 * autograd nodes, which functorch cannot trace (torch's own check would only say "cannot use C++
 * torch::autograd::Function with functorch transforms").
 */
inline void refuse_functorch_transforms(const char* op) {
  const auto& tls = at::functorch::functorchTLSAccessor();
  if (!tls) return;
  try {
    tls->checkSupportsCppAutogradFunction();
  } catch (const c10::Error&) {
    TORCH_CHECK(false, "torchq.", op, ": torch.func transforms (grad, vjp, jacrev, jacfwd, hessian, and vmap over a "
                "differentiable call) cannot trace torchq's C++ gradients. What works: torch.autograd.grad and "
                ".backward() (exact first derivatives by the adjoint method), and per-sample gradients in one call: "
                "pass per-sample weights [B, P] (weights.expand(B, -1)) and the backward returns each sample's "
                "gradient row; vmap of a call that needs no gradient (under torch.no_grad()) works too.");
  }
}

/// Returns the gradient or an undefined tensor when it was not asked for.
inline at::Tensor if_needed(const at::Tensor& g, bool needed) { return needed ? g : at::Tensor(); }

/**
 * @brief Wraps a backward op so that differentiating it again fails with a clear message.
 * Name::value is the op's name ("expval"); Name::method says how torchq differentiates it.
 */
template <class Name>
class NoDoubleBackward : public torch::autograd::Function<NoDoubleBackward<Name>> {
 public:
  // The tensors are passed only so autograd records this node when they require grad (as with
  // create_graph=True); the backward op itself is `call`.
  template <class Call>
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext*, const at::Tensor& grad_out,
                                                const at::Tensor& weights, const at::Tensor& inputs, Call call) {
    at::AutoDispatchBelowADInplaceOrView guard;
    auto [gw, gx] = call();
    return {gw, gx};
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*, torch::autograd::variable_list) {
    TORCH_CHECK(false, "torchq.", Name::value, ": second derivatives (double backward) are not supported; torchq "
                "computes first derivatives only, ", Name::method, ". Use create_graph=False.");
  }
  /// The Autograd kernel of a backward op: runs `call` (the op below autograd) under this node.
  template <class Call>
  static std::tuple<at::Tensor, at::Tensor> run(const at::Tensor& grad_out, const at::Tensor& weights,
                                                const at::Tensor& inputs, Call call) {
    auto out = NoDoubleBackward<Name>::apply(grad_out, weights, inputs, call);
    return {out[0], out[1]};
  }
};

/// Name::method of the ops differentiated by an adjoint sweep.
inline constexpr const char* kAdjointMethod = "exact ones by the adjoint method";

}  // namespace torchq_ops
