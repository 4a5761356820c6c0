/**
 * @file numerics.h
 * @brief Floating-point helpers that keep extreme but finite inputs finite.
 */
#pragma once

#include <algorithm>
#include <cmath>

#include "torchq/types.h"

namespace torchq {

/**
 * @brief The Euclidean norm of n numbers as scale * root, without overflow or underflow: the
 * entries are divided by the largest |v_j| (scale) before squaring, so [1e200, 1e200] and
 * [1e-320, 0] have their true norms (summing squares directly gives inf and 0).
 *
 * Divide by the two factors in turn, (v_j / scale) / root, not by value(): the product can
 * overflow, or lose its precision as a subnormal number, where the quotients do not.
 */
struct ScaledNorm {
  double scale = 0;  ///< the largest |v_j|: 0 only for an all-zero vector; NaN if an entry is NaN
  double root = 0;   ///< sqrt(sum (v_j / scale)^2), in [1, sqrt(n)]
  double value() const { return scale * root; }
  /// v_j / |v| to full precision.
  double unit(double vj) const { return vj / scale / root; }
};

inline ScaledNorm stable_norm(const double* v, Index n) {
  ScaledNorm out;
  for (Index j = 0; j < n; ++j) {
    if (std::isnan(v[j])) return {v[j], 1};
    out.scale = std::max(out.scale, std::abs(v[j]));
  }
  if (out.scale == 0 || std::isinf(out.scale)) return {out.scale, 1};
  double sum = 0;
  for (Index j = 0; j < n; ++j) {
    const double r = v[j] / out.scale;
    sum += r * r;
  }
  out.root = std::sqrt(sum);
  return out;
}

}  // namespace torchq
