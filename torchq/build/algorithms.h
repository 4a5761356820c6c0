/**
 * @file algorithms.h
 * @brief Textbook quantum algorithms as blocks that append to a CircuitBuilder: the quantum
 * Fourier transform and its inverse, quantum phase estimation, and Grover's oracle, diffusion
 * and search. They use constant gates only (no weights, no inputs), so they sit anywhere in a
 * QuantumLayer's circuit, before or after trainable blocks. Conventions are PennyLane's (QFT,
 * QuantumPhaseEstimation, FlipSign, GroverOperator); wires[0] is the most significant bit of
 * the register. Python mirrors these in torchq.algorithms.
 */
#pragma once

#include <complex>
#include <vector>

#include "torchq/build/circuit_builder.h"

namespace torchq {

/// PennyLane's QFT: |j> -> 2^{-n/2} sum_k exp(2 pi i j k / 2^n) |k>, with j, k read from the
/// wires with wires[0] most significant. For each wires[i]: H, then ControlledPhaseShift(2 pi /
/// 2^{m+1}) controlled by wires[i + m], m = 1..n-1-i; then SWAPs that reverse the wire order.
void qft(CircuitBuilder& b, const std::vector<int>& wires);

/// The adjoint of qft(wires): the same gates in reverse order with negated angles.
void inverse_qft(CircuitBuilder& b, const std::vector<int>& wires);

/// PennyLane's QuantumPhaseEstimation: H on each estimation wire, then U^(2^(t-1-i)) on the target
/// wires controlled by estimation_wires[i] (a QubitUnitary with an extra control; the powers are
/// computed by repeated squaring and kept unitary), then inverse_qft(estimation_wires). For a
/// target eigenstate with U|psi> = exp(2 pi i phi)|psi>, the estimation register (read with
/// estimation_wires[0] most significant) is phi * 2^t exactly when phi * 2^t is an integer.
/// @param unitary_matrix row-major 2^k x 2^k unitary, k = target_wires.size() in [1, 6]
void phase_estimation(CircuitBuilder& b, const std::vector<std::complex<double>>& unitary_matrix,
                      const std::vector<int>& target_wires, const std::vector<int>& estimation_wires);

/// PennyLane's FlipSign: I - 2|m><m| for the basis state m (marked_bitstring[j] is the bit of
/// wires[j], 0 or 1): X where the bit is 0, Z on the last wire controlled by the others, X again.
void grover_oracle(CircuitBuilder& b, const std::vector<int>& wires, const std::vector<int>& marked_bitstring);

/// PennyLane's GroverOperator 2|s><s| - I, s the uniform superposition: H and X on every wire,
/// Z on the last wire controlled by the others, X and H again, and RZ(2 pi) = -I for the global
/// phase (PennyLane's GlobalPhase(pi)), so states agree with PennyLane's, sign included.
void grover_diffusion(CircuitBuilder& b, const std::vector<int>& wires);

/// floor(pi / 4 * sqrt(N / M)), N = 2^num_wires: the iteration count that brings the probability
/// of measuring one of M marked states close to 1 (it is sin^2((2k+1) theta), sin theta = sqrt(M/N)).
int grover_iterations(int num_wires, int num_marked = 1);

/// Grover's search: H on every wire, then `iterations` times the oracle of every marked state
/// followed by grover_diffusion. iterations -1 uses grover_iterations(n, marked.size()).
/// @param marked one or more distinct bitstrings, each with one bit per wire
/// @return the number of iterations appended
int grover_search(CircuitBuilder& b, const std::vector<int>& wires, const std::vector<std::vector<int>>& marked,
                  int iterations = -1);

}  // namespace torchq
