/**
 * @file state.h
 * @brief The state op family: state itself (public, ops/torchq_ops.h) and its backward, called
 * through the dispatcher (schemas in state.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <tuple>

#include "ops/torchq_ops.h"

namespace torchq_ops::detail {

std::tuple<at::Tensor, at::Tensor> _state_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                   const at::Tensor& weights, const at::Tensor& inputs,
                                                   int64_t num_qubits, bool need_weights, bool need_inputs);

}  // namespace torchq_ops::detail
