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

#include <vector>

#include "torchq/function_ref.h"
#include "torchq/observables.h"
#include "torchq/run.h"

namespace torchq {

/**
 * @brief Fills lambda = H_b psi for sample b, where psi is the final state and H_b the Hermitian
 * operator whose expectation the gradient is taken of. lambda comes uninitialised: the seed
 * writes every amplitude (one pass fewer than zeroing it first). `scratch` is a third
 * state for seeds that need one (null unless asked for). Return false when H_b is zero (the
 * sample's gradient is then zero and its sweep is skipped).
 */
template <class T>
using AdjointSeed =
    FunctionRef<bool(Index b, const Complex<T>* psi, Complex<T>* lambda, Complex<T>* scratch, const Executor& ex)>;

/**
 * @brief The general adjoint sweep: gradients of sum_b <psi_b|H_b|psi_b> (H_b given by `seed`)
 * with respect to weights and inputs. Buffers as in adjoint_expval_backward.
 */
template <class T>
void adjoint_backward(const CompiledCircuit& c, const BatchInputs<T>& in, AdjointSeed<T> seed, T* grad_weights,
                      T* grad_inputs, const Executor& ex, bool seed_needs_scratch = false,
                      const Complex<T>* final_states = nullptr);

/// Gradients of sum_{b,k} grad_out[b,k] * Var_b(O_k): lambda = O^2 psi - 2 <O> O psi per observable.
template <class T>
void adjoint_variance_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                               const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                               const Executor& ex);

/// Gradients of sum_{b,j} grad_out[b,j] * p_j(b) for probs() on `wires`: grad_out is [B, 2^m].
template <class T>
void adjoint_probs_backward(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in,
                            const T* grad_out, T* grad_weights, T* grad_inputs, const Executor& ex);

/**
 * @brief Gradients of a real loss of the final states, given grad_out = dL/d(conj psi) in
 * PyTorch's convention (dL = Re sum conj(grad_out) dpsi): grad_out is [B, 2^n].
 */
template <class T>
void adjoint_state_backward(const CompiledCircuit& c, const BatchInputs<T>& in, const Complex<T>* grad_out,
                            T* grad_weights, T* grad_inputs, const Executor& ex);

/**
 * @brief Gradients of sum_{b,k} grad_out[b,k] * <O_k>_b.
 * @param grad_out     [B, K] upstream gradient
 * @param grad_weights [P] (accumulated over the batch, in sample order) or [B, P] if the weights
 *                     are per sample; may be null to skip
 * @param grad_inputs  [B, F]; may be null to skip
 * @param final_states [B, 2^n] the final states the forward kept (expval's final_states), or
 *                     null: the sweep then runs each sample's circuit first
 * Outputs are overwritten, not accumulated into.
 */
template <class T>
void adjoint_expval_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                             const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                             const Executor& ex, const Complex<T>* final_states = nullptr);

}  // namespace torchq
