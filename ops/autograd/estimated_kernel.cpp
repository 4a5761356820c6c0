/**
 * @file estimated_kernel.cpp
 * @brief C++ autograd for expval_estimated: the forward calls the op below autograd and keeps
 * the estimator arguments; the backward calls _expval_estimated_backward (exact adjoint for
 * exact estimators, parameter shift with freshly seeded estimates otherwise; see
 * torchq/estimators.h), whose own autograd kernel refuses second derivatives by name.
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/autograd.h>
#include <torch/library.h>

#include <string>

#include "ops/autograd/no_double_backward.h"
#include "ops/common.h"

namespace torchq_ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct EstimatedName {
  static constexpr const char* value = "expval_estimated";
  static constexpr const char* method = "by the adjoint method or the parameter-shift rule";
};

using EstimatedForward = at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                    c10::string_view, int64_t, int64_t, int64_t);
using EstimatedBackward = std::tuple<at::Tensor, at::Tensor>(const at::Tensor&, const at::Tensor&, const at::Tensor&,
                                                             const at::Tensor&, const at::Tensor&, c10::string_view,
                                                             int64_t, int64_t, int64_t, bool, bool);

std::tuple<at::Tensor, at::Tensor> expval_estimated_backward_autograd(
    const at::Tensor& grad_out, const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
    const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed, bool nw,
    bool nx) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_expval_estimated_backward", "")
                       .typed<EstimatedBackward>();
  auto out = NoDoubleBackward<EstimatedName>::apply(grad_out, weights, inputs, [&] {
    return op.call(grad_out, program, observables, weights, inputs, mode, shots, trajectories, seed, nw, nx);
  });
  return {out[0], out[1]};
}

class EstimatedFunction : public torch::autograd::Function<EstimatedFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& program, const at::Tensor& observables,
                            const at::Tensor& weights, const at::Tensor& inputs, const std::string& mode,
                            int64_t shots, int64_t trajectories, int64_t seed) {
    static auto op =
        c10::Dispatcher::singleton().findSchemaOrThrow("torchq::expval_estimated", "").typed<EstimatedForward>();
    ctx->save_for_backward({program, observables, weights, inputs});
    ctx->saved_data["mode"] = mode;
    ctx->saved_data["shots"] = shots;
    ctx->saved_data["trajectories"] = trajectories;
    ctx->saved_data["seed"] = seed;
    at::AutoDispatchBelowADInplaceOrView guard;
    return op.call(program, observables, weights, inputs, mode, shots, trajectories, seed);
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
