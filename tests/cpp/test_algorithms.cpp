/**
 * @file test_algorithms.cpp
 * @brief Encodings, ansätze and algorithm blocks (torchq/build/templates.h, algorithms.h) against
 * theory through the core simulator: the QFT is the DFT matrix, its inverse undoes it, phase
 * estimation reads dyadic phases exactly and rounds others with probability >= 4/pi^2, Grover's
 * success probability is sin^2((2k+1) theta); IQP input-product gradients against finite
 * differences; RandomLayers reproduces PennyLane's circuits (recorded from PennyLane 0.45).
 * The same blocks inside a QuantumLayer (and data re-uploading training) are in
 * tests/cpp_torch/test_torch_templates.cpp; PennyLane comparisons of values and gradients in
 * tests/python/test_algorithms.py.
 */
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "test_util.h"
#include "tests/error_of.h"

using namespace torchq;

namespace {

using cplx = std::complex<double>;
constexpr double kPi = std::numbers::pi;

std::vector<int> range(int n, int first = 0) {
  std::vector<int> w(n);
  for (int i = 0; i < n; ++i) w[i] = first + i;
  return w;
}

/// Probabilities of the wires 0..t-1 (wire 0 the most significant bit) of a circuit without
/// weights or inputs.
std::vector<double> probs_of(const Circuit& c, int t) {
  const CompiledCircuit cc = compile(c);
  std::vector<double> p(std::size_t{1} << t);
  probs<double>(cc, range(t), make_batch<double>(cc, nullptr, false, nullptr, 1), p.data(), serial_executor());
  return p;
}

/// The matrix of a block on wires 0..n-1: column j is the state the block makes from |j>
/// (wire 0 the most significant bit), prepared by a basis embedding of j's bits.
torchq_test::ref::Mat unitary_of(int n, const std::function<void(CircuitBuilder&)>& block) {
  CircuitBuilder b(n, n);
  basis_embedding(b, range(n));
  block(b);
  const CompiledCircuit cc = compile(b.build());
  const Index dim = Index{1} << n;
  std::vector<double> bits(dim * n);
  for (Index j = 0; j < dim; ++j) {
    for (int q = 0; q < n; ++q) bits[j * n + q] = static_cast<double>((j >> (n - 1 - q)) & 1);
  }
  std::vector<std::complex<double>> states(dim * dim);  // row j: the state from |j>
  final_state<double>(cc, make_batch<double>(cc, nullptr, false, bits.data(), dim), states.data(), serial_executor());
  torchq_test::ref::Mat u(dim, dim);
  for (Index j = 0; j < dim; ++j) {
    for (Index i = 0; i < dim; ++i) u(i, j) = states[j * dim + i];
  }
  return u;
}

torchq_test::ref::Mat dft(int n) {
  const Index dim = Index{1} << n;
  torchq_test::ref::Mat m(dim, dim);
  for (Index j = 0; j < dim; ++j) {
    for (Index k = 0; k < dim; ++k) {
      m(j, k) = std::polar(1.0 / std::sqrt(static_cast<double>(dim)), 2 * kPi * static_cast<double>(j * k % dim) / dim);
    }
  }
  return m;
}

double max_abs_diff(const torchq_test::ref::Mat& a, const torchq_test::ref::Mat& b) { return (a - b).cwiseAbs().maxCoeff(); }

/// U = V diag(exp(2 pi i phases)) V^dagger with V a fixed rotation (1 wire) or a product of two
/// unitaries (2 wires); returns U and V (V|0> is the eigenvector of phases[0]).
std::pair<std::vector<cplx>, std::vector<cplx>> unitary_with_phases(const std::vector<double>& phases) {
  const std::size_t dim = phases.size();
  std::vector<cplx> v(dim * dim);
  const double a = 0.7, c = std::cos(a), s = std::sin(a);
  const cplx r[4] = {c, -s, s, c};
  const cplx g[4] = {cplx(0, 0.6), 0.8, -0.8, cplx(0, -0.6)};  // another unitary
  for (std::size_t i = 0; i < dim; ++i) {
    for (std::size_t j = 0; j < dim; ++j) {
      v[i * dim + j] = dim == 2 ? r[i * 2 + j] : r[(i >> 1) * 2 + (j >> 1)] * g[(i & 1) * 2 + (j & 1)];
    }
  }
  std::vector<cplx> u(dim * dim);
  for (std::size_t i = 0; i < dim; ++i) {
    for (std::size_t j = 0; j < dim; ++j) {
      for (std::size_t k = 0; k < dim; ++k) {
        u[i * dim + j] += v[i * dim + k] * std::polar(1.0, 2 * kPi * phases[k]) * std::conj(v[j * dim + k]);
      }
    }
  }
  return {u, v};
}

/// Estimation-register probabilities of phase estimation with t estimation wires (0..t-1) on the
/// eigenvector of phases[0].
std::vector<double> qpe_probs(const std::vector<double>& phases, int t) {
  const int k = phases.size() == 2 ? 1 : 2;
  const auto [u, v] = unitary_with_phases(phases);
  CircuitBuilder b(t + k);
  b.qubit_unitary(v, range(k, t));  // |0> -> the eigenvector
  phase_estimation(b, u, range(k, t), range(t));
  return probs_of(b.build(), t);
}

double grover_success(int n, const std::vector<std::vector<int>>& marked, int iterations) {
  CircuitBuilder b(n);
  EXPECT_EQ(grover_search(b, range(n), marked, iterations), iterations);
  const std::vector<double> p = probs_of(b.build(), n);
  double total = 0;
  for (const auto& m : marked) {
    std::size_t idx = 0;
    for (const int bit : m) idx = idx * 2 + bit;
    total += p[idx];
  }
  return total;
}

/// "Y0@1 CNOT(1, 3) ...": rotation axis, weight index and wire, or entangler and wires (the
/// format of the PennyLane recordings below).
std::string describe(const Circuit& c, std::size_t first_op = 0) {
  std::string out;
  for (std::size_t i = first_op; i < c.operations().size(); ++i) {
    const Operation& op = c.operations()[i];
    const std::string name(gate_info(op.gate).name);
    if (!out.empty()) out += ' ';
    if (!op.params.empty()) {
      out += name.substr(1) + std::to_string(op.params[0].index) + "@" + std::to_string(op.wires[0]);
    } else {
      out += name + "(" + std::to_string(op.wires[0]) + ", " + std::to_string(op.wires[1]) + ")";
    }
  }
  return out;
}

}  // namespace

TEST(Qft, IsTheDftMatrix) {
  for (int n = 1; n <= 5; ++n) {
    EXPECT_LT(max_abs_diff(unitary_of(n, [&](CircuitBuilder& b) { qft(b, range(n)); }), dft(n)), 1e-12) << n << " wires";
  }
}

TEST(Qft, InverseIsTheInverseDftAndComposesToIdentity) {
  for (int n : {1, 3, 4}) {
    const torchq_test::ref::Mat inv = unitary_of(n, [&](CircuitBuilder& b) { inverse_qft(b, range(n)); });
    EXPECT_LT(max_abs_diff(inv, dft(n).adjoint()), 1e-12) << n << " wires";
    const torchq_test::ref::Mat both = unitary_of(n, [&](CircuitBuilder& b) {
      qft(b, range(n));
      inverse_qft(b, range(n));
    });
    EXPECT_LT(max_abs_diff(both, torchq_test::ref::Mat::Identity(Index{1} << n, Index{1} << n)), 1e-12) << n << " wires";
  }
}

TEST(Qft, GateCountsFollowPennyLane) {
  CircuitBuilder b(5);
  qft(b, {4, 1, 3, 0, 2});
  const Circuit c = b.build();
  ASSERT_EQ(c.operations().size(), 5u + 10u + 2u);  // H per wire, n(n-1)/2 phases, floor(n/2) swaps
  EXPECT_EQ(c.operations()[1].gate, GateId::ControlledPhaseShift);
  EXPECT_EQ(c.operations()[1].wires, (std::vector<int>{1, 4}));  // control wires[1], target wires[0]
  EXPECT_DOUBLE_EQ(c.operations()[1].params[0].value, kPi / 2);
  EXPECT_EQ(c.operations()[15].wires, (std::vector<int>{4, 2}));
  EXPECT_EQ(c.operations()[16].wires, (std::vector<int>{1, 0}));
}

TEST(PhaseEstimation, ReadsDyadicPhasesExactly) {
  struct Case { std::vector<double> phases; int t; int64_t j; };
  for (const Case& k : {Case{{5.0 / 8, 0.31}, 3, 5}, Case{{11.0 / 16, 0.2, 0.45, 0.9}, 4, 11},
                        Case{{1.0 / 32, 0.77}, 5, 1}, Case{{0.0, 0.3, 0.6, 0.1}, 4, 0}}) {
    const std::vector<double> p = qpe_probs(k.phases, k.t);
    EXPECT_NEAR(p[k.j], 1.0, 1e-12) << "phase " << k.phases[0] << ", t = " << k.t;
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12);
  }
}

TEST(PhaseEstimation, RoundsOtherPhasesToTheNearestTBitValue) {
  for (const auto& [phi, t] : std::vector<std::pair<double, int>>{{0.3, 4}, {0.7123, 5}, {1.0 / 3, 3}}) {
    const std::vector<double> p = qpe_probs({phi, 0.5}, t);
    const double scale = std::ldexp(1.0, t);
    const int64_t nearest = static_cast<int64_t>(std::lround(phi * scale)) % static_cast<int64_t>(scale);
    EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), nearest) << "phi " << phi;
    EXPECT_GE(p[nearest], 4 / (kPi * kPi));
    const double d = phi - static_cast<double>(nearest) / scale;  // the textbook amplitude
    const double want = std::pow(std::sin(kPi * scale * d) / (scale * std::sin(kPi * d)), 2);
    EXPECT_NEAR(p[nearest], want, 1e-12);
  }
}

TEST(PhaseEstimation, PowersStayUnitaryThroughManySquarings) {
  // 12 estimation wires read j / 2^12 exactly; 40 give 39 squarings, all accepted by the
  // QubitUnitary check when the circuit is built.
  const auto [u, v] = unitary_with_phases({2731.0 / 4096, 0.123});
  CircuitBuilder b(13);
  b.qubit_unitary(v, {12});
  phase_estimation(b, u, {12}, range(12));
  EXPECT_NEAR(probs_of(b.build(), 12)[2731], 1.0, 1e-9);
  CircuitBuilder big(41);
  phase_estimation(big, u, {40}, range(40));
  EXPECT_NO_THROW(big.build());
}

TEST(Grover, SuccessProbabilityFollowsTheory) {
  const std::vector<std::pair<int, std::vector<std::vector<int>>>> cases{
      {3, {{1, 0, 1}}},
      {4, {{0, 1, 1, 0}}},
      {4, {{0, 0, 0, 0}, {1, 0, 1, 1}}},
      {5, {{1, 1, 1, 1, 1}, {0, 0, 1, 0, 0}, {1, 0, 0, 0, 1}}}};
  for (const auto& [n, marked] : cases) {
    const double theta = std::asin(std::sqrt(static_cast<double>(marked.size()) / std::ldexp(1.0, n)));
    for (int k = 0; k <= 5; ++k) {
      EXPECT_NEAR(grover_success(n, marked, k), std::pow(std::sin((2 * k + 1) * theta), 2), 1e-12)
          << n << " wires, " << marked.size() << " marked, " << k << " iterations";
    }
  }
}

TEST(Grover, OptimalIterations) {
  for (int n = 1; n <= 8; ++n) {
    EXPECT_EQ(grover_iterations(n), static_cast<int>(std::floor(kPi / 4 * std::sqrt(std::ldexp(1.0, n)))));
  }
  EXPECT_EQ(grover_iterations(4, 3), 1);
  CircuitBuilder b(4);
  EXPECT_EQ(grover_search(b, range(4), {{1, 0, 0, 1}}), 3);
  const std::vector<double> p = probs_of(b.build(), 4);
  EXPECT_EQ(std::max_element(p.begin(), p.end()) - p.begin(), 0b1001);
  EXPECT_NEAR(p[0b1001], std::pow(std::sin(7 * std::asin(0.25)), 2), 1e-12);
}

TEST(Grover, OracleAndDiffusionMatrices) {
  // Oracle: I - 2|011><011|. Diffusion: 2|s><s| - I (PennyLane's GroverOperator, sign included).
  using Mat = torchq_test::ref::Mat;
  const Mat oracle = unitary_of(3, [](CircuitBuilder& b) { grover_oracle(b, {0, 1, 2}, {0, 1, 1}); });
  Mat want = Mat::Identity(8, 8);
  want(3, 3) = -1;
  EXPECT_LT(max_abs_diff(oracle, want), 1e-12);
  const Mat diffusion = unitary_of(3, [](CircuitBuilder& b) { grover_diffusion(b, {0, 1, 2}); });
  want = Mat::Constant(8, 8, 2.0 / 8) - Mat::Identity(8, 8);
  EXPECT_LT(max_abs_diff(diffusion, want), 1e-12);
}

TEST(IqpEmbedding, StructureFollowsPennyLane) {
  CircuitBuilder b(3, 4);
  iqp_embedding(b, {2, 0, 1}, 1, 2);
  const Circuit c = b.build();
  ASSERT_EQ(c.operations().size(), 2u * (6 + 3));
  EXPECT_EQ(c.operations()[0].gate, GateId::H);
  EXPECT_EQ(c.operations()[1].params[0], ParamRef::input(1));
  const Operation& pair = c.operations()[7];  // MultiRZ on (wires[0], wires[2]) = (2, 1)
  EXPECT_EQ(pair.gate, GateId::MultiRZ);
  EXPECT_EQ(pair.wires, (std::vector<int>{2, 1}));
  EXPECT_EQ(pair.params[0], ParamRef::input_product(1, 3));
  CircuitBuilder custom(3, 3);
  iqp_embedding(custom, {0, 1, 2}, 0, 1, {{2, 0}});
  EXPECT_EQ(custom.build().operations().back().params[0], ParamRef::input_product(2, 0));
}

TEST(IqpEmbedding, InputProductGradientsMatchFiniteDifferences) {
  CircuitBuilder b(3, 3);
  iqp_embedding(b, range(3), 0, 2);
  strongly_entangling_layers(b, 1, range(3));
  const CompiledCircuit cc = compile(b.build());
  Observable h;
  h.add_term(0.7, "XY", {0, 2}).add_term(-0.4, "Z", {1});
  const auto obs = compile_observables({Observable::z(0), h}, 3);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> angle(0, 6), feature(-1, 1), cot_dist(-1, 1);
  std::vector<double> w(9), x(6), cot(4);
  for (double& v : w) v = angle(rng);
  for (double& v : x) v = feature(rng);
  for (double& v : cot) v = cot_dist(rng);
  const torchq_test::Grads<double> g = torchq_test::run_adjoint<double>(cc, obs, w, false, x, 2, cot);
  const double eps = 1e-6;
  double largest = 0;
  for (int s = 0; s < 2; ++s) {
    for (int f = 0; f < 3; ++f) {
      std::vector<double> xp = x, xm = x;
      xp[s * 3 + f] += eps;
      xm[s * 3 + f] -= eps;
      const auto ep = torchq_test::run_expval<double>(cc, obs, w, false, xp, 2);
      const auto em = torchq_test::run_expval<double>(cc, obs, w, false, xm, 2);
      double fd = 0;
      for (int k = 0; k < 4; ++k) fd += cot[k] * (ep[k] - em[k]);
      fd /= 2 * eps;
      EXPECT_NEAR(g.inputs[s * 3 + f], fd, 1e-8) << "sample " << s << ", feature " << f;
      largest = std::max(largest, std::abs(g.inputs[s * 3 + f]));
    }
  }
  EXPECT_GT(largest, 1e-3);
}

TEST(RandomLayers, ReproducePennyLaneCircuits) {
  // qml.RandomLayers.compute_decomposition(weights = arange, ...) in PennyLane 0.45.1, numpy 2.4.
  struct Case { int layers, rotations; std::vector<int> wires; double ratio; std::string imprimitive;
                std::vector<std::string> axes; std::uint64_t seed; std::string want; };
  const std::vector<Case> cases{
      {2, 4, {0, 1, 2, 3}, 0.3, "CNOT", {"X", "Y", "Z"}, 42,
       "Y0@1 X1@2 CNOT(1, 3) Z2@2 X3@2 Y4@3 Y5@2 CNOT(1, 0) CNOT(3, 2) Y6@2 Y7@1"},
      {1, 6, {3, 1, 0}, 0.6, "CNOT", {"X", "Y", "Z"}, 7,
       "Z0@0 Z1@3 CNOT(3, 0) X2@3 CNOT(0, 1) CNOT(1, 3) CNOT(3, 1) Z3@0 Y4@0 CNOT(1, 3) CNOT(0, 1) CNOT(1, 0) Z5@1"},
      {2, 3, {0, 1, 2, 3, 4}, 0.3, "CZ", {"Y", "Z"}, (std::uint64_t{1} << 40) + 3, "Y0@4 Y1@0 CZ(0, 2) Z2@4 Y3@3 Y4@3 Y5@2"},
      {1, 3, {0}, 0.3, "CNOT", {"X", "Y", "Z"}, 5, "X0@0 Z1@0 Y2@0"},
      {1, 5, {0, 1}, 0.3, "CNOT", {"X"}, 0, "X0@1 CNOT(1, 0) X1@0 X2@1 X3@1 X4@1"},
  };
  for (const Case& k : cases) {
    CircuitBuilder b(5);
    random_layers(b, k.layers, k.rotations, k.wires, k.ratio, k.imprimitive, k.axes, k.seed);
    EXPECT_EQ(b.num_weights(), k.layers * k.rotations);
    EXPECT_EQ(describe(b.build()), k.want) << "seed " << k.seed;
  }
}

TEST(RandomLayers, DeterministicPerSeed) {
  auto build = [](std::uint64_t seed) {
    CircuitBuilder b(5);
    random_layers(b, 3, 6, range(5), 0.3, "CNOT", {"X", "Y", "Z"}, seed);
    return b.build();
  };
  EXPECT_EQ(build(7), build(7));
  EXPECT_NE(build(7), build(8));
  EXPECT_EQ(build(123).to_program(), build(123).to_program());
}

TEST(HardwareEfficientAnsatz, StructureAndWeightOrder) {
  CircuitBuilder b(3);
  b.rx(0, b.weight());  // the template's weights start after this one
  hardware_efficient_ansatz(b, 2, {2, 0, 1});
  const Circuit c = b.build();
  EXPECT_EQ(c.num_weights(), 1 + 2 * 3 * 2);
  // layer 1, wire index 2 (wire 1): RY weight 1 + (1*3 + 2)*2 = 11, RZ 12
  const Operation& ry = c.operations()[1 + 8 + 4];
  EXPECT_EQ(ry.gate, GateId::RY);
  EXPECT_EQ(ry.wires, std::vector<int>{1});
  EXPECT_EQ(ry.params[0], ParamRef::weight(11));
  EXPECT_EQ(c.operations()[1 + 8 + 5].params[0], ParamRef::weight(12));
  EXPECT_EQ(c.operations()[7].wires, (std::vector<int>{2, 0}));  // the ladder follows `wires`
  EXPECT_EQ(c.operations()[8].wires, (std::vector<int>{0, 1}));
}

TEST(DataReuploading, Structure) {
  CircuitBuilder b(1, 1);
  data_reuploading(b, 3, {0});
  const Circuit c = b.build();
  EXPECT_EQ(c.num_weights(), 9);
  ASSERT_EQ(c.operations().size(), 6u);  // RX(x), Rot per layer
  EXPECT_EQ(c.operations()[2].params[0], ParamRef::input(0));
  EXPECT_EQ(c.operations()[3].params[2], ParamRef::weight(5));
}

TEST(AlgorithmErrors, SayWhatWasWrong) {
  CircuitBuilder b(3, 3);
  EXPECT_NE(error_of([&] { grover_oracle(b, {0, 1, 2}, {0, 1}); }).find("one bit per wire (3), got 2"), std::string::npos);
  EXPECT_NE(error_of([&] { grover_oracle(b, {0, 1, 2}, {0, 2, 1}); }).find("bits must be 0 or 1"), std::string::npos);
  EXPECT_NE(error_of([&] { grover_search(b, {0, 1, 2}, {{0, 1, 0}, {0, 1, 0}}); }).find("distinct"), std::string::npos);
  EXPECT_NE(error_of([&] { phase_estimation(b, {1, 1, 0, 1}, {2}, {0, 1}); }).find("not unitary"), std::string::npos);
  EXPECT_NE(error_of([&] { phase_estimation(b, {1, 0, 0, 1}, {1}, {0, 1}); }).find("both a target and an estimation"),
            std::string::npos);
  EXPECT_NE(error_of([&] { iqp_embedding(b, {0, 1}, 0, 1, {{0, 2}}); }).find("pattern wire 2"), std::string::npos);
  EXPECT_NE(error_of([&] { random_layers(b, 1, 2, {0, 1}, 1.0); }).find("ratio_imprim must be in [0, 1)"), std::string::npos);
  EXPECT_NE(error_of([&] { random_layers(b, 1, 2, {0, 1}, 0.3, "CRX"); }).find("two-wire gate without parameters"),
            std::string::npos);
  EXPECT_NE(error_of([&] { random_layers(b, 1, 2, {0, 1}, 0.3, "CNOT", {"W"}); }).find("\"X\", \"Y\" or \"Z\""),
            std::string::npos);
}
