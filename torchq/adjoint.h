/**
 * @file adjoint.h
 * @brief Adjoint differentiation (Jones & Gacon, arXiv:2009.02823) for a batch of samples.
 *
 * The upstream gradient g[b, k] over the K observables is folded into one Hermitian operator
 * H_b = sum_k g[b, k] O_k, so one backward sweep per sample gives the gradient of
 * sum_k g[b, k] <O_k> with respect to every angle, hence every weight and input feature:
 *   lambda = H_b psi;  for each primitive j from last to first:
 *     d/da_j = 2 coeff_j Im <lambda| G_j |psi_j>        (U_j = exp(-i a_j coeff_j G_j))
 *     psi <- U_j^dagger psi;  lambda <- U_j^dagger lambda
 * Each worker holds exactly two statevectors, whatever the depth. With an amplitude embedding,
 * lambda at the start gives the gradient with respect to the (normalised, padded) features.
 */
#pragma once

#include "torchq/simulator.h"

namespace torchq {

/**
 * @brief Gradients of sum_{b,k} grad_out[b,k] * <O_k>_b.
 * @param grad_out     [B, K] upstream gradient
 * @param grad_weights [P] (accumulated over the batch, in sample order) or [B, P] if the weights
 *                     are per sample; may be null to skip
 * @param grad_inputs  [B, F]; may be null to skip
 * Outputs are overwritten, not accumulated into.
 */
template <class T>
void adjoint_expval_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                             const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                             const Executor& ex);

}  // namespace torchq
