/// @file simulator.cpp
#include "torchq/simulator.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <set>

#include "torchq/errors.h"
#include "torchq/lanes/lane_batch.h"
#include "torchq/random.h"
#include "torchq/work_loop.h"

namespace torchq {

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
void expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
            T* out, const Executor& ex, Complex<T>* final_states) {
  require_no_channels(c, "expval");  // noise channels: see estimators.h
  if (lanes::lane_batch_pays(c, in.batch_size)) return lanes::lane_expval(c, obs, in, out, ex, final_states);
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
