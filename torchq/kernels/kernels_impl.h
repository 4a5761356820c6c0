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
#include <type_traits>

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

/// The cross density's scalar part: the pairs of the first n reals (n even) of each array, in double.
template <class T>
inline void cross_density_tail(const T* a0, const T* a1, const T* l0, const T* l1, Index n, double* out) {
  for (Index i = 0; i < n; i += 2) {
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

template <class T, class V>
inline void store256(T* p, const V& v) {
  std::memcpy(p, &v, sizeof(v));
}
template <class V, class T>
inline V loadv(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

/// Lanes of T and complex numbers in one Vec256<T>.
template <class T>
inline constexpr int kLanes = static_cast<int>(32 / sizeof(T));
template <class T>
inline constexpr int kCplx = kLanes<T> / 2;

/// 512 bits of T, for the long runs of the AVX-512 build (Vec256 elsewhere: VecRun).
typedef double Vec512d __attribute__((vector_size(64)));
typedef float Vec512f __attribute__((vector_size(64)));
inline Vec512d swap_parts(Vec512d v) { return __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6); }
inline Vec512f swap_parts(Vec512f v) {
  return __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
}
template <class T>
struct Vec512Of;
template <>
struct Vec512Of<double> { using type = Vec512d; };
template <>
struct Vec512Of<float> { using type = Vec512f; };
/// The vector of the contiguous-run loops: as wide as the instruction set's registers (GCC's
/// auto-vectorised loops used 512 bits in the AVX-512 build; 256 there ran ~30% slower in L2).
#ifdef __AVX512F__
template <class T>
using VecRun = std::conditional_t<sizeof(T) == sizeof(float), Vec256<T>, typename Vec512Of<T>::type>;
#else
template <class T>
using VecRun = Vec256<T>;
#endif
/// Lanes of T in vector V.
template <class T, class V>
inline constexpr int kLanesOf = static_cast<int>(sizeof(V) / sizeof(T));

/// A lane mask of Vec256<T> (all ones where set), for `mask ? a : b`.
typedef long long Mask256d __attribute__((vector_size(32)));
typedef int Mask256f __attribute__((vector_size(32)));
template <class T>
struct Mask256Of;
template <>
struct Mask256Of<double> { using type = Mask256d; };
template <>
struct Mask256Of<float> { using type = Mask256f; };
template <class T>
using Mask256 = typename Mask256Of<T>::type;

/**
 * A complex coefficient c spread over the lanes of interleaved (re, im) data: c * v =
 * re * v + im * swap_parts(v), with re = {cr, cr, ...} and im = {-ci, ci, -ci, ci, ...}.
 */
template <class T, class V = Vec256<T>>
struct CVec {
  V re, im;
  CVec() = default;
  CVec(T r, T i) {
    for (int l = 0; l < kLanesOf<T, V>; l += 2) {
      re[l] = r;
      re[l + 1] = r;
      im[l] = -i;
      im[l + 1] = i;
    }
  }
  explicit CVec(const Complex<T>& c) : CVec(c.real(), c.imag()) {}
};

// One-qubit operations on a pair of vectors: x holds amplitudes with the target bit 0, y the
// partners with it 1, lane for lane. Each takes the parts-swapped copies too, shared by its sums.

/// [[a, b], [c, d]]: 4 multiply-adds per output vector, two shuffles for both.
template <class T, class V = Vec256<T>>
struct Dense1Op {
  using Vec = V;
  CVec<T, V> a, b, c, d;
  void operator()(V& x, V& y) const {
    const V xs = swap_parts(x), ys = swap_parts(y);
    const V nx = a.re * x + a.im * xs + b.re * y + b.im * ys;
    const V ny = c.re * x + c.im * xs + d.re * y + d.im * ys;
    x = nx;
    y = ny;
  }
};

/// diag(a, b).
template <class T, class V = Vec256<T>>
struct Diag1Op {
  using Vec = V;
  CVec<T, V> a, b;
  void operator()(V& x, V& y) const {
    x = a.re * x + a.im * swap_parts(x);
    y = b.re * y + b.im * swap_parts(y);
  }
};

/// [[0, a], [b, 0]].
template <class T, class V = Vec256<T>>
struct Antidiag1Op {
  using Vec = V;
  CVec<T, V> a, b;
  void operator()(V& x, V& y) const {
    const V nx = a.re * y + a.im * swap_parts(y);
    const V ny = b.re * x + b.im * swap_parts(x);
    x = nx;
    y = ny;
  }
};

/// [[0, 1], [1, 0]] (X, CNOT, Toffoli): the halves trade places, no arithmetic.
template <class T, class V = Vec256<T>>
struct Flip1Op {
  using Vec = V;
  void operator()(V& x, V& y) const {
    const V t = x;
    x = y;
    y = t;
  }
};

/// Scales one vector by a.
template <class T, class V = Vec256<T>>
struct ScaleOp {
  using Vec = V;
  CVec<T, V> a;
  void operator()(V& x) const { x = a.re * x + a.im * swap_parts(x); }
};

/**
 * Applies op to the run of len complex pairs (x[j], y[j]) (interleaved T arrays). The tail (len
 * not a multiple of the vector's complex count) goes through the same vector code on a
 * zero-padded copy, so every amplitude gets the same arithmetic wherever a chunk boundary falls.
 * Inlined into the *_chunk functions below, which hold their own copy of op.
 */
template <class T, class Op>
__attribute__((always_inline)) inline void pair_run(T* __restrict x, T* __restrict y, Index len, const Op& op) {
  using V = typename Op::Vec;
  constexpr int W = kLanesOf<T, V>;
  const Index n = 2 * len;
  Index j = 0;
  for (; j + W <= n; j += W) {
    V vx = loadv<V>(x + j), vy = loadv<V>(y + j);
    op(vx, vy);
    store256(x + j, vx);
    store256(y + j, vy);
  }
  if (j < n) {
    // Fixed trip counts (unrolled, no memcpy call): the tail is 1 to W - 1 elements.
    const int rem = static_cast<int>(n - j);
    T bx[W] = {}, by[W] = {};
    for (int i = 0; i < W; ++i) {
      if (i < rem) {
        bx[i] = x[j + i];
        by[i] = y[j + i];
      }
    }
    V vx = loadv<V>(bx), vy = loadv<V>(by);
    op(vx, vy);
    for (int i = 0; i < W; ++i) {
      if (i < rem) {
        x[j + i] = vx[i];
        y[j + i] = vy[i];
      }
    }
  }
}

/// Applies op to each complex number of a run (as pair_run, on one array).
template <class T, class Op>
__attribute__((always_inline)) inline void single_run(T* __restrict x, Index len, const Op& op) {
  using V = typename Op::Vec;
  constexpr int W = kLanesOf<T, V>;
  const Index n = 2 * len;
  Index j = 0;
  for (; j + W <= n; j += W) {
    V v = loadv<V>(x + j);
    op(v);
    store256(x + j, v);
  }
  if (j < n) {
    const int rem = static_cast<int>(n - j);  // 1 to W - 1 elements, as in pair_run
    T b[W] = {};
    for (int i = 0; i < W; ++i) {
      if (i < rem) b[i] = x[j + i];
    }
    V v = loadv<V>(b);
    op(v);
    for (int i = 0; i < W; ++i) {
      if (i < rem) x[j + i] = v[i];
    }
  }
}

/**
 * The runs of iterations [b, e) of a one-qubit gate (target L.target_bits[0]): op on each pair of
 * halves. A plain function with its own copy of op, so the coefficients stay in registers (in the
 * kernels' lambdas GCC could not tell that the state does not alias them), set up once per chunk
 * rather than once per run.
 */
template <class T, class Op>
void pair_chunk(Complex<T>* psi, const GateLayout& L, Index b, Index e, const Op op_in) {
  const Op op = op_in;
  const Index t = Index{1} << L.target_bits[0];
  auto body = [&](Index i0, Index len) {
    // Runs never cross the target bit, so the two halves do not overlap.
    pair_run(reinterpret_cast<T*>(psi + i0), reinterpret_cast<T*>(psi + (i0 | t)), len, op);
  };
  for_runs(L, b, e, body, [&](Index i0) { body(i0, 1); });
}

/// As pair_chunk for diagonal gates: the halves scaled separately, the first only if scale_first.
template <class T>
void scale_chunk(Complex<T>* psi, const GateLayout& L, Index b, Index e, const ScaleOp<T, VecRun<T>> op0_in,
                 const ScaleOp<T, VecRun<T>> op1_in, bool scale_first) {
  const ScaleOp<T, VecRun<T>> op0 = op0_in, op1 = op1_in;
  const Index t = Index{1} << L.target_bits[0];
  auto body = [&](Index i0, Index len) {
    if (scale_first) single_run(reinterpret_cast<T*>(psi + i0), len, op0);
    single_run(reinterpret_cast<T*>(psi + (i0 | t)), len, op1);
  };
  for_runs(L, b, e, body, [&](Index i0) { body(i0, 1); });
}

// ---------------------------------------------------------------------------------------------
// One-qubit gates with a fixed bit (target or control) below bit 2: runs of 1 or 2 amplitudes.
//
// The state is cut into units of two vectors (2 * kCplx amplitudes: 4 of double, 8 of float),
// whose index bits below kUnitBits are handled inside the unit (shuffles and lane masks) while
// the fixed bits above go through a reduced layout over unit indices.

template <class T>
inline constexpr int kUnitBits = sizeof(T) == sizeof(double) ? 2 : 3;

/// x = the unit's amplitudes with target bit t 0, y = those with it 1 (t below kUnitBits).
template <int t>
inline void unit_to_pair(Vec256d v0, Vec256d v1, Vec256d& x, Vec256d& y) {
  if constexpr (t == 0) {
    x = __builtin_shufflevector(v0, v1, 0, 1, 4, 5);
    y = __builtin_shufflevector(v0, v1, 2, 3, 6, 7);
  } else {
    x = v0;
    y = v1;
  }
}
template <int t>
inline void pair_to_unit(Vec256d x, Vec256d y, Vec256d& v0, Vec256d& v1) {
  unit_to_pair<t>(x, y, v0, v1);  // the same permutation is its own inverse
}
template <int t>
inline void unit_to_pair(Vec256f v0, Vec256f v1, Vec256f& x, Vec256f& y) {
  if constexpr (t == 0) {
    x = __builtin_shufflevector(v0, v1, 0, 1, 4, 5, 8, 9, 12, 13);
    y = __builtin_shufflevector(v0, v1, 2, 3, 6, 7, 10, 11, 14, 15);
  } else if constexpr (t == 1) {
    x = __builtin_shufflevector(v0, v1, 0, 1, 2, 3, 8, 9, 10, 11);
    y = __builtin_shufflevector(v0, v1, 4, 5, 6, 7, 12, 13, 14, 15);
  } else {
    x = v0;
    y = v1;
  }
}
template <int t>
inline void pair_to_unit(Vec256f x, Vec256f y, Vec256f& v0, Vec256f& v1) {
  if constexpr (t == 0) {
    v0 = __builtin_shufflevector(x, y, 0, 1, 8, 9, 2, 3, 10, 11);
    v1 = __builtin_shufflevector(x, y, 4, 5, 12, 13, 6, 7, 14, 15);
  } else {
    unit_to_pair<t>(x, y, v0, v1);  // self-inverse for t = 1 and 2
  }
}

/// Lanes whose complex number's unit index (lane_index[l / 2]) has all bits of ctrl set.
template <class T>
inline Mask256<T> control_mask(const int* unit_index, Index ctrl) {
  Mask256<T> m{};
  for (int l = 0; l < kLanes<T>; ++l) m[l] = (unit_index[l / 2] & ctrl) == ctrl ? -1 : 0;
  return m;
}

/// The layout over unit indices: the fixed bits at or above kUnitBits, shifted down.
template <class T>
inline GateLayout unit_layout(const GateLayout& L) {
  constexpr int B = kUnitBits<T>;
  GateLayout U;
  U.num_qubits = L.num_qubits - B;
  for (int j = 0; j < L.num_fixed; ++j) {
    if (L.fixed_bits[j] >= B) U.fixed_bits[U.num_fixed++] = static_cast<std::uint8_t>(L.fixed_bits[j] - B);
  }
  U.ctrl_mask = L.ctrl_mask >> B;
  return U;
}

/// Target below kUnitBits: each unit holds whole pairs.
template <class T, int t, bool masked, class Op>
__attribute__((always_inline)) inline void low_target_units(T* __restrict p, Index count, const Op& op,
                                                            const Mask256<T>& m) {
  constexpr int W = kLanes<T>;
  for (Index u = 0; u < count; ++u, p += 2 * W) {
    Vec256<T> v0 = load256(p), v1 = load256(p + W), x, y;
    unit_to_pair<t>(v0, v1, x, y);
    Vec256<T> nx = x, ny = y;
    op(nx, ny);
    if constexpr (masked) {
      nx = m ? nx : x;
      ny = m ? ny : y;
    }
    pair_to_unit<t>(nx, ny, v0, v1);
    store256(p, v0);
    store256(p + W, v1);
  }
}

/// Target at or above kUnitBits, controls below: units pair with units, masked lane by lane.
template <class T, class Op>
__attribute__((always_inline)) inline void high_target_units(T* __restrict p, T* __restrict q, Index count,
                                                             const Op& op, const Mask256<T>& m0,
                                                             const Mask256<T>& m1) {
  constexpr int W = kLanes<T>;
  for (Index u = 0; u < count; ++u, p += 2 * W, q += 2 * W) {
    const Vec256<T> x0 = load256(p), x1 = load256(p + W), y0 = load256(q), y1 = load256(q + W);
    Vec256<T> a0 = x0, a1 = x1, b0 = y0, b1 = y1;
    op(a0, b0);
    op(a1, b1);
    store256(p, m0 ? a0 : x0);
    store256(p + W, m1 ? a1 : x1);
    store256(q, m0 ? b0 : y0);
    store256(q + W, m1 ? b1 : y1);
  }
}

/// Units [b, e) of the unit layout U, target t below kUnitBits (own copies of op and mask, as in
/// pair_chunk).
template <class T, int t, bool masked, class Op>
void low_target_chunk(T* base, const GateLayout& U, Index b, Index e, const Op op_in, const Mask256<T> m_in) {
  constexpr int B = kUnitBits<T>;
  const Op op = op_in;
  const Mask256<T> m = m_in;
  auto body = [&](Index u0, Index len) { low_target_units<T, t, masked>(base + 2 * (u0 << B), len, op, m); };
  for_runs(U, b, e, body, [&](Index u0) { body(u0, 1); });
}

/// Units [b, e) of the unit layout U, target bit tu among unit indices.
template <class T, class Op>
void high_target_chunk(T* base, const GateLayout& U, Index tu, Index b, Index e, const Op op_in,
                       const Mask256<T> m0_in, const Mask256<T> m1_in) {
  constexpr int B = kUnitBits<T>;
  const Op op = op_in;
  const Mask256<T> m0 = m0_in, m1 = m1_in;
  auto body = [&](Index u0, Index len) {
    high_target_units(base + 2 * (u0 << B), base + 2 * ((u0 | tu) << B), len, op, m0, m1);
  };
  for_runs(U, b, e, body, [&](Index u0) { body(u0, 1); });
}

/**
 * Applies a one-qubit op (target L.target_bits[0], controls in L.ctrl_mask) when some fixed bit
 * lies below 2. Needs L.num_qubits >= kUnitBits<T>. Units are computed the same whatever the
 * chunking, so results do not depend on the thread count.
 */
template <class T, class Op>
void low_bits_gate(Complex<T>* psi, const GateLayout& L, const Op& op, const Executor& ex) {
  constexpr int B = kUnitBits<T>;
  constexpr Index kUnit = Index{1} << B;
  const int t = L.target_bits[0];
  const Index low_ctrl = L.ctrl_mask & (kUnit - 1);
  const GateLayout U = unit_layout<T>(L);
  int low_fixed = 0;
  for (int j = 0; j < L.num_fixed; ++j) low_fixed += L.fixed_bits[j] < B;
  // A unit stands for 2^(B - low_fixed) iterations of L.
  const Index grain = std::max<Index>(1, kAmplitudeGrain >> (B - low_fixed));
  T* const base = reinterpret_cast<T*>(psi);
  if (t < B) {
    // Unit index of each lane of x (target bit 0); y's lanes differ only in the target bit.
    int lane_index[kCplx<T>];
    for (int j = 0; j < kCplx<T>; ++j) {
      const int low = j & ((1 << t) - 1);
      lane_index[j] = ((j - low) << 1) | low;
    }
    const Mask256<T> m = control_mask<T>(lane_index, low_ctrl);
    const bool masked = low_ctrl != 0;
    ex.parallel_for(count_of(U), grain, [&](Index b, Index e) {
      if (t == 0) {
        masked ? low_target_chunk<T, 0, true>(base, U, b, e, op, m) : low_target_chunk<T, 0, false>(base, U, b, e, op, m);
      } else if (t == 1) {
        masked ? low_target_chunk<T, 1, true>(base, U, b, e, op, m) : low_target_chunk<T, 1, false>(base, U, b, e, op, m);
      } else if constexpr (B > 2) {
        masked ? low_target_chunk<T, 2, true>(base, U, b, e, op, m) : low_target_chunk<T, 2, false>(base, U, b, e, op, m);
      }
    });
  } else {
    int idx0[kCplx<T>], idx1[kCplx<T>];
    for (int j = 0; j < kCplx<T>; ++j) {
      idx0[j] = j;
      idx1[j] = kCplx<T> + j;
    }
    const Mask256<T> m0 = control_mask<T>(idx0, low_ctrl), m1 = control_mask<T>(idx1, low_ctrl);
    const Index tu = Index{1} << (t - B);  // the target's bit among unit indices
    ex.parallel_for(count_of(U), grain,
                    [&](Index b, Index e) { high_target_chunk(base, U, tu, b, e, op, m0, m1); });
  }
}

/// Whether low_bits_gate applies: a fixed bit below 2 and room for one unit.
template <class T>
inline bool use_low_bits(const GateLayout& L) {
  return L.num_fixed > 0 && L.fixed_bits[0] < 2 && L.num_qubits >= kUnitBits<T>;
}

template <class T>
void dense1(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  if (use_low_bits<T>(L)) {
    const Dense1Op<T> op{CVec<T>(m[0]), CVec<T>(m[1]), CVec<T>(m[2]), CVec<T>(m[3])};
    return low_bits_gate(psi, L, op, ex);
  }
  using V = VecRun<T>;
  const Dense1Op<T, V> op{CVec<T, V>(m[0]), CVec<T, V>(m[1]), CVec<T, V>(m[2]), CVec<T, V>(m[3])};
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) { pair_chunk(psi, L, b, e, op); });
}

template <class T>
void diag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* d, const Executor& ex) {
  if (use_low_bits<T>(L)) return low_bits_gate(psi, L, Diag1Op<T>{CVec<T>(d[0]), CVec<T>(d[1])}, ex);
  using V = VecRun<T>;
  const ScaleOp<T, V> op0{CVec<T, V>(d[0])}, op1{CVec<T, V>(d[1])};
  const bool first_is_one = d[0] == Complex<T>(1);  // PhaseShift, S, T: only the |1> half moves
  ex.parallel_for(count_of(L), kAmplitudeGrain,
                  [&](Index b, Index e) { scale_chunk(psi, L, b, e, op0, op1, !first_is_one); });
}

template <class T>
void antidiag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* a, const Executor& ex) {
  if (use_low_bits<T>(L)) return low_bits_gate(psi, L, Antidiag1Op<T>{CVec<T>(a[0]), CVec<T>(a[1])}, ex);
  using V = VecRun<T>;
  const Antidiag1Op<T, V> op{CVec<T, V>(a[0]), CVec<T, V>(a[1])};
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) { pair_chunk(psi, L, b, e, op); });
}

template <class T>
void flip1(Complex<T>* psi, const GateLayout& L, const Executor& ex) {
  if (use_low_bits<T>(L)) return low_bits_gate(psi, L, Flip1Op<T>{}, ex);
  using V = VecRun<T>;
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) { pair_chunk(psi, L, b, e, Flip1Op<T, V>{}); });
}

/// One run of fused_cnot: the four quarters of len amplitudes (control bit, target bit) = 00, 01,
/// 10, 11; A on the control's pairs, B on the target's, then the 1x quarters trade places. A tail
/// shorter than a vector goes through the same vector code on a padded copy (as in pair_run), so
/// results do not depend on where a chunk boundary falls.
template <class T, class V>
__attribute__((always_inline)) inline void fused_cnot_vec(V& x00, V& x01, V& x10, V& x11, const Dense1Op<T, V>& A,
                                                          const Dense1Op<T, V>& B) {
  A(x00, x10);
  A(x01, x11);
  B(x00, x01);
  B(x10, x11);
  const V t = x10;  // not std::swap: see base_of on sharing inline code with generic builds
  x10 = x11;
  x11 = t;
}

template <class T, class V>
inline void fused_cnot_run(T* __restrict p00, T* __restrict p01, T* __restrict p10, T* __restrict p11, Index len,
                           const Dense1Op<T, V>& A, const Dense1Op<T, V>& B) {
  constexpr int W = kLanesOf<T, V>;
  const Index n = 2 * len;
  Index j = 0;
  for (; j + W <= n; j += W) {
    V x00 = loadv<V>(p00 + j), x01 = loadv<V>(p01 + j), x10 = loadv<V>(p10 + j), x11 = loadv<V>(p11 + j);
    fused_cnot_vec(x00, x01, x10, x11, A, B);
    store256(p00 + j, x00);
    store256(p01 + j, x01);
    store256(p10 + j, x10);
    store256(p11 + j, x11);
  }
  if (j < n) {
    const int rem = static_cast<int>(n - j);
    T b00[W] = {}, b01[W] = {}, b10[W] = {}, b11[W] = {};
    for (int i = 0; i < rem; ++i) {
      b00[i] = p00[j + i];
      b01[i] = p01[j + i];
      b10[i] = p10[j + i];
      b11[i] = p11[j + i];
    }
    V x00 = loadv<V>(b00), x01 = loadv<V>(b01), x10 = loadv<V>(b10), x11 = loadv<V>(b11);
    fused_cnot_vec(x00, x01, x10, x11, A, B);
    for (int i = 0; i < rem; ++i) {
      p00[j + i] = x00[i];
      p01[j + i] = x01[i];
      p10[j + i] = x10[i];
      p11[j + i] = x11[i];
    }
  }
}

template <class T>
void fused_cnot(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const Index tb = Index{1} << L.target_bits[0];
  const Index cb = L.ctrl_mask;
  GateLayout Q = L;  // the quarters' layout: both bits fixed at 0, every other bit free
  Q.ctrl_mask = 0;
  using V = VecRun<T>;
  const Dense1Op<T, V> A{CVec<T, V>(m[0]), CVec<T, V>(m[1]), CVec<T, V>(m[2]), CVec<T, V>(m[3])};
  const Dense1Op<T, V> B{CVec<T, V>(m[4]), CVec<T, V>(m[5]), CVec<T, V>(m[6]), CVec<T, V>(m[7])};
  ex.parallel_for(count_of(Q), kAmplitudeGrain, [&](Index b, Index e) {
    const Dense1Op<T, V> a = A, bb = B;  // local copies: the coefficients stay in registers
    auto run = [&](Index i0, Index len) {
      fused_cnot_run(reinterpret_cast<T*>(psi + i0), reinterpret_cast<T*>(psi + (i0 | tb)),
                     reinterpret_cast<T*>(psi + (i0 | cb)), reinterpret_cast<T*>(psi + (i0 | cb | tb)), len, a, bb);
    };
    for_runs(Q, b, e, run, [&](Index i0) { run(i0, 1); });
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

/// Running cross-density sums of block_run in vector lanes, carried from run to run (short runs
/// must not each pay a reduction) and added to double every kFlushPairs pairs: often enough that
/// float sums stay short.
template <class T, class V>
struct BlockLanes {
  static constexpr Index kFlushPairs = sizeof(T) < sizeof(double) ? 256 : Index{1} << 13;
  V p[4] = {}, q[4] = {};
  Index pending = 0;

  /// Adds the lanes to acc[8] (re, im of the four entries) and clears them.
  void flush(double* acc) {
    constexpr int W = kLanesOf<T, V>;
    for (int r = 0; r < 4; ++r) {
      // Re conj(l) a = sum of the p lanes; Im = q's even lanes minus its odd lanes.
      double re = 0, im = 0;
      for (int k = 0; k < W; k += 2) {
        re += static_cast<double>(p[r][k]) + static_cast<double>(p[r][k + 1]);
        im += static_cast<double>(q[r][k]) - static_cast<double>(q[r][k + 1]);
      }
      acc[2 * r] += re;
      acc[2 * r + 1] += im;
      p[r] = V{};
      q[r] = V{};
    }
    pending = 0;
  }
};

/**
 * One tile of an adjoint block in a single loop: for each vector of amplitude pairs, the cross
 * density of (lambda, psi) as they are (into the lanes), then op (the block's un-apply) on both.
 * One load and one store per element, where separate loops for the sums and the two updates
 * loaded everything twice (the block is compute-bound once in cache).
 */
template <class T, class V>
inline void block_run(T* __restrict a0, T* __restrict a1, T* __restrict l0, T* __restrict l1, Index len,
                      const Dense1Op<T, V>& op_in, BlockLanes<T, V>& lanes, double* acc) {
  const Dense1Op<T, V> op = op_in;
  constexpr int W = kLanesOf<T, V>;
  const Index n = 2 * len;
  V p0 = lanes.p[0], p1 = lanes.p[1], p2 = lanes.p[2], p3 = lanes.p[3];
  V q0 = lanes.q[0], q1 = lanes.q[1], q2 = lanes.q[2], q3 = lanes.q[3];
  Index j = 0;
  for (; j + W <= n; j += W) {
    V x0 = loadv<V>(a0 + j), x1 = loadv<V>(a1 + j), y0 = loadv<V>(l0 + j), y1 = loadv<V>(l1 + j);
    const V x0s = swap_parts(x0), x1s = swap_parts(x1);
    p0 += y0 * x0;
    q0 += y0 * x0s;
    p1 += y0 * x1;
    q1 += y0 * x1s;
    p2 += y1 * x0;
    q2 += y1 * x0s;
    p3 += y1 * x1;
    q3 += y1 * x1s;
    op(x0, x1);
    op(y0, y1);
    store256(a0 + j, x0);
    store256(a1 + j, x1);
    store256(l0 + j, y0);
    store256(l1 + j, y1);
  }
  lanes.p[0] = p0; lanes.p[1] = p1; lanes.p[2] = p2; lanes.p[3] = p3;
  lanes.q[0] = q0; lanes.q[1] = q1; lanes.q[2] = q2; lanes.q[3] = q3;
  lanes.pending += j / 2;
  if (lanes.pending >= BlockLanes<T, V>::kFlushPairs) lanes.flush(acc);
  if (j < n) {
    // The tail (fewer than W / 2 pairs): the scalar sums, and op through a padded copy.
    cross_density_tail(a0 + j, a1 + j, l0 + j, l1 + j, n - j, acc);
    pair_run(a0 + j, a1 + j, (n - j) / 2, op);
    pair_run(l0 + j, l1 + j, (n - j) / 2, op);
  }
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
  using V = VecRun<T>;
  const Dense1Op<T, V> op{CVec<T, V>(v[0].real(), v[0].imag()), CVec<T, V>(v[1].real(), v[1].imag()),
                          CVec<T, V>(v[2].real(), v[2].imag()), CVec<T, V>(v[3].real(), v[3].imag())};
  constexpr Index kBlock = Index{1} << 13;
  const DensitySum total = deterministic_sum<DensitySum>(ex, count_of(L), kBlock, [&](Index lo, Index hi) {
    double acc[8] = {};
    BlockLanes<T, VecRun<T>> lanes;
    // Single pairs (the wire is bit 0 or 1: runs shorter than 4): plain scalar code.
    auto step = [&](Index i0) {
      const Complex<T> a0 = psi[i0], a1 = psi[i0 | t], l0 = lambda[i0], l1 = lambda[i0 | t];
      cross_density_tail(reinterpret_cast<const T*>(&a0), reinterpret_cast<const T*>(&a1),
                         reinterpret_cast<const T*>(&l0), reinterpret_cast<const T*>(&l1), 2, acc);
      psi[i0] = mul_add2(v[0], a0, v[1], a1);
      psi[i0 | t] = mul_add2(v[2], a0, v[3], a1);
      lambda[i0] = mul_add2(v[0], l0, v[1], l1);
      lambda[i0 | t] = mul_add2(v[2], l0, v[3], l1);
    };
    // Tile by tile (block_run), the sums carried in the lanes from run to run.
    auto run = [&](Index i0, Index len) {
      const Dense1Op<T, VecRun<T>> o = op;  // a local copy: the coefficients stay in registers
      constexpr Index kTile = 256;
      for (Index j0 = 0; j0 < len; j0 += kTile) {
        const Index m = std::min(kTile, len - j0);
        T* a0 = reinterpret_cast<T*>(psi + i0 + j0);
        T* a1 = reinterpret_cast<T*>(psi + ((i0 + j0) | t));
        T* l0 = reinterpret_cast<T*>(lambda + i0 + j0);
        T* l1 = reinterpret_cast<T*>(lambda + ((i0 + j0) | t));
        block_run(a0, a1, l0, l1, m, o, lanes, acc);
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
  return KernelTable<T>{isa,          &dense1<T>,       &diag1<T>,  &antidiag1<T>, &flip1<T>,
                        &fused_cnot<T>, &dense2<T>,   &swap2<T>,        &parity_phase<T>,
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
