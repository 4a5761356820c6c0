/**
 * @file lane_kernels_impl.h
 * @brief Bodies of the lane kernels (lane_kernels.h). Included by one .cpp per instruction set
 * with TORCHQ_LANE_NS defined; do not include elsewhere. Everything sits in that namespace (and an
 * anonymous one), and calls nothing inline from shared headers, so no function compiled with AVX
 * instructions can be merged into generic code by the linker (see kernels_impl.h).
 *
 * Every loop's innermost level runs over the kLanes lanes of one amplitude with no dependence
 * between lanes: the compiler turns it into SIMD over samples. Complex products are spelled out
 * on real and imaginary parts (std::complex's operator* blocks vectorisation).
 */
#ifndef TORCHQ_LANE_NS
#error "define TORCHQ_LANE_NS before including lane_kernels_impl.h"
#endif

#include <cstdint>
#include <cstring>

#include "torchq/lanes/lane_kernels.h"

namespace torchq::lanes::TORCHQ_LANE_NS {
namespace {

constexpr int W = kLanes;
constexpr int W2 = 2 * kLanes;

/// The four entries of a per-lane 2x2 matrix block.
template <class T>
struct Entries2 {
  const T* re[4];
  const T* im[4];
  explicit Entries2(const T* m) {
    for (int e = 0; e < 4; ++e) {
      re[e] = m + e * W2;
      im[e] = m + e * W2 + W;
    }
  }
  /// Lane l of the pair (a, b) <- m (a, b).
  void apply(T* __restrict a, T* __restrict b, int l) const {
    const T ar = a[l], ai = a[W + l], br = b[l], bi = b[W + l];
    a[l] = re[0][l] * ar - im[0][l] * ai + re[1][l] * br - im[1][l] * bi;
    a[W + l] = re[0][l] * ai + im[0][l] * ar + re[1][l] * bi + im[1][l] * br;
    b[l] = re[2][l] * ar - im[2][l] * ai + re[3][l] * br - im[3][l] * bi;
    b[W + l] = re[2][l] * ai + im[2][l] * ar + re[3][l] * bi + im[3][l] * br;
  }
};

template <class T>
void mat2(T* __restrict s, const std::uint16_t* i0, int count, int step, const T* __restrict m) {
  const Entries2<T> M(m);
  for (int k = 0; k < count; ++k) {
    T* __restrict a = s + static_cast<std::size_t>(i0[k]) * W2;
    T* __restrict b = s + static_cast<std::size_t>(i0[k] + step) * W2;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) M.apply(a, b, l);
  }
}

template <class T>
void swap_pairs(T* s, const std::uint16_t* i0, int count, int step) {
  // Through a local copy of whole amplitudes: GCC left the lane-by-lane swap scalar (it cannot
  // tell the two amplitudes apart), while fixed-size copies become vector moves.
  T tmp[W2];
  for (int k = 0; k < count; ++k) {
    T* a = s + static_cast<std::size_t>(i0[k]) * W2;
    T* b = s + static_cast<std::size_t>(i0[k] + step) * W2;
    std::memcpy(tmp, a, sizeof(tmp));
    std::memcpy(a, b, sizeof(tmp));
    std::memcpy(b, tmp, sizeof(tmp));
  }
}

template <class T>
void matd(T* __restrict s, const std::uint16_t* base, int count, const std::uint16_t* offs, int d,
          const T* __restrict m, T* __restrict scratch) {
  for (int k = 0; k < count; ++k) {
    for (int j = 0; j < d; ++j) {
      const T* src = s + static_cast<std::size_t>(base[k] + offs[j]) * W2;
      for (int l = 0; l < W2; ++l) scratch[j * W2 + l] = src[l];
    }
    for (int r = 0; r < d; ++r) {
      T accr[W] = {}, acci[W] = {};
      for (int col = 0; col < d; ++col) {
        const T* e = m + static_cast<std::size_t>(r * d + col) * W2;
        const T* x = scratch + col * W2;
#pragma GCC ivdep
        for (int l = 0; l < W; ++l) {
          accr[l] += e[l] * x[l] - e[W + l] * x[W + l];
          acci[l] += e[l] * x[W + l] + e[W + l] * x[l];
        }
      }
      T* dst = s + static_cast<std::size_t>(base[k] + offs[r]) * W2;
      for (int l = 0; l < W; ++l) {
        dst[l] = accr[l];
        dst[W + l] = acci[l];
      }
    }
  }
}

template <class T>
void phase(T* __restrict s, const std::uint16_t* idx, const std::uint8_t* which, int count, const T* __restrict ph) {
  for (int k = 0; k < count; ++k) {
    T* __restrict a = s + static_cast<std::size_t>(idx[k]) * W2;
    const T* pr = ph + which[k] * W2;
    const T* pi = pr + W;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) {
      const T ar = a[l], ai = a[W + l];
      a[l] = pr[l] * ar - pi[l] * ai;
      a[W + l] = pr[l] * ai + pi[l] * ar;
    }
  }
}

template <class T>
void block1(T* __restrict psi, T* __restrict lambda, const std::uint16_t* i0, int count, int step,
            const T* __restrict v, double* __restrict S) {
  double acc[8][W] = {};  // [e][re|im] rows of S, e = 2i + j
  const Entries2<T> V(v);
  for (int k = 0; k < count; ++k) {
    T* __restrict p0 = psi + static_cast<std::size_t>(i0[k]) * W2;
    T* __restrict p1 = psi + static_cast<std::size_t>(i0[k] + step) * W2;
    T* __restrict q0 = lambda + static_cast<std::size_t>(i0[k]) * W2;
    T* __restrict q1 = lambda + static_cast<std::size_t>(i0[k] + step) * W2;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) {
      const double ar = p0[l], ai = p0[W + l], br = p1[l], bi = p1[W + l];
      const double cr = q0[l], ci = q0[W + l], dr = q1[l], di = q1[W + l];
      // conj(lambda_i) psi_j for i, j in {0 (a/c), 1 (b/d)}
      acc[0][l] += cr * ar + ci * ai;
      acc[1][l] += cr * ai - ci * ar;
      acc[2][l] += cr * br + ci * bi;
      acc[3][l] += cr * bi - ci * br;
      acc[4][l] += dr * ar + di * ai;
      acc[5][l] += dr * ai - di * ar;
      acc[6][l] += dr * br + di * bi;
      acc[7][l] += dr * bi - di * br;
      V.apply(p0, p1, l);
      V.apply(q0, q1, l);
    }
  }
  for (int e = 0; e < 8; ++e) {
    for (int l = 0; l < W; ++l) S[e * W + l] = acc[e][l];
  }
}

template <class T>
void pauli_inner(const T* __restrict a, const T* __restrict b, int dim, Index x, Index z, Index proj,
                 double* __restrict out) {
  double re[W] = {}, im[W] = {};
  for (int i = 0; i < dim; ++i) {
    const Index j = static_cast<Index>(i) ^ x;
    if ((j & proj) != proj) continue;
    const double sg = (__builtin_popcountll(static_cast<Index>(i) & z) & 1) ? -1.0 : 1.0;
    const T* aj = a + j * W2;
    const T* bi = b + static_cast<std::size_t>(i) * W2;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) {
      const double ar = aj[l], ai = aj[W + l], br = bi[l], bim = bi[W + l];
      re[l] += sg * (ar * br + ai * bim);
      im[l] += sg * (ar * bim - ai * br);
    }
  }
  for (int l = 0; l < W; ++l) {
    out[l] = re[l];
    out[W + l] = im[l];
  }
}

template <class T>
void diagonal_terms(const T* __restrict s, int dim, const Index* zmasks, int count, double* __restrict out) {
  for (int t = 0; t < count * W; ++t) out[t] = 0.0;
  for (int i = 0; i < dim; ++i) {
    const T* a = s + static_cast<std::size_t>(i) * W2;
    double p[W];
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) p[l] = static_cast<double>(a[l]) * a[l] + static_cast<double>(a[W + l]) * a[W + l];
    for (int t = 0; t < count; ++t) {
      double* o = out + t * W;
      if (__builtin_popcountll(static_cast<Index>(i) & zmasks[t]) & 1) {
#pragma GCC ivdep
        for (int l = 0; l < W; ++l) o[l] -= p[l];
      } else {
#pragma GCC ivdep
        for (int l = 0; l < W; ++l) o[l] += p[l];
      }
    }
  }
}

template <class T>
void diagonal_add(T* __restrict out, const T* __restrict psi, int dim, const Index* zmasks, const T* __restrict scales,
                  int count) {
  for (int i = 0; i < dim; ++i) {
    T f[W] = {};
    for (int t = 0; t < count; ++t) {
      const T* sc = scales + t * W;
      if (__builtin_popcountll(static_cast<Index>(i) & zmasks[t]) & 1) {
#pragma GCC ivdep
        for (int l = 0; l < W; ++l) f[l] -= sc[l];
      } else {
#pragma GCC ivdep
        for (int l = 0; l < W; ++l) f[l] += sc[l];
      }
    }
    T* o = out + static_cast<std::size_t>(i) * W2;
    const T* p = psi + static_cast<std::size_t>(i) * W2;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) {
      o[l] += f[l] * p[l];
      o[W + l] += f[l] * p[W + l];
    }
  }
}

template <class T>
void pauli_add(T* __restrict out, const T* __restrict psi, int dim, Index x, Index z, const T* __restrict scale) {
  for (int i = 0; i < dim; ++i) {
    const T sg = (__builtin_popcountll(static_cast<Index>(i) & z) & 1) ? T(-1) : T(1);
    T* o = out + (static_cast<Index>(i) ^ x) * W2;
    const T* p = psi + static_cast<std::size_t>(i) * W2;
#pragma GCC ivdep
    for (int l = 0; l < W; ++l) {
      const T sr = sg * scale[l], si = sg * scale[W + l];
      o[l] += sr * p[l] - si * p[W + l];
      o[W + l] += sr * p[W + l] + si * p[l];
    }
  }
}

template <class T>
LaneKernels<T> make_table() {
  return {&mat2<T>, &swap_pairs<T>, &matd<T>, &phase<T>, &block1<T>, &pauli_inner<T>, &diagonal_terms<T>, &diagonal_add<T>, &pauli_add<T>};
}

}  // namespace

const LaneKernels<float>& table_f() {
  static const LaneKernels<float> t = make_table<float>();
  return t;
}
const LaneKernels<double>& table_d() {
  static const LaneKernels<double> t = make_table<double>();
  return t;
}

}  // namespace torchq::lanes::TORCHQ_LANE_NS
