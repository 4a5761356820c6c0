/**
 * @file kernels_impl.h
 * @brief Kernel bodies. Included by one .cpp per instruction set with TORCHQ_KERNEL_NS defined;
 * do not include elsewhere. Everything here sits in that per-ISA namespace so no inline
 * function compiled with AVX instructions can be merged into generic code by the linker.
 *
 * Complex products are spelled out on real and imaginary parts: std::complex's operator*
 * checks for NaN/inf and calls __muldc3, which blocks vectorisation.
 */
#ifndef TORCHQ_KERNEL_NS
#error "define TORCHQ_KERNEL_NS before including kernels_impl.h"
#endif

#include <algorithm>
#include <array>
#include <cstring>

#include "torchq/kernels/kernel_table.h"

namespace torchq::kernels::TORCHQ_KERNEL_NS {
namespace {

// Local copies of GateLayout's index helpers: inline functions shared with generic code would be
// merged by the linker, and the surviving copy could carry AVX instructions.
inline Index base_of(const GateLayout& L, Index k) {
  for (int j = 0; j < L.num_fixed; ++j) {
    const Index low = (Index{1} << L.fixed_bits[j]) - 1;
    k = ((k & ~low) << 1) | (k & low);
  }
  return k | L.ctrl_mask;
}

inline Index count_of(const GateLayout& L) { return Index{1} << (L.num_qubits - L.num_fixed); }

inline int odd_parity(Index x) { return __builtin_popcountll(x) & 1; }

template <class T>
inline Complex<T> mul(const Complex<T>& a, const Complex<T>& b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

template <class T>
inline Complex<T> mul_add2(const Complex<T>& m0, const Complex<T>& a, const Complex<T>& m1,
                           const Complex<T>& b) {
  return {m0.real() * a.real() - m0.imag() * a.imag() + m1.real() * b.real() - m1.imag() * b.imag(),
          m0.real() * a.imag() + m0.imag() * a.real() + m1.real() * b.imag() + m1.imag() * b.real()};
}

// Inner loops over one run, as plain functions with value parameters: inside the kernels'
// lambdas GCC does not vectorise them (captured coefficients may alias the state).
template <class T>
void dense1_run(T* __restrict x, T* __restrict y, Index len, T ar, T ai, T br, T bi, T cr, T ci, T dr, T di) {
  for (Index j = 0; j < 2 * len; j += 2) {
    const T xr = x[j], xi = x[j + 1], yr = y[j], yi = y[j + 1];
    x[j] = ar * xr - ai * xi + br * yr - bi * yi;
    x[j + 1] = ar * xi + ai * xr + br * yi + bi * yr;
    y[j] = cr * xr - ci * xi + dr * yr - di * yi;
    y[j + 1] = cr * xi + ci * xr + dr * yi + di * yr;
  }
}

template <class T>
void scale_run(T* __restrict x, Index len, T ar, T ai) {
  for (Index j = 0; j < 2 * len; j += 2) {
    const T xr = x[j], xi = x[j + 1];
    x[j] = ar * xr - ai * xi;
    x[j + 1] = ar * xi + ai * xr;
  }
}

template <class T>
void antidiag1_run(T* __restrict x, T* __restrict y, Index len, T ar, T ai, T br, T bi) {
  for (Index j = 0; j < 2 * len; j += 2) {
    const T xr = x[j], xi = x[j + 1], yr = y[j], yi = y[j + 1];
    x[j] = ar * yr - ai * yi;
    x[j + 1] = ar * yi + ai * yr;
    y[j] = br * xr - bi * xi;
    y[j + 1] = br * xi + bi * xr;
  }
}

template <class T>
void dense2_run(T* __restrict p0, T* __restrict p1, T* __restrict p2, T* __restrict p3, Index len,
                const std::array<T, 16>& mr, const std::array<T, 16>& mi) {
  const std::array<T, 16> r = mr, im = mi;  // local copies: provably not aliased with the state
  for (Index j = 0; j < 2 * len; j += 2) {
    const T vr[4] = {p0[j], p1[j], p2[j], p3[j]};
    const T vi[4] = {p0[j + 1], p1[j + 1], p2[j + 1], p3[j + 1]};
    T* const out[4] = {p0, p1, p2, p3};
    for (int row = 0; row < 4; ++row) {
      T sr = 0, si = 0;
      for (int c = 0; c < 4; ++c) {
        sr += r[4 * row + c] * vr[c] - im[4 * row + c] * vi[c];
        si += r[4 * row + c] * vi[c] + im[4 * row + c] * vr[c];
      }
      out[row][j] = sr;
      out[row][j + 1] = si;
    }
  }
}

/// 256 bits of T (GCC/Clang vector extension: explicit SIMD in portable C++, compiled per ISA;
/// auto-vectorisation of these many sums produced shuffle-heavy code).
// The generic build (SSE2) passes these 256-bit values in memory, which GCC warns changes the
// ABI; they never cross a function boundary that other code calls (all inlined, internal).
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double Vec256d __attribute__((vector_size(32)));
typedef float Vec256f __attribute__((vector_size(32)));
template <class T>
struct Vec256Of;
template <>
struct Vec256Of<double> { using type = Vec256d; };
template <>
struct Vec256Of<float> { using type = Vec256f; };
template <class T>
using Vec256 = typename Vec256Of<T>::type;

/// Swaps the (re, im) parts of every complex number in v.
inline Vec256d swap_parts(Vec256d v) { return __builtin_shufflevector(v, v, 1, 0, 3, 2); }
inline Vec256f swap_parts(Vec256f v) { return __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6); }

template <class T>
inline Vec256<T> load256(const T* p) {
  Vec256<T> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

/// Running sums of a cross density in vector lanes (see cross_density_run). A lane's parity is
/// the part (re or im) its a-element came from.
template <class T>
struct CrossLanes {
  static constexpr int kWidth = static_cast<int>(32 / sizeof(T));
  // p[r] += l * a, q[r] += l * (a with each pair's parts swapped), r = 2i + j for conj(l_i) a_j.
  Vec256<T> p[4] = {}, q[4] = {};

  /// Adds the sums to out[8] (re, im of the four entries) in double and clears them.
  void flush(double* out) {
    for (int r = 0; r < 4; ++r) {
      double re = 0, im = 0;
      for (int k = 0; k < kWidth; k += 2) {
        re += static_cast<double>(p[r][k]) + static_cast<double>(p[r][k + 1]);
        im += static_cast<double>(q[r][k]) - static_cast<double>(q[r][k + 1]);
      }
      out[2 * r] += re;
      out[2 * r + 1] += im;
      p[r] = Vec256<T>{};
      q[r] = Vec256<T>{};
    }
  }
};

/// Adds the cross density of a run, sum conj(l_i) a_j over the pairs (a0, a1), (l0, l1), to the
/// lanes (whole vectors) and to out[8] (the rest, in double). On the interleaved (re, im) arrays:
/// Re conj(l) a = sum of l * a; Im conj(l) a = sum of l times a with parts swapped, even lanes
/// minus odd lanes. Fixed order: the same for any thread count.
template <class T>
void cross_density_run(const T* __restrict a0, const T* __restrict a1, const T* __restrict l0,
                       const T* __restrict l1, Index len, CrossLanes<T>& acc, double* out) {
  constexpr int W = CrossLanes<T>::kWidth;
  const Index n = 2 * len;
  Vec256<T> p0 = acc.p[0], p1 = acc.p[1], p2 = acc.p[2], p3 = acc.p[3];
  Vec256<T> q0 = acc.q[0], q1 = acc.q[1], q2 = acc.q[2], q3 = acc.q[3];
  Index i = 0;
  for (; i + W <= n; i += W) {
    const Vec256<T> x0 = load256(a0 + i), x1 = load256(a1 + i);
    const Vec256<T> y0 = load256(l0 + i), y1 = load256(l1 + i);
    const Vec256<T> x0s = swap_parts(x0), x1s = swap_parts(x1);
    p0 += y0 * x0;
    q0 += y0 * x0s;
    p1 += y0 * x1;
    q1 += y0 * x1s;
    p2 += y1 * x0;
    q2 += y1 * x0s;
    p3 += y1 * x1;
    q3 += y1 * x1s;
  }
  acc.p[0] = p0; acc.p[1] = p1; acc.p[2] = p2; acc.p[3] = p3;
  acc.q[0] = q0; acc.q[1] = q1; acc.q[2] = q2; acc.q[3] = q3;
  for (; i < n; i += 2) {
    const double ar = a0[i], ai = a0[i + 1], br = a1[i], bi = a1[i + 1];
    const double cr = l0[i], ci = l0[i + 1], dr = l1[i], di = l1[i + 1];
    out[0] += cr * ar + ci * ai;
    out[1] += cr * ai - ci * ar;
    out[2] += cr * br + ci * bi;
    out[3] += cr * bi - ci * br;
    out[4] += dr * ar + di * ai;
    out[5] += dr * ai - di * ar;
    out[6] += dr * br + di * bi;
    out[7] += dr * bi - di * br;
  }
}

/**
 * Calls body(i0, len) for the runs of iterations [b, e) whose indices are consecutive: the free
 * bits below the lowest fixed bit count up contiguously, so a run is up to 2^(lowest fixed bit)
 * long. Inner loops over a run are contiguous and vectorise; when runs are shorter than 4 the
 * per-iteration loop (`single`) is used instead.
 */
template <class Run, class Single>
inline void for_runs(const GateLayout& L, Index b, Index e, Run&& run_body, Single&& single) {
  const Index run = L.num_fixed > 0 ? Index{1} << L.fixed_bits[0] : (e - b);
  if (run < 4) {
    for (Index k = b; k < e; ++k) single(base_of(L, k));
    return;
  }
  Index k = b;
  while (k < e) {
    const Index len = std::min<Index>(e - k, run - (k & (run - 1)));
    run_body(base_of(L, k), len);
    k += len;
  }
}

template <class T>
void dense1(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const T ar = m[0].real(), ai = m[0].imag(), br = m[1].real(), bi = m[1].imag();
  const T cr = m[2].real(), ci = m[2].imag(), dr = m[3].real(), di = m[3].imag();
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for_runs(
        L, b, e,
        [&](Index i0, Index len) {
          // Runs never cross the target bit, so the two halves do not overlap.
          dense1_run(reinterpret_cast<T*>(psi + i0), reinterpret_cast<T*>(psi + (i0 | t)), len, ar, ai, br, bi, cr,
                     ci, dr, di);
        },
        [&](Index i0) {
          const Complex<T> a = psi[i0], c = psi[i0 | t];
          psi[i0] = mul_add2(m[0], a, m[1], c);
          psi[i0 | t] = mul_add2(m[2], a, m[3], c);
        });
  });
}

template <class T>
void diag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* d, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const T ar = d[0].real(), ai = d[0].imag(), br = d[1].real(), bi = d[1].imag();
  const bool first_is_one = d[0] == Complex<T>(1);  // PhaseShift, S, T: only the |1> half moves
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for_runs(
        L, b, e,
        [&](Index i0, Index len) {
          if (!first_is_one) scale_run(reinterpret_cast<T*>(psi + i0), len, ar, ai);
          scale_run(reinterpret_cast<T*>(psi + (i0 | t)), len, br, bi);
        },
        [&](Index i0) {
          psi[i0] = mul(d[0], psi[i0]);
          psi[i0 | t] = mul(d[1], psi[i0 | t]);
        });
  });
}

template <class T>
void antidiag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* a, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const T ar = a[0].real(), ai = a[0].imag(), br = a[1].real(), bi = a[1].imag();
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for_runs(
        L, b, e,
        [&](Index i0, Index len) {
          antidiag1_run(reinterpret_cast<T*>(psi + i0), reinterpret_cast<T*>(psi + (i0 | t)), len, ar, ai, br, bi);
        },
        [&](Index i0) {
          const Complex<T> v0 = psi[i0], v1 = psi[i0 | t];
          psi[i0] = mul(a[0], v1);
          psi[i0 | t] = mul(a[1], v0);
        });
  });
}

template <class T>
void dense2(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const Index t0 = Index{1} << L.target_bits[0];  // local bit 1 (most significant)
  const Index t1 = Index{1} << L.target_bits[1];  // local bit 0
  std::array<T, 16> mr, mi;
  for (int j = 0; j < 16; ++j) {
    mr[j] = m[j].real();
    mi[j] = m[j].imag();
  }
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for_runs(
        L, b, e,
        [&](Index i0, Index len) {
          dense2_run(reinterpret_cast<T*>(psi + i0), reinterpret_cast<T*>(psi + (i0 | t1)),
                     reinterpret_cast<T*>(psi + (i0 | t0)), reinterpret_cast<T*>(psi + (i0 | t0 | t1)), len, mr, mi);
        },
        [&](Index i00) {
          const Index idx[4] = {i00, i00 | t1, i00 | t0, i00 | t0 | t1};
          const Complex<T> v[4] = {psi[idx[0]], psi[idx[1]], psi[idx[2]], psi[idx[3]]};
          for (int r = 0; r < 4; ++r) {
            psi[idx[r]] = mul_add2(m[4 * r], v[0], m[4 * r + 1], v[1]) + mul_add2(m[4 * r + 2], v[2], m[4 * r + 3], v[3]);
          }
        });
  });
}

template <class T>
void swap2(Complex<T>* psi, const GateLayout& L, const Executor& ex) {
  const Index t0 = Index{1} << L.target_bits[0];
  const Index t1 = Index{1} << L.target_bits[1];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for_runs(
        L, b, e,
        [&](Index i0, Index len) {
          Complex<T>* __restrict x = psi + (i0 | t0);
          Complex<T>* __restrict y = psi + (i0 | t1);
          for (Index j = 0; j < len; ++j) {
            const Complex<T> v = x[j];
            x[j] = y[j];
            y[j] = v;
          }
        },
        [&](Index i0) {
          const Complex<T> v = psi[i0 | t0];
          psi[i0 | t0] = psi[i0 | t1];
          psi[i0 | t1] = v;
        });
  });
}

template <class T>
void parity_phase(Complex<T>* psi, const GateLayout& L, Index zmask, const Complex<T>* ph,
                  const Executor& ex) {
  const Complex<T> p0 = ph[0], p1 = ph[1];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i = base_of(L, k);
      psi[i] = mul(odd_parity(i & zmask) ? p1 : p0, psi[i]);
    }
  });
}

template <class T>
void densek(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const int k = L.num_targets;
  const Index dim = Index{1} << k;
  std::array<Index, Index{1} << kMaxDenseTargets> offset{};
  for (Index j = 0; j < dim; ++j) {
    Index off = 0;
    for (int t = 0; t < k; ++t) {
      if ((j >> (k - 1 - t)) & 1U) off |= Index{1} << L.target_bits[t];
    }
    offset[j] = off;
  }
  ex.parallel_for(count_of(L), kAmplitudeGrain >> k, [&](Index b, Index e) {
    std::array<Complex<T>, Index{1} << kMaxDenseTargets> v;
    for (Index it = b; it < e; ++it) {
      const Index base = base_of(L, it);
      for (Index j = 0; j < dim; ++j) v[j] = psi[base | offset[j]];
      for (Index r = 0; r < dim; ++r) {
        const Complex<T>* row = m + r * dim;
        T re = 0, im = 0;
        for (Index c = 0; c < dim; ++c) {
          re += row[c].real() * v[c].real() - row[c].imag() * v[c].imag();
          im += row[c].real() * v[c].imag() + row[c].imag() * v[c].real();
        }
        psi[base | offset[r]] = {re, im};
      }
    }
  });
}

/// CrossDensity with a sum, local to this instruction set (see base_of for why).
struct DensitySum {
  std::complex<double> s[4] = {};
  DensitySum& operator+=(const DensitySum& o) {
    for (int j = 0; j < 4; ++j) s[j] += o.s[j];
    return *this;
  }
};

template <class T>
CrossDensity adjoint_block1(Complex<T>* psi, Complex<T>* lambda, const GateLayout& L, const Complex<T>* v,
                            const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const T vr[4] = {v[0].real(), v[1].real(), v[2].real(), v[3].real()};
  const T vi[4] = {v[0].imag(), v[1].imag(), v[2].imag(), v[3].imag()};
  constexpr Index kBlock = Index{1} << 13;
  const DensitySum total = deterministic_sum<DensitySum>(ex, count_of(L), kBlock, [&](Index lo, Index hi) {
    double acc[8] = {};
    CrossLanes<T> lanes;
    auto step = [&](Index i0) {
      T* a0 = reinterpret_cast<T*>(psi + i0);
      T* a1 = reinterpret_cast<T*>(psi + (i0 | t));
      T* l0 = reinterpret_cast<T*>(lambda + i0);
      T* l1 = reinterpret_cast<T*>(lambda + (i0 | t));
      cross_density_run(a0, a1, l0, l1, 1, lanes, acc);
      dense1_run(a0, a1, 1, vr[0], vi[0], vr[1], vi[1], vr[2], vi[2], vr[3], vi[3]);
      dense1_run(l0, l1, 1, vr[0], vi[0], vr[1], vi[1], vr[2], vi[2], vr[3], vi[3]);
    };
    // Tile by tile: the sums read the tile, the two updates then find it in L1. Float lanes go
    // to double after every tile (short float sums); double lanes once per block.
    auto run = [&](Index i0, Index len) {
      constexpr Index kTile = 256;
      for (Index j0 = 0; j0 < len; j0 += kTile) {
        const Index m = std::min(kTile, len - j0);
        T* a0 = reinterpret_cast<T*>(psi + i0 + j0);
        T* a1 = reinterpret_cast<T*>(psi + ((i0 + j0) | t));
        T* l0 = reinterpret_cast<T*>(lambda + i0 + j0);
        T* l1 = reinterpret_cast<T*>(lambda + ((i0 + j0) | t));
        cross_density_run(a0, a1, l0, l1, m, lanes, acc);
        if constexpr (sizeof(T) < sizeof(double)) lanes.flush(acc);
        dense1_run(a0, a1, m, vr[0], vi[0], vr[1], vi[1], vr[2], vi[2], vr[3], vi[3]);
        dense1_run(l0, l1, m, vr[0], vi[0], vr[1], vi[1], vr[2], vi[2], vr[3], vi[3]);
      }
    };
    for_runs(L, lo, hi, run, step);
    lanes.flush(acc);
    DensitySum out;
    for (int j = 0; j < 4; ++j) out.s[j] = {acc[2 * j], acc[2 * j + 1]};
    return out;
  });
  CrossDensity out;
  for (int j = 0; j < 4; ++j) out.s[j] = total.s[j];
  return out;
}

template <class T>
void read_write_pass(Complex<T>* psi, Index size, const Executor& ex) {
  T* p = reinterpret_cast<T*>(psi);
  ex.parallel_for(2 * size, 2 * kAmplitudeGrain, [&](Index b, Index e) {
    for (Index i = b; i < e; ++i) p[i] = -p[i];
  });
}

template <class T>
KernelTable<T> make_table(Isa isa) {
  return KernelTable<T>{isa,          &dense1<T>,       &diag1<T>,  &antidiag1<T>,
                        &dense2<T>,   &swap2<T>,        &parity_phase<T>,
                        &densek<T>,   &adjoint_block1<T>, &read_write_pass<T>};
}

}  // namespace

const KernelTable<float>& table_f() {
  static const KernelTable<float> t = make_table<float>(TORCHQ_KERNEL_ISA);
  return t;
}
const KernelTable<double>& table_d() {
  static const KernelTable<double> t = make_table<double>(TORCHQ_KERNEL_ISA);
  return t;
}

}  // namespace torchq::kernels::TORCHQ_KERNEL_NS
