/// @file simulator.cpp
#include "torchq/simulator.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <random>
#include <set>

#include "torchq/blocked.h"
#include "torchq/errors.h"
#include "torchq/numerics.h"
#include "torchq/random.h"

namespace torchq {
namespace {

template <class T>
Complex<T> to_t(std::complex<double> z) {
  return {static_cast<T>(z.real()), static_cast<T>(z.imag())};
}

constexpr double kNormTolerance = 1e-6;

}  // namespace

void validate_wires(const std::vector<int>& wires, int num_qubits, const std::string& what) {
  if (wires.empty()) throw ArgumentError(what + ": give at least one wire to measure");
  std::set<int> seen;
  for (int w : wires) {
    if (w < 0 || w >= num_qubits) {
      throw ArgumentError(what + ": wire " + std::to_string(w) + " is out of range: the circuit has " +
                          std::to_string(num_qubits) + " qubits, so wires are 0.." + std::to_string(num_qubits - 1));
    }
    if (!seen.insert(w).second) throw ArgumentError(what + ": wire " + std::to_string(w) + " is listed twice");
  }
}

template <class T>
BatchInputs<T> make_batch(const CompiledCircuit& c, const T* weights, bool weights_per_sample, const T* inputs,
                          Index batch_size) {
  BatchInputs<T> in;
  in.weights = weights;
  in.weights_per_sample = weights_per_sample;
  in.inputs = inputs;
  in.batch_size = batch_size;
  in.num_weights = c.circuit.num_weights();
  in.num_inputs = c.circuit.num_inputs();
  // An empty batch has no data to point at: [0, P] per-sample weights are a valid empty batch.
  if (in.num_weights > 0 && weights == nullptr && (batch_size > 0 || !weights_per_sample)) {
    throw ArgumentError("the circuit has weights but none were given");
  }
  if (in.num_inputs > 0 && inputs == nullptr && batch_size > 0) {
    throw ArgumentError("the circuit reads input features but no inputs were given");
  }
  return in;
}

template <class T>
void prepare_state(Complex<T>* psi, const CompiledCircuit& c, const T* inputs, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  const Index size = Index{1} << n;
  ex.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(psi + lo, psi + hi, Complex<T>{0}); });
  const Operation* emb = c.amplitude_embedding();
  if (emb == nullptr) {
    psi[0] = Complex<T>{1};
    return;
  }
  const AmplitudeSpec& a = emb->amplitude;
  const int k = static_cast<int>(emb->wires.size());
  const Index dim = Index{1} << k;
  std::vector<int> bits;
  for (int w : emb->wires) bits.push_back(wire_to_bit(n, w));
  const GateLayout L = make_layout(n, bits.data(), k, nullptr, 0);
  std::vector<double> v(dim);
  for (Index j = 0; j < dim; ++j) {
    v[j] = j < static_cast<Index>(a.num_features) ? static_cast<double>(inputs[a.feature_offset + j]) : a.pad;
    if (!std::isfinite(v[j])) {
      throw ArgumentError("AmplitudeEmbedding: input feature " + std::to_string(j) + " is not finite");
    }
  }
  // Scaled first (stable_norm): finite features of any size embed, 1e-320 as well as 1e200.
  const ScaledNorm norm = stable_norm(v.data(), dim);
  if (norm.scale == 0) {
    throw ArgumentError("AmplitudeEmbedding: the features of a sample are all zero; a state needs a non-zero vector");
  }
  if (!a.normalize && std::abs(norm.value() * norm.value() - 1.0) > kNormTolerance) {
    throw ArgumentError("AmplitudeEmbedding: features have squared norm " + std::to_string(norm.value() * norm.value()) +
                        " but normalize is off; normalise them or turn normalize on");
  }
  for (Index j = 0; j < dim; ++j) {
    psi[L.scatter(j)] = Complex<T>(static_cast<T>(a.normalize ? norm.unit(v[j]) : v[j]), 0);
  }
}

template <class T>
void apply_primitive(Complex<T>* psi, const CompiledCircuit& c, const Primitive& p, const T* weights,
                     const T* inputs, bool inverse, const kernels::KernelTable<T>& k, const Executor& ex) {
  switch (p.structure) {
    case Structure::kSkip: return;
    case Structure::kSwap2: k.swap2(psi, p.layout, ex); return;
    case Structure::kBasisFlip: {
      const double v = p.param.resolve(weights, inputs);
      if (v == 0.0) return;
      if (v != 1.0) {
        throw ArgumentError("BasisEmbedding: input feature " + std::to_string(p.param.index) +
                            " must be 0 or 1, got " + std::to_string(v));
      }
      const Complex<T> a[2] = {Complex<T>{1}, Complex<T>{1}};
      k.antidiag1(psi, p.layout, a, ex);
      return;
    }
    case Structure::kParity: {
      const double angle = (inverse ? -1.0 : 1.0) * p.param.resolve(weights, inputs);
      const Complex<T> ph[2] = {to_t<T>(std::polar(1.0, -angle / 2)), to_t<T>(std::polar(1.0, angle / 2))};
      k.parity_phase(psi, p.layout, p.zmask, ph, ex);
      return;
    }
    case Structure::kDenseK: {
      const auto& u = c.unitaries[p.unitary];
      const Index dim = Index{1} << p.layout.num_targets;
      thread_local std::vector<Complex<T>> m;
      m.resize(dim * dim);
      for (Index r = 0; r < dim; ++r) {
        for (Index col = 0; col < dim; ++col) {
          m[r * dim + col] = inverse ? to_t<T>(std::conj(u[col * dim + r])) : to_t<T>(u[r * dim + col]);
        }
      }
      k.densek(psi, p.layout, m.data(), ex);
      return;
    }
    default: break;
  }
  const double angle = p.has_param ? p.param.resolve(weights, inputs) : 0.0;
  const SmallMatrix sm = base_gate_matrix(p.base, angle);
  const int d = sm.dim;
  std::array<Complex<T>, 16> m;
  for (int r = 0; r < d; ++r) {
    for (int col = 0; col < d; ++col) {
      m[r * d + col] = inverse ? to_t<T>(std::conj(sm.m[col * d + r])) : to_t<T>(sm.m[r * d + col]);
    }
  }
  switch (p.structure) {
    case Structure::kDense1: k.dense1(psi, p.layout, m.data(), ex); return;
    case Structure::kDiag1: {
      const Complex<T> dg[2] = {m[0], m[3]};
      k.diag1(psi, p.layout, dg, ex);
      return;
    }
    case Structure::kAntiDiag1: {
      const Complex<T> ad[2] = {m[1], m[2]};
      k.antidiag1(psi, p.layout, ad, ex);
      return;
    }
    case Structure::kDense2: k.dense2(psi, p.layout, m.data(), ex); return;
    default: throw std::logic_error("apply_primitive: unhandled structure");
  }
}

namespace detail {

bool is_uncontrolled_1q(const Primitive& p) {
  switch (p.structure) {
    case Structure::kDense1: case Structure::kDiag1: case Structure::kAntiDiag1: case Structure::kBasisFlip:
      return p.layout.ctrl_mask == 0;
    default: return false;
  }
}

/// The 2x2 matrix of an uncontrolled one-qubit primitive for one sample.
template <class T>
Mat2 matrix_1q(const Primitive& p, const T* weights, const T* inputs) {
  if (p.structure == Structure::kBasisFlip) {
    const double v = p.param.resolve(weights, inputs);
    if (v != 0.0 && v != 1.0) {
      throw ArgumentError("BasisEmbedding: input feature " + std::to_string(p.param.index) +
                          " must be 0 or 1, got " + std::to_string(v));
    }
    return v == 0.0 ? Mat2{1, 0, 0, 1} : Mat2{0, 1, 1, 0};
  }
  const SmallMatrix sm = base_gate_matrix(p.base, p.has_param ? p.param.resolve(weights, inputs) : 0.0);
  return {sm.m[0], sm.m[1], sm.m[2], sm.m[3]};
}

}  // namespace detail

namespace {

using detail::Mat2;
using detail::is_uncontrolled_1q;
using detail::matrix_1q;

/// Applies a fused one-qubit matrix with the cheapest kernel its structure allows.
template <class T>
void apply_fused_1q(Complex<T>* psi, const GateLayout& L, const Mat2& m, const kernels::KernelTable<T>& k,
                    const Executor& ex) {
  if (m[1] == 0.0 && m[2] == 0.0) {
    if (m[0] == 1.0 && m[3] == 1.0) return;  // identity
    const Complex<T> d[2] = {to_t<T>(m[0]), to_t<T>(m[3])};
    k.diag1(psi, L, d, ex);
  } else if (m[0] == 0.0 && m[3] == 0.0) {
    const Complex<T> a[2] = {to_t<T>(m[1]), to_t<T>(m[2])};
    k.antidiag1(psi, L, a, ex);
  } else {
    const Complex<T> d[4] = {to_t<T>(m[0]), to_t<T>(m[1]), to_t<T>(m[2]), to_t<T>(m[3])};
    k.dense1(psi, L, d, ex);
  }
}

}  // namespace

template <class T>
void run_circuit_unblocked(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                           const kernels::KernelTable<T>& k, const Executor& ex) {
  prepare_state(psi, c, inputs, ex);
  // Gate fusion: consecutive uncontrolled one-qubit gates on a wire are multiplied into one 2x2
  // matrix (in double) and applied in one pass when another gate touches that wire, or at the end.
  // A Rot (three primitives) after an angle embedding then costs one pass instead of four.
  const int n = c.circuit.num_qubits();
  std::array<Mat2, kMaxQubits> pending;
  std::array<const GateLayout*, kMaxQubits> pending_layout{};
  auto flush_bits = [&](Index bits) {
    for (Index rest = bits; rest != 0; rest &= rest - 1) {
      const int b = std::countr_zero(rest);
      if (pending_layout[b] != nullptr) {
        apply_fused_1q(psi, *pending_layout[b], pending[b], k, ex);
        pending_layout[b] = nullptr;
      }
    }
  };
  for (const Primitive& p : c.primitives) {
    if (is_uncontrolled_1q(p)) {
      const int b = p.layout.target_bits[0];
      const Mat2 m = matrix_1q(p, weights, inputs);
      if (pending_layout[b] == nullptr) {
        pending[b] = m;
        pending_layout[b] = &p.layout;
      } else {
        pending[b] = detail::mat2_mul(m, pending[b]);  // the pending product was applied first
      }
      continue;
    }
    flush_bits(p.touched_bits());
    apply_primitive(psi, c, p, weights, inputs, false, k, ex);
  }
  flush_bits(n >= 64 ? ~Index{0} : (Index{1} << n) - 1);
}

template void run_circuit_unblocked<float>(Complex<float>*, const CompiledCircuit&, const float*, const float*,
                                           const kernels::KernelTable<float>&, const Executor&);
template void run_circuit_unblocked<double>(Complex<double>*, const CompiledCircuit&, const double*, const double*,
                                            const kernels::KernelTable<double>&, const Executor&);

template <class T>
BlockSchedule forward_schedule(const CompiledCircuit& c) {
  // A state beyond L2 is memory-bound: apply the gates in cache-sized groups, about one pass over
  // the state per group instead of one per gate (blocked.h).
  const int n = c.circuit.num_qubits();
  if (!block_pays(n, sizeof(Complex<T>))) return {};
  const int low = block_low_bits(sizeof(Complex<T>));
  const int m = choose_local_bits(c, sizeof(Complex<T>), kBlockPadBits, low);
  if (m == 0 || n <= m) return {};
  return make_block_schedule(c, m, kBlockPadBits, low);
}

template <class T>
void run_circuit(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                 const kernels::KernelTable<T>& k, const Executor& ex, const BlockSchedule* schedule) {
  BlockSchedule own;
  if (schedule == nullptr) {
    own = forward_schedule<T>(c);
    schedule = &own;
  }
  if (schedule->steps.empty()) {
    run_circuit_unblocked(psi, c, weights, inputs, k, ex);
    return;
  }
  prepare_state(psi, c, inputs, ex);
  apply_gates_blocked(psi, c, *schedule, weights, inputs, k, ex);
}

template <class T>
void expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
            T* out, const Executor& ex, Complex<T>* final_states) {
  require_no_channels(c, "expval");  // noise channels: see estimators.h
  const auto& k = kernels::active_kernels<T>();
  const int n = c.circuit.num_qubits();
  const Index nobs = obs.size();
  const Index size = Index{1} << n;
  const int own_states = final_states != nullptr ? 0 : 1;
  const BlockSchedule schedule = forward_schedule<T>(c);  // once for the batch
  detail::for_each_item<T>(in.batch_size, n, static_cast<Index>(c.primitives.size()), own_states, 0, ex, "expval", [&](Index b, const Executor& inner, auto& st) {
    Complex<T>* psi = final_states != nullptr ? final_states + b * size : st[0].data();
    run_circuit(psi, c, in.weights_of(b), in.inputs_of(b), k, inner, &schedule);
    std::vector<double> values(nobs);
    expectations(psi, n, obs, values.data(), inner);
    for (Index j = 0; j < nobs; ++j) out[b * nobs + j] = static_cast<T>(values[j]);
  });
}

template <class T>
void variance(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
              T* out, const Executor& ex) {
  require_no_channels(c, "variance");  // noise channels: see estimators.h
  const auto& k = kernels::active_kernels<T>();
  const int n = c.circuit.num_qubits();
  const Index nobs = obs.size();
  const Index size = Index{1} << n;
  const BlockSchedule schedule = forward_schedule<T>(c);  // once for the batch
  detail::for_each_item<T>(in.batch_size, n, static_cast<Index>(c.primitives.size()), 2, 0, ex, "variance", [&](Index b, const Executor& inner, auto& st) {
    Complex<T>* psi = st[0].data();
    Complex<T>* tmp = st[1].data();
    run_circuit(psi, c, in.weights_of(b), in.inputs_of(b), k, inner, &schedule);
    for (Index j = 0; j < nobs; ++j) {
      // Var = s^2 Var(O / s) with s the largest |coefficient|: the scaled moments stay finite,
      // and a variance beyond the double range becomes inf (not inf - inf = NaN, nor 0).
      double s = 0;
      for (const PauliMasks& t : obs[j].terms) s = std::max(s, std::abs(t.coeff));
      if (s == 0) {
        out[b * nobs + j] = T(0);
        continue;
      }
      // With tmp = (O / s) psi: <O / s> = <psi|tmp> and <(O / s)^2> = ||tmp||^2 (O Hermitian).
      std::fill(tmp, tmp + size, Complex<T>{0});
      apply_observable_add(tmp, psi, n, obs[j], 1.0 / s, inner);
      const double mean = pauli_inner(psi, tmp, n, 0, 0, 0, 0, inner).real();
      const double sq = pauli_inner(tmp, tmp, n, 0, 0, 0, 0, inner).real();
      const double scaled = sq - mean * mean;
      // NaN (from NaN amplitudes) propagates; rounding below zero is clamped.
      out[b * nobs + j] = static_cast<T>(std::isnan(scaled) ? scaled : s * s * std::max(0.0, scaled));
    }
  });
}

namespace {

/// Marginal probabilities of `wires` for one state into out[2^m].
template <class T>
void marginal_probs(const Complex<T>* psi, int n, const std::vector<int>& wires, double* out, const Executor& ex) {
  const int m = static_cast<int>(wires.size());
  std::vector<int> bits;
  for (int w : wires) bits.push_back(wire_to_bit(n, w));
  const GateLayout L = make_layout(n, bits.data(), m, nullptr, 0);
  const Index bins = Index{1} << m;
  const Index rest = L.loop_count();
  ex.parallel_for(bins, std::max<Index>(1, kAmplitudeGrain / rest), [&](Index lo, Index hi) {
    for (Index bin = lo; bin < hi; ++bin) {
      const Index off = L.scatter(bin);
      double s = 0;
      for (Index r = 0; r < rest; ++r) s += std::norm(std::complex<double>(psi[L.base(r) | off]));
      out[bin] = s;
    }
  });
}

}  // namespace

template <class T>
void probs(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in, T* out,
           const Executor& ex) {
  require_no_channels(c, "probs");  // noise channels: see estimators.h
  const int n = c.circuit.num_qubits();
  validate_wires(wires, n, "probs");
  const auto& k = kernels::active_kernels<T>();
  const Index bins = Index{1} << wires.size();
  const BlockSchedule schedule = forward_schedule<T>(c);  // once for the batch
  detail::for_each_item<T>(in.batch_size, n, static_cast<Index>(c.primitives.size()), 1, bins * sizeof(double), ex, "probs",
                             [&](Index b, const Executor& inner, auto& st) {
    Complex<T>* psi = st[0].data();
    run_circuit(psi, c, in.weights_of(b), in.inputs_of(b), k, inner, &schedule);
    std::vector<double> p(bins);
    marginal_probs(psi, n, wires, p.data(), inner);
    for (Index j = 0; j < bins; ++j) out[b * bins + j] = static_cast<T>(p[j]);
  });
}

template <class T>
void final_state(const CompiledCircuit& c, const BatchInputs<T>& in, Complex<T>* out, const Executor& ex) {
  require_no_channels(c, "state");  // noise channels: see estimators.h
  const int n = c.circuit.num_qubits();
  const auto& k = kernels::active_kernels<T>();
  const Index size = Index{1} << n;
  // The output buffer holds the states, so no workspace is needed.
  const BlockSchedule schedule = forward_schedule<T>(c);  // once for the batch
  detail::for_each_item<T>(in.batch_size, n, static_cast<Index>(c.primitives.size()), 0, 0, ex, "state", [&](Index b, const Executor& inner, auto&) {
    run_circuit(out + b * size, c, in.weights_of(b), in.inputs_of(b), k, inner, &schedule);
  });
}

template <class T>
void sample(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in, std::int64_t shots,
            std::uint64_t seed, std::int64_t* out, const Executor& ex) {
  require_no_channels(c, "sample");  // noise channels: see estimators.h
  const int n = c.circuit.num_qubits();
  validate_wires(wires, n, "sample");
  if (shots < 1) throw ArgumentError("sample: shots must be >= 1, got " + std::to_string(shots));
  const auto& k = kernels::active_kernels<T>();
  const int m = static_cast<int>(wires.size());
  const Index bins = Index{1} << m;
  const BlockSchedule schedule = forward_schedule<T>(c);  // once for the batch
  detail::for_each_item<T>(in.batch_size, n, static_cast<Index>(c.primitives.size()), 1, bins * sizeof(double), ex, "sample",
                             [&](Index b, const Executor& inner, auto& st) {
    Complex<T>* psi = st[0].data();
    run_circuit(psi, c, in.weights_of(b), in.inputs_of(b), k, inner, &schedule);
    std::vector<double> cdf(bins);
    marginal_probs(psi, n, wires, cdf.data(), inner);
    for (Index j = 1; j < bins; ++j) cdf[j] += cdf[j - 1];
    const double total = cdf.back();
    if (!(total > 0 && std::isfinite(total))) {
      throw ArgumentError("sample: the state of sample " + std::to_string(b) + " is not finite (NaN or inf weights "
                          "or inputs?); there is nothing to sample from");
    }
    std::mt19937_64 gen(derive_seed(seed, b));
    std::uniform_real_distribution<double> uni(0.0, total);
    std::int64_t* row = out + b * static_cast<Index>(shots) * m;
    for (std::int64_t s = 0; s < shots; ++s) {
      const double u = uni(gen);
      Index bin = static_cast<Index>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      bin = std::min(bin, bins - 1);
      for (int j = 0; j < m; ++j) row[s * m + j] = static_cast<std::int64_t>((bin >> (m - 1 - j)) & 1U);
    }
  });
}

#define TORCHQ_INSTANTIATE(T)                                                                                   \
  template BatchInputs<T> make_batch<T>(const CompiledCircuit&, const T*, bool, const T*, Index);              \
  template void prepare_state<T>(Complex<T>*, const CompiledCircuit&, const T*, const Executor&);               \
  template void apply_primitive<T>(Complex<T>*, const CompiledCircuit&, const Primitive&, const T*, const T*,    \
                                   bool, const kernels::KernelTable<T>&, const Executor&);                    \
  template detail::Mat2 detail::matrix_1q<T>(const Primitive&, const T*, const T*);                           \
  template void run_circuit<T>(Complex<T>*, const CompiledCircuit&, const T*, const T*,                         \
                               const kernels::KernelTable<T>&, const Executor&, const BlockSchedule*);        \
  template BlockSchedule forward_schedule<T>(const CompiledCircuit&);                                          \
  template void expval<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&, const BatchInputs<T>&, \
                          T*, const Executor&, Complex<T>*);                                                  \
  template void variance<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,                     \
                            const BatchInputs<T>&, T*, const Executor&);                                       \
  template void probs<T>(const CompiledCircuit&, const std::vector<int>&, const BatchInputs<T>&, T*,            \
                         const Executor&);                                                                    \
  template void final_state<T>(const CompiledCircuit&, const BatchInputs<T>&, Complex<T>*, const Executor&);    \
  template void sample<T>(const CompiledCircuit&, const std::vector<int>&, const BatchInputs<T>&, std::int64_t, \
                          std::uint64_t, std::int64_t*, const Executor&);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
