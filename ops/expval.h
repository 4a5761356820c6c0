/**
 * @file expval.h
 * @brief The expval op family: expval itself (public, ops/torchq_ops.h), its backward, and its
 * training pair, which keeps each sample's final state so the backward sweep starts from it.
 * Each function is the op called through the dispatcher (schemas in expval.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <tuple>

#include "ops/torchq_ops.h"

namespace torchq_ops::detail {

std::tuple<at::Tensor, at::Tensor> _expval_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                    const at::Tensor& observables, const at::Tensor& weights,
                                                    const at::Tensor& inputs, bool need_weights, bool need_inputs);
/// expval's values [B, K] and the final states [B, 2^n] (complex) the circuit ran in.
std::tuple<at::Tensor, at::Tensor> _expval_keep_states(const at::Tensor& program, const at::Tensor& observables,
                                                       const at::Tensor& weights, const at::Tensor& inputs);
/// _expval_backward starting its sweep from _expval_keep_states's final states.
std::tuple<at::Tensor, at::Tensor> _expval_backward_from_states(const at::Tensor& grad_out, const at::Tensor& program,
                                                                const at::Tensor& observables,
                                                                const at::Tensor& weights, const at::Tensor& inputs,
                                                                const at::Tensor& final_states, bool need_weights,
                                                                bool need_inputs);

}  // namespace torchq_ops::detail
