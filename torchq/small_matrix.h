/**
 * @file small_matrix.h
 * @brief The core's one 2x2 matrix type (Mat2, row-major, in double) with its products, and
 * to_t, the one conversion of a double-precision coefficient to a kernel's amplitude type.
 *
 * One-qubit matrices are built and multiplied in double whatever the state's precision (fusion,
 * adjoint blocks, Kraus operators), and converted to Complex<T> only when a kernel gets them.
 * Gate matrices of up to 4x4 (base_gate_matrix) are `SmallMatrix` (gate_table.h).
 */
#pragma once

#include <array>
#include <complex>

#include "torchq/types.h"

namespace torchq {

/// A 2x2 complex matrix, row-major: {m00, m01, m10, m11}.
using Mat2 = std::array<std::complex<double>, 4>;

/// a * b.
inline Mat2 mat2_mul(const Mat2& a, const Mat2& b) {
  return {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]};
}

/// The conjugate transpose.
inline Mat2 mat2_adjoint(const Mat2& a) { return {std::conj(a[0]), std::conj(a[2]), std::conj(a[1]), std::conj(a[3])}; }

/// A coefficient in the amplitude type of the state (T = float or double).
template <class T>
Complex<T> to_t(std::complex<double> z) {
  return {static_cast<T>(z.real()), static_cast<T>(z.imag())};
}

namespace detail {
// The names these had in simulator.h (tests and the adjoint use detail::).
using torchq::Mat2;
using torchq::mat2_adjoint;
using torchq::mat2_mul;
}  // namespace detail

}  // namespace torchq
