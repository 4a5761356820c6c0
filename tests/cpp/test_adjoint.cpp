/**
 * @file test_adjoint.cpp
 * @brief The adjoint method (adjoint.h) against central finite differences and the parameter-shift
 * rule, for weights and inputs, shared [P] and per-sample [B, P] weights, on random circuits that
 * draw from every parametric gate with extra controls, mixed with constant gates.
 *
 * References are computed in double with the engine's forward pass (itself checked against the
 * dense reference in test_gates.cpp and test_observables.cpp); the adjoint under test runs in T.
 *
 * Parameter shift: every angle enters as exp(-i a c G). Where c G has two eigenvalues one apart
 * (uncontrolled Pauli rotations: +-1/2; PhaseShift and its controlled forms: 0 and -1) the
 * two-term rule f' = [f(a + pi/2) - f(a - pi/2)] / 2 is exact. A controlled Pauli rotation has
 * eigenvalues {0, +-1/2}, so it needs the four-term rule (PennyLane's CRX rule):
 *   f' = d+ [f(a + pi/2) - f(a - pi/2)] - d- [f(a + 3pi/2) - f(a - 3pi/2)],
 *   d+- = (sqrt(2) +- 1) / (4 sqrt(2)).
 * Every parametric gate is tested with the rule that applies to it.
 */
#include <gtest/gtest.h>

#include <functional>

#include "dense_reference.h"
#include "test_util.h"

namespace torchq_test {
namespace {

using torchq::GateId;
using torchq::Observable;
using torchq::ParamRef;

/// sum_{b,k} g[b,k] <O_k>_b in double: the scalar whose gradient the adjoint computes.
double loss(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
            const std::vector<double>& w, bool per_sample, const std::vector<double>& x, torchq::Index batch,
            const std::vector<double>& g) {
  const std::vector<double> out = run_expval<double>(cc, obs, w, per_sample, x, batch);
  double s = 0;
  for (std::size_t i = 0; i < out.size(); ++i) s += g[i] * out[i];
  return s;
}

/// Central finite differences of `loss` with respect to every entry of v (weights or inputs).
std::vector<double> finite_differences(std::vector<double> v, double h, const std::function<double(const std::vector<double>&)>& f) {
  std::vector<double> grad(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double keep = v[i];
    v[i] = keep + h;
    const double up = f(v);
    v[i] = keep - h;
    const double down = f(v);
    v[i] = keep;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

template <class T>
void expect_close(const std::vector<T>& got, const std::vector<double>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(got[i]), want[i], tol * (1 + std::abs(want[i]))) << what << " [" << i << "]";
  }
}

template <class T>
class AdjointTest : public ::testing::Test {
 protected:
  /// Checks adjoint gradients of a circuit (weights and inputs) against finite differences.
  void check_against_fd(const torchq::Circuit& c, const std::vector<Observable>& obs, int batch, bool per_sample,
                        std::mt19937_64& rng, double h = 1e-5, const std::vector<double>* given_x = nullptr) {
    const int P = c.num_weights(), F = c.num_inputs(), K = static_cast<int>(obs.size());
    const auto cc = torchq::compile(c);
    const auto cobs = torchq::compile_observables(obs, c.num_qubits());
    const std::vector<double> w = uniform<T>((per_sample ? batch : 1) * P, -3, 3, rng);
    const std::vector<double> x = given_x ? *given_x : uniform<T>(batch * F, -2, 2, rng);
    const std::vector<double> g = uniform<T>(batch * K, -1, 1, rng);
    const Grads<T> got = run_adjoint<T>(cc, cobs, cast_to<T>(w), per_sample, cast_to<T>(x), batch, cast_to<T>(g));
    const auto gw = finite_differences(w, h, [&](const std::vector<double>& v) { return loss(cc, cobs, v, per_sample, x, batch, g); });
    const auto gx = finite_differences(x, h, [&](const std::vector<double>& v) { return loss(cc, cobs, w, per_sample, v, batch, g); });
    expect_close(got.weights, gw, Precision<T>::kGradVsFd, "d/d weights");
    expect_close(got.inputs, gx, Precision<T>::kGradVsFd, "d/d inputs");
  }
};
TYPED_TEST_SUITE(AdjointTest, Precisions, PrecisionNames);

std::vector<Observable> some_observables(int n, std::mt19937_64& rng) {
  return {Observable::z(0), random_observable(n, rng), random_observable(n, rng),
          Observable::pauli_word("XY", {n - 1, 0}, -0.5).add_term(0.25, "Z", {1})};
}

TYPED_TEST(AdjointTest, RandomCircuitsSharedWeightsAgainstFiniteDifferences) {
  std::mt19937_64 rng(2024);
  int circuits = 0;
  for (int n : {2, 3, 4, 5}) {
    for (int depth : {5, 20, 50}) {
      SCOPED_TRACE(std::to_string(n) + " qubits, depth " + std::to_string(depth));
      RandomCircuitOptions o;
      o.num_qubits = n;
      o.depth = depth;
      o.num_weights = 7;
      o.num_inputs = 3;
      const torchq::Circuit c = random_circuit(o, rng);
      this->check_against_fd(c, some_observables(n, rng), 3, false, rng);
      ++circuits;
    }
  }
  EXPECT_EQ(circuits, 12);
}

TYPED_TEST(AdjointTest, RandomCircuitsPerSampleWeightsAgainstFiniteDifferences) {
  std::mt19937_64 rng(77);
  for (int n : {3, 5}) {
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = 40;
    o.num_weights = 5;
    o.num_inputs = 2;
    o.control_probability = 0.4;
    const torchq::Circuit c = random_circuit(o, rng);
    SCOPED_TRACE(std::to_string(n) + " qubits");
    this->check_against_fd(c, some_observables(n, rng), 4, true, rng);
  }
}

TYPED_TEST(AdjointTest, ParametricGatesOnlyWithControlsAgainstFiniteDifferences) {
  // Only angles: every primitive of the sweep has a generator; extra controls half the time.
  std::mt19937_64 rng(99);
  RandomCircuitOptions o;
  o.num_qubits = 5;
  o.depth = 50;
  o.num_weights = 12;
  o.num_inputs = 4;
  o.parametric_only = true;
  o.control_probability = 0.5;
  o.constant_probability = 0.1;
  this->check_against_fd(random_circuit(o, rng), some_observables(5, rng), 2, false, rng);
}

/// The shift rule that is exact for parameter j of op (see the file comment).
enum class ShiftRule { kTwoTerm, kFourTerm };

ShiftRule rule_for(const torchq::Operation& op, int j) {
  const torchq::GateInfo& g = torchq::gate_info(op.gate);
  const bool phase_like = g.base == GateId::PhaseShift || (g.base == GateId::U3 && j != 0);
  const bool controlled = g.builtin_controls > 0 || !op.controls.empty();
  return phase_like || !controlled ? ShiftRule::kTwoTerm : ShiftRule::kFourTerm;
}

TYPED_TEST(AdjointTest, EveryParametricGateAgainstParameterShift) {
  using T = TypeParam;
  std::mt19937_64 rng(555);
  const int n = 4;
  int checked_two = 0, checked_four = 0;
  for (GateId gate : parametric_gates()) {
    for (int extra_controls : {0, 1, 2}) {
      const int k = gate == GateId::MultiRZ ? 3 : torchq::gate_info(gate).num_wires;
      if (k + extra_controls > n) continue;
      SCOPED_TRACE(std::string(torchq::gate_info(gate).name) + " with " + std::to_string(extra_controls) +
                   " extra controls");
      // Constant gates around the gate under test, so its input state and observable are generic.
      RandomCircuitOptions constants;
      constants.num_qubits = n;
      constants.depth = 12;
      constants.num_weights = 0;
      constants.num_inputs = 0;
      const torchq::Circuit before = random_circuit(constants, rng), after = random_circuit(constants, rng);
      const int np = torchq::gate_info(gate).num_params;
      torchq::Circuit c(n, np, 0);
      for (const auto& op : before.operations()) c.add(op);
      torchq::Operation op;
      op.gate = gate;
      const std::vector<int> wires = random_wires(n, k + extra_controls, rng);
      op.wires.assign(wires.begin(), wires.begin() + k);
      op.controls.assign(wires.begin() + k, wires.end());
      for (int j = 0; j < np; ++j) op.params.push_back(ParamRef::weight(j, j % 2 ? 1.0 : -1.7));
      c.add(op);
      for (const auto& o : after.operations()) c.add(o);

      const auto cc = torchq::compile(c);
      std::vector<Observable> obs{random_observable(n, rng), Observable::z(wires.back())};
      const auto cobs = torchq::compile_observables(obs, n);
      const std::vector<double> w = uniform<T>(np, -3, 3, rng);
      const std::vector<double> g = uniform<T>(obs.size(), -1, 1, rng);
      const Grads<T> got = run_adjoint<T>(cc, cobs, cast_to<T>(w), false, {}, 1, cast_to<T>(g));

      for (int j = 0; j < np; ++j) {
        // The angle is scale * w[j]: shifting the angle by s shifts w[j] by s / scale.
        const double scale = op.params[j].value;
        auto f = [&](double shift) {
          std::vector<double> ws = w;
          ws[j] += shift / scale;
          return loss(cc, cobs, ws, false, {}, 1, g);
        };
        const double pi = ref::kPi;
        double d_angle;
        if (rule_for(op, j) == ShiftRule::kTwoTerm) {
          d_angle = (f(pi / 2) - f(-pi / 2)) / 2;
          ++checked_two;
        } else {
          const double dp = (std::sqrt(2.0) + 1) / (4 * std::sqrt(2.0));
          const double dm = (std::sqrt(2.0) - 1) / (4 * std::sqrt(2.0));
          d_angle = dp * (f(pi / 2) - f(-pi / 2)) - dm * (f(3 * pi / 2) - f(-3 * pi / 2));
          ++checked_four;
        }
        EXPECT_NEAR(got.weights[j], scale * d_angle, Precision<T>::kGradVsExact * (1 + std::abs(d_angle)))
            << "parameter " << j;
      }
    }
  }
  // Both rules were exercised: uncontrolled rotations and phases (two-term), controlled rotations (four-term).
  EXPECT_GT(checked_two, 20);
  EXPECT_GT(checked_four, 20);
}

TEST(AdjointShiftRules, FourTermRuleIsNeededForControlledRotations) {
  // Guards the test above: for CRX the plain two-term rule is NOT exact, so the shift tests can
  // tell the rules apart (a wrong classification would fail there).
  torchq::Circuit c(2, 1, 0);
  c.add(GateId::H, {0}).add(GateId::RY, {1}, {ParamRef::constant(0.4)});
  c.add(GateId::CRX, {0, 1}, {ParamRef::weight(0)});
  const auto cc = torchq::compile(c);
  // X on the control makes the two control branches interfere, which brings in frequency 1/2.
  const auto cobs = torchq::compile_observables({Observable::pauli_word("XZ", {0, 1})}, 2);
  const double w = 0.9, pi = ref::kPi;
  auto f = [&](double a) { return loss(cc, cobs, {a}, false, {}, 1, {1.0}); };
  const double exact = run_adjoint<double>(cc, cobs, {w}, false, {}, 1, {1.0}).weights[0];
  EXPECT_GT(std::abs((f(w + pi / 2) - f(w - pi / 2)) / 2 - exact), 1e-3);
  EXPECT_NEAR((f(w + 1e-6) - f(w - 1e-6)) / 2e-6, exact, 1e-8);
}

TYPED_TEST(AdjointTest, SharedWeightsSumOverTheBatchAndPerSampleDoNot) {
  using T = TypeParam;
  std::mt19937_64 rng(11);
  RandomCircuitOptions o;
  o.num_qubits = 3;
  o.depth = 20;
  o.num_weights = 4;
  o.num_inputs = 2;
  const auto cc = torchq::compile(random_circuit(o, rng));
  const auto cobs = torchq::compile_observables(some_observables(3, rng), 3);
  const int B = 4, P = 4, K = static_cast<int>(cobs.size());
  const std::vector<T> w = cast_to<T>(uniform<T>(P, -3, 3, rng)), x = cast_to<T>(uniform<T>(B * 2, -2, 2, rng));
  const std::vector<T> g = cast_to<T>(uniform<T>(B * K, -1, 1, rng));
  std::vector<T> w_rows;
  for (int b = 0; b < B; ++b) w_rows.insert(w_rows.end(), w.begin(), w.end());
  const Grads<T> shared = run_adjoint<T>(cc, cobs, w, false, x, B, g);
  const Grads<T> rows = run_adjoint<T>(cc, cobs, w_rows, true, x, B, g);
  ASSERT_EQ(rows.weights.size(), std::size_t(B * P));
  for (int p = 0; p < P; ++p) {
    double s = 0;
    for (int b = 0; b < B; ++b) s += rows.weights[b * P + p];
    EXPECT_NEAR(shared.weights[p], s, Precision<T>::kDeep * 10) << "weight " << p;
  }
  EXPECT_EQ(shared.inputs, rows.inputs);
}

TYPED_TEST(AdjointTest, NullOutputsAreSkippedAndZeroUpstreamGivesZero) {
  using T = TypeParam;
  std::mt19937_64 rng(12);
  RandomCircuitOptions o;
  o.num_qubits = 3;
  o.depth = 15;
  o.num_weights = 3;
  o.num_inputs = 2;
  const auto cc = torchq::compile(random_circuit(o, rng));
  const auto cobs = torchq::compile_observables({Observable::z(0), Observable::z(2)}, 3);
  const std::vector<T> w = cast_to<T>(uniform<T>(3, -3, 3, rng)), x = cast_to<T>(uniform<T>(2 * 2, -2, 2, rng));
  const std::vector<T> g{T(0.5), T(-1), T(0), T(0)};  // sample 1 has a zero upstream gradient
  const Grads<T> full = run_adjoint<T>(cc, cobs, {w[0], w[1], w[2], w[0], w[1], w[2]}, true, x, 2, g);
  // Sample 1: every gradient is exactly zero (written, not left at the sentinel).
  for (int p = 0; p < 3; ++p) EXPECT_EQ(full.weights[3 + p], T(0));
  for (int f = 0; f < 2; ++f) EXPECT_EQ(full.inputs[2 + f], T(0));
  // Null grad_weights or grad_inputs: the other output is still right.
  const auto in = torchq::make_batch<T>(cc, w.data(), false, x.data(), 2);
  std::vector<T> gw(3, T(-5)), gx(4, T(-5));
  torchq::adjoint_expval_backward<T>(cc, cobs, in, g.data(), gw.data(), gx.data(), torchq::serial_executor());
  std::vector<T> gw_only(3, T(-5)), gx_only(4, T(-5));
  torchq::adjoint_expval_backward<T>(cc, cobs, in, g.data(), gw_only.data(), nullptr, torchq::serial_executor());
  torchq::adjoint_expval_backward<T>(cc, cobs, in, g.data(), nullptr, gx_only.data(), torchq::serial_executor());
  EXPECT_EQ(gw_only, gw);
  EXPECT_EQ(gx_only, gx);
}

// ---- Embeddings ----

TYPED_TEST(AdjointTest, AmplitudeEmbeddingInputGradientAgainstFiniteDifferences) {
  using T = TypeParam;
  std::mt19937_64 rng(31);
  struct Case {
    std::vector<int> wires;
    int num_features;
    bool normalize;
    double pad;
  };
  // Embedding wires in scrambled order, on a subset of the register or all of it; with padding.
  const std::vector<Case> cases{
      {{2, 0, 3}, 8, true, 0.0},  {{1, 3}, 3, true, 0.4},  {{3, 1, 0, 2}, 11, true, -0.2},
      {{0, 2, 1}, 8, false, 0.0}, {{2, 3}, 3, false, 0.0}, {{1, 0, 2}, 6, false, 0.3},
  };
  for (const Case& cs : cases) {
    SCOPED_TRACE("wires " + join(cs.wires) + ", " + std::to_string(cs.num_features) + " features, normalize " +
                 std::to_string(cs.normalize) + ", pad " + std::to_string(cs.pad));
    const int n = 4, B = 2;
    const int F = cs.num_features + 2;  // two more inputs feed rotation angles afterwards
    torchq::Circuit c(n, 3, F);
    c.amplitude_embedding(cs.wires, {0, cs.num_features, cs.normalize, cs.pad});
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = 15;
    o.num_weights = 3;
    o.num_inputs = 0;
    const torchq::Circuit body = random_circuit(o, rng);  // named: a temporary would die before the loop
    for (const auto& op : body.operations()) c.add(op);
    c.add(GateId::RY, {1}, {ParamRef::input(F - 2, 0.8)}).add(GateId::CRZ, {3, 0}, {ParamRef::input(F - 1)});

    std::vector<double> x = uniform<T>(B * F, -1, 1, rng);
    if (!cs.normalize) {
      // Features and padding of each sample must already have norm 1.
      const int dim = 1 << cs.wires.size();
      for (int b = 0; b < B; ++b) {
        double norm2 = (dim - cs.num_features) * cs.pad * cs.pad;
        for (int j = 0; j < cs.num_features; ++j) norm2 += x[b * F + j] * x[b * F + j];
        const double keep = 1 - (dim - cs.num_features) * cs.pad * cs.pad;
        for (int j = 0; j < cs.num_features; ++j) {
          x[b * F + j] *= std::sqrt(keep / (norm2 - (dim - cs.num_features) * cs.pad * cs.pad));
        }
      }
      x = representable<T>(x);
    }
    // Without normalisation the engine refuses |v|^2 off 1 by more than 1e-6, so take a small step.
    this->check_against_fd(c, some_observables(n, rng), B, false, rng, cs.normalize ? 1e-5 : 1e-7, &x);
    // The forward state is the reference embedding.
    const std::vector<double> w0 = uniform<T>(3, -3, 3, rng);
    const std::vector<double> x0(x.begin(), x.begin() + F);
    const auto cc = torchq::compile(c);
    std::vector<torchq::Complex<T>> psi(16);
    const std::vector<T> wt = cast_to<T>(w0), xt = cast_to<T>(x0);
    torchq::final_state<T>(cc, torchq::make_batch<T>(cc, wt.data(), false, xt.data(), 1), psi.data(),
                           torchq::serial_executor());
    EXPECT_LE(max_diff<T>(ref::simulate(c, w0, x0), psi.data()), Precision<T>::kDeep);
  }
}

TYPED_TEST(AdjointTest, AmplitudeEmbeddingRejectsBadFeatures) {
  using T = TypeParam;
  torchq::Circuit c(2, 0, 4);
  c.amplitude_embedding({0, 1}, {0, 4, false, 0.0});
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::z(0)}, 2);
  EXPECT_THROW(run_expval<T>(cc, cobs, {}, false, {T(1), T(1), T(0), T(0)}, 1), torchq::ArgumentError);  // norm 2
  EXPECT_THROW(run_expval<T>(cc, cobs, {}, false, {T(0), T(0), T(0), T(0)}, 1), torchq::ArgumentError);  // zero
  EXPECT_NO_THROW(run_expval<T>(cc, cobs, {}, false, {T(0), T(1), T(0), T(0)}, 1));
}

TYPED_TEST(AdjointTest, AmplitudeEmbeddingOfExtremeFeaturesIsTheirDirection) {
  // Any finite non-zero vector embeds as its direction: huge features (their squares overflow)
  // and tiny ones (their squares underflow to 0) give the same state as [1, 1, 0, 0] / sqrt(2),
  // and finite gradients of the right size. Regression: 1e200 gave the zero state, [1e-320, 0]
  // was refused as "all zero".
  using T = TypeParam;
  torchq::Circuit c(2, 1, 4);
  c.amplitude_embedding({0, 1}, {0, 4, true, 0.0});
  c.add(GateId::RY, {0}, {ParamRef::weight(0)});
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::z(0), Observable::pauli_word("X", {1})}, 2);
  const std::vector<T> w{T(0.3)};
  const std::vector<T> unit{T(1), T(1), T(0), T(0)};
  const std::vector<T> expected = run_expval<T>(cc, cobs, w, false, unit, 1);
  const double big = std::is_same_v<T, float> ? 1e30 : 1e200;
  const double tiny = std::is_same_v<T, float> ? 1e-40 : 1e-320;  // subnormal in each precision
  for (double scale : {big, tiny, -big}) {
    const std::vector<T> x{T(scale), T(scale), T(0), T(0)};
    const std::vector<T> got = run_expval<T>(cc, cobs, w, false, x, 1);
    for (int k = 0; k < 2; ++k) EXPECT_NEAR(got[k], expected[k], Precision<T>::kDeep) << "scale " << scale;
    const Grads<T> g = run_adjoint<T>(cc, cobs, w, false, x, 1, {T(1), T(1)});
    const Grads<T> g_unit = run_adjoint<T>(cc, cobs, w, false, unit, 1, {T(1), T(1)});
    EXPECT_NEAR(g.weights[0], g_unit.weights[0], Precision<T>::kDeep);
    // d<O>/dv scales as 1/|v|: with v = scale * u, scale * gradient(v) = gradient(u).
    for (int j = 0; j < 4; ++j) {
      const double scaled = static_cast<double>(g.inputs[j]) * std::abs(scale);
      EXPECT_TRUE(std::isfinite(static_cast<double>(g.inputs[j])) || std::abs(scale) < 1) << j;
      if (std::abs(scale) > 1) {
        EXPECT_NEAR(scaled, (scale > 0 ? 1 : -1) * static_cast<double>(g_unit.inputs[j]), 1e-4) << "feature " << j;
      }
    }
  }
  const std::vector<T> one_tiny{T(tiny), T(0), T(0), T(0)};
  EXPECT_NO_THROW(run_expval<T>(cc, cobs, w, false, one_tiny, 1));
}

TYPED_TEST(AdjointTest, BasisEmbeddingForwardAndGradients) {
  using T = TypeParam;
  const int n = 4;
  // BasisEmbedding of inputs[1..3] on wires (2, 0, 3): |q0 q1 q2 q3> = |x1 0 x0 x2>, x = inputs[1..3].
  torchq::Circuit c(n, 2, 4);
  c.basis_embedding({2, 0, 3}, 1);
  const auto cc_bare = torchq::compile(c);
  for (int bits = 0; bits < 8; ++bits) {
    const int x0 = (bits >> 2) & 1, x1 = (bits >> 1) & 1, x2 = bits & 1;
    const std::vector<T> xt{T(0.3), T(x0), T(x1), T(x2)};
    std::vector<torchq::Complex<T>> psi(16);
    const std::vector<T> wt{T(0), T(0)};
    torchq::final_state<T>(cc_bare, torchq::make_batch<T>(cc_bare, wt.data(), false, xt.data(), 1), psi.data(),
                           torchq::serial_executor());
    const int index = (x1 << 3) | (0 << 2) | (x0 << 1) | x2;
    for (int i = 0; i < 16; ++i) {
      EXPECT_EQ(psi[i], torchq::Complex<T>(i == index ? 1 : 0)) << "bits " << bits << " amplitude " << i;
    }
  }
  // Gates after the embedding: weights and the angle input are differentiated, the basis inputs get 0.
  c.add(GateId::RX, {1}, {ParamRef::weight(0)}).add(GateId::CRY, {2, 1}, {ParamRef::weight(1, 0.5)});
  c.add(GateId::RZ, {3}, {ParamRef::input(0, -1.3)}).add(GateId::H, {3}).add(GateId::CNOT, {3, 1});
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::pauli_word("ZY", {1, 3}), Observable::z(1)}, n);
  const std::vector<double> w{0.7, -1.1};
  const std::vector<double> x = representable<T>({0.4, 1, 1, 0, -0.9, 0, 1, 1});  // B = 2
  const std::vector<double> g{0.3, -0.8, 1.0, 0.6};
  const Grads<T> got = run_adjoint<T>(cc, cobs, cast_to<T>(w), false, cast_to<T>(x), 2, cast_to<T>(g));
  const auto gw = finite_differences(w, 1e-5, [&](const std::vector<double>& v) { return loss(cc, cobs, v, false, x, 2, g); });
  expect_close(got.weights, gw, Precision<T>::kGradVsFd, "d/d weights");
  for (int b = 0; b < 2; ++b) {
    // The angle input against a finite difference in that input only (the others must stay 0 or 1).
    auto f = [&](double d) {
      std::vector<double> xs = x;
      xs[b * 4] += d;
      return loss(cc, cobs, w, false, xs, 2, g);
    };
    EXPECT_NEAR(got.inputs[b * 4], (f(1e-5) - f(-1e-5)) / 2e-5, Precision<T>::kGradVsFd);
    for (int j = 1; j < 4; ++j) EXPECT_EQ(got.inputs[b * 4 + j], T(0)) << "basis input " << j << " of sample " << b;
  }
  // A basis input that is not 0 or 1 is refused.
  const std::vector<T> bad{T(0), T(0.5), T(1), T(0)};
  EXPECT_THROW(run_expval<T>(cc, cobs, cast_to<T>(w), false, bad, 1), torchq::ArgumentError);
}

}  // namespace
}  // namespace torchq_test
