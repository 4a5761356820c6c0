/// @file apply.cpp
/// @brief Primitive to kernel call (see apply.h).
#include "torchq/apply.h"

#include <stdexcept>
#include <string>

#include "torchq/errors.h"
#include "torchq/gate_table.h"

namespace torchq {
namespace {

/// Entry (r, col) of U in `mode`, U row-major d x d.
inline std::complex<double> entry(const std::complex<double>* u, Index d, Index r, Index col, ApplyMode mode) {
  switch (mode) {
    case ApplyMode::kForward: return u[r * d + col];
    case ApplyMode::kInverse: return std::conj(u[col * d + r]);
    case ApplyMode::kConjugate: return std::conj(u[r * d + col]);
    case ApplyMode::kTranspose: return u[col * d + r];
  }
  return u[r * d + col];
}

/// The feature of a basis flip: 0 or 1, else ArgumentError.
template <class T>
double basis_bit(const Primitive& p, const T* weights, const T* inputs) {
  const double v = p.param.resolve(weights, inputs);
  if (v != 0.0 && v != 1.0) {
    throw ArgumentError("BasisEmbedding: input feature " + std::to_string(p.param.index) + " must be 0 or 1, got " +
                        std::to_string(v));
  }
  return v;
}

/// Appends the call of [[0, a0], [a1, 0]] on L: the exchange (kFlip1, no arithmetic) when both
/// entries are 1, else the anti-diagonal kernel.
template <class T>
void push_antidiag(const GateLayout& L, Complex<T> a0, Complex<T> a1, KernelCalls<T>& out) {
  if (a0 == Complex<T>(1) && a1 == Complex<T>(1)) {
    out.begin_call(Structure::kFlip1, &L);
    return;
  }
  out.begin_call(Structure::kAntiDiag1, &L);
  out.coeffs.insert(out.coeffs.end(), {a0, a1});
}

}  // namespace

template <class T>
void KernelCalls<T>::run(Complex<T>* psi, const kernels::KernelTable<T>& k, const Executor& ex, std::size_t first,
                         std::size_t last) const {
  for (std::size_t j = first; j < last; ++j) {
    const KernelCall& call = calls[j];
    const Complex<T>* m = coeffs.data() + call.coeff;
    switch (call.kernel) {
      case Structure::kDense1: k.dense1(psi, *call.layout, m, ex); break;
      case Structure::kDiag1: k.diag1(psi, *call.layout, m, ex); break;
      case Structure::kAntiDiag1: k.antidiag1(psi, *call.layout, m, ex); break;
      case Structure::kFlip1: k.flip1(psi, *call.layout, ex); break;
      case Structure::kFusedCnot: k.fused_cnot(psi, *call.layout, m, ex); break;
      case Structure::kDense2: k.dense2(psi, *call.layout, m, ex); break;
      case Structure::kSwap2: k.swap2(psi, *call.layout, ex); break;
      case Structure::kParity: k.parity_phase(psi, *call.layout, call.zmask, m, ex); break;
      case Structure::kDenseK: k.densek(psi, *call.layout, m, ex); break;
      default: throw std::logic_error("KernelCalls::run: no kernel for this structure");
    }
  }
}

template <class T>
void resolve_matrix_1q(const GateLayout& L, const Mat2& m, KernelCalls<T>& out) {
  if (m[1] == 0.0 && m[2] == 0.0) {
    if (m[0] == 1.0 && m[3] == 1.0) return;  // identity
    out.begin_call(Structure::kDiag1, &L);
    out.coeffs.insert(out.coeffs.end(), {to_t<T>(m[0]), to_t<T>(m[3])});
  } else if (m[0] == 0.0 && m[3] == 0.0) {
    push_antidiag(L, to_t<T>(m[1]), to_t<T>(m[2]), out);
  } else {
    out.begin_call(Structure::kDense1, &L);
    out.coeffs.insert(out.coeffs.end(), {to_t<T>(m[0]), to_t<T>(m[1]), to_t<T>(m[2]), to_t<T>(m[3])});
  }
}

template <class T>
void resolve_primitive(const CompiledCircuit& c, const Primitive& p, const T* weights, const T* inputs,
                       ApplyMode mode, KernelCalls<T>& out) {
  switch (p.structure) {
    case Structure::kSkip: return;
    case Structure::kChannel: throw std::logic_error("resolve_primitive: a noise channel is not a unitary primitive");
    case Structure::kSwap2: out.begin_call(Structure::kSwap2, &p.layout); return;
    case Structure::kBasisFlip: {  // X if the feature is 1: real and symmetric, the same in every mode
      if (basis_bit(p, weights, inputs) == 0.0) return;
      out.begin_call(Structure::kFlip1, &p.layout);
      return;
    }
    case Structure::kParity: {  // diagonal: conj = inverse, transpose = forward
      const bool negate = mode == ApplyMode::kInverse || mode == ApplyMode::kConjugate;
      const double angle = (negate ? -1.0 : 1.0) * p.param.resolve(weights, inputs);
      out.begin_call(Structure::kParity, &p.layout, p.zmask);
      out.coeffs.insert(out.coeffs.end(), {to_t<T>(std::polar(1.0, -angle / 2)), to_t<T>(std::polar(1.0, angle / 2))});
      return;
    }
    case Structure::kDenseK: {
      const std::complex<double>* u = c.unitaries[p.unitary].data();
      const Index dim = Index{1} << p.layout.num_targets;
      out.begin_call(Structure::kDenseK, &p.layout);
      for (Index r = 0; r < dim; ++r) {
        for (Index col = 0; col < dim; ++col) out.coeffs.push_back(to_t<T>(entry(u, dim, r, col, mode)));
      }
      return;
    }
    default: break;
  }
  const SmallMatrix sm = base_gate_matrix(p.base, p.has_param ? p.param.resolve(weights, inputs) : 0.0);
  const Index d = static_cast<Index>(sm.dim);
  const std::complex<double>* u = sm.m.data();
  switch (p.structure) {
    case Structure::kDense1:
      out.begin_call(Structure::kDense1, &p.layout);
      out.coeffs.insert(out.coeffs.end(), {to_t<T>(entry(u, d, 0, 0, mode)), to_t<T>(entry(u, d, 0, 1, mode)),
                                           to_t<T>(entry(u, d, 1, 0, mode)), to_t<T>(entry(u, d, 1, 1, mode))});
      return;
    case Structure::kDiag1:
      out.begin_call(Structure::kDiag1, &p.layout);
      out.coeffs.insert(out.coeffs.end(), {to_t<T>(entry(u, d, 0, 0, mode)), to_t<T>(entry(u, d, 1, 1, mode))});
      return;
    case Structure::kAntiDiag1:
      push_antidiag(p.layout, to_t<T>(entry(u, d, 0, 1, mode)), to_t<T>(entry(u, d, 1, 0, mode)), out);
      return;
    case Structure::kDense2:
      out.begin_call(Structure::kDense2, &p.layout);
      for (Index r = 0; r < 4; ++r) {
        for (Index col = 0; col < 4; ++col) out.coeffs.push_back(to_t<T>(entry(u, d, r, col, mode)));
      }
      return;
    default: throw std::logic_error("resolve_primitive: unhandled primitive structure");
  }
}

template <class T>
void apply_primitive(Complex<T>* psi, const CompiledCircuit& c, const Primitive& p, const T* weights,
                     const T* inputs, ApplyMode mode, const kernels::KernelTable<T>& k, const Executor& ex) {
  // One list per thread, reused: no allocation per gate. A kernel never calls back into here,
  // so the list is not reentered while in use.
  thread_local KernelCalls<T> calls;
  calls.clear();
  resolve_primitive(c, p, weights, inputs, mode, calls);
  calls.run(psi, k, ex);
}

namespace detail {

bool is_uncontrolled_1q(const Primitive& p) {
  switch (p.structure) {
    case Structure::kDense1: case Structure::kDiag1: case Structure::kAntiDiag1: case Structure::kBasisFlip:
      return p.layout.ctrl_mask == 0;
    default: return false;
  }
}

template <class T>
Mat2 matrix_1q(const Primitive& p, const T* weights, const T* inputs) {
  if (p.structure == Structure::kBasisFlip) {
    return basis_bit(p, weights, inputs) == 0.0 ? Mat2{1, 0, 0, 1} : Mat2{0, 1, 1, 0};
  }
  const SmallMatrix sm = base_gate_matrix(p.base, p.has_param ? p.param.resolve(weights, inputs) : 0.0);
  return {sm.m[0], sm.m[1], sm.m[2], sm.m[3]};
}

}  // namespace detail

#define TORCHQ_INSTANTIATE(T)                                                                                   \
  template struct KernelCalls<T>;                                                                               \
  template void resolve_matrix_1q<T>(const GateLayout&, const Mat2&, KernelCalls<T>&);                          \
  template void resolve_primitive<T>(const CompiledCircuit&, const Primitive&, const T*, const T*, ApplyMode,   \
                                     KernelCalls<T>&);                                                          \
  template void apply_primitive<T>(Complex<T>*, const CompiledCircuit&, const Primitive&, const T*, const T*,  \
                                   ApplyMode, const kernels::KernelTable<T>&, const Executor&);                 \
  template Mat2 detail::matrix_1q<T>(const Primitive&, const T*, const T*);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
