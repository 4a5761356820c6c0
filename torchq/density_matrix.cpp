/// @file density_matrix.cpp
#include "torchq/density_matrix.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "torchq/apply.h"
#include "torchq/errors.h"
#include "torchq/gradients.h"
#include "torchq/noise.h"
#include "torchq/work_loop.h"

namespace torchq {
namespace {

constexpr Index kReduceBlock = Index{1} << 13;

/// The primitive moved onto the 2n-qubit register, its bits shifted by `shift`: n for the row
/// side of rho, 0 for the column side (see the file comment of density_matrix.h).
Primitive lifted(const Primitive& p, int n, int shift) {
  Primitive q = p;
  std::array<int, GateLayout::kMaxBits> targets{}, controls{};
  for (int j = 0; j < p.layout.num_targets; ++j) targets[j] = p.layout.target_bits[j] + shift;
  int nc = 0;
  for (Index m = p.layout.ctrl_mask; m != 0; m &= m - 1) controls[nc++] = std::countr_zero(m) + shift;
  q.layout = make_layout(2 * n, targets.data(), p.layout.num_targets, controls.data(), nc);
  q.zmask = p.zmask << shift;
  return q;
}

/// lambda += scale * vec(O): vec(P)[r * 2^n + c] = P[r, c], nonzero where r = c ^ x.
template <class T>
void add_vec_observable(Complex<T>* lambda, int n, const CompiledObservable& o, double scale, const Executor& ex) {
  const Index dim = Index{1} << n;
  for (const PauliMasks& m : o.terms) {
    const std::complex<double> f = scale * m.coeff * i_power(m.num_y);
    const Complex<T> fp = to_t<T>(f), fm = to_t<T>(-f);
    // c -> (c ^ x) * 2^n + c is one-to-one, so chunks never write the same entry.
    ex.parallel_for(dim, kAmplitudeGrain, [&](Index lo, Index hi) {
      for (Index col = lo; col < hi; ++col) lambda[(col ^ m.xmask) * dim + col] += parity(col & m.zmask) ? fm : fp;
    });
  }
}

}  // namespace

void check_density_matrix_qubits(int num_qubits, const std::string& what) {
  if (num_qubits > kMaxDensityMatrixQubits) {
    throw ArgumentError(what + ": density_matrix mode simulates at most " + std::to_string(kMaxDensityMatrixQubits) +
                        " qubits (a density matrix of n qubits holds 4^n amplitudes: 12 qubits are 256 MiB in "
                        "float64), but the circuit has " + std::to_string(num_qubits) +
                        ". Use mode=\"trajectories\" for larger noisy circuits");
  }
}

template <class T>
void dm_prepare(Complex<T>* rho, const CompiledCircuit& c, const T* inputs, Complex<T>* scratch, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  const Index dim = Index{1} << n;
  ex.parallel_for(dim * dim, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(rho + lo, rho + hi, Complex<T>{0}); });
  if (c.amplitude_embedding() == nullptr) {
    rho[0] = Complex<T>{1};
    return;
  }
  prepare_state(scratch, c, inputs, ex);
  ex.parallel_for(dim, std::max<Index>(1, kAmplitudeGrain / dim), [&](Index lo, Index hi) {
    for (Index r = lo; r < hi; ++r) {
      if (scratch[r] == Complex<T>{0}) continue;
      for (Index col = 0; col < dim; ++col) rho[r * dim + col] = scratch[r] * std::conj(scratch[col]);
    }
  });
}

template <class T>
void dm_apply(Complex<T>* rho, const CompiledCircuit& c, const Primitive& p, const T* weights, const T* inputs,
              bool adjoint, const kernels::KernelTable<T>& k, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  if (p.structure == Structure::kSkip) return;
  if (p.structure == Structure::kChannel) {
    const int bit = p.layout.target_bits[0];
    const int targets[2] = {bit + n, bit};  // (row, column): local index 2 * row + column
    const GateLayout L = make_layout(2 * n, targets, 2, nullptr, 0);
    const auto s = superoperator(kraus_operators(p.base, p.param.value));
    std::array<Complex<T>, 16> m;
    for (int r = 0; r < 4; ++r) {
      for (int col = 0; col < 4; ++col) m[4 * r + col] = adjoint ? to_t<T>(std::conj(s[4 * col + r])) : to_t<T>(s[4 * r + col]);
    }
    k.dense2(rho, L, m.data(), ex);
    return;
  }
  if (detail::is_uncontrolled_1q(p) && p.structure != Structure::kBasisFlip) {
    const Mat2 u = detail::matrix_1q(p, weights, inputs);
    // One pass instead of two: U (x) conj(U) on (row bit, column bit); its adjoint for U^dagger.
    const int bit = p.layout.target_bits[0];
    const int targets[2] = {bit + n, bit};
    const GateLayout L = make_layout(2 * n, targets, 2, nullptr, 0);
    std::array<Complex<T>, 16> m;
    for (int r = 0; r < 4; ++r) {
      for (int col = 0; col < 4; ++col) {
        // S[(2a + b), (2a' + b')] = U[a, a'] conj(U[b, b']); the adjoint map is S^dagger.
        const int i = adjoint ? col : r, j = adjoint ? r : col;
        const std::complex<double> s_ij = u[2 * (i >> 1) + (j >> 1)] * std::conj(u[2 * (i & 1) + (j & 1)]);
        m[4 * r + col] = to_t<T>(adjoint ? std::conj(s_ij) : s_ij);
      }
    }
    k.dense2(rho, L, m.data(), ex);
    return;
  }
  // U rho U^dagger: U on the rows, conj(U) on the columns; the adjoint map uses U^dagger and U^T.
  apply_primitive(rho, c, lifted(p, n, n), weights, inputs, adjoint ? ApplyMode::kInverse : ApplyMode::kForward, k, ex);
  apply_primitive(rho, c, lifted(p, n, 0), weights, inputs, adjoint ? ApplyMode::kTranspose : ApplyMode::kConjugate, k,
                  ex);
}

template <class T>
void dm_run(Complex<T>* rho, const CompiledCircuit& c, const T* weights, const T* inputs, Complex<T>* scratch,
            const kernels::KernelTable<T>& k, const Executor& ex) {
  dm_prepare(rho, c, inputs, scratch, ex);
  for (const Primitive& p : c.primitives) dm_apply(rho, c, p, weights, inputs, false, k, ex);
}

template <class T>
double dm_pauli_expectation(const Complex<T>* rho, int num_qubits, const PauliMasks& m, const Executor& ex) {
  const Index dim = Index{1} << num_qubits;
  // Tr(P rho) = sum_c i^num_y (-1)^popcount(c & z) rho[c, c ^ x]; the sum is real, so only the
  // real part of i^num_y * rho[c, c ^ x] is kept.
  const int ny = m.num_y & 3;
  return deterministic_sum<double>(ex, dim, kReduceBlock, [&](Index lo, Index hi) {
    double s = 0;
    for (Index col = lo; col < hi; ++col) {
      const Complex<T> v = rho[col * dim + (col ^ m.xmask)];
      const double re = ny == 0 ? v.real() : ny == 1 ? -v.imag() : ny == 2 ? -v.real() : v.imag();
      s += parity(col & m.zmask) ? -re : re;
    }
    return s;
  });
}

template <class T>
double dm_expectation(const Complex<T>* rho, int num_qubits, const CompiledObservable& o, const Executor& ex) {
  double total = 0;
  for (const PauliMasks& m : o.terms) total += m.coeff * dm_pauli_expectation(rho, num_qubits, m, ex);
  return total;
}

template <class T>
void density_matrix_expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                           const BatchInputs<T>& in, T* out, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  check_density_matrix_qubits(n, "density_matrix expval");
  const auto& k = kernels::active_kernels<T>();
  const Index K = obs.size();
  const Index dim = Index{1} << n;
  detail::for_each_item<T>(in.batch_size, 2 * n, 2 * static_cast<Index>(c.primitives.size()), 1, dim * sizeof(Complex<T>), ex, "density_matrix expval",
                           [&](Index b, const Executor& inner, auto& st) {
    std::vector<Complex<T>> scratch(c.amplitude_embedding() != nullptr ? dim : 0);
    Complex<T>* rho = st[0].data();
    dm_run(rho, c, in.weights_of(b), in.inputs_of(b), scratch.data(), k, inner);
    for (Index j = 0; j < K; ++j) out[b * K + j] = static_cast<T>(dm_expectation(rho, n, obs[j], inner));
  });
}

template <class T>
void density_matrix_adjoint_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                                     const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                                     const Executor& ex) {
  const int n = c.circuit.num_qubits();
  check_density_matrix_qubits(n, "density_matrix backward");
  const auto& k = kernels::active_kernels<T>();
  const Index B = in.batch_size, P = static_cast<Index>(in.num_weights), F = static_cast<Index>(in.num_inputs);
  const Index K = obs.size();
  const Index dim = Index{1} << n;
  const Index size = dim * dim;
  const auto& prims = c.primitives;

  // Checkpoints: one every `seg` channels from the forward pass, `seg` more for the segment the
  // sweep is in (density_matrix.h).
  std::vector<std::size_t> channel_pos;
  for (std::size_t j = 0; j < prims.size(); ++j) {
    if (prims[j].structure == Structure::kChannel) channel_pos.push_back(j);
  }
  const int num_channels = static_cast<int>(channel_pos.size());
  const int seg = num_channels == 0 ? 0 : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(num_channels))));
  const int num_top = seg == 0 ? 0 : (num_channels + seg - 1) / seg;

  std::vector<double> gw(grad_weights != nullptr ? B * P : 0);
  std::vector<double> gx(grad_inputs != nullptr ? B * F : 0);
  const Operation* emb = c.amplitude_embedding();

  detail::for_each_item<T>(B, 2 * n, 2 * static_cast<Index>(c.primitives.size()), 2 + num_top + seg, dim * sizeof(Complex<T>), ex, "density_matrix backward",
                           [&](Index b, const Executor& inner, auto& st) {
    const T* g = grad_out + b * K;
    if (std::all_of(g, g + K, [](T v) { return v == T(0); })) return;  // zero upstream gradient
    const T* w = in.weights_of(b);
    const T* x = in.inputs_of(b);
    Complex<T>* rho = st[0].data();
    Complex<T>* lambda = st[1].data();
    auto top = [&](int i) { return st[2 + i].data(); };
    auto slot = [&](int i) { return st[2 + num_top + i].data(); };
    auto copy = [&](const Complex<T>* from, Complex<T>* to) {
      inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::copy(from + lo, from + hi, to + lo); });
    };
    std::vector<Complex<T>> scratch(emb != nullptr ? dim : 0);

    // Forward, keeping rho before every seg-th channel.
    dm_prepare(rho, c, x, scratch.data(), inner);
    int ch = 0;
    for (const Primitive& p : prims) {
      if (p.structure == Structure::kChannel) {
        if (ch % seg == 0) copy(rho, top(ch / seg));
        ++ch;
      }
      dm_apply(rho, c, p, w, x, false, k, inner);
    }

    inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(lambda + lo, lambda + hi, Complex<T>{0}); });
    for (Index j = 0; j < K; ++j) {
      if (g[j] != T(0)) add_vec_observable(lambda, n, obs[j], static_cast<double>(g[j]), inner);
    }

    double* gw_row = gw.empty() ? nullptr : gw.data() + b * P;
    double* gx_row = gx.empty() ? nullptr : gx.data() + b * F;
    int loaded = -1;  // the segment whose states are in the slots
    ch = num_channels;
    for (std::size_t j = prims.size(); j-- > 0;) {
      const Primitive& p = prims[j];
      if (p.structure == Structure::kChannel) {
        --ch;
        const int s_id = ch / seg;
        const int first = s_id * seg;
        if (loaded != s_id) {
          // Recompute rho before each channel of this segment from its checkpoint. The sweep
          // enters a segment at its last channel, so all of them are needed.
          copy(top(s_id), slot(0));
          for (int i = 1; i <= ch - first; ++i) {
            copy(slot(i - 1), slot(i));
            for (std::size_t q = channel_pos[first + i - 1]; q < channel_pos[first + i]; ++q) {
              dm_apply(slot(i), c, prims[q], w, x, false, k, inner);
            }
          }
          loaded = s_id;
        }
        copy(slot(ch - first), rho);
        dm_apply(lambda, c, p, w, x, true, k, inner);
        continue;
      }
      const bool wanted = p.has_param && p.param.differentiable() && p.structure != Structure::kBasisFlip &&
                          (p.param.kind == ParamRef::Kind::kWeight ? gw_row != nullptr : gx_row != nullptr);
      if (wanted) {
        const Generator& G = p.generator;
        const std::complex<double> row =
            pauli_inner(lambda, rho, 2 * n, G.xmask << n, G.zmask << n, G.num_y, G.proj_mask << n, inner);
        const std::complex<double> col = pauli_inner(lambda, rho, 2 * n, G.xmask, G.zmask, G.num_y, G.proj_mask, inner);
        const std::complex<double> z = row - ((G.num_y & 1) ? -col : col);  // G^T = (-1)^{#Y} G
        detail::add_angle_gradient(p.param, G.coeff * z.imag(), x, gw_row, gx_row);
      }
      dm_apply(rho, c, p, w, x, true, k, inner);
      dm_apply(lambda, c, p, w, x, true, k, inner);
    }

    if (emb != nullptr && gx_row != nullptr) {
      // f = Tr(L rho0) = <psi0|L|psi0> with lambda = vec(L): u = L psi0.
      std::vector<std::complex<double>> u(dim);
      inner.parallel_for(dim, std::max<Index>(1, kAmplitudeGrain / dim), [&](Index lo, Index hi) {
        for (Index r = lo; r < hi; ++r) {
          std::complex<double> acc = 0;
          for (Index col = 0; col < dim; ++col) {
            acc += std::complex<double>(lambda[r * dim + col]) * std::complex<double>(scratch[col]);
          }
          u[r] = acc;
        }
      });
      detail::amplitude_embedding_gradient(*emb, n, u.data(), detail::embedding_features(*emb, x), gx_row);
    }
  });
  detail::write_gradients(in, gw, gx, grad_weights, grad_inputs);
}

#define TORCHQ_INSTANTIATE(T)                                                                                    \
  template void dm_prepare<T>(Complex<T>*, const CompiledCircuit&, const T*, Complex<T>*, const Executor&);      \
  template void dm_apply<T>(Complex<T>*, const CompiledCircuit&, const Primitive&, const T*, const T*, bool,      \
                            const kernels::KernelTable<T>&, const Executor&);                                    \
  template void dm_run<T>(Complex<T>*, const CompiledCircuit&, const T*, const T*, Complex<T>*,                  \
                          const kernels::KernelTable<T>&, const Executor&);                                      \
  template double dm_pauli_expectation<T>(const Complex<T>*, int, const PauliMasks&, const Executor&);            \
  template double dm_expectation<T>(const Complex<T>*, int, const CompiledObservable&, const Executor&);           \
  template void density_matrix_expval<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,           \
                                         const BatchInputs<T>&, T*, const Executor&);                             \
  template void density_matrix_adjoint_backward<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&, \
                                                   const BatchInputs<T>&, const T*, T*, T*, const Executor&);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
