/**
 * @file parameter_shift.h
 * @brief Gradients of any estimator (estimators.h) by parameter-shift rules, with respect to
 * weights and input features. Each shifted circuit is evaluated by an independent estimate, so
 * the gradient of an unbiased estimator (shots, trajectories) is itself unbiased.
 *
 * Rules per primitive, from its generator (U(a) = exp(-i a coeff G), lowering.h):
 *   two-term, f' = [f(a + pi/2) - f(a - pi/2)] / 2, where coeff G has two eigenvalues one apart:
 *     Pauli rotations without controls (RX, RY, RZ, IsingXX/YY/ZZ, MultiRZ, and the factors of Rot
 *     and U3: eigenvalues +-1/2) and PhaseShift with any controls (eigenvalues 0 and -1);
 *   four-term, f' = d+ [f(a + pi/2) - f(a - pi/2)] - d- [f(a + 3pi/2) - f(a - 3pi/2)],
 *     d+- = (sqrt 2 +- 1) / (4 sqrt 2), for controlled Pauli rotations (CRX, CRY, CRZ, CRot's
 *     factors, any rotation with extra controls: eigenvalues 0, +-1/2).
 * Only the one primitive is shifted, not every gate sharing its weight; the chain rule then goes
 * through the angle's source: scale * weight, scale * input, or inputs[i] * inputs[j].
 *
 * How a single primitive is shifted: the engine runs the estimator on the circuit's angle form,
 * where angle j is weights[j] (its own slot), with the per-sample angles resolved once.
 *
 * Amplitude-embedded features have no shift rule; their gradient is exact all the same, because
 * f is a quadratic form of the prepared vector: with Q(v) = |v|^2 f(v / |v|) = v^T A v, the central
 * difference [Q(v + h e_j) - Q(v - h e_j)] / 2h = 2 (A v)_j holds for any h (h = |v| / 2 here), so
 * df/dv_j = (dQ_j - 2 v_j f(v)) / |v|^2 (normalize on), or dQ_j (normalize off), again linear in
 * independent estimates.
 *
 * Cost per sample: 2 estimates per two-term angle, 4 per four-term angle, 2 per embedded feature
 * (+1 with normalisation). Work items (sample, estimate) run in parallel.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "torchq/estimator.h"
#include "torchq/run.h"

namespace torchq {

struct ShiftTerm {
  double shift;  ///< added to the angle
  double coeff;  ///< weight of that estimate in f'
};

/// The shift rule of a primitive with a differentiable angle (see the file comment).
/// Throws std::logic_error for a generator no rule covers.
std::vector<ShiftTerm> shift_rule(const Primitive& p);

/**
 * @brief Gradients of sum_{b,k} grad_out[b,k] * f_{b,k}, f estimated by `estimator`, by
 * parameter shift. Buffers as in adjoint_expval_backward (adjoint.h): overwritten, null to skip.
 * @param seed the random streams: estimate e of sample b uses derive_seed(derive_seed(seed, b), e)
 */
template <class T>
void parameter_shift_backward(const CompiledCircuit& c, const BatchInputs<T>& in, const Estimator<T>& estimator,
                              std::uint64_t seed, const T* grad_out, T* grad_weights, T* grad_inputs,
                              const Executor& ex);

}  // namespace torchq
