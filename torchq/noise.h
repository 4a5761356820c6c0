/**
 * @file noise.h
 * @brief Noise channels: their Kraus operators, their superoperators on a vectorised density
 * matrix, the channel step of a quantum trajectory, and a transform that adds noise after every
 * gate of a circuit. (The estimators' random streams are derive_seed chains: random.h.)
 *
 * A channel E(rho) = sum_k K_k rho K_k^dagger on one wire, with one probability p in [0, 1]
 * (PennyLane's definitions, so results compare with default.mixed):
 *   DepolarizingChannel(p): sqrt(1-p) I, sqrt(p/3) X, sqrt(p/3) Y, sqrt(p/3) Z
 *   AmplitudeDamping(g):    [[1, 0], [0, sqrt(1-g)]], [[0, sqrt(g)], [0, 0]]
 *   PhaseDamping(g):        [[1, 0], [0, sqrt(1-g)]], [[0, 0], [0, sqrt(g)]]
 *   BitFlip(p):             sqrt(1-p) I, sqrt(p) X
 *
 * Vectorisation (density_matrix.h): rho on n qubits is a 2n-qubit vector with index
 * r * 2^n + c (row r, column c), so the row of wire w is bit n + (n-1-w) and its column bit
 * n-1-w. Then vec(K rho K^dagger) = (K (x) conj(K)) vec(rho), K on the row bit and conj(K) on the
 * column bit, and a channel is the 4x4 superoperator S = sum_k K_k (x) conj(K_k) on the pair
 * (row bit, column bit), local index 2 * row + column (the dense2 kernel's convention).
 */
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"
#include "torchq/small_matrix.h"
#include "torchq/types.h"

namespace torchq {

/// The Kraus operators of a channel.
struct KrausSet {
  std::vector<Mat2> ops;
  /// Every K_k^dagger K_k is a multiple of I (a mixture of unitaries: depolarizing, bit flip): the
  /// probabilities ||K_k psi||^2 = (K_k^dagger K_k)_00 then do not depend on the state.
  bool unitary_mixture = false;
};

/// Kraus operators of channel `gate` with probability p (see the file comment).
/// Throws std::logic_error if `gate` is not a channel.
KrausSet kraus_operators(GateId gate, double p);

/// The 4x4 superoperator sum_k K_k (x) conj(K_k), row-major, local index 2 * row + column.
std::array<std::complex<double>, 16> superoperator(const KrausSet& kraus);

/**
 * @brief One channel step of a quantum trajectory, in place on the statevector psi: picks K_k with
 * probability ||K_k psi||^2 (one uniform draw from `rng`) and sets psi = K_k psi / ||K_k psi||.
 * @param p a kChannel primitive of the compiled circuit psi belongs to
 */
template <class T>
void apply_channel_trajectory(Complex<T>* psi, int num_qubits, const Primitive& p, std::mt19937_64& rng,
                              const Executor& ex);

/**
 * @brief A copy of `circuit` with `channel` of probability p after every operation that is not a
 * channel, on each of its wires (controls included, in the order controls, wires). An amplitude
 * embedding gets its channels after it, so it stays the first operation.
 * @param channel a channel name from the gate table ("DepolarizingChannel", "AmplitudeDamping",
 *                "PhaseDamping", "BitFlip"); throws ArgumentError for any other name
 */
Circuit add_noise_after_each_gate(const Circuit& circuit, const std::string& channel, double p);

}  // namespace torchq
