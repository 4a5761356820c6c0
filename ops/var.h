/**
 * @file var.h
 * @brief The var op family: var itself (public, ops/torchq_ops.h) and its backward, called
 * through the dispatcher (schemas in var.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <tuple>

#include "ops/torchq_ops.h"

namespace torchq_ops::detail {

std::tuple<at::Tensor, at::Tensor> _var_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                 const at::Tensor& observables, const at::Tensor& weights,
                                                 const at::Tensor& inputs, bool need_weights, bool need_inputs);

}  // namespace torchq_ops::detail
