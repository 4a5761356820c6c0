/**
 * @file expval_estimated_kernel.cpp
 * @brief C++ autograd of expval_estimated: the forward calls the op below autograd and keeps the
 * estimator arguments; the backward calls _expval_estimated_backward (exact adjoint for exact
 * estimators, parameter shift with freshly seeded estimates otherwise; see
 * torchq/estimators.h), whose own Autograd kernel refuses second derivatives by name.
 */
#include <torch/autograd.h>
#include <torch/library.h>

#include <string>

#include "ops/autograd/no_double_backward.h"
#include "ops/expval_estimated.h"

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct EstimatedName {
  static constexpr const char* value = "expval_estimated";
  static constexpr const char* method = "by the adjoint method or the parameter-shift rule";
};

std::tuple<at::Tensor, at::Tensor> expval_estimated_backward_autograd(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed, bool nw,
    bool nx) {
  return NoDoubleBackward<EstimatedName>::run(grad_out, weights, inputs, [&] {
    return detail::_expval_estimated_backward(grad_out, program, observables, weights, inputs, mode, shots,
                                              trajectories, seed, nw, nx);
  });
}

class EstimatedFunction : public torch::autograd::Function<EstimatedFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& observables,
                            const at::Tensor& weights, const at::Tensor& inputs, const std::string& mode,
                            int64_t shots, int64_t trajectories, int64_t seed) {
    ctx->save_for_backward({program, observables, weights, inputs});
    ctx->saved_data["mode"] = mode;
    ctx->saved_data["shots"] = shots;
    ctx->saved_data["trajectories"] = trajectories;
    ctx->saved_data["seed"] = seed;
    at::AutoDispatchBelowADInplaceOrView guard;
    return detail::expval_estimated(program, observables, weights, inputs, mode, shots, trajectories, seed);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const bool nw = ctx->needs_input_grad(2), nx = ctx->needs_input_grad(3);
    const std::string mode = ctx->saved_data["mode"].toStringRef();
    auto [gw, gx] = expval_estimated_backward_autograd(
        grads[0], s[0], s[1], s[2], s[3], mode, ctx->saved_data["shots"].toInt(),
        ctx->saved_data["trajectories"].toInt(), ctx->saved_data["seed"].toInt(), nw, nx);
    return {at::Tensor(), at::Tensor(), if_needed(gw, nw), if_needed(gx, nx),
            at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

at::Tensor expval_estimated_autograd(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                     const at::Tensor& inputs, c10::string_view mode, int64_t shots,
                                     int64_t trajectories, int64_t seed) {
  refuse_functorch_transforms("expval_estimated");
  return EstimatedFunction::apply(program, observables, weights, inputs, std::string(mode), shots, trajectories, seed);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("expval_estimated", &expval_estimated_autograd);
  m.impl("_expval_estimated_backward", &expval_estimated_backward_autograd);
}

}  // namespace torchq_ops
