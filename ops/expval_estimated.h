/**
 * @file expval_estimated.h
 * @brief The expval_estimated op family: the estimator itself (public, ops/torchq_ops.h) and its
 * backward, called through the dispatcher (schemas in expval_estimated.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <tuple>

#include "ops/torchq_ops.h"

namespace torchq_ops::detail {

/// expval_estimated with the schema's own types (str is a c10::string_view).
at::Tensor expval_estimated(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                            const at::Tensor& inputs, c10::string_view mode, int64_t shots, int64_t trajectories,
                            int64_t seed);
std::tuple<at::Tensor, at::Tensor> _expval_estimated_backward(const at::Tensor& grad_out, const at::Tensor& program,
                                                              const at::Tensor& observables, const at::Tensor& weights,
                                                              const at::Tensor& inputs, c10::string_view mode,
                                                              int64_t shots, int64_t trajectories, int64_t seed,
                                                              bool need_weights, bool need_inputs);

}  // namespace torchq_ops::detail
