/**
 * @file test_noise.cpp
 * @brief Noise channels, density matrices, trajectories, shots and parameter shift (noise.h,
 * density_matrix.h, trajectories.h, estimators.h, parameter_shift.h), in float and double.
 *
 *  - density matrices against an independent dense reference: rho as an Eigen matrix, gates as
 *    U rho U^dagger from dense_reference.h, channels as sum_k K rho K^dagger with Kraus matrices
 *    written out again here from PennyLane's definitions;
 *  - trajectory averages against the exact density matrix, within 5 standard errors;
 *  - density-matrix adjoint gradients against central finite differences;
 *  - parameter shift against the adjoint method where both are exact (every parametric gate,
 *    with and without controls; through the statevector and the density matrix);
 *  - shot estimates within 5 standard errors of the exact values, and the mean of many shot (and
 *    trajectory) gradients within 5 standard errors of the exact gradient: unbiased;
 *  - every refusal: channel parameters, exact ops on noisy programs, estimator options.
 */
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "dense_reference.h"
#include "test_util.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Circuit;
using torchq::EstimatorMode;
using torchq::EstimatorOptions;
using torchq::GateId;
using torchq::Index;
using torchq::Observable;
using torchq::ParamRef;

constexpr GateId kChannels[] = {GateId::DepolarizingChannel, GateId::AmplitudeDamping, GateId::PhaseDamping,
                                GateId::BitFlip};

// ---- the dense reference for density matrices ----

/// Kraus operators from PennyLane's documentation, written out again (not from noise.cpp).
std::vector<ref::Mat> ref_kraus(GateId g, double p) {
  using namespace ref;
  switch (g) {
    case GateId::DepolarizingChannel:
      return {std::sqrt(1 - p) * Id2(), std::sqrt(p / 3) * PauliX(), std::sqrt(p / 3) * PauliY(),
              std::sqrt(p / 3) * PauliZ()};
    case GateId::AmplitudeDamping: return {mat2(1, 0, 0, std::sqrt(1 - p)), mat2(0, std::sqrt(p), 0, 0)};
    case GateId::PhaseDamping: return {mat2(1, 0, 0, std::sqrt(1 - p)), mat2(0, 0, 0, std::sqrt(p))};
    case GateId::BitFlip: return {std::sqrt(1 - p) * Id2(), std::sqrt(p) * PauliX()};
    default: throw std::logic_error("ref_kraus: not a channel");
  }
}

/// rho of a circuit for one sample: |psi0><psi0|, then U rho U^dagger per gate and
/// sum_k K rho K^dagger per channel (K on its wire, padded with identities).
ref::Mat ref_density_matrix(const Circuit& c, const std::vector<double>& w, const std::vector<double>& x) {
  const int n = c.num_qubits();
  const Eigen::Index dim = Eigen::Index{1} << n;
  ref::Mat rho = ref::Mat::Zero(dim, dim);
  rho(0, 0) = 1;
  for (const torchq::Operation& op : c.operations()) {
    if (op.gate == GateId::AmplitudeEmbedding) {
      Circuit one(n, c.num_weights(), c.num_inputs());
      one.add(op);
      const ref::Vec v = ref::simulate(one, w, x);
      rho = v * v.adjoint();
    } else if (op.gate == GateId::BasisEmbedding) {
      for (std::size_t j = 0; j < op.wires.size(); ++j) {
        if (ref::resolve(op.params[j], w, x) == 1.0) {
          const ref::Mat u = ref::embed(ref::PauliX(), {op.wires[j]}, n);
          rho = u * rho * u.adjoint();
        }
      }
    } else if (torchq::gate_info(op.gate).channel) {
      ref::Mat out = ref::Mat::Zero(dim, dim);
      for (const ref::Mat& k : ref_kraus(op.gate, op.params[0].value)) {
        const ref::Mat e = ref::embed(k, {op.wires[0]}, n);
        out += e * rho * e.adjoint();
      }
      rho = out;
    } else {
      const ref::Mat u = ref::full_matrix(op, n, w, x);
      rho = u * rho * u.adjoint();
    }
  }
  return rho;
}

/// Largest |rho_ref(r, c) - rho[r * 2^n + c]|.
template <class T>
double max_diff_rho(const ref::Mat& expected, const torchq::Complex<T>* got) {
  double worst = 0;
  const Eigen::Index dim = expected.rows();
  for (Eigen::Index r = 0; r < dim; ++r) {
    for (Eigen::Index c = 0; c < dim; ++c) {
      const std::complex<double> g(got[r * dim + c]);
      worst = std::max(worst, std::abs(expected(r, c) - g));
    }
  }
  return worst;
}

// ---- circuits ----

/// A random probability, with the edge values 0 and 1 now and then.
double random_probability(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const double r = u(rng);
  return r < 0.08 ? 0.0 : r < 0.16 ? 1.0 : u(rng);
}

struct NoisyOptions {
  RandomCircuitOptions gates;
  double channel_rate = 0.6;  ///< chance of a channel after each gate
  int amplitude_embedding = 0;  ///< 0 none, 1 normalising, 2 not normalising (features must be a unit vector)
};

/// A random circuit over every unitary gate (with extra controls) and random channels after gates.
Circuit random_noisy_circuit(const NoisyOptions& o, std::mt19937_64& rng) {
  const int n = o.gates.num_qubits;
  Circuit c(n, o.gates.num_weights, o.gates.num_inputs);
  if (o.amplitude_embedding != 0) {
    const int k = std::min(n, 2);
    std::vector<int> wires = random_wires(n, k, rng);
    c.amplitude_embedding(wires, {0, std::min(o.gates.num_inputs, 1 << k), o.amplitude_embedding == 1, 0.0});
  }
  const Circuit gates = random_circuit(o.gates, rng);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> pick(0, 3), wire(0, n - 1);
  for (const torchq::Operation& op : gates.operations()) {
    c.add(op);
    if (u(rng) < o.channel_rate) c.channel(kChannels[pick(rng)], wire(rng), random_probability(rng));
  }
  return c;
}

/// Observables for n qubits: Z(0), a Pauli word and a random Hamiltonian.
std::vector<Observable> some_observables(int n, std::mt19937_64& rng) {
  std::vector<Observable> obs{Observable::z(0), Observable::pauli_word(n > 1 ? "XY" : "Y", n > 1 ? std::vector<int>{n - 1, 0} : std::vector<int>{0}),
                              random_observable(n, rng)};
  return obs;
}

template <class T>
std::vector<T> run_estimated(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                             const std::vector<T>& w, bool per_sample, const std::vector<T>& x, Index batch,
                             const EstimatorOptions& opt, const torchq::Executor& ex = torchq::serial_executor()) {
  std::vector<T> out(batch * obs.size());
  const auto in = torchq::make_batch<T>(cc, w.empty() ? nullptr : w.data(), per_sample, x.empty() ? nullptr : x.data(), batch);
  torchq::expval_estimated<T>(cc, obs, in, opt, out.data(), ex);
  return out;
}

template <class T>
Grads<T> run_estimated_backward(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                                const std::vector<T>& w, bool per_sample, const std::vector<T>& x, Index batch,
                                const EstimatorOptions& opt, const std::vector<T>& g,
                                const torchq::Executor& ex = torchq::serial_executor()) {
  Grads<T> r;
  r.weights.assign(per_sample ? batch * cc.circuit.num_weights() : cc.circuit.num_weights(), T(-999));
  r.inputs.assign(batch * cc.circuit.num_inputs(), T(-999));
  const auto in = torchq::make_batch<T>(cc, w.empty() ? nullptr : w.data(), per_sample, x.empty() ? nullptr : x.data(), batch);
  torchq::expval_estimated_backward<T>(cc, obs, in, opt, g.data(), r.weights.empty() ? nullptr : r.weights.data(),
                                       r.inputs.empty() ? nullptr : r.inputs.data(), ex);
  return r;
}

/// Parameter-shift gradients with an estimator, called directly (not through the dispatch of
/// expval_estimated_backward, which prefers the adjoint for exact estimators).
template <class T>
Grads<T> run_parameter_shift(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                             const std::vector<T>& w, bool per_sample, const std::vector<T>& x, Index batch,
                             const EstimatorOptions& opt, const std::vector<T>& g, std::uint64_t seed,
                             const torchq::Executor& ex = torchq::serial_executor()) {
  Grads<T> r;
  r.weights.assign(per_sample ? batch * cc.circuit.num_weights() : cc.circuit.num_weights(), T(-999));
  r.inputs.assign(batch * cc.circuit.num_inputs(), T(-999));
  const auto in = torchq::make_batch<T>(cc, w.empty() ? nullptr : w.data(), per_sample, x.empty() ? nullptr : x.data(), batch);
  const torchq::Estimator<T> est(cc, obs, opt);
  torchq::parameter_shift_backward<T>(cc, in, est, seed, g.data(), r.weights.empty() ? nullptr : r.weights.data(),
                                      r.inputs.empty() ? nullptr : r.inputs.data(), ex);
  return r;
}

EstimatorOptions options(EstimatorMode mode, std::int64_t shots = 0, std::int64_t trajectories = 1,
                         std::uint64_t seed = 7) {
  EstimatorOptions o;
  o.mode = mode;
  o.shots = shots;
  o.trajectories = trajectories;
  o.seed = seed;
  return o;
}

template <class T>
void expect_close(const std::vector<T>& got, const std::vector<double>& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(got[i]), want[i], tol * (1 + std::abs(want[i]))) << what << " [" << i << "]";
  }
}

template <class T>
std::vector<double> to_double(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

std::vector<double> finite_differences(std::vector<double> v, double h,
                                       const std::function<double(const std::vector<double>&)>& f) {
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
class NoiseTest : public ::testing::Test {};
TYPED_TEST_SUITE(NoiseTest, Precisions, PrecisionNames);

// ---- channels ----

TEST(NoiseChannels, KrausOperatorsAreCompleteAndMatchTheReference) {
  for (GateId g : kChannels) {
    for (double p : {0.0, 0.13, 0.5, 1.0}) {
      const torchq::KrausSet k = torchq::kraus_operators(g, p);
      const std::vector<ref::Mat> want = ref_kraus(g, p);
      ASSERT_EQ(k.ops.size(), want.size()) << torchq::gate_info(g).name;
      ref::Mat sum = ref::Mat::Zero(2, 2);
      for (std::size_t j = 0; j < want.size(); ++j) {
        const ref::Mat got = ref::mat2(k.ops[j][0], k.ops[j][1], k.ops[j][2], k.ops[j][3]);
        EXPECT_LT((got - want[j]).norm(), 1e-15) << torchq::gate_info(g).name << " K" << j << " p=" << p;
        sum += got.adjoint() * got;
      }
      EXPECT_LT((sum - ref::Id2()).norm(), 1e-15) << torchq::gate_info(g).name << " is not trace preserving";
    }
  }
}

TYPED_TEST(NoiseTest, EachChannelOnADensityMatrixMatchesDenseKraus) {
  // One channel at a time, on every wire of a random entangled 3-qubit state.
  using T = TypeParam;
  std::mt19937_64 rng(11);
  const int n = 3;
  for (GateId g : kChannels) {
    for (int wire = 0; wire < n; ++wire) {
      Circuit c(n, 0, 0);
      c.unitary({0, 1, 2}, ref::row_major(ref::random_unitary(8, rng)));
      c.channel(g, wire, std::uniform_real_distribution<double>(0, 1)(rng));
      const auto cc = torchq::compile(c);
      torchq::StateVector<T> rho(2 * n);
      torchq::dm_run<T>(rho.data(), cc, nullptr, nullptr, nullptr, torchq::kernels::active_kernels<T>(),
                        torchq::serial_executor());
      EXPECT_LT(max_diff_rho(ref_density_matrix(c, {}, {}), rho.data()), Precision<T>::kState)
          << torchq::gate_info(g).name << " on wire " << wire;
    }
  }
}

TYPED_TEST(NoiseTest, EveryGateOnADensityMatrixIsURhoUdagger) {
  // Row side U, column side conj(U), for every structure, with and without extra controls; and
  // the adjoint map undoes it.
  using T = TypeParam;
  std::mt19937_64 rng(12);
  const int n = 4;
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.max_unitary_wires = 2;
  const auto& k = torchq::kernels::active_kernels<T>();
  for (GateId g : unitary_gates()) {
    for (double ctrl : {0.0, 1.0}) {
      o.control_probability = ctrl;
      Circuit c(n, o.num_weights, o.num_inputs);
      c.unitary({0, 1, 2, 3}, ref::row_major(ref::random_unitary(16, rng)));  // a generic mixed start
      c.channel(GateId::DepolarizingChannel, 1, 0.3);
      c.add(random_op(g, o, rng));
      const auto cc = torchq::compile(c);
      const std::vector<double> w = uniform<T>(o.num_weights, -3, 3, rng), x = uniform<T>(o.num_inputs, -2, 2, rng);
      const std::vector<T> wt = cast_to<T>(w), xt = cast_to<T>(x);
      torchq::StateVector<T> rho(2 * n);
      torchq::dm_run<T>(rho.data(), cc, wt.data(), xt.data(), nullptr, k, torchq::serial_executor());
      const std::string what = describe(c.operations().back(), n);
      EXPECT_LT(max_diff_rho(ref_density_matrix(c, w, x), rho.data()), Precision<T>::kState * 4) << what;
      // U^dagger (U rho U^dagger) U = rho, with rho before the gate from the reference (the gate's
      // primitives are the last ones; an identity has none).
      for (std::size_t j = cc.primitives.size(); j-- > 0 && cc.primitives[j].source_op == 2;) {
        torchq::dm_apply<T>(rho.data(), cc, cc.primitives[j], wt.data(), xt.data(), true, k, torchq::serial_executor());
      }
      Circuit before(n, o.num_weights, o.num_inputs);
      before.add(c.operations()[0]);
      before.add(c.operations()[1]);
      EXPECT_LT(max_diff_rho(ref_density_matrix(before, w, x), rho.data()), Precision<T>::kState * 4) << what << " (adjoint)";
    }
  }
}

TYPED_TEST(NoiseTest, ChannelAdjointMapIsTheAdjoint) {
  // <<A| E(B)>> = <<E^dagger(A) | B>> for random A and B: the Heisenberg map the sweep uses.
  using T = TypeParam;
  std::mt19937_64 rng(13);
  const int n = 2;
  const auto& k = torchq::kernels::active_kernels<T>();
  for (GateId g : kChannels) {
    Circuit c(n, 0, 0);
    c.channel(g, 1, 0.37);
    const auto cc = torchq::compile(c);
    torchq::StateVector<T> a(2 * n), b(2 * n);
    const ref::Vec va = ref::random_state(2 * n, rng), vb = ref::random_state(2 * n, rng);
    for (Index i = 0; i < a.size(); ++i) {
      a[i] = torchq::Complex<T>(va(i));
      b[i] = torchq::Complex<T>(vb(i));
    }
    torchq::StateVector<T> eb(2 * n), ea(2 * n);
    std::copy(b.data(), b.data() + b.size(), eb.data());
    std::copy(a.data(), a.data() + a.size(), ea.data());
    torchq::dm_apply<T>(eb.data(), cc, cc.primitives[0], nullptr, nullptr, false, k, torchq::serial_executor());
    torchq::dm_apply<T>(ea.data(), cc, cc.primitives[0], nullptr, nullptr, true, k, torchq::serial_executor());
    const auto lhs = torchq::pauli_inner<T>(a.data(), eb.data(), 2 * n, 0, 0, 0, 0, torchq::serial_executor());
    const auto rhs = torchq::pauli_inner<T>(ea.data(), b.data(), 2 * n, 0, 0, 0, 0, torchq::serial_executor());
    EXPECT_LT(std::abs(lhs - rhs), Precision<T>::kState) << torchq::gate_info(g).name;
  }
}

TYPED_TEST(NoiseTest, DensityMatrixMatchesDenseKrausReferenceOnRandomNoisyCircuits) {
  using T = TypeParam;
  std::mt19937_64 rng(21);
  for (int n = 1; n <= 3; ++n) {
    for (int trial = 0; trial < 4; ++trial) {
      NoisyOptions o;
      o.gates.num_qubits = n;
      o.gates.depth = 12;
      o.gates.max_unitary_wires = std::min(n, 2);
      o.amplitude_embedding = trial % 2;
      o.gates.num_inputs = 4;
      const Circuit c = random_noisy_circuit(o, rng);
      const auto cc = torchq::compile(c);
      const std::vector<double> w = uniform<T>(c.num_weights(), -3, 3, rng), x = uniform<T>(c.num_inputs(), -2, 2, rng);
      const std::vector<T> wt = cast_to<T>(w), xt = cast_to<T>(x);
      torchq::StateVector<T> rho(2 * n);
      std::vector<torchq::Complex<T>> scratch(Index{1} << n);
      torchq::dm_run<T>(rho.data(), cc, wt.data(), xt.data(), scratch.data(), torchq::kernels::active_kernels<T>(),
                        torchq::serial_executor());
      const ref::Mat want = ref_density_matrix(c, w, x);
      EXPECT_LT(max_diff_rho(want, rho.data()), Precision<T>::kDeep) << n << " qubits, trial " << trial;
      EXPECT_NEAR(want.trace().real(), 1.0, 1e-12);

      // Expectation values, batch of one, against Tr(O rho).
      std::vector<Observable> obs = some_observables(n, rng);
      const auto cobs = torchq::compile_observables(obs, n);
      const auto got = run_estimated<T>(cc, cobs, wt, false, xt, 1, options(EstimatorMode::kDensityMatrix));
      for (std::size_t j = 0; j < obs.size(); ++j) {
        const double e = (ref::observable_matrix(obs[j], n) * want).trace().real();
        EXPECT_NEAR(static_cast<double>(got[j]), e, Precision<T>::kDeep) << "observable " << j;
      }
    }
  }
}

TYPED_TEST(NoiseTest, BasisEmbeddingOnADensityMatrixMatchesTheReference) {
  using T = TypeParam;
  Circuit c(3, 1, 3);
  c.basis_embedding({2, 0, 1}, 0);
  c.channel(GateId::BitFlip, 0, 0.2).add(GateId::CRY, {0, 1}, {ParamRef::weight(0)}).channel(GateId::PhaseDamping, 1, 0.4);
  const auto cc = torchq::compile(c);
  for (int bits = 0; bits < 8; ++bits) {
    const std::vector<double> w{0.7}, x{double(bits & 1), double((bits >> 1) & 1), double(bits >> 2)};
    const std::vector<T> wt = cast_to<T>(w), xt = cast_to<T>(x);
    torchq::StateVector<T> rho(6);
    torchq::dm_run<T>(rho.data(), cc, wt.data(), xt.data(), nullptr, torchq::kernels::active_kernels<T>(),
                      torchq::serial_executor());
    EXPECT_LT(max_diff_rho(ref_density_matrix(c, w, x), rho.data()), Precision<T>::kState) << "bits " << bits;
  }
}

TYPED_TEST(NoiseTest, NoiselessEstimatorsEqualTheExactStatevector) {
  // Every mode on a circuit without channels (and trajectories with p = 0 channels) gives expval.
  using T = TypeParam;
  std::mt19937_64 rng(22);
  RandomCircuitOptions o;
  o.num_qubits = 3;
  o.depth = 25;
  const Circuit c = random_circuit(o, rng);
  Circuit zero_noise = torchq::add_noise_after_each_gate(c, "AmplitudeDamping", 0.0);
  const auto cc = torchq::compile(c), cz = torchq::compile(zero_noise);
  const auto cobs = torchq::compile_observables(some_observables(3, rng), 3);
  const Index B = 3;
  const std::vector<T> w = cast_to<T>(uniform<T>(c.num_weights(), -3, 3, rng));
  const std::vector<T> x = cast_to<T>(uniform<T>(B * c.num_inputs(), -2, 2, rng));
  const std::vector<double> want = to_double(run_expval<T>(cc, cobs, w, false, x, B));
  expect_close(run_estimated<T>(cc, cobs, w, false, x, B, options(EstimatorMode::kStatevector)), want,
               Precision<T>::kDeep, "statevector");
  expect_close(run_estimated<T>(cc, cobs, w, false, x, B, options(EstimatorMode::kDensityMatrix)), want,
               Precision<T>::kDeep, "density_matrix");
  expect_close(run_estimated<T>(cc, cobs, w, false, x, B, options(EstimatorMode::kTrajectories, 0, 5)), want,
               Precision<T>::kDeep, "trajectories");
  expect_close(run_estimated<T>(cz, cobs, w, false, x, B, options(EstimatorMode::kTrajectories, 0, 4)), want,
               Precision<T>::kDeep, "trajectories, p = 0");
  expect_close(run_estimated<T>(cz, cobs, w, false, x, B, options(EstimatorMode::kDensityMatrix)), want,
               Precision<T>::kDeep, "density_matrix, p = 0");
}

// ---- trajectories ----

TYPED_TEST(NoiseTest, TrajectoryAveragesConvergeToTheDensityMatrix) {
  using T = TypeParam;
  std::mt19937_64 rng(31);
  NoisyOptions o;
  o.gates.num_qubits = 3;
  o.gates.depth = 14;
  o.channel_rate = 0.8;
  const Circuit c = random_noisy_circuit(o, rng);
  const auto cc = torchq::compile(c);
  ASSERT_GT(cc.num_channels, 4);
  const std::vector<Observable> obs = some_observables(3, rng);
  const auto cobs = torchq::compile_observables(obs, 3);
  const std::vector<T> w = cast_to<T>(uniform<T>(c.num_weights(), -3, 3, rng));
  const std::vector<T> x = cast_to<T>(uniform<T>(c.num_inputs(), -2, 2, rng));
  const std::vector<T> exact = run_estimated<T>(cc, cobs, w, false, x, 1, options(EstimatorMode::kDensityMatrix));

  // The trajectories by hand, with the documented seeds: sample 0's stream, then 2t.
  const int num_traj = 4000;
  const std::uint64_t seed = 99;
  const std::uint64_t stream = torchq::derive_seed(seed, 0);
  std::vector<double> sum(obs.size()), sum2(obs.size());
  torchq::StateVector<T> psi(3);
  for (int t = 0; t < num_traj; ++t) {
    std::mt19937_64 traj_rng(torchq::derive_seed(stream, 2 * static_cast<std::uint64_t>(t)));
    torchq::run_trajectory<T>(psi.data(), cc, w.data(), x.data(), traj_rng, torchq::kernels::active_kernels<T>(),
                              torchq::serial_executor());
    for (std::size_t j = 0; j < obs.size(); ++j) {
      const double e = torchq::expectation(psi.data(), 3, cobs[j], torchq::serial_executor());
      sum[j] += e;
      sum2[j] += e * e;
    }
  }
  const std::vector<T> est =
      run_estimated<T>(cc, cobs, w, false, x, 1, options(EstimatorMode::kTrajectories, 0, num_traj, seed));
  for (std::size_t j = 0; j < obs.size(); ++j) {
    const double mean = sum[j] / num_traj;
    const double sd = std::sqrt(std::max(sum2[j] / num_traj - mean * mean, 0.0));
    EXPECT_NEAR(mean, static_cast<double>(exact[j]), 5 * sd / std::sqrt(num_traj) + 1e-6) << "observable " << j;
    EXPECT_NEAR(static_cast<double>(est[j]), mean, Precision<T>::kDeep) << "estimator vs hand-made trajectories";
  }
}

TYPED_TEST(NoiseTest, EstimatesAndTheirGradientsDoNotDependOnThreads) {
  using T = TypeParam;
  std::mt19937_64 rng(32);
  NoisyOptions o;
  o.gates.num_qubits = 3;
  o.gates.depth = 10;
  const Circuit c = random_noisy_circuit(o, rng);
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables(some_observables(3, rng), 3);
  const Index B = 3;
  const std::vector<T> w = cast_to<T>(uniform<T>(c.num_weights(), -3, 3, rng));
  const std::vector<T> x = cast_to<T>(uniform<T>(B * c.num_inputs(), -2, 2, rng));
  const std::vector<T> g = cast_to<T>(uniform<T>(B * cobs.size(), -1, 1, rng));
  const torchq::OpenMPExecutor one(1), three(3);
  for (const EstimatorOptions& opt : {options(EstimatorMode::kTrajectories, 0, 17), options(EstimatorMode::kTrajectories, 50, 8),
                                      options(EstimatorMode::kDensityMatrix, 64), options(EstimatorMode::kDensityMatrix)}) {
    const std::string what = std::string(torchq::estimator_mode_name(opt.mode)) + " shots " + std::to_string(opt.shots);
    EXPECT_EQ(run_estimated<T>(cc, cobs, w, false, x, B, opt, one), run_estimated<T>(cc, cobs, w, false, x, B, opt, three))
        << what;
    const Grads<T> a = run_estimated_backward<T>(cc, cobs, w, false, x, B, opt, g, one);
    const Grads<T> b = run_estimated_backward<T>(cc, cobs, w, false, x, B, opt, g, three);
    EXPECT_EQ(a.weights, b.weights) << what;
    EXPECT_EQ(a.inputs, b.inputs) << what;
  }
}

// ---- density-matrix adjoint ----

TYPED_TEST(NoiseTest, DensityMatrixAdjointMatchesFiniteDifferences) {
  using T = TypeParam;
  std::mt19937_64 rng(41);
  for (int trial = 0; trial < 6; ++trial) {
    NoisyOptions o;
    o.gates.num_qubits = 2 + trial % 2;
    o.gates.depth = 10 + 2 * trial;  // up to 20 channels: several checkpoint segments
    o.gates.parametric_only = trial % 3 == 0;
    o.gates.num_inputs = 4;
    o.channel_rate = 0.9;
    o.amplitude_embedding = trial % 3 == 1 ? 1 : trial % 3 == 2 ? 2 : 0;
    Circuit c = random_noisy_circuit(o, rng);
    c.add(GateId::CRY, {1, 0}, {ParamRef::input_product(0, 1, 0.7)});  // angle = 0.7 x0 x1
    const int n = c.num_qubits(), P = c.num_weights(), F = c.num_inputs();
    const auto cc = torchq::compile(c);
    const auto cobs = torchq::compile_observables(some_observables(n, rng), n);
    const Index B = 2, K = cobs.size();
    const bool per_sample = trial % 2 == 1;
    const std::vector<double> w = uniform<T>((per_sample ? B : 1) * P, -3, 3, rng);
    std::vector<double> x = uniform<T>(B * F, -1.5, 1.5, rng);
    if (o.amplitude_embedding == 2) {  // features of unit norm
      for (Index b = 0; b < B; ++b) {
        double n2 = 0;
        for (int j = 0; j < 4; ++j) n2 += x[b * F + j] * x[b * F + j];
        for (int j = 0; j < 4; ++j) x[b * F + j] /= std::sqrt(n2);
      }
      x = representable<T>(x);
    }
    const std::vector<double> g = uniform<T>(B * K, -1, 1, rng);
    const EstimatorOptions dm = options(EstimatorMode::kDensityMatrix);
    auto loss = [&](const std::vector<double>& wv, const std::vector<double>& xv) {
      const std::vector<double> out = run_estimated<double>(cc, cobs, wv, per_sample, xv, B, dm);
      double s = 0;
      for (std::size_t i = 0; i < out.size(); ++i) s += g[i] * out[i];
      return s;
    };
    const Grads<T> got = run_estimated_backward<T>(cc, cobs, cast_to<T>(w), per_sample, cast_to<T>(x), B, dm, cast_to<T>(g));
    const std::string what = "trial " + std::to_string(trial) + ", " + std::to_string(cc.num_channels) + " channels";
    expect_close(got.weights, finite_differences(w, 1e-5, [&](const std::vector<double>& v) { return loss(v, x); }),
                 Precision<T>::kGradVsFd, what + ": d/d weights");
    if (o.amplitude_embedding == 2) continue;  // moving one feature leaves the unit sphere
    expect_close(got.inputs, finite_differences(x, 1e-5, [&](const std::vector<double>& v) { return loss(w, v); }),
                 Precision<T>::kGradVsFd, what + ": d/d inputs");
  }
}

// ---- parameter shift ----

TYPED_TEST(NoiseTest, ParameterShiftEqualsTheAdjointForEveryParametricGate) {
  // Exact statevector estimates: the shift rules are exact, so parameter shift and the adjoint
  // agree to rounding. Every parametric gate, with and without an extra control, fed by a weight,
  // a scaled input and an input product.
  using T = TypeParam;
  std::mt19937_64 rng(51);
  const int n = 4;
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.num_weights = 4;
  o.num_inputs = 3;
  o.constant_probability = 0;
  for (GateId gate : parametric_gates()) {
    for (double ctrl : {0.0, 1.0}) {
      o.control_probability = ctrl;
      Circuit c(n, o.num_weights, o.num_inputs);
      for (int q = 0; q < n; ++q) c.add(GateId::RY, {q}, {ParamRef::constant(0.3 + 0.4 * q)});
      c.add(GateId::CNOT, {0, 1});
      torchq::Operation op = random_op(gate, o, rng);
      if (!op.params.empty()) op.params.back() = ParamRef::input_product(0, 2, -1.3);  // a scaled product
      c.add(op);
      c.add(random_op(gate, o, rng));
      c.add(GateId::RX, {2}, {ParamRef::weight(0, -0.7)});
      const auto cc = torchq::compile(c);
      const auto cobs = torchq::compile_observables(some_observables(n, rng), n);
      const Index B = 2;
      const std::vector<T> w = cast_to<T>(uniform<T>(o.num_weights, -3, 3, rng));
      const std::vector<T> x = cast_to<T>(uniform<T>(B * o.num_inputs, -2, 2, rng));
      const std::vector<T> g = cast_to<T>(uniform<T>(B * cobs.size(), -1, 1, rng));
      const Grads<T> adj = run_adjoint<T>(cc, cobs, w, false, x, B, g);
      const Grads<T> ps = run_parameter_shift<T>(cc, cobs, w, false, x, B, options(EstimatorMode::kStatevector), g, 5);
      const std::string what = describe(op, n);
      expect_close(ps.weights, to_double(adj.weights), Precision<T>::kGradVsExact, what + ": d/d weights");
      expect_close(ps.inputs, to_double(adj.inputs), Precision<T>::kGradVsExact, what + ": d/d inputs");
    }
  }
}

TYPED_TEST(NoiseTest, ParameterShiftEqualsTheAdjointOnRandomCircuits) {
  using T = TypeParam;
  std::mt19937_64 rng(52);
  for (int trial = 0; trial < 6; ++trial) {
    RandomCircuitOptions o;
    o.num_qubits = 3 + trial % 2;
    o.depth = 24;
    o.parametric_only = trial % 2 == 0;
    Circuit c(o.num_qubits, o.num_weights, 4);
    const int emb = trial % 3;  // amplitude embedding: none, normalising, not normalising (padded)
    if (emb != 0) c.amplitude_embedding({1, 0}, {0, emb == 1 ? 4 : 3, emb == 1, emb == 1 ? 0.0 : 0.5});
    o.num_inputs = 4;
    const Circuit gates = random_circuit(o, rng);
    for (const auto& op : gates.operations()) c.add(op);
    const auto cc = torchq::compile(c);
    const auto cobs = torchq::compile_observables(some_observables(o.num_qubits, rng), o.num_qubits);
    const Index B = 3;
    const bool per_sample = trial % 2 == 1;
    std::vector<double> x = uniform<T>(B * 4, -1.5, 1.5, rng);
    if (emb == 2) {  // 3 features and a pad of 0.5 with unit norm: the features have norm sqrt(0.75)
      for (Index b = 0; b < B; ++b) {
        double n2 = 0;
        for (int j = 0; j < 3; ++j) n2 += x[b * 4 + j] * x[b * 4 + j];
        for (int j = 0; j < 3; ++j) x[b * 4 + j] *= std::sqrt(0.75 / n2);
      }
    }
    const std::vector<T> xt = cast_to<T>(representable<T>(x));
    const std::vector<T> w = cast_to<T>(uniform<T>((per_sample ? B : 1) * c.num_weights(), -3, 3, rng));
    const std::vector<T> g = cast_to<T>(uniform<T>(B * cobs.size(), -1, 1, rng));
    const Grads<T> adj = run_adjoint<T>(cc, cobs, w, per_sample, xt, B, g);
    const Grads<T> ps = run_parameter_shift<T>(cc, cobs, w, per_sample, xt, B, options(EstimatorMode::kStatevector), g, 3);
    const std::string what = "trial " + std::to_string(trial);
    expect_close(ps.weights, to_double(adj.weights), Precision<T>::kGradVsExact, what + ": d/d weights");
    expect_close(ps.inputs, to_double(adj.inputs), Precision<T>::kGradVsExact * (emb ? 4 : 1), what + ": d/d inputs");
  }
}

TYPED_TEST(NoiseTest, ParameterShiftThroughTheDensityMatrixEqualsItsAdjoint) {
  // Shift rules hold for noisy circuits too: exact density-matrix estimates give the adjoint's gradient.
  using T = TypeParam;
  std::mt19937_64 rng(53);
  for (int trial = 0; trial < 3; ++trial) {
    NoisyOptions o;
    o.gates.num_qubits = 3;
    o.gates.depth = 12;
    o.gates.parametric_only = true;
    o.gates.num_inputs = 4;
    o.amplitude_embedding = trial == 1 ? 1 : 0;
    const Circuit c = random_noisy_circuit(o, rng);
    const auto cc = torchq::compile(c);
    const auto cobs = torchq::compile_observables(some_observables(3, rng), 3);
    const Index B = 2;
    const std::vector<T> w = cast_to<T>(uniform<T>(c.num_weights(), -3, 3, rng));
    const std::vector<T> x = cast_to<T>(uniform<T>(B * c.num_inputs(), -1.5, 1.5, rng));
    const std::vector<T> g = cast_to<T>(uniform<T>(B * cobs.size(), -1, 1, rng));
    const EstimatorOptions dm = options(EstimatorMode::kDensityMatrix);
    const Grads<T> adj = run_estimated_backward<T>(cc, cobs, w, false, x, B, dm, g);
    const Grads<T> ps = run_parameter_shift<T>(cc, cobs, w, false, x, B, dm, g, 1);
    expect_close(ps.weights, to_double(adj.weights), Precision<T>::kGradVsExact, "d/d weights");
    expect_close(ps.inputs, to_double(adj.inputs), Precision<T>::kGradVsExact * 4, "d/d inputs");
  }
}

// ---- shots ----

/// Standard error of a shot estimate of observable o: sqrt(sum_terms coeff^2 (1 - <P>^2) / shots).
double shot_sigma(const torchq::CompiledObservable& o, const std::function<double(const torchq::PauliMasks&)>& e,
                  std::int64_t shots) {
  double var = 0;
  for (const torchq::PauliMasks& m : o.terms) {
    if (m.xmask == 0 && m.zmask == 0) continue;
    const double v = e(m);
    var += m.coeff * m.coeff * std::max(0.0, 1 - v * v);
  }
  return std::sqrt(var / static_cast<double>(shots));
}

TYPED_TEST(NoiseTest, ShotEstimatesAreWithinStatisticalBounds) {
  using T = TypeParam;
  std::mt19937_64 rng(61);
  NoisyOptions o;
  o.gates.num_qubits = 3;
  o.gates.depth = 12;
  const Circuit noisy = random_noisy_circuit(o, rng);
  RandomCircuitOptions po;
  po.num_qubits = 3;
  po.depth = 12;
  const Circuit pure = random_circuit(po, rng);
  const Index B = 4;
  const std::int64_t shots = 3000;
  for (int mode = 0; mode < 3; ++mode) {
    const Circuit& c = mode == 0 ? pure : noisy;
    const auto cc = torchq::compile(c);
    const auto cobs = torchq::compile_observables(some_observables(3, rng), 3);
    const std::vector<T> w = cast_to<T>(uniform<T>(c.num_weights(), -3, 3, rng));
    const std::vector<T> x = cast_to<T>(uniform<T>(B * c.num_inputs(), -2, 2, rng));
    // shots <= trajectories: one trajectory per shot, so shots are independent.
    const EstimatorOptions opt = mode == 0 ? options(EstimatorMode::kStatevector, shots)
                                 : mode == 1 ? options(EstimatorMode::kDensityMatrix, shots)
                                             : options(EstimatorMode::kTrajectories, shots, shots);
    const std::vector<T> est = run_estimated<T>(cc, cobs, w, false, x, B, opt);
    for (Index b = 0; b < B; ++b) {
      // Exact values and term expectations from the density matrix (the pure state's too).
      torchq::StateVector<T> rho(6);
      torchq::dm_run<T>(rho.data(), cc, w.data(), x.data() + b * c.num_inputs(), nullptr,
                        torchq::kernels::active_kernels<T>(), torchq::serial_executor());
      for (std::size_t j = 0; j < cobs.size(); ++j) {
        auto e = [&](const torchq::PauliMasks& m) { return torchq::dm_pauli_expectation(rho.data(), 3, m, torchq::serial_executor()); };
        const double exact = torchq::dm_expectation(rho.data(), 3, cobs[j], torchq::serial_executor());
        const double sigma = shot_sigma(cobs[j], e, shots);
        EXPECT_NEAR(static_cast<double>(est[b * cobs.size() + j]), exact, 5 * sigma + 1e-5)
            << torchq::estimator_mode_name(opt.mode) << " sample " << b << " observable " << j;
      }
    }
    // Another seed gives other shots.
    EstimatorOptions other = opt;
    other.seed += 1;
    EXPECT_NE(run_estimated<T>(cc, cobs, w, false, x, B, other), est);
  }
}

TYPED_TEST(NoiseTest, ShotEstimatesOfOnePauliWordAreWholeOutcomeCounts) {
  // With one Pauli word the estimate is (2 * plus - shots) / shots: an integer count of +1s.
  using T = TypeParam;
  Circuit c(2, 0, 0);
  c.add(GateId::RY, {0}, {ParamRef::constant(1.1)}).add(GateId::CNOT, {0, 1});
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::pauli_word("ZZ", {0, 1}), Observable::z(1)}, 2);
  const std::vector<T> est = run_estimated<T>(cc, cobs, {}, false, {}, 1, options(EstimatorMode::kStatevector, 101));
  EXPECT_EQ(static_cast<double>(est[0]), 1.0);  // <ZZ> = 1 exactly: every shot is +1
  const double plus = (static_cast<double>(est[1]) * 101 + 101) / 2;
  EXPECT_NEAR(plus, std::round(plus), 1e-3);
}

TYPED_TEST(NoiseTest, ShotAndTrajectoryGradientsAreUnbiased) {
  // The mean of R independent parameter-shift gradients lies within 5 standard errors of the
  // exact gradient: shots with the statevector, shots with the density matrix, and trajectories
  // without shots (each checked against the exact density-matrix adjoint).
  using T = TypeParam;
  Circuit c(2, 3, 1);
  c.add(GateId::RY, {0}, {ParamRef::weight(0)})
      .add(GateId::CRX, {0, 1}, {ParamRef::weight(1, 0.8)})
      .add(GateId::RZ, {1}, {ParamRef::input(0)})
      .channel(GateId::AmplitudeDamping, 0, 0.3)
      .add(GateId::IsingXX, {0, 1}, {ParamRef::weight(2)})
      .channel(GateId::DepolarizingChannel, 1, 0.2);
  const auto cc = torchq::compile(c);
  Circuit pure_c(2, 3, 1);
  for (const auto& op : c.operations()) {
    if (!torchq::gate_info(op.gate).channel) pure_c.add(op);
  }
  const auto pure = torchq::compile(pure_c);
  const auto cobs = torchq::compile_observables({Observable::z(1), Observable::pauli_word("XZ", {0, 1}, 0.5)}, 2);
  const std::vector<T> w{T(0.7), T(-1.2), T(0.4)}, x{T(0.9)}, g{T(1.0), T(-0.6)};
  const int R = 200;
  struct Case {
    const torchq::CompiledCircuit* circuit;
    EstimatorOptions opt;
  };
  const Case cases[] = {{&pure, options(EstimatorMode::kStatevector, 64)},
                        {&cc, options(EstimatorMode::kDensityMatrix, 64)},
                        {&cc, options(EstimatorMode::kTrajectories, 0, 4)}};
  for (const Case& k : cases) {
    const EstimatorOptions exact_opt = options(EstimatorMode::kDensityMatrix);
    const Grads<T> exact = run_estimated_backward<T>(*k.circuit, cobs, w, false, x, 1, exact_opt, g);
    std::vector<double> sum(4), sum2(4);
    for (int r = 0; r < R; ++r) {
      EstimatorOptions opt = k.opt;
      opt.seed = 1000 + r;
      const Grads<T> got = run_estimated_backward<T>(*k.circuit, cobs, w, false, x, 1, opt, g);
      for (int i = 0; i < 4; ++i) {
        const double v = static_cast<double>(i < 3 ? got.weights[i] : got.inputs[0]);
        sum[i] += v;
        sum2[i] += v * v;
      }
    }
    for (int i = 0; i < 4; ++i) {
      const double mean = sum[i] / R, sd = std::sqrt(std::max(sum2[i] / R - mean * mean, 0.0));
      const double want = static_cast<double>(i < 3 ? exact.weights[i] : exact.inputs[0]);
      EXPECT_GT(sd, 0) << "the estimates are random";
      EXPECT_NEAR(mean, want, 5 * sd / std::sqrt(R) + 1e-5)
          << torchq::estimator_mode_name(k.opt.mode) << " shots " << k.opt.shots << " gradient " << i;
    }
  }
}

// ---- program, builder and refusals ----

TEST(NoiseValidation, ChannelParametersAreChecked) {
  auto refused = [](const std::function<void()>& f, const std::vector<std::string>& parts) {
    try {
      f();
      ADD_FAILURE() << "not refused";
    } catch (const torchq::ProgramError& e) {
      for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
  };
  Circuit c(2, 1, 1);
  c.add(GateId::H, {0});
  const std::string op = "op #1 (DepolarizingChannel)";
  refused([&] { Circuit(c).channel(GateId::DepolarizingChannel, 0, 1.5); }, {op, "probability must be in [0, 1]", "1.5"});
  refused([&] { Circuit(c).channel(GateId::DepolarizingChannel, 0, -0.1); }, {op, "[0, 1]"});
  refused([&] { Circuit(c).channel(GateId::DepolarizingChannel, 0, std::nan("")); }, {op, "finite"});
  refused([&] { Circuit(c).add(GateId::DepolarizingChannel, {0}, {ParamRef::weight(0)}); },
          {op, "must be a constant", "not a weight"});
  refused([&] { Circuit(c).add(GateId::BitFlip, {0}, {ParamRef::input(0)}); }, {"op #1 (BitFlip)", "constant"});
  refused([&] { Circuit(c).add(GateId::AmplitudeDamping, {0}, {ParamRef::constant(0.1)}, {1}); },
          {"op #1 (AmplitudeDamping)", "noise channel", "cannot take control wires"});
  refused([&] { Circuit(c).add(GateId::PhaseDamping, {0, 1}, {ParamRef::constant(0.1)}); },
          {"op #1 (PhaseDamping)", "exactly 1 wire"});
  refused([&] { Circuit(c).add(GateId::PhaseDamping, {0}, {}); }, {"op #1 (PhaseDamping)", "exactly 1 parameter"});
  // The program format carries channels, and from_program checks them.
  Circuit ok(c);
  ok.channel(GateId::AmplitudeDamping, 1, 0.25).channel(GateId::BitFlip, 0, 1.0);
  EXPECT_EQ(Circuit::from_program(ok.to_program()), ok);
  std::vector<double> bad = ok.to_program();
  bad[bad.size() - 1] = 2.0;  // the BitFlip's probability
  refused([&] { Circuit::from_program(bad); }, {"op #2 (BitFlip)", "[0, 1]"});
}

TEST(NoiseValidation, ExactOpsRefuseNoisyProgramsNamingTheModes) {
  Circuit c(2, 1, 0);
  c.add(GateId::RX, {0}, {ParamRef::weight(0)}).channel(GateId::BitFlip, 1, 0.1);
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::z(0)}, 2);
  const std::vector<double> w{0.3};
  const auto in = torchq::make_batch<double>(cc, w.data(), false, nullptr, 1);
  std::vector<double> out(8), g{1.0}, gw(1);
  std::vector<std::int64_t> samples(8);
  std::vector<torchq::Complex<double>> psi(4);
  const auto& ex = torchq::serial_executor();
  const std::vector<std::pair<std::string, std::function<void()>>> calls{
      {"expval", [&] { torchq::expval<double>(cc, cobs, in, out.data(), ex); }},
      {"variance", [&] { torchq::variance<double>(cc, cobs, in, out.data(), ex); }},
      {"probs", [&] { torchq::probs<double>(cc, {0}, in, out.data(), ex); }},
      {"state", [&] { torchq::final_state<double>(cc, in, psi.data(), ex); }},
      {"sample", [&] { torchq::sample<double>(cc, {0}, in, 2, 1, samples.data(), ex); }},
      {"adjoint backward", [&] { torchq::adjoint_expval_backward<double>(cc, cobs, in, g.data(), gw.data(), nullptr, ex); }},
      {"mode \"statevector\"", [&] { torchq::expval_estimated<double>(cc, cobs, in, options(EstimatorMode::kStatevector), out.data(), ex); }},
  };
  for (const auto& [name, call] : calls) {
    try {
      call();
      ADD_FAILURE() << name << " accepted a noisy program";
    } catch (const torchq::ArgumentError& e) {
      const std::string m = e.what();
      for (const char* part : {"op #1 (BitFlip)", "noise channel", "density_matrix", "trajectories"}) {
        EXPECT_NE(m.find(part), std::string::npos) << name << ": " << m;
      }
      EXPECT_NE(m.find(name), std::string::npos) << m;
    }
  }
}

TEST(NoiseValidation, EstimatorOptionsAreChecked) {
  auto message = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const torchq::ArgumentError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  Circuit c(2, 0, 0);
  c.add(GateId::H, {0}).channel(GateId::BitFlip, 1, 0.1);
  const auto cc = torchq::compile(c);
  EXPECT_NE(message([&] { torchq::validate_estimator(cc, options(EstimatorMode::kTrajectories, -1), "op"); }).find("shots must be in [0, 2^40]"), std::string::npos);
  EXPECT_NE(message([&] { torchq::validate_estimator(cc, options(EstimatorMode::kTrajectories, 0, 0), "op"); }).find("trajectories must be in [1, 2^30], got 0"), std::string::npos);
  EXPECT_NE(message([&] { torchq::estimator_mode_from_name("exact"); }).find("\"statevector\", \"trajectories\" or \"density_matrix\", got \"exact\""), std::string::npos);
  Circuit big(13, 0, 0);
  big.add(GateId::H, {12});
  const std::string m = message([&] { torchq::validate_estimator(torchq::compile(big), options(EstimatorMode::kDensityMatrix), "op"); });
  EXPECT_NE(m.find("at most 12 qubits"), std::string::npos) << m;
  EXPECT_NE(m.find("has 13"), std::string::npos) << m;
  EXPECT_EQ(message([&] { torchq::validate_estimator(cc, options(EstimatorMode::kDensityMatrix, 10), "op"); }), "(accepted)");
}

TEST(NoiseBuilder, AddNoiseAfterEachGatePutsAChannelOnEveryWireOfEveryGate) {
  Circuit c(3, 1, 2);
  c.amplitude_embedding({0, 1}, {0, 2, true, 0.0});
  c.add(GateId::H, {2}).add(GateId::CRX, {0, 2}, {ParamRef::weight(0)}, {1}).channel(GateId::BitFlip, 0, 0.5);
  const Circuit noisy = torchq::add_noise_after_each_gate(c, "PhaseDamping", 0.05);
  std::vector<std::pair<std::string, std::vector<int>>> got;
  for (const auto& op : noisy.operations()) got.push_back({std::string(torchq::gate_info(op.gate).name), op.wires});
  const std::vector<std::pair<std::string, std::vector<int>>> want{
      {"AmplitudeEmbedding", {0, 1}}, {"PhaseDamping", {0}}, {"PhaseDamping", {1}},
      {"H", {2}},                     {"PhaseDamping", {2}}, {"CRX", {0, 2}},
      {"PhaseDamping", {1}},          {"PhaseDamping", {0}}, {"PhaseDamping", {2}},
      {"BitFlip", {0}}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(noisy.operations()[1].params[0], ParamRef::constant(0.05));
  EXPECT_EQ(noisy.num_weights(), 1);
  try {
    torchq::add_noise_after_each_gate(c, "RX", 0.1);
    ADD_FAILURE() << "accepted a gate as a channel";
  } catch (const torchq::ArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("DepolarizingChannel, AmplitudeDamping, PhaseDamping, BitFlip"), std::string::npos);
  }
}

}  // namespace
}  // namespace torchq_test
