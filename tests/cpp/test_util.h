/**
 * @file test_util.h
 * @brief Helpers shared by the core test suites: per-precision tolerances for the one templated
 * fixture (qsim style), random circuits drawing from every gate, and thin wrappers that run the
 * torchq engine on std::vectors.
 *
 * Numbers fed to both the engine (in T) and the dense reference (in double) are first rounded
 * through T, so both see exactly the same weights and inputs and only the arithmetic differs.
 */
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dense_reference.h"
#include "torchq/torchq.h"

namespace torchq_test {

/// Tolerances per precision. Values are absolute, for quantities of order one.
template <class T>
struct Precision;

template <>
struct Precision<double> {
  static constexpr const char* kName = "double";
  static constexpr double kState = 1e-12;    ///< one gate or a shallow circuit on <= 6 qubits
  static constexpr double kDeep = 1e-10;     ///< circuits of depth ~50, sums over many terms
  static constexpr double kGradVsFd = 1e-6;  ///< adjoint vs central finite differences (h = 1e-5)
  static constexpr double kGradVsExact = 1e-9;  ///< adjoint vs parameter shift (exact rule)
};

template <>
struct Precision<float> {
  static constexpr const char* kName = "float";
  static constexpr double kState = 2e-5;
  static constexpr double kDeep = 2e-4;
  static constexpr double kGradVsFd = 2e-3;  ///< float adjoint vs double finite differences
  static constexpr double kGradVsExact = 2e-3;
};

/// Names the precision in test names: GateTest/float.OneQubitGates.
struct PrecisionNames {
  template <class T>
  static std::string GetName(int) {
    return Precision<T>::kName;
  }
};

using Precisions = ::testing::Types<float, double>;

/// v rounded through T and back, so the engine in T and the reference in double agree on it.
template <class T>
std::vector<double> representable(std::vector<double> v) {
  for (double& x : v) x = static_cast<double>(static_cast<T>(x));
  return v;
}

template <class T>
std::vector<T> cast_to(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

/// Uniform numbers in [lo, hi), rounded through T.
template <class T>
std::vector<double> uniform(std::size_t count, double lo, double hi, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(count);
  for (double& x : v) x = u(rng);
  return representable<T>(v);
}

/// Every ordered choice of m distinct wires out of n (m-permutations of 0..n-1).
inline std::vector<std::vector<int>> ordered_subsets(int n, int m) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  std::vector<bool> used(n, false);
  auto rec = [&](auto&& self) -> void {
    if (static_cast<int>(cur.size()) == m) {
      out.push_back(cur);
      return;
    }
    for (int w = 0; w < n; ++w) {
      if (used[w]) continue;
      used[w] = true;
      cur.push_back(w);
      self(self);
      cur.pop_back();
      used[w] = false;
    }
  };
  rec(rec);
  return out;
}

inline std::string join(const std::vector<int>& v) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
  s << "]";
  return s.str();
}

/// "CRX wires [2,0] controls [1] on 3 qubits" for failure messages.
inline std::string describe(const torchq::Operation& op, int n) {
  return std::string(torchq::gate_info(op.gate).name) + " wires " + join(op.wires) + " controls " +
         join(op.controls) + " on " + std::to_string(n) + " qubits";
}

/// Number of wires an operation of this gate takes (variable gates: `variable`).
inline int wires_of(torchq::GateId g, int variable) {
  const int w = torchq::gate_info(g).num_wires;
  return w == torchq::kVariableWires ? variable : w;
}

/// Every gate that is a unitary (not an embedding, not a noise channel), in table order.
inline std::vector<torchq::GateId> unitary_gates() {
  std::vector<torchq::GateId> out;
  for (const torchq::GateInfo& g : torchq::kGateTable) {
    if (!g.embedding && !g.channel) out.push_back(g.id);
  }
  return out;
}

/// Every gate with at least one angle.
inline std::vector<torchq::GateId> parametric_gates() {
  std::vector<torchq::GateId> out;
  for (const torchq::GateInfo& g : torchq::kGateTable) {
    if (!g.embedding && !g.channel && g.num_params > 0) out.push_back(g.id);
  }
  return out;
}

struct RandomCircuitOptions {
  int num_qubits = 4;
  int depth = 20;
  int num_weights = 6;
  int num_inputs = 3;
  double control_probability = 0.25;  ///< chance of 1 or 2 extra controls, when wires allow
  double constant_probability = 0.3;  ///< chance that an angle is a constant
  bool parametric_only = false;       ///< draw only gates with angles
  int max_unitary_wires = 2;          ///< QubitUnitary size (0 = never draw it)
};

/// Random distinct wires, in random order.
inline std::vector<int> random_wires(int n, int count, std::mt19937_64& rng) {
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(count);
  return all;
}

/// A random angle reference: a constant, or a weight / input with a scale that is often != 1.
inline torchq::ParamRef random_param(const RandomCircuitOptions& o, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1), angle(-3.0, 3.0);
  const double r = u(rng);
  const double scale = u(rng) < 0.4 ? 1.0 : (u(rng) < 0.5 ? -1.0 : 1.0) * (0.3 + 1.2 * u(rng));
  if (r < o.constant_probability || (o.num_weights == 0 && o.num_inputs == 0)) {
    return torchq::ParamRef::constant(angle(rng));
  }
  const bool want_input = o.num_inputs > 0 && (o.num_weights == 0 || u(rng) < 0.35);
  if (want_input) {
    return torchq::ParamRef::input(std::uniform_int_distribution<int>(0, o.num_inputs - 1)(rng), scale);
  }
  return torchq::ParamRef::weight(std::uniform_int_distribution<int>(0, o.num_weights - 1)(rng), scale);
}

/// A random operation of gate g (variable gates get 1..4 wires, unitaries 1..max_unitary_wires).
inline torchq::Operation random_op(torchq::GateId g, const RandomCircuitOptions& o, std::mt19937_64& rng) {
  using torchq::GateId;
  const int n = o.num_qubits;
  int k = torchq::gate_info(g).num_wires;
  if (g == GateId::MultiRZ) k = std::uniform_int_distribution<int>(1, std::min(4, n))(rng);
  if (g == GateId::QubitUnitary) k = std::uniform_int_distribution<int>(1, std::min(o.max_unitary_wires, n))(rng);
  std::uniform_real_distribution<double> u(0, 1);
  int nc = 0;
  if (u(rng) < o.control_probability) nc = std::min(n - k, u(rng) < 0.6 ? 1 : 2);
  const std::vector<int> picked = random_wires(n, k + nc, rng);
  torchq::Operation op;
  op.gate = g;
  op.wires.assign(picked.begin(), picked.begin() + k);
  op.controls.assign(picked.begin() + k, picked.end());
  for (int j = 0; j < torchq::gate_info(g).num_params; ++j) op.params.push_back(random_param(o, rng));
  if (g == GateId::QubitUnitary) op.matrix = ref::row_major(ref::random_unitary(1 << k, rng));
  return op;
}

/// A random circuit drawing from every unitary gate (or every parametric one), with extra controls.
inline torchq::Circuit random_circuit(const RandomCircuitOptions& o, std::mt19937_64& rng) {
  torchq::Circuit c(o.num_qubits, o.num_weights, o.num_inputs);
  std::vector<torchq::GateId> pool = o.parametric_only ? parametric_gates() : unitary_gates();
  pool.erase(std::remove_if(pool.begin(), pool.end(),
                            [&](torchq::GateId g) {
                              return wires_of(g, 1) > o.num_qubits ||
                                     (g == torchq::GateId::QubitUnitary && o.max_unitary_wires == 0);
                            }),
             pool.end());
  std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
  for (int d = 0; d < o.depth; ++d) c.add(random_op(pool[pick(rng)], o, rng));
  return c;
}

/// A random observable: a Hamiltonian of 1..3 Pauli words (identity terms possible).
inline torchq::Observable random_observable(int n, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> nterms(1, 3), letter(0, 3);
  std::uniform_real_distribution<double> coeff(-1.5, 1.5);
  torchq::Observable o;
  const int t = nterms(rng);
  for (int j = 0; j < t; ++j) {
    std::string word;
    for (int q = 0; q < n; ++q) word += "IXYZ"[letter(rng)];
    std::vector<int> wires(n);
    std::iota(wires.begin(), wires.end(), 0);
    std::shuffle(wires.begin(), wires.end(), rng);
    o.add_term(coeff(rng), word, wires);
  }
  return o;
}

/// Largest |a_i - b_i| between a reference state and an engine state.
template <class T>
double max_diff(const ref::Vec& expected, const torchq::Complex<T>* got) {
  double worst = 0;
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    const std::complex<double> g(static_cast<double>(got[i].real()), static_cast<double>(got[i].imag()));
    worst = std::max(worst, std::abs(expected(i) - g));
  }
  return worst;
}

/// The engine's forward pass on std::vectors: expectation values [B, K].
template <class T>
std::vector<T> run_expval(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                          const std::vector<T>& weights, bool per_sample, const std::vector<T>& inputs,
                          torchq::Index batch, const torchq::Executor& ex = torchq::serial_executor()) {
  std::vector<T> out(batch * obs.size());
  const auto in = torchq::make_batch<T>(cc, weights.empty() ? nullptr : weights.data(), per_sample,
                                        inputs.empty() ? nullptr : inputs.data(), batch);
  torchq::expval<T>(cc, obs, in, out.data(), ex);
  return out;
}

/// The engine's adjoint backward pass on std::vectors.
template <class T>
struct Grads {
  std::vector<T> weights;
  std::vector<T> inputs;
};

template <class T>
Grads<T> run_adjoint(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                     const std::vector<T>& weights, bool per_sample, const std::vector<T>& inputs,
                     torchq::Index batch, const std::vector<T>& grad_out,
                     const torchq::Executor& ex = torchq::serial_executor()) {
  Grads<T> g;
  g.weights.assign(per_sample ? batch * cc.circuit.num_weights() : cc.circuit.num_weights(), T(-999));
  g.inputs.assign(batch * cc.circuit.num_inputs(), T(-999));  // must be overwritten, not accumulated
  const auto in = torchq::make_batch<T>(cc, weights.empty() ? nullptr : weights.data(), per_sample,
                                        inputs.empty() ? nullptr : inputs.data(), batch);
  torchq::adjoint_expval_backward<T>(cc, obs, in, grad_out.data(), g.weights.empty() ? nullptr : g.weights.data(),
                                     g.inputs.empty() ? nullptr : g.inputs.data(), ex);
  return g;
}

}  // namespace torchq_test
