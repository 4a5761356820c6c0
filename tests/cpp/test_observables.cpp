/**
 * @file test_observables.cpp
 * @brief Measurements against the dense reference: expectation values of Pauli words and
 * Hamiltonians, variances, marginal probabilities on wire subsets in any order; sampling
 * statistics and seeding; the observable array format (round trip and each kind of rejection).
 */
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include "dense_reference.h"
#include "test_util.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Observable;

/// A random circuit on n qubits with its weights and inputs, and the reference final state.
template <class T>
struct Prepared {
  torchq::Circuit circuit;
  torchq::CompiledCircuit compiled;
  std::vector<double> w, x;
  ref::Vec psi;

  Prepared(int n, std::uint64_t seed, int depth = 25) {
    std::mt19937_64 rng(seed);
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = depth;
    circuit = random_circuit(o, rng);
    compiled = torchq::compile(circuit);
    w = uniform<T>(o.num_weights, -3, 3, rng);
    x = uniform<T>(o.num_inputs, -3, 3, rng);
    psi = ref::simulate(circuit, w, x);
  }
  torchq::BatchInputs<T> batch() {
    wt = cast_to<T>(w);
    xt = cast_to<T>(x);
    return torchq::make_batch<T>(compiled, wt.data(), false, xt.data(), 1);
  }
  std::vector<T> wt, xt;
};

template <class T>
class ObservableTest : public ::testing::Test {};
TYPED_TEST_SUITE(ObservableTest, Precisions, PrecisionNames);

TYPED_TEST(ObservableTest, ExpvalOfEveryPauliWordMatchesReference) {
  using T = TypeParam;
  for (int n : {1, 2, 3, 4}) {
    Prepared<T> p(n, 10 + n);
    // All 4^n Pauli words on the wires in a shuffled order, as K observables in one call.
    std::vector<int> wires(n);
    std::iota(wires.begin(), wires.end(), 0);
    std::shuffle(wires.begin(), wires.end(), std::mt19937_64(n));
    std::vector<Observable> obs;
    for (int code = 0; code < (1 << (2 * n)); ++code) {
      std::string word;
      for (int q = 0; q < n; ++q) word += "IXYZ"[(code >> (2 * q)) & 3];
      obs.push_back(Observable::pauli_word(word, wires));
    }
    const auto cobs = torchq::compile_observables(obs, n);
    std::vector<T> out(obs.size());
    torchq::expval<T>(p.compiled, cobs, p.batch(), out.data(), torchq::serial_executor());
    for (std::size_t k = 0; k < obs.size(); ++k) {
      const double want = ref::expval(p.psi, ref::observable_matrix(obs[k], n));
      EXPECT_NEAR(out[k], want, Precision<T>::kDeep) << "observable #" << k << " on " << n << " qubits";
    }
  }
}

TYPED_TEST(ObservableTest, ExpvalAndVarianceOfHamiltoniansMatchReference) {
  using T = TypeParam;
  std::mt19937_64 rng(5);
  for (int n : {2, 3, 5, 6}) {
    Prepared<T> p(n, 20 + n, 40);
    std::vector<Observable> obs;
    for (int k = 0; k < 12; ++k) obs.push_back(random_observable(n, rng));
    // An identity term, and a word with a coefficient on few wires.
    obs.push_back(Observable().add_term(0.7, "", {}).add_term(-0.3, "Z", {n - 1}));
    obs.push_back(Observable::pauli_word("YX", {n - 1, 0}, 2.5));
    const auto cobs = torchq::compile_observables(obs, n);
    std::vector<T> ev(obs.size()), var(obs.size());
    torchq::expval<T>(p.compiled, cobs, p.batch(), ev.data(), torchq::serial_executor());
    torchq::variance<T>(p.compiled, cobs, p.batch(), var.data(), torchq::serial_executor());
    for (std::size_t k = 0; k < obs.size(); ++k) {
      const ref::Mat m = ref::observable_matrix(obs[k], n);
      EXPECT_NEAR(ev[k], ref::expval(p.psi, m), Precision<T>::kDeep) << "observable #" << k << ", " << n << " qubits";
      EXPECT_NEAR(var[k], ref::variance(p.psi, m), Precision<T>::kDeep * 4) << "observable #" << k << ", " << n << " qubits";
    }
  }
}

TYPED_TEST(ObservableTest, VarianceOfHugeCoefficientsIsExactOrInf) {
  // Regression: with coefficients >= 1e155, <O^2> overflowed, inf - inf gave NaN and the clamp
  // turned it into 0. The variance is now computed relative to the largest coefficient: exact
  // while it is representable, inf beyond.
  using T = TypeParam;
  Prepared<T> p(3, 17, 30);
  const double big = std::is_same_v<T, float> ? 1e20 : 1e155;  // the square overflows in T
  const std::vector<Observable> obs{Observable::pauli_word("X", {0}, 1.0), Observable::pauli_word("X", {0}, 1e-3 * big),
                                    Observable().add_term(big, "X", {0}).add_term(big, "Z", {1}),
                                    Observable().add_term(1e300, "X", {0}).add_term(1e300, "Y", {2})};
  const auto cobs = torchq::compile_observables(obs, 3);
  std::vector<T> var(obs.size());
  torchq::variance<T>(p.compiled, cobs, p.batch(), var.data(), torchq::serial_executor());
  const double unit = ref::variance(p.psi, ref::observable_matrix(obs[0], 3));
  ASSERT_GT(unit, 1e-3);
  // float: (1e17)^2 unit overflows float (max 3.4e38), so inf is the right answer there.
  const double scaled = 1e-6 * big * big * unit;
  if (scaled < static_cast<double>(std::numeric_limits<T>::max())) {
    EXPECT_NEAR(static_cast<double>(var[1]) / scaled, 1.0, 1e-4);
  } else {
    EXPECT_TRUE(std::isinf(var[1])) << var[1];
  }
  const double two_terms = ref::variance(p.psi, ref::observable_matrix(Observable().add_term(1, "X", {0}).add_term(1, "Z", {1}), 3));
  if (two_terms * big * big < static_cast<double>(std::numeric_limits<T>::max())) {
    EXPECT_NEAR(static_cast<double>(var[2]) / (two_terms * big * big), 1.0, 1e-4);
  } else {
    EXPECT_TRUE(std::isinf(var[2])) << var[2];
  }
  EXPECT_TRUE(std::isinf(var[3]) && var[3] > 0) << "a variance of order 1e600 is inf, got " << var[3];
}

TYPED_TEST(ObservableTest, ProbsOnEveryOrderedWireSubsetMatchReference) {
  using T = TypeParam;
  const int n = 4;
  Prepared<T> p(n, 31);
  int subsets = 0;
  for (int m = 1; m <= n; ++m) {
    for (const std::vector<int>& wires : ordered_subsets(n, m)) {
      std::vector<T> out(std::size_t{1} << m);
      torchq::probs<T>(p.compiled, wires, p.batch(), out.data(), torchq::serial_executor());
      const std::vector<double> want = ref::marginal_probs(p.psi, wires, n);
      double total = 0;
      for (std::size_t j = 0; j < want.size(); ++j) {
        EXPECT_NEAR(out[j], want[j], Precision<T>::kDeep) << "wires " << join(wires) << " outcome " << j;
        total += out[j];
      }
      EXPECT_NEAR(total, 1.0, Precision<T>::kDeep);
      ++subsets;
    }
  }
  EXPECT_EQ(subsets, 4 + 12 + 24 + 24);
}

TYPED_TEST(ObservableTest, ProbsPutWireZeroOfTheListOnTheMostSignificantBit) {
  using T = TypeParam;
  // |q0 q1 q2> = |0 1 1>, fixed by hand: probs([2, 0]) is the distribution of (q2, q0) = (1, 0) -> outcome 2.
  torchq::Circuit c(3, 0, 0);
  c.add(torchq::GateId::X, {1}).add(torchq::GateId::X, {2});
  const auto cc = torchq::compile(c);
  std::vector<T> out(4);
  torchq::probs<T>(cc, {2, 0}, torchq::make_batch<T>(cc, nullptr, false, nullptr, 1), out.data(),
                   torchq::serial_executor());
  EXPECT_EQ(out, (std::vector<T>{0, 0, 1, 0}));
  EXPECT_THROW(torchq::probs<T>(cc, {0, 0}, torchq::make_batch<T>(cc, nullptr, false, nullptr, 1), out.data(),
                                torchq::serial_executor()),
               torchq::ArgumentError);
  EXPECT_THROW(torchq::probs<T>(cc, {3}, torchq::make_batch<T>(cc, nullptr, false, nullptr, 1), out.data(),
                                torchq::serial_executor()),
               torchq::ArgumentError);
}

TYPED_TEST(ObservableTest, BatchedExpvalMatchesReferencePerSample) {
  using T = TypeParam;
  std::mt19937_64 rng(8);
  RandomCircuitOptions o;
  o.num_qubits = 4;
  o.depth = 30;
  const torchq::Circuit c = random_circuit(o, rng);
  const auto cc = torchq::compile(c);
  const int B = 5;
  const std::vector<double> w = uniform<T>(B * o.num_weights, -3, 3, rng), x = uniform<T>(B * o.num_inputs, -3, 3, rng);
  std::vector<Observable> obs{Observable::z(0), random_observable(4, rng), random_observable(4, rng)};
  const auto cobs = torchq::compile_observables(obs, 4);
  for (bool per_sample : {false, true}) {
    const std::vector<T> out = run_expval<T>(cc, cobs, cast_to<T>(w), per_sample, cast_to<T>(x), B);
    for (int b = 0; b < B; ++b) {
      const std::vector<double> wb(w.begin() + (per_sample ? b * o.num_weights : 0),
                                   w.begin() + (per_sample ? b * o.num_weights : 0) + o.num_weights);
      const std::vector<double> xb(x.begin() + b * o.num_inputs, x.begin() + (b + 1) * o.num_inputs);
      const ref::Vec psi = ref::simulate(c, wb, xb);
      for (std::size_t k = 0; k < obs.size(); ++k) {
        EXPECT_NEAR(out[b * obs.size() + k], ref::expval(psi, ref::observable_matrix(obs[k], 4)), Precision<T>::kDeep)
            << "sample " << b << " observable " << k << (per_sample ? " (per-sample weights)" : "");
      }
    }
  }
}

// ---- Sampling ----

TYPED_TEST(ObservableTest, SampleFrequenciesAgreeWithProbsWithinFiveSigma) {
  using T = TypeParam;
  const int n = 4;
  Prepared<T> p(n, 41);
  const std::vector<int> wires{3, 0, 2};
  const std::int64_t shots = 20000;
  std::vector<std::int64_t> out(shots * wires.size());
  torchq::sample<T>(p.compiled, wires, p.batch(), shots, 12345, out.data(), torchq::serial_executor());
  std::vector<double> freq(8, 0.0);
  for (std::int64_t s = 0; s < shots; ++s) {
    int outcome = 0;
    for (std::size_t j = 0; j < wires.size(); ++j) {
      const std::int64_t bit = out[s * wires.size() + j];
      ASSERT_TRUE(bit == 0 || bit == 1) << "sample value " << bit;
      outcome = (outcome << 1) | static_cast<int>(bit);
    }
    freq[outcome] += 1.0 / shots;
  }
  const std::vector<double> want = ref::marginal_probs(p.psi, wires, n);
  for (int j = 0; j < 8; ++j) {
    const double sigma = std::sqrt(want[j] * (1 - want[j]) / shots);
    EXPECT_NEAR(freq[j], want[j], 5 * sigma + 1e-9) << "outcome " << j << " (sigma " << sigma << ")";
  }
}

TYPED_TEST(ObservableTest, SamplesAreDeterministicForASeed) {
  using T = TypeParam;
  const int n = 3;
  Prepared<T> p(n, 51);
  const std::int64_t shots = 500;
  const int B = 3;
  const std::vector<T> wt = cast_to<T>(p.w);
  std::vector<T> xt;
  for (int b = 0; b < B; ++b) xt.insert(xt.end(), p.x.begin(), p.x.end());  // three identical samples
  const auto in = torchq::make_batch<T>(p.compiled, wt.data(), false, xt.data(), B);
  auto draw = [&](std::uint64_t seed, const torchq::Executor& ex) {
    std::vector<std::int64_t> out(B * shots * n);
    torchq::sample<T>(p.compiled, {0, 1, 2}, in, shots, seed, out.data(), ex);
    return out;
  };
  const auto a = draw(7, torchq::serial_executor());
  EXPECT_EQ(a, draw(7, torchq::serial_executor()));
  EXPECT_EQ(a, draw(7, torchq::OpenMPExecutor(2)));  // seeded per sample, not per thread
  EXPECT_NE(a, draw(8, torchq::serial_executor()));
  // Identical samples in one batch still get independent streams.
  const std::vector<std::int64_t> row0(a.begin(), a.begin() + shots * n), row1(a.begin() + shots * n, a.begin() + 2 * shots * n);
  EXPECT_NE(row0, row1);
  std::vector<std::int64_t> dummy(n);
  EXPECT_THROW(torchq::sample<T>(p.compiled, {0}, in, 0, 1, dummy.data(), torchq::serial_executor()),
               torchq::ArgumentError);
}

TYPED_TEST(ObservableTest, SamplingABasisStateAlwaysGivesIt) {
  using T = TypeParam;
  torchq::Circuit c(3, 0, 0);
  c.add(torchq::GateId::X, {0});
  const auto cc = torchq::compile(c);
  std::vector<std::int64_t> out(100 * 3);
  torchq::sample<T>(cc, {0, 1, 2}, torchq::make_batch<T>(cc, nullptr, false, nullptr, 1), 100, 3, out.data(),
                    torchq::serial_executor());
  for (int s = 0; s < 100; ++s) {
    ASSERT_EQ(out[3 * s], 1);
    ASSERT_EQ(out[3 * s + 1], 0);
    ASSERT_EQ(out[3 * s + 2], 0);
  }
}

// ---- The observable array format ----

TEST(ObservableArray, RoundTripsRandomObservables) {
  std::mt19937_64 rng(3);
  for (int n = 1; n <= 6; ++n) {
    std::vector<Observable> obs;
    for (int k = 0; k < 5; ++k) obs.push_back(random_observable(n, rng));
    obs.push_back(Observable().add_term(-2.0, "", {}));  // identity only
    const std::vector<double> arr = torchq::observables_to_array(obs);
    EXPECT_EQ(arr[0], torchq::kObservableMagic);
    EXPECT_EQ(torchq::observables_from_array(arr, n), obs);
  }
  // The documented layout, written by hand: Z0 + 0.5 X1 Y0.
  const std::vector<double> by_hand{torchq::kObservableMagic, 1, 1, 2, 1, 1, 0, 3, 0.5, 2, 1, 1, 0, 2};
  const Observable want = Observable::z(0).add_term(0.5, "XY", {1, 0});
  EXPECT_EQ(torchq::observables_from_array(by_hand, 2), std::vector<Observable>{want});
  EXPECT_EQ(torchq::observables_to_array({want}), by_hand);
}

/// A valid array for 3 qubits: two observables, Z0 and 1.5 X2 Y1 - 0.25.
std::vector<double> valid_array() {
  return {torchq::kObservableMagic, 1, 2,
          1, 1.0, 1, 0, 3,
          2, 1.5, 2, 2, 1, 1, 2, -0.25, 0};
}

/// Expects a ProgramError whose message contains every fragment.
void expect_rejected(const std::vector<double>& arr, std::initializer_list<std::string> fragments, int n = 3) {
  try {
    torchq::observables_from_array(arr, n);
    ADD_FAILURE() << "array was accepted";
  } catch (const torchq::ProgramError& e) {
    for (const std::string& f : fragments) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << "message '" << e.what() << "' lacks '" << f << "'";
    }
  }
}

TEST(ObservableArray, ValidArrayIsAccepted) {
  const auto obs = torchq::observables_from_array(valid_array(), 3);
  ASSERT_EQ(obs.size(), 2u);
  EXPECT_EQ(obs[1].terms.size(), 2u);
}

TEST(ObservableArray, RejectsBadMagic) {
  auto a = valid_array();
  a[0] = 29521.0;  // the circuit program magic, not the observable one
  expect_rejected(a, {"observable header", "magic 20817"});
}

TEST(ObservableArray, RejectsBadVersion) {
  auto a = valid_array();
  a[1] = 2;
  expect_rejected(a, {"observable header", "version 2", "version 1"});
}

TEST(ObservableArray, RejectsWireOutOfRange) {
  for (double bad : {3.0, 60.0, -1.0}) {
    auto a = valid_array();
    a[6] = bad;  // observable #0's factor wire on a 3-qubit circuit
    const std::string w = std::to_string(static_cast<int>(bad));
    expect_rejected(a, {"observable #0", "wire " + w + " is out of range", "3 qubits", "0..2"});
  }
}

TEST(ObservableArray, RejectsRepeatedWireInATerm) {
  auto a = valid_array();
  a[13] = 2;  // second factor of observable #1 term #0 on wire 2 again
  expect_rejected(a, {"observable #1 term #0", "wire 2 appears twice"});
}

TEST(ObservableArray, RejectsBadPauliCode) {
  auto a = valid_array();
  a[7] = 4;
  expect_rejected(a, {"observable #0", "pauli code", "[0, 3]", "got 4"});
  a[7] = -1;
  expect_rejected(a, {"observable #0", "pauli code", "got -1"});
  a[7] = 0;  // I: an identity factor, accepted (IdentityObservable below)
  EXPECT_NO_THROW(torchq::observables_from_array(a, 3));
}

// ---- Identity factors: no effect on the value, the wire is checked and drawn ----

TEST(IdentityObservable, KeepsItsWireAndItsValueIsTheCoefficient) {
  const Observable id = Observable::identity(2, 0.5);
  ASSERT_EQ(id.terms.size(), 1u);
  EXPECT_EQ(id.terms[0].coeff, 0.5);
  EXPECT_EQ(id.terms[0].factors, (std::vector<torchq::PauliFactor>{{2, torchq::Pauli::I}}));
  EXPECT_EQ(id.wires(), std::vector<int>{2});
  // The value is the coefficient whatever the state; I letters in a word change nothing either.
  Prepared<double> p(3, 5);
  const Observable iz = Observable::pauli_word("IZ", {2, 0}, -1.5);
  EXPECT_EQ(iz.wires(), (std::vector<int>{0, 2}));
  const auto cobs = torchq::compile_observables({id, iz, Observable::z(0)}, 3);
  std::vector<double> out(3);
  torchq::expval<double>(p.compiled, cobs, p.batch(), out.data(), torchq::serial_executor());
  EXPECT_NEAR(out[0], 0.5, 1e-14);
  EXPECT_NEAR(out[1], -1.5 * out[2], 1e-14);
}

TEST(IdentityObservable, ItsWireIsValidatedAgainstTheCircuit) {
  try {
    torchq::compile_observables({Observable::identity(3)}, 3);
    ADD_FAILURE() << "Identity(3) accepted on 3 qubits";
  } catch (const torchq::ProgramError& e) {
    EXPECT_NE(std::string(e.what()).find("wire 3 is out of range"), std::string::npos) << e.what();
  }
  EXPECT_THROW(torchq::compile_observables({Observable::pauli_word("ZI", {0, 5})}, 3), torchq::ProgramError);
  EXPECT_THROW(torchq::compile_observables({Observable::pauli_word("IZ", {1, 1})}, 3), torchq::ProgramError);
  EXPECT_THROW(torchq::compile_observables({Observable::identity(-1)}, 3), torchq::ProgramError);
  EXPECT_NO_THROW(torchq::compile_observables({Observable::identity(2)}, 3));
}

TEST(IdentityObservable, TableFormatIsPauliCodeZero) {
  // Row: [magic, version, num_terms, coeff, num_factors, wire, pauli = 0].
  std::size_t width = 0;
  const std::vector<double> table = torchq::observables_to_table({Observable::identity(2, 0.5), Observable::z(1)}, &width);
  ASSERT_EQ(width, 7u);
  EXPECT_EQ(std::vector<double>(table.begin(), table.begin() + 7),
            (std::vector<double>{torchq::kObservableMagic, 1, 1, 0.5, 1, 2, 0}));
  const auto back = torchq::observables_from_table(table.data(), 2, width, 3);
  EXPECT_EQ(back[0], Observable::identity(2, 0.5));
  EXPECT_THROW(torchq::observables_from_table(table.data(), 2, width, 2), torchq::ProgramError);  // wire 2 of 2 qubits
  // A term without factors is still coeff * identity on no wire.
  EXPECT_EQ(Observable().add_term(2.0, "", {}).wires(), std::vector<int>{});
}

TEST(IdentityObservable, IsDrawnOnItsWire) {
  torchq::Circuit c(3, 0, 0);
  c.add(torchq::GateId::H, {0});
  const std::string d = torchq::draw(c, {Observable::z(0), Observable::identity(2, 0.5)});
  std::vector<std::string> lines;
  std::istringstream in(d);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << d;
  EXPECT_NE(lines[0].find("┤ <0>"), std::string::npos) << d;
  EXPECT_EQ(lines[1].find("<"), std::string::npos) << d;
  EXPECT_NE(lines[2].find("┤ <1>"), std::string::npos) << d;
  EXPECT_EQ(lines[3], "<0> expval Z(0)");
  EXPECT_EQ(lines[4], "<1> expval 0.5*I(2)");
}

TEST(ObservableLabel, FollowsPython) {
  EXPECT_EQ(torchq::observable_label(Observable::z(0)), "Z(0)");
  EXPECT_EQ(torchq::observable_label(Observable::pauli_word("XZ", {0, 1})), "X(0) @ Z(1)");
  EXPECT_EQ(torchq::observable_label(Observable::pauli_word("Z", {0}, 0.5).add_term(-1, "X", {2}).add_term(2, "", {})),
            "0.5*Z(0) - X(2) + 2*I");
  EXPECT_EQ(torchq::observable_label(Observable::pauli_word("Y", {1}, -0.25)), "-0.25*Y(1)");
}

TEST(ObservableArray, RejectsNonIntegerField) {
  auto a = valid_array();
  a[6] = 0.5;  // a wire
  expect_rejected(a, {"observable #0", "wire", "integer", "0.5"});
  a = valid_array();
  a[3] = 1.25;  // num_terms
  expect_rejected(a, {"observable #0", "num_terms", "integer"});
}

TEST(ObservableArray, RejectsTruncatedArray) {
  const auto full = valid_array();
  for (std::size_t len = 0; len < full.size(); ++len) {
    SCOPED_TRACE("length " + std::to_string(len));
    EXPECT_THROW(torchq::observables_from_array(std::span<const double>(full.data(), len), 3), torchq::ProgramError);
  }
  expect_rejected(std::vector<double>(full.begin(), full.end() - 1), {"ends early"});
}

TEST(ObservableArray, RejectsTrailingNumbers) {
  auto a = valid_array();
  a.push_back(0);
  expect_rejected(a, {"1 trailing number"});
}

TEST(ObservableArray, RejectsNonFiniteCoefficient) {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    auto a = valid_array();
    a[9] = bad;  // observable #1 term #0 coefficient
    expect_rejected(a, {"observable #1", "coefficient must be finite"});
  }
}

TEST(ObservableArray, CompileRejectsInvalidObservablesBuiltInCode) {
  EXPECT_THROW(torchq::compile_observables({Observable::z(3)}, 3), torchq::ProgramError);
  EXPECT_THROW(torchq::compile_observables({Observable::pauli_word("ZZ", {1, 1})}, 3), torchq::ProgramError);
  EXPECT_THROW(torchq::compile_observables({Observable{}}, 3), torchq::ProgramError);
  EXPECT_THROW(Observable::pauli_word("ZQ", {0, 1}), torchq::ArgumentError);
  EXPECT_THROW(Observable::pauli_word("Z", {0, 1}), torchq::ArgumentError);
}

}  // namespace
}  // namespace torchq_test
