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

#include <array>

#include "torchq/kernels/kernel_table.h"

namespace torchq::kernels::TORCHQ_KERNEL_NS {
namespace {

// Local copies of GateLayout's index helpers: inline functions shared with generic code would be
// merged by the linker, and the surviving copy could carry AVX instructions.
inline Index base_of(const GateLayout& L, Index k) {
  for (int j = 0; j < L.num_fixed; ++j) {
    const Index low = L.low_masks[j];
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

template <class T>
void dense1(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const Complex<T> m00 = m[0], m01 = m[1], m10 = m[2], m11 = m[3];
  if (L.num_fixed == 1) {
    // No controls: pairs (i, i+t) sit in blocks of 2t; the inner loop is contiguous.
    const Index low = t - 1;
    ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
      for (Index k = b; k < e; ++k) {
        const Index i0 = ((k & ~low) << 1) | (k & low);
        const Complex<T> a = psi[i0], c = psi[i0 | t];
        psi[i0] = mul_add2(m00, a, m01, c);
        psi[i0 | t] = mul_add2(m10, a, m11, c);
      }
    });
    return;
  }
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i0 = base_of(L, k);
      const Complex<T> a = psi[i0], c = psi[i0 | t];
      psi[i0] = mul_add2(m00, a, m01, c);
      psi[i0 | t] = mul_add2(m10, a, m11, c);
    }
  });
}

template <class T>
void diag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* d, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const Complex<T> d0 = d[0], d1 = d[1];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i0 = base_of(L, k);
      psi[i0] = mul(d0, psi[i0]);
      psi[i0 | t] = mul(d1, psi[i0 | t]);
    }
  });
}

template <class T>
void antidiag1(Complex<T>* psi, const GateLayout& L, const Complex<T>* a, const Executor& ex) {
  const Index t = Index{1} << L.target_bits[0];
  const Complex<T> a01 = a[0], a10 = a[1];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i0 = base_of(L, k);
      const Complex<T> v0 = psi[i0], v1 = psi[i0 | t];
      psi[i0] = mul(a01, v1);
      psi[i0 | t] = mul(a10, v0);
    }
  });
}

template <class T>
void dense2(Complex<T>* psi, const GateLayout& L, const Complex<T>* m, const Executor& ex) {
  const Index t0 = Index{1} << L.target_bits[0];  // local bit 1 (most significant)
  const Index t1 = Index{1} << L.target_bits[1];  // local bit 0
  std::array<Complex<T>, 16> mm;
  for (int j = 0; j < 16; ++j) mm[j] = m[j];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i00 = base_of(L, k);
      const Index idx[4] = {i00, i00 | t1, i00 | t0, i00 | t0 | t1};
      const Complex<T> v[4] = {psi[idx[0]], psi[idx[1]], psi[idx[2]], psi[idx[3]]};
      for (int r = 0; r < 4; ++r) {
        psi[idx[r]] = mul_add2(mm[4 * r], v[0], mm[4 * r + 1], v[1]) +
                      mul_add2(mm[4 * r + 2], v[2], mm[4 * r + 3], v[3]);
      }
    }
  });
}

template <class T>
void swap2(Complex<T>* psi, const GateLayout& L, const Executor& ex) {
  const Index t0 = Index{1} << L.target_bits[0];
  const Index t1 = Index{1} << L.target_bits[1];
  ex.parallel_for(count_of(L), kAmplitudeGrain, [&](Index b, Index e) {
    for (Index k = b; k < e; ++k) {
      const Index i00 = base_of(L, k);
      const Complex<T> v = psi[i00 | t0];
      psi[i00 | t0] = psi[i00 | t1];
      psi[i00 | t1] = v;
    }
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
                        &densek<T>,   &read_write_pass<T>};
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
