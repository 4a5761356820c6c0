/**
 * @file var_kernel.cpp
 * @brief C++ autograd of var: the forward calls var below autograd, the backward _var_backward
 * (the core's adjoint sweep of the variance), whose own Autograd kernel refuses second
 * derivatives by name.
 */
#include <torch/library.h>

#include "ops/autograd/no_double_backward.h"
#include "ops/autograd/observable_function.h"
#include "ops/var.h"

namespace torchq_ops {
namespace {

struct VarName {
  static constexpr const char* value = "var";
  static constexpr const char* method = kAdjointMethod;
};

using VarFunction = ObservableFunction<VarName, &var, &detail::_var_backward>;

at::Tensor var_autograd(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                        const at::Tensor& inputs) {
  refuse_functorch_transforms("var");
  return VarFunction::apply(program, observables, weights, inputs);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Autograd, m) {
  m.impl("var", &var_autograd);
  m.impl("_var_backward", &VarFunction::backward_autograd);
}

}  // namespace torchq_ops
