/**
 * @file probs.h
 * @brief The probs op family: probs itself (public, ops/torchq_ops.h) and its backward, called
 * through the dispatcher (schemas in probs.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <tuple>

#include "ops/torchq_ops.h"

namespace torchq_ops::detail {

std::tuple<at::Tensor, at::Tensor> _probs_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                   const at::Tensor& weights, const at::Tensor& inputs,
                                                   at::IntArrayRef wires, bool need_weights, bool need_inputs);

}  // namespace torchq_ops::detail
