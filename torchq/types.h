/**
 * @file types.h
 * @brief Basic types shared by the whole core: amplitude types and indices.
 *
 * Bit layout (used everywhere in torchq): wire 0 is the MOST significant bit of
 * a basis-state index, as in PennyLane. For n qubits, wire w is bit (n-1-w), so
 * |q0 q1 ... q_{n-1}> has index sum_w q_w * 2^(n-1-w). Kernels work on bit
 * positions; only the lowering from circuits converts wires to bits.
 */
#pragma once

#include <complex>
#include <cstdint>

namespace torchq {

/// Index of an amplitude or a count of amplitudes.
using Index = std::uint64_t;

template <class T>
using Complex = std::complex<T>;

/// Largest qubit count the index arithmetic supports. Memory refuses far earlier.
inline constexpr int kMaxQubits = 50;

/// Largest number of targets of a dense k-qubit gate (QubitUnitary, the densek kernel): a 64x64
/// matrix. Here, not in the kernel table, because circuit validation needs it too.
inline constexpr int kMaxDenseTargets = 6;

/// Bit position of wire `w` in an n-qubit index (wire 0 is the most significant bit).
constexpr int wire_to_bit(int num_qubits, int wire) { return num_qubits - 1 - wire; }

}  // namespace torchq
