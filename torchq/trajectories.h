/**
 * @file trajectories.h
 * @brief Quantum trajectories: a noisy circuit simulated on a statevector, each channel replaced
 * by one of its Kraus operators drawn at random.
 *
 * At a channel, K_k is drawn with probability ||K_k psi||^2 and psi <- K_k psi / ||K_k psi||
 * (noise.h, apply_channel_trajectory). The average of <psi|O|psi> over trajectories is an
 * unbiased estimate of Tr(O rho) for the density matrix rho of the noisy circuit: the mixture of
 * the trajectories' final states, weighted by their probabilities, is exactly rho. Memory is one
 * statevector per worker, so trajectories reach the qubit counts of the exact statevector ops.
 *
 * Randomness: the caller passes the generator, seeded by (seed, sample, trajectory) through
 * derive_seed (estimators.h), so results never depend on threads.
 */
#pragma once

#include <random>

#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"

namespace torchq {

/**
 * @brief Runs one trajectory of one sample: prepares |0..0> (or the amplitude embedding), applies
 * every gate, and at every channel applies a Kraus operator drawn from `rng`.
 * @param psi 2^n amplitudes, overwritten with the trajectory's final (normalised) state
 */
template <class T>
void run_trajectory(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                    std::mt19937_64& rng, const kernels::KernelTable<T>& k, const Executor& ex);

}  // namespace torchq
