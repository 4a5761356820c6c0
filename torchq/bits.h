/**
 * @file bits.h
 * @brief Index arithmetic shared by all kernels, written once (Qulacs copies it into every file).
 *
 * A gate touching bits B = {b1 < b2 < ...} (targets and controls) visits the amplitudes whose
 * B-bits are fixed. We count the free amplitudes k = 0 .. 2^(n-|B|)-1 and insert a zero at each
 * fixed position, lowest first; OR-ing the control mask and target bits then yields the indices.
 */
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "torchq/types.h"

namespace torchq {

/// Bits a kernel keeps fixed while it loops over the others. Positions are stored as bytes: every
/// primitive of a compiled circuit holds one layout, so its size is the circuit's memory per gate.
struct GateLayout {
  static constexpr int kMaxBits = 64;

  int num_qubits = 0;
  int num_targets = 0;
  /// Bit position of each target, in the gate's own wire order: target 0 is the most
  /// significant bit of the gate's local matrix index (PennyLane's convention).
  std::array<std::uint8_t, kMaxBits> target_bits{};
  /// Amplitudes are touched only where all these bits are 1.
  Index ctrl_mask = 0;
  int num_fixed = 0;
  /// Each fixed bit position (targets and controls), ascending.
  std::array<std::uint8_t, kMaxBits> fixed_bits{};

  /// (1 << p) - 1 for the j-th fixed bit p.
  Index low_mask(int j) const { return (Index{1} << fixed_bits[j]) - 1; }

  /// Number of loop iterations: free amplitudes of the unfixed bits.
  Index loop_count() const { return Index{1} << (num_qubits - num_fixed); }

  /// Index with all fixed bits zero except the controls (set) for loop iteration k.
  Index base(Index k) const {
    for (int j = 0; j < num_fixed; ++j) {
      const Index low = low_mask(j);
      k = ((k & ~low) << 1) | (k & low);
    }
    return k | ctrl_mask;
  }

  /// Scatters the bits of local index j (target 0 = most significant) onto the target bits.
  Index scatter(Index j) const {
    Index out = 0;
    for (int t = 0; t < num_targets; ++t) {
      if ((j >> (num_targets - 1 - t)) & 1U) out |= Index{1} << target_bits[t];
    }
    return out;
  }
};

/**
 * @brief Builds a layout from bit positions of targets and controls.
 * Preconditions (validated earlier by the circuit validator): all positions distinct and < n.
 */
GateLayout make_layout(int num_qubits, const int* target_bits, int num_targets,
                       const int* control_bits, int num_controls);

inline int parity(Index x) { return std::popcount(x) & 1; }

}  // namespace torchq
