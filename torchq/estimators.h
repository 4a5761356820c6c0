/**
 * @file estimators.h
 * @brief Estimators of expectation values <O_k> for noisy circuits and finite shots, and their
 * gradients: what the op torchq::expval_estimated computes.
 *
 * Modes (EstimatorMode):
 *   kStatevector    the exact pure state; refuses circuits with noise channels;
 *   kTrajectories   `trajectories` quantum trajectories per sample (trajectories.h): unbiased,
 *                   one statevector of memory, any qubit count;
 *   kDensityMatrix  the exact density matrix (density_matrix.h), up to kMaxDensityMatrixQubits.
 * shots = 0 gives the mode's own expectation value: exact for the statevector and the density
 * matrix, the trajectory average for trajectories. shots > 0 estimates every Pauli word P of
 * every observable from `shots` measurements in P's eigenbasis: measuring P (rotating with H for
 * X, S^dagger then H for Y, and taking the parity of the measured bits) gives +1 with
 * probability (1 + <P>)/2, so the number of +1 outcomes is Binomial(shots, (1 + <P>)/2), which we
 * draw directly instead of rotating a copy of the state (the same distribution, without the
 * copy). The estimate is sum_terms coeff * (2 * plus - shots) / shots; identity terms are exact.
 * With trajectories, shot s runs on trajectory s mod T (a trajectory per shot when shots <= T),
 * so the estimate stays unbiased for Tr(O rho).
 *
 * Seeds: sample b uses the stream derive_seed(seed, b) (random.h); trajectory t of it draws its
 * Kraus operators from derive_seed(stream, 2t) and its shots from derive_seed(stream, 2t + 1).
 * Results depend on (seed, sample, trajectory) only, never on the thread count.
 *
 * Gradients (expval_estimated_backward): an exact estimator (shots = 0 with the statevector, the
 * density matrix, or trajectories of a circuit without channels) is differentiated exactly by an
 * adjoint sweep (adjoint.h, density_matrix.h); any other by the parameter-shift rule
 * (parameter_shift.h) applied to the same kind of estimator, seeded from
 * derive_seed(seed, kBackwardStream), so the gradient is an unbiased estimate of the gradient of
 * the noisy expectation value, independent of the forward pass's shot noise.
 */
#pragma once

#include <vector>

#include "torchq/estimator.h"
#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/run.h"

namespace torchq {

/// Estimated expectation values out [B, K] (see the file comment). Validates the options.
template <class T>
void expval_estimated(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
                      const EstimatorOptions& options, T* out, const Executor& ex);

/**
 * @brief Gradients of sum_{b,k} grad_out[b,k] * E[estimate_{b,k}] with respect to weights and
 * inputs: exact (adjoint) for exact estimators, else unbiased parameter-shift estimates (see the
 * file comment). Buffers as in adjoint_expval_backward (adjoint.h): overwritten, null to skip.
 */
template <class T>
void expval_estimated_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                               const BatchInputs<T>& in, const EstimatorOptions& options, const T* grad_out,
                               T* grad_weights, T* grad_inputs, const Executor& ex);

}  // namespace torchq
