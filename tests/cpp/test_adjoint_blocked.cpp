/**
 * @file test_adjoint_blocked.cpp
 * @brief The cache-blocked adjoint sweep (adjoint_blocked.h) against the gate-by-gate sweep of
 * adjoint_expval_backward, which tests/cpp/test_adjoint.cpp checks against finite differences and
 * parameter shift: random circuits from every gate kind on 9-11 qubits with small groups (so a
 * circuit spans many groups and direct steps), weight and input gradients, float and double;
 * bitwise identical gradients for 1 and 2 threads; and, through the public entry point at 16
 * qubits (where the blocked sweep is the one used), central finite differences.
 */
#include <gtest/gtest.h>

#include "test_util.h"
#include "torchq/adjoint.h"
#include "torchq/adjoint_blocked.h"
#include "torchq/gradients.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Complex;
using torchq::Index;

template <class T>
class AdjointBlockedTest : public ::testing::Test {};
TYPED_TEST_SUITE(AdjointBlockedTest, Precisions, PrecisionNames);

template <class T>
constexpr double kGradTolerance = std::is_same_v<T, double> ? 1e-10 : 2e-4;

/// A random circuit (every gate kind, controls, 3-qubit unitaries) after a layer that spreads |0>
/// into a generic state, so that every angle has a non-zero derivative.
torchq::CompiledCircuit random_generic(const RandomCircuitOptions& o, std::mt19937_64& rng) {
  const torchq::Circuit body = random_circuit(o, rng);
  torchq::Circuit c(o.num_qubits, o.num_weights, o.num_inputs);
  for (int q = 0; q < o.num_qubits; ++q) {
    c.add(torchq::GateId::H, {q});
    c.add(torchq::GateId::RY, {q}, {torchq::ParamRef::constant(0.3 + 0.1 * q)});
  }
  for (const torchq::Operation& op : body.operations()) c.add(op);
  return torchq::compile(c);
}

std::vector<torchq::Observable> z_and_word(int n) {
  std::vector<torchq::Observable> obs;
  for (int q = 0; q < n; q += 2) obs.push_back(torchq::Observable::z(q));
  obs.push_back(torchq::Observable::pauli_word("XY", {0, n - 1}));
  return obs;
}

/// Gradients (weights, inputs) of sum_k g_k <O_k> for one sample by the blocked sweep with the
/// given group shape.
template <class T>
std::pair<std::vector<double>, std::vector<double>> blocked_gradients(
    const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs, const std::vector<T>& w,
    const std::vector<T>& x, const std::vector<double>& g, int m, int pad, int low, const torchq::Executor& ex) {
  const int n = cc.circuit.num_qubits();
  const auto& k = torchq::kernels::active_kernels<T>();
  std::vector<Complex<T>> psi(Index{1} << n), lambda(Index{1} << n);
  torchq::run_circuit_unblocked<T>(psi.data(), cc, w.data(), x.data(), k, ex);
  torchq::apply_observables_add<T>(lambda.data(), psi.data(), n, obs, g.data(), ex);
  std::vector<double> gw(w.size()), gx(x.size());
  auto wanted = [](const torchq::Primitive& p) {
    return p.has_param && p.param.differentiable() && p.structure != torchq::Structure::kBasisFlip;
  };
  auto accumulate = [&](const torchq::Primitive& p, double d) {
    torchq::detail::add_angle_gradient(p.param, d, x.data(), gw.data(), gx.data());
  };
  const auto s = torchq::make_block_schedule(cc, m, pad, low, torchq::SweepOrder::kReverse);
  EXPECT_GT(s.num_groups(), 1) << "the test should span several groups";
  torchq::adjoint_sweep_blocked<T>(psi.data(), lambda.data(), cc, s, w.data(), x.data(),
                                   torchq::SweepSink{wanted, accumulate}, k, ex);
  return {gw, gx};
}

TYPED_TEST(AdjointBlockedTest, RandomCircuitsMatchTheGateByGateSweep) {
  using T = TypeParam;
  std::mt19937_64 rng(2024);
  const torchq::SerialExecutor serial;
  struct Shape { int n, m, pad, low; };
  for (const Shape sh : {Shape{9, 5, 1, 1}, Shape{10, 6, 2, 2}, Shape{11, 6, 0, 3}, Shape{10, 7, 2, 0}}) {
    for (int rep = 0; rep < 3; ++rep) {
      RandomCircuitOptions o;
      o.num_qubits = sh.n;
      o.depth = 40;
      o.num_weights = 8;
      o.num_inputs = 3;
      o.control_probability = 0.3;
      o.max_unitary_wires = 3;
      const auto cc = random_generic(o, rng);
      const auto obs = torchq::compile_observables(z_and_word(sh.n), sh.n);
      std::uniform_real_distribution<double> u(-2.0, 2.0);
      std::vector<T> w(o.num_weights), x(o.num_inputs);
      for (T& v : w) v = static_cast<T>(u(rng));
      for (T& v : x) v = static_cast<T>(u(rng));
      std::vector<double> g(obs.size());
      for (double& v : g) v = u(rng);
      std::vector<T> g_t(g.begin(), g.end());
      // Reference: the gate-by-gate sweep (these sizes never block on their own).
      std::vector<T> gw_ref(w.size()), gx_ref(x.size());
      const auto in = torchq::make_batch<T>(cc, w.data(), false, x.data(), 1);
      torchq::adjoint_expval_backward<T>(cc, obs, in, g_t.data(), gw_ref.data(), gx_ref.data(), serial);
      const auto [gw, gx] = blocked_gradients<T>(cc, obs, w, x, g, sh.m, sh.pad, sh.low, serial);
      double scale = 0;
      for (T v : gw_ref) scale = std::max(scale, std::abs(static_cast<double>(v)));
      ASSERT_GT(scale, 1e-3) << "the comparison is not between zeros";
      for (std::size_t j = 0; j < w.size(); ++j) {
        EXPECT_NEAR(gw[j], gw_ref[j], kGradTolerance<T>) << "weight " << j << ", n=" << sh.n << " m=" << sh.m;
      }
      for (std::size_t j = 0; j < x.size(); ++j) {
        EXPECT_NEAR(gx[j], gx_ref[j], kGradTolerance<T>) << "input " << j << ", n=" << sh.n << " m=" << sh.m;
      }
    }
  }
}

TYPED_TEST(AdjointBlockedTest, OneAndTwoThreadsGiveBitwiseIdenticalGradients) {
  using T = TypeParam;
  std::mt19937_64 rng(7);
  RandomCircuitOptions o;
  o.num_qubits = 11;
  o.depth = 50;
  const auto cc = random_generic(o, rng);
  const auto obs = torchq::compile_observables(z_and_word(11), 11);
  std::vector<T> w(o.num_weights, T(0.3)), x(o.num_inputs, T(-0.7));
  for (std::size_t j = 0; j < w.size(); ++j) w[j] += static_cast<T>(0.1 * j);
  const std::vector<double> g(obs.size(), 1.0);
  const auto one = blocked_gradients<T>(cc, obs, w, x, g, 6, 2, 2, torchq::OpenMPExecutor(1));
  const auto two = blocked_gradients<T>(cc, obs, w, x, g, 6, 2, 2, torchq::OpenMPExecutor(2));
  EXPECT_EQ(one.first, two.first);
  EXPECT_EQ(one.second, two.second);
}

TEST(AdjointBlocked, PublicBackwardAtSixteenQubitsMatchesFiniteDifferences) {
  // 16 qubits: adjoint_expval_backward takes the blocked sweep itself (block_pays).
  const int n = 16;
  ASSERT_TRUE(torchq::block_pays(n, sizeof(Complex<double>)));
  torchq::Circuit c(n, 3 * n + 2, 1);
  int p = 0;
  for (int q = 0; q < n; ++q) c.add(torchq::GateId::RY, {q}, {torchq::ParamRef::input(0, 0.5 + 0.01 * q)});
  for (int q = 0; q < n; ++q) {
    c.add(torchq::GateId::Rot, {q},
          {torchq::ParamRef::weight(p), torchq::ParamRef::weight(p + 1), torchq::ParamRef::weight(p + 2)});
    p += 3;
  }
  for (int q = 0; q < n; ++q) c.add(torchq::GateId::CNOT, {q, (q + 3) % n});
  c.add(torchq::GateId::CRX, {n - 1, 0}, {torchq::ParamRef::weight(p++)});
  c.add(torchq::GateId::IsingZZ, {2, 9}, {torchq::ParamRef::weight(p++)});
  const auto cc = torchq::compile(c);
  std::vector<torchq::Observable> o = {torchq::Observable::z(0), torchq::Observable::pauli_word("XZ", {5, 15})};
  const auto obs = torchq::compile_observables(o, n);
  std::vector<double> w(c.num_weights()), x = {0.8};
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = 0.37 * static_cast<double>(j % 7) - 1.1;
  const std::vector<double> g = {1.0, -0.5};
  const torchq::OpenMPExecutor ex(2);
  std::vector<double> gw(w.size()), gx(1);
  torchq::adjoint_expval_backward<double>(cc, obs, torchq::make_batch<double>(cc, w.data(), false, x.data(), 1),
                                          g.data(), gw.data(), gx.data(), ex);
  auto loss = [&](const std::vector<double>& ww, const std::vector<double>& xx) {
    std::vector<double> out(2);
    torchq::expval<double>(cc, obs, torchq::make_batch<double>(cc, ww.data(), false, xx.data(), 1), out.data(), ex);
    return g[0] * out[0] + g[1] * out[1];
  };
  const double h = 1e-5;
  for (int j : {0, 1, 2, 20, 46, 47, 48, 49}) {
    auto up = w, down = w;
    up[j] += h;
    down[j] -= h;
    EXPECT_NEAR(gw[j], (loss(up, x) - loss(down, x)) / (2 * h), 1e-8) << "weight " << j;
  }
  const double fd_x = (loss(w, {x[0] + h}) - loss(w, {x[0] - h})) / (2 * h);
  EXPECT_NEAR(gx[0], fd_x, 1e-8);
}

TYPED_TEST(AdjointBlockedTest, KeptFinalStatesGiveTheSameGradients) {
  // The training path: expval keeps the final states, the blocked sweep's first group reads them.
  using T = TypeParam;
  const int n = std::is_same_v<T, double> ? 16 : 17;  // where the sweep blocks
  std::mt19937_64 rng(99);
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.depth = 30;
  o.num_weights = 6;
  o.num_inputs = 2;
  o.max_unitary_wires = 2;
  const auto cc = random_generic(o, rng);
  const auto obs = torchq::compile_observables(z_and_word(n), n);
  const Index B = 2;
  std::vector<T> w(o.num_weights), x(B * o.num_inputs);
  for (std::size_t j = 0; j < w.size(); ++j) w[j] = static_cast<T>(0.4 * j - 1.0);
  for (std::size_t j = 0; j < x.size(); ++j) x[j] = static_cast<T>(0.3 + 0.2 * j);
  const auto in = torchq::make_batch<T>(cc, w.data(), false, x.data(), B);
  const torchq::OpenMPExecutor ex(2);
  std::vector<T> out(B * obs.size()), g(B * obs.size());
  for (std::size_t j = 0; j < g.size(); ++j) g[j] = static_cast<T>(1.0 - 0.3 * j);
  std::vector<Complex<T>> kept(static_cast<std::size_t>(B) << n);
  torchq::expval<T>(cc, obs, in, out.data(), ex, kept.data());
  const auto before = kept;
  std::vector<T> gw_kept(w.size()), gx_kept(x.size()), gw(w.size()), gx(x.size());
  torchq::adjoint_expval_backward<T>(cc, obs, in, g.data(), gw_kept.data(), gx_kept.data(), ex, kept.data());
  torchq::adjoint_expval_backward<T>(cc, obs, in, g.data(), gw.data(), gx.data(), ex);
  EXPECT_EQ(kept, before) << "the kept states are read, never swept";
  double scale = 0;
  for (T v : gw) scale = std::max(scale, std::abs(static_cast<double>(v)));
  ASSERT_GT(scale, 1e-3);
  for (std::size_t j = 0; j < w.size(); ++j) EXPECT_NEAR(gw_kept[j], gw[j], kGradTolerance<T>) << "weight " << j;
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(gx_kept[j], gx[j], kGradTolerance<T>) << "input " << j;
}

}  // namespace
}  // namespace torchq_test
