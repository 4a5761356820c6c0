/**
 * @file test_lanes.cpp
 * @brief The lane-major batch (torchq/lanes/) against the one-sample path it replaces for small
 * circuits: run_circuit + expectations for values and kept states, the generic adjoint sweep
 * (adjoint_backward with the expval seed) for gradients. Random circuits draw from every unitary
 * gate with extra controls, QubitUnitary on up to 3 wires, basis embeddings and input products;
 * batches that fill a lane block, leave a tail, or hold one sample; shared and per-sample weights;
 * both precisions; every instruction set's lane kernels; 1 and 3 threads (bit for bit).
 */
#include <gtest/gtest.h>

#include "test_util.h"
#include "torchq/adjoint.h"
#include "torchq/lanes/lane_batch.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Index;
using torchq::lanes::kLanes;

template <class T>
class LaneTest : public ::testing::Test {};
TYPED_TEST_SUITE(LaneTest, Precisions, PrecisionNames);

struct Case {
  torchq::Circuit circuit;
  std::vector<torchq::Observable> obs;
};

/// A random circuit of n qubits with everything the lane path must handle.
Case random_case(int n, std::mt19937_64& rng) {
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.depth = 8 + 4 * n;
  o.num_weights = 7;
  o.num_inputs = 4;
  o.max_unitary_wires = std::min(n, 3);
  torchq::Circuit c(n, o.num_weights, o.num_inputs + 2);
  if (n >= 2) c.basis_embedding(random_wires(n, 2, rng), o.num_inputs);  // features 4, 5 are bits
  const torchq::Circuit body = random_circuit(o, rng);
  for (const auto& op : body.operations()) c.add(op);
  c.add(torchq::GateId::RY, {n - 1}, {torchq::ParamRef::input_product(0, 1, 0.7)});
  c.add(torchq::GateId::RZ, {0}, {torchq::ParamRef::weight(2)});
  std::vector<torchq::Observable> obs{torchq::Observable::z(0), random_observable(n, rng), random_observable(n, rng)};
  return {c, obs};
}

/// Inputs: features 0..3 angles, 4..5 basis bits.
template <class T>
std::vector<double> random_inputs(Index batch, std::mt19937_64& rng) {
  std::vector<double> x = uniform<T>(batch * 6, -2, 2, rng);
  std::bernoulli_distribution bit(0.5);
  for (Index b = 0; b < batch; ++b) {
    x[b * 6 + 4] = bit(rng);
    x[b * 6 + 5] = bit(rng);
  }
  return x;
}

template <class T>
struct Reference {
  std::vector<double> values;              // [B, K]
  std::vector<torchq::Complex<T>> states;  // [B, 2^n]
  std::vector<T> gw, gx;
};

/// The one-sample path: run_circuit and expectations per sample, the generic adjoint sweep.
template <class T>
Reference<T> reference(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                       const torchq::BatchInputs<T>& in, const std::vector<T>& g) {
  const int n = cc.circuit.num_qubits();
  const Index dim = Index{1} << n, K = obs.size(), B = in.batch_size;
  const auto& k = torchq::kernels::active_kernels<T>();
  Reference<T> r;
  r.values.resize(B * K);
  r.states.resize(B * dim);
  for (Index b = 0; b < B; ++b) {
    torchq::Complex<T>* psi = r.states.data() + b * dim;
    torchq::run_circuit_unblocked(psi, cc, in.weights_of(b), in.inputs_of(b), k, torchq::serial_executor());
    torchq::expectations(psi, n, obs, r.values.data() + b * K, torchq::serial_executor());
  }
  r.gw.assign(in.weights_per_sample ? B * in.num_weights : in.num_weights, T(0));
  r.gx.assign(B * in.num_inputs, T(0));
  auto seed = [&](Index b, const torchq::Complex<T>* psi, torchq::Complex<T>* lambda, torchq::Complex<T>*,
                  const torchq::Executor& inner) {
    std::vector<double> scales(g.begin() + b * K, g.begin() + (b + 1) * K);
    torchq::apply_observables_add(lambda, psi, n, obs, scales.data(), inner, /*overwrite=*/true);
    return true;
  };
  torchq::adjoint_backward<T>(cc, in, seed, r.gw.data(), r.gx.data(), torchq::serial_executor());
  return r;
}

template <class T>
void expect_near_all(const std::vector<T>& got, const std::vector<T>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(got[i]), static_cast<double>(want[i]), tol * (1 + std::abs(double(want[i]))))
        << what << " [" << i << "]";
  }
}

/// Runs the lane path on one case and compares it with the reference.
template <class T>
void check_case(const Case& cs, Index batch, bool per_sample, std::mt19937_64& rng, const std::string& what,
                const torchq::Executor& ex = torchq::serial_executor()) {
  const auto cc = torchq::compile(cs.circuit);
  ASSERT_TRUE(torchq::lanes::lane_batch_supports(cc)) << what;
  const auto obs = torchq::compile_observables(cs.obs, cs.circuit.num_qubits());
  const Index P = cs.circuit.num_weights(), K = obs.size();
  const Index dim = Index{1} << cs.circuit.num_qubits();
  const std::vector<T> w = cast_to<T>(uniform<T>((per_sample ? batch : 1) * P, -3, 3, rng));
  const std::vector<T> x = cast_to<T>(random_inputs<T>(batch, rng));
  std::vector<T> g = cast_to<T>(uniform<T>(batch * K, -1, 1, rng));
  if (batch > 2) std::fill(g.begin() + K, g.begin() + 2 * K, T(0));  // a sample with no upstream gradient
  const auto in = torchq::make_batch<T>(cc, w.data(), per_sample, x.data(), batch);
  const Reference<T> ref = reference<T>(cc, obs, in, g);

  std::vector<T> out(batch * K, T(-7));
  std::vector<torchq::Complex<T>> states(batch * dim);
  torchq::lanes::lane_expval<T>(cc, obs, in, out.data(), ex, states.data());
  const double tol = Precision<T>::kDeep;
  for (Index i = 0; i < batch * K; ++i) {
    EXPECT_NEAR(static_cast<double>(out[i]), ref.values[i], tol) << what << " value " << i;
  }
  for (Index i = 0; i < batch * dim; ++i) {
    EXPECT_NEAR(std::abs(std::complex<double>(states[i]) - std::complex<double>(ref.states[i])), 0.0, tol)
        << what << " state amplitude " << i;
  }
  // Gradients, from the kept states and from a fresh run.
  for (const bool kept : {true, false}) {
    std::vector<T> gw(ref.gw.size(), T(-999)), gx(ref.gx.size(), T(-999));
    torchq::lanes::lane_expval_backward<T>(cc, obs, in, g.data(), gw.data(), gx.data(), ex,
                                           kept ? states.data() : nullptr);
    expect_near_all(gw, ref.gw, tol, what + (kept ? " kept" : " rerun") + " d/d weights");
    expect_near_all(gx, ref.gx, tol, what + (kept ? " kept" : " rerun") + " d/d inputs");
  }
}

TYPED_TEST(LaneTest, RandomCircuitsMatchTheOneSamplePath) {
  using T = TypeParam;
  std::mt19937_64 rng(11);
  for (int n : {1, 2, 3, 4, 5, 6, 8}) {
    for (int trial = 0; trial < 3; ++trial) {
      const Case cs = random_case(n, rng);
      for (Index batch : {Index{1}, Index{5}, Index{kLanes}, Index{kLanes + 3}, Index{3 * kLanes}}) {
        check_case<T>(cs, batch, trial == 1, rng,
                      "n=" + std::to_string(n) + " trial " + std::to_string(trial) + " batch " + std::to_string(batch));
      }
    }
  }
}

/// A random case with its batch: shared weights, inputs and upstream gradients for B samples.
template <class T>
struct Batch {
  Case cs;
  torchq::CompiledCircuit cc;
  std::vector<torchq::CompiledObservable> obs;
  Index B, K;
  std::vector<T> w, x, g;
  torchq::BatchInputs<T> in;

  Batch(int n, Index batch, std::mt19937_64& rng)
      : cs(random_case(n, rng)), cc(torchq::compile(cs.circuit)), obs(torchq::compile_observables(cs.obs, n)),
        B(batch), K(obs.size()) {
    w = cast_to<T>(uniform<T>(cs.circuit.num_weights(), -3, 3, rng));
    x = cast_to<T>(random_inputs<T>(B, rng));
    g = cast_to<T>(uniform<T>(B * K, -1, 1, rng));
    in = torchq::make_batch<T>(cc, w.data(), false, x.data(), B);
  }
};

TYPED_TEST(LaneTest, OnlyTheWantedGradientIsWrittenAndNullOutputsAreSkipped) {
  using T = TypeParam;
  std::mt19937_64 rng(3);
  const Batch<T> bt(3, 10, rng);
  const torchq::CompiledCircuit& cc = bt.cc;
  const auto& obs = bt.obs;
  const Index B = bt.B, K = bt.K;
  const std::vector<T>& g = bt.g;
  const torchq::BatchInputs<T>& in = bt.in;
  const Reference<T> ref = reference<T>(cc, obs, in, g);
  std::vector<T> gw(ref.gw.size()), gx(ref.gx.size());
  torchq::lanes::lane_expval_backward<T>(cc, obs, in, g.data(), gw.data(), nullptr, torchq::serial_executor());
  torchq::lanes::lane_expval_backward<T>(cc, obs, in, g.data(), nullptr, gx.data(), torchq::serial_executor());
  expect_near_all(gw, ref.gw, Precision<T>::kDeep, "weights only");
  expect_near_all(gx, ref.gx, Precision<T>::kDeep, "inputs only");
  // Zero upstream gradient everywhere: zero gradients.
  const std::vector<T> zero(B * K, T(0));
  torchq::lanes::lane_expval_backward<T>(cc, obs, in, zero.data(), gw.data(), gx.data(), torchq::serial_executor());
  for (T v : gw) EXPECT_EQ(v, T(0));
  for (T v : gx) EXPECT_EQ(v, T(0));
}

TYPED_TEST(LaneTest, ThreadCountDoesNotChangeABit) {
  using T = TypeParam;
  std::mt19937_64 rng(5);
  const Batch<T> bt(4, 37, rng);
  // Plain references, not a structured binding: clang 14 (the sanitizer build) cannot capture one.
  const Case& cs = bt.cs;
  const torchq::CompiledCircuit& cc = bt.cc;
  const auto& obs = bt.obs;
  const Index B = bt.B, K = bt.K;
  const std::vector<T>& g = bt.g;
  const torchq::BatchInputs<T>& in = bt.in;
  auto run = [&](const torchq::Executor& ex) {
    std::vector<T> out(B * K), gw(cs.circuit.num_weights()), gx(B * cs.circuit.num_inputs());
    torchq::lanes::lane_expval<T>(cc, obs, in, out.data(), ex);
    torchq::lanes::lane_expval_backward<T>(cc, obs, in, g.data(), gw.data(), gx.data(), ex);
    out.insert(out.end(), gw.begin(), gw.end());
    out.insert(out.end(), gx.begin(), gx.end());
    return out;
  };
  const torchq::OpenMPExecutor three(3);
  EXPECT_EQ(run(torchq::serial_executor()), run(three));
}

TYPED_TEST(LaneTest, ASampleDoesNotDependOnItsLaneOrItsNeighbours) {
  using T = TypeParam;
  std::mt19937_64 rng(6);
  const Case cs = random_case(5, rng);
  const auto cc = torchq::compile(cs.circuit);
  const auto obs = torchq::compile_observables(cs.obs, 5);
  const Index B = 13, K = obs.size(), F = cs.circuit.num_inputs();
  const std::vector<T> w = cast_to<T>(uniform<T>(cs.circuit.num_weights(), -3, 3, rng));
  const std::vector<T> x = cast_to<T>(random_inputs<T>(B, rng));
  std::vector<T> x_rev(x.size());
  for (Index b = 0; b < B; ++b) std::copy(x.begin() + b * F, x.begin() + (b + 1) * F, x_rev.begin() + (B - 1 - b) * F);
  std::vector<T> out(B * K), out_rev(B * K);
  torchq::lanes::lane_expval<T>(cc, obs, torchq::make_batch<T>(cc, w.data(), false, x.data(), B), out.data(),
                                torchq::serial_executor());
  torchq::lanes::lane_expval<T>(cc, obs, torchq::make_batch<T>(cc, w.data(), false, x_rev.data(), B), out_rev.data(),
                                torchq::serial_executor());
  for (Index b = 0; b < B; ++b) {
    for (Index k = 0; k < K; ++k) EXPECT_EQ(out[b * K + k], out_rev[(B - 1 - b) * K + k]) << "sample " << b;
  }
}

TYPED_TEST(LaneTest, EveryInstructionSetAgrees) {
  using T = TypeParam;
  std::mt19937_64 rng(8);
  const int n = 5;
  const std::vector<T> s0 = cast_to<T>(uniform<T>(std::size_t{2} * kLanes << n, -1, 1, rng));
  const std::vector<T> m = cast_to<T>(uniform<T>(std::size_t{2} * kLanes * 16, -1, 1, rng));
  std::vector<std::uint16_t> pairs;
  for (int i = 0; i < (1 << n); ++i) {
    if (!(i & 4)) pairs.push_back(static_cast<std::uint16_t>(i));
  }
  const std::vector<std::uint16_t> base{0, 1, 2, 3, 16, 17, 18, 19}, offs{0, 4, 8, 12};
  std::vector<std::vector<T>> results;
  for (torchq::kernels::Isa isa : torchq::kernels::supported_isas()) {
    const auto& lk = torchq::lanes::lane_kernels<T>(isa);
    std::vector<T> s = s0, lam = s0, scratch(2 * 4 * kLanes);
    std::reverse(lam.begin(), lam.end());
    double S[8 * kLanes], inner[2 * kLanes];
    lk.mat2(s.data(), pairs.data(), static_cast<int>(pairs.size()), 4, m.data());
    lk.matd(s.data(), base.data(), 8, offs.data(), 4, m.data(), scratch.data());
    lk.block1(s.data(), lam.data(), pairs.data(), static_cast<int>(pairs.size()), 4, m.data(), S);
    lk.pauli_inner(lam.data(), s.data(), 1 << n, 5, 6, 8, inner);
    lk.pauli_add(lam.data(), s.data(), 1 << n, 3, 9, m.data());
    std::vector<T> r = s;
    r.insert(r.end(), lam.begin(), lam.end());
    for (double v : S) r.push_back(static_cast<T>(v));
    for (double v : inner) r.push_back(static_cast<T>(v));
    results.push_back(r);
  }
  for (std::size_t j = 1; j < results.size(); ++j) {
    expect_near_all(results[j], results[0], Precision<T>::kState * 10, "isa " + std::to_string(j));
  }
}

TEST(LaneBatch, TakesSmallCircuitsOnly) {
  torchq::Circuit small(3, 1, 0);
  small.add(torchq::GateId::RX, {0}, {torchq::ParamRef::weight(0)});
  EXPECT_TRUE(torchq::lanes::lane_batch_supports(torchq::compile(small)));
  torchq::Circuit big(torchq::lanes::kLaneMaxQubits + 1, 0, 0);
  big.add(torchq::GateId::H, {0});
  EXPECT_FALSE(torchq::lanes::lane_batch_supports(torchq::compile(big)));
  EXPECT_FALSE(torchq::lanes::lane_batch_pays(torchq::compile(big), 1024));
  torchq::Circuit amp(2, 0, 4);
  amp.amplitude_embedding({0, 1}, torchq::AmplitudeSpec{0, 4, true, 0.0});
  EXPECT_FALSE(torchq::lanes::lane_batch_supports(torchq::compile(amp)));
}

}  // namespace
}  // namespace torchq_test
