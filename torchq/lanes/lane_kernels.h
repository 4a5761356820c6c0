/**
 * @file lane_kernels.h
 * @brief The inner loops of the lane-major batch (lane_batch.h): kLanes samples of one small
 * circuit side by side, so that SIMD lanes hold different samples and one gate costs one pass
 * for all of them.
 *
 * Layout of a lane block (the states of kLanes samples, 2^n amplitudes each): amplitude i of
 * every lane occupies 2 * kLanes consecutive numbers, the real parts of lanes 0..kLanes-1 then
 * the imaginary parts: s[i * 2 * kLanes + l] and s[i * 2 * kLanes + kLanes + l]. Coefficients
 * come the same way, one per lane (a gate whose angle depends on the sample has a different
 * matrix in every lane): entry e of a matrix at m[e * 2 * kLanes + l] (real) and
 * m[e * 2 * kLanes + kLanes + l] (imaginary). Sums (cross densities, inner products) are
 * accumulated in double per lane, whatever T.
 *
 * Compiled once per instruction set, like the gate kernels (kernel_table.h): lane_kernels_impl.h
 * is included by one .cpp per ISA; lane_kernels<T>() returns the table of the ISA the gate
 * kernels use, so TORCHQ_ISA chooses both. Indices are uint16_t: the lane batch runs circuits
 * of at most kLaneMaxQubits qubits.
 */
#pragma once

#include <cstdint>

#include "torchq/kernels/kernel_table.h"
#include "torchq/types.h"

namespace torchq::lanes {

/// Samples per lane block: 8 doubles fill an AVX-512 register, 8 floats an AVX one.
inline constexpr int kLanes = 8;
/// The largest circuit the lane batch runs (indices fit in uint16_t; past it one sample's state
/// is big enough for the ordinary kernels to vectorise over amplitudes).
inline constexpr int kLaneMaxQubits = 10;

template <class T>
struct LaneKernels {
  /// 2x2 matrix m (4 entries per lane) on the pairs (i0[k], i0[k] + step), k < count.
  void (*mat2)(T* s, const std::uint16_t* i0, int count, int step, const T* m);
  /// X on the pairs: swaps each pair's amplitudes (CNOT, Toffoli, a basis flip).
  void (*swap_pairs)(T* s, const std::uint16_t* i0, int count, int step);
  /// d x d matrix m (row-major, d*d entries per lane) on the amplitudes base[k] + offs[j].
  /// scratch holds 2 * d * kLanes numbers.
  void (*matd)(T* s, const std::uint16_t* base, int count, const std::uint16_t* offs, int d, const T* m,
               T* scratch);
  /// Multiplies amplitude idx[k] by ph[which[k]] (2 entries per lane): parity phases.
  void (*phase)(T* s, const std::uint16_t* idx, const std::uint8_t* which, int count, const T* ph);
  /**
   * One step of the adjoint sweep for a block of one-qubit gates on one wire (the gate kernels'
   * adjoint_block1, per lane): S[e] (4 complex per lane, [e][re|im][lane] in double) = the cross
   * density sum_k conj(lambda_k,i) psi_k,j with e = 2i + j, then v (2x2 per lane) applied to both.
   */
  void (*block1)(T* psi, T* lambda, const std::uint16_t* i0, int count, int step, const T* v, double* S);
  /// out[re|im][lane] = sum over i with ((i ^ x) & proj) == proj of
  /// conj(a[i ^ x]) (-1)^popcount(i & z) b[i] (the caller multiplies by i^num_y).
  void (*pauli_inner)(const T* a, const T* b, int dim, Index x, Index z, Index proj, double* out);
  /// out[t * kLanes + l] = sum_i (-1)^popcount(i & zmasks[t]) |s_i|^2 in lane l, for the count
  /// diagonal Pauli words (Z and I only) zmasks: all of them in one pass over the amplitudes.
  void (*diagonal_terms)(const T* s, int dim, const Index* zmasks, int count, double* out);
  /// out_i += (sum_t scales[t * kLanes + l] (-1)^popcount(i & zmasks[t])) psi_i in lane l: the
  /// diagonal terms of an adjoint seed in one pass.
  void (*diagonal_add)(T* out, const T* psi, int dim, const Index* zmasks, const T* scales, int count);
  /// out[i ^ x] += scale (-1)^popcount(i & z) psi[i]; scale is one complex per lane ([re|im][lane]).
  void (*pauli_add)(T* out, const T* psi, int dim, Index x, Index z, const T* scale);
};

/// The lane kernels of the instruction set the gate kernels use (kernels::active_kernels).
template <class T>
const LaneKernels<T>& lane_kernels();

/// The lane kernels of one instruction set (tests compare them). Throws if the CPU lacks it.
template <class T>
const LaneKernels<T>& lane_kernels(kernels::Isa isa);

}  // namespace torchq::lanes
