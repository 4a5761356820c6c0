/**
 * @file test_blocked.cpp
 * @brief The cache-blocked forward pass (blocked.h) against the unblocked one (one kernel call per
 * fused gate): random circuits drawing from every gate kind (controls, two- and three-qubit
 * gates, QubitUnitary up to 3 wires, MultiRZ, SWAP, CSWAP) on 12 to 18 qubits with several group
 * sizes, amplitude by amplitude, in float and double; bitwise identical results for 1 and 2
 * threads; and the schedule's invariants (group size, every gate once, order of gates sharing a
 * bit), which is what makes the blocked pass equal to the unblocked one.
 */
#include <gtest/gtest.h>

#include <bit>
#include <map>

#include "test_util.h"
#include "torchq/cache_size.h"
#include "torchq/blocked.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Complex;
using torchq::Index;

/// Tolerance of blocked vs unblocked: both run the same kernels, only the fusion boundaries of
/// one-qubit gates differ (per group vs per circuit), so the difference is rounding.
template <class T>
constexpr double kBlockedTolerance = std::is_same_v<T, double> ? 1e-12 : 1e-5;

template <class T>
class BlockedTest : public ::testing::Test {};
TYPED_TEST_SUITE(BlockedTest, Precisions, PrecisionNames);

/// A random circuit on n qubits from every unitary gate, with controls and 3-qubit unitaries.
torchq::CompiledCircuit random_compiled(int n, int depth, std::mt19937_64& rng) {
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.depth = depth;
  o.num_weights = 6;
  o.num_inputs = 3;
  o.control_probability = 0.3;
  o.max_unitary_wires = 3;
  return torchq::compile(random_circuit(o, rng));
}

/// Rot on every wire, then CNOT(i, (i + 1) mod n): one strongly entangling layer.
torchq::Circuit strongly_entangling_layer(int n) {
  torchq::Circuit c(n, 3 * n, 0);
  for (int w = 0; w < n; ++w) {
    c.add(torchq::GateId::Rot, {w},
          {torchq::ParamRef::weight(3 * w), torchq::ParamRef::weight(3 * w + 1), torchq::ParamRef::weight(3 * w + 2)});
  }
  for (int w = 0; w < n; ++w) c.add(torchq::GateId::CNOT, {w, (w + 1) % n});
  return c;
}

template <class T>
std::vector<Complex<T>> run(const torchq::CompiledCircuit& cc, const std::vector<T>& w, const std::vector<T>& x,
                            int local_bits, const torchq::Executor& ex, int pad_bits = torchq::kBlockPadBits) {
  const int n = cc.circuit.num_qubits();
  std::vector<Complex<T>> psi(Index{1} << n);
  const auto& k = torchq::kernels::active_kernels<T>();
  const T* wp = w.empty() ? nullptr : w.data();
  const T* xp = x.empty() ? nullptr : x.data();
  if (local_bits < 0) {
    torchq::run_circuit_unblocked<T>(psi.data(), cc, wp, xp, k, ex);
  } else {
    torchq::run_circuit_blocked<T>(psi.data(), cc, wp, xp, k, ex, local_bits, pad_bits);
  }
  return psi;
}

template <class T>
double max_abs_diff(const std::vector<Complex<T>>& a, const std::vector<Complex<T>>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(std::complex<double>(a[i]) - std::complex<double>(b[i])));
  }
  return worst;
}

/// Checks a schedule's invariants for circuit cc with m local bits, `pad` padding bits and `low`
/// always-local low bits.
void check_schedule(const torchq::CompiledCircuit& cc, const torchq::BlockSchedule& s, int m, int pad, int low) {
  const int n = cc.circuit.num_qubits();
  std::map<int, int> position;  // primitive -> place in execution order
  int pos = 0;
  for (const torchq::BlockStep& st : s.steps) {
    if (st.blocked) {
      EXPECT_LE(std::popcount(st.gate_mask), m - pad);
      EXPECT_EQ(std::popcount(st.local_mask), m);
      EXPECT_EQ(st.gate_mask & ~st.local_mask, Index{0}) << "a gate touches a non-local bit";
      EXPECT_LT(st.local_mask, Index{1} << n);
      EXPECT_EQ(st.local_mask & ((Index{1} << low) - 1), (Index{1} << low) - 1) << "low bits not local";
      // Local positions: a permutation of 0..m-1, padding below the gate bits.
      std::vector<int> seen(m, 0);
      for (int b = 0; b < n; ++b) {
        const bool local = (st.local_mask >> b) & 1U;
        ASSERT_EQ(st.local_pos[b] >= 0, local) << "bit " << b;
        if (!local) continue;
        ASSERT_LT(st.local_pos[b], m);
        ++seen[st.local_pos[b]];
        const bool gate = (st.gate_mask >> b) & 1U;
        if (gate) {
          EXPECT_GE(st.local_pos[b], pad) << "a gate bit among the padding positions";
        }
      }
      EXPECT_EQ(seen, std::vector<int>(m, 1));
      std::vector<torchq::Primitive> local;
      torchq::localise_group(st, cc, m, local);
      ASSERT_EQ(local.size(), st.prims.size());
      for (const torchq::Primitive& q : local) {  // every local layout lies within the m-qubit buffer
        EXPECT_EQ(q.layout.num_qubits, m);
        for (int t = 0; t < q.layout.num_targets; ++t) EXPECT_LT(q.layout.target_bits[t], m);
        EXPECT_LT(q.layout.ctrl_mask | q.zmask, Index{1} << m);
      }
      EXPECT_EQ(static_cast<int>(st.outer_bits.size()), n - m);
    } else {
      EXPECT_EQ(st.prims.size(), 1U);
    }
    for (int i : st.prims) EXPECT_TRUE(position.emplace(i, pos++).second) << "primitive " << i << " twice";
  }
  auto bits_of = [](const torchq::Primitive& p) { return p.touched_bits(); };
  const int np = static_cast<int>(cc.primitives.size());
  for (int i = 0; i < np; ++i) {
    ASSERT_TRUE(position.count(i)) << "primitive " << i << " missing from the schedule";
  }
  for (int i = 0; i < np; ++i) {
    for (int j = i + 1; j < np; ++j) {
      if ((bits_of(cc.primitives[i]) & bits_of(cc.primitives[j])) == 0) continue;
      EXPECT_LT(position[i], position[j]) << "primitives " << i << " and " << j << " share a bit but swapped";
    }
  }
}

TYPED_TEST(BlockedTest, RandomCircuitsMatchTheUnblockedPath) {
  using T = TypeParam;
  std::mt19937_64 rng(2024);
  // (qubits, local bits): small groups (many groups, gates wider than the group become direct
  // steps), medium ones, and the default for T (-> 0) on states where run_circuit blocks.
  struct Case {
    int n, m, pad;
  };
  const std::vector<Case> cases{{12, 6, 0}, {12, 6, 2}, {12, 9, 3}, {14, 8, 2}, {14, 11, 0},
                                {16, 10, 3}, {16, 14, 2}, {18, 12, 2}, {18, 0, 2}};
  for (const auto& [n, m, pad] : cases) {
    SCOPED_TRACE(std::to_string(n) + " qubits, " + std::to_string(m) + " local bits, padding " + std::to_string(pad));
    const auto cc = random_compiled(n, 80, rng);
    const std::vector<T> w = cast_to<T>(uniform<T>(6, -3, 3, rng));
    const std::vector<T> x = cast_to<T>(uniform<T>(3, -2, 2, rng));
    const auto expected = run<T>(cc, w, x, -1, torchq::serial_executor());
    const auto got = run<T>(cc, w, x, m, torchq::serial_executor(), pad);
    EXPECT_LE(max_abs_diff(expected, got), kBlockedTolerance<T>);
    double norm2 = 0;
    for (const auto& a : got) norm2 += std::norm(std::complex<double>(a));
    EXPECT_NEAR(norm2, 1.0, 1e3 * kBlockedTolerance<T>);
  }
}

TYPED_TEST(BlockedTest, EmbeddingsPrepareTheStateAsBefore) {
  // Basis embedding (fused one-qubit flips inside groups) and amplitude embedding (the initial
  // state, not a gate) followed by random gates.
  using T = TypeParam;
  std::mt19937_64 rng(7);
  const int n = 14;
  for (bool amplitude : {false, true}) {
    SCOPED_TRACE(amplitude ? "amplitude embedding" : "basis embedding");
    torchq::Circuit c(n, 6, 16);
    if (amplitude) {
      torchq::AmplitudeSpec spec;
      spec.feature_offset = 0;
      spec.num_features = 16;
      c.amplitude_embedding({1, 5, 9, 13}, spec);
    } else {
      c.basis_embedding({0, 3, 7, 12, 13}, 0);
    }
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = 40;
    o.num_inputs = 0;
    o.max_unitary_wires = 3;
    const torchq::Circuit gates = random_circuit(o, rng);
    for (const torchq::Operation& op : gates.operations()) c.add(op);
    const auto cc = torchq::compile(c);
    const std::vector<T> w = cast_to<T>(uniform<T>(6, -3, 3, rng));
    std::vector<T> x = cast_to<T>(uniform<T>(16, -1, 1, rng));
    if (!amplitude) {
      for (int j = 0; j < 16; ++j) x[j] = static_cast<T>(j % 3 == 0 ? 1 : 0);
    }
    const auto expected = run<T>(cc, w, x, -1, torchq::serial_executor());
    const auto got = run<T>(cc, w, x, 9, torchq::serial_executor());
    EXPECT_LE(max_abs_diff(expected, got), kBlockedTolerance<T>);
  }
}

TYPED_TEST(BlockedTest, OneAndTwoThreadsGiveBitwiseIdenticalStates) {
  using T = TypeParam;
  std::mt19937_64 rng(99);
  const torchq::OpenMPExecutor one(1), two(2);
  for (int m : {9, 0}) {
    SCOPED_TRACE(std::to_string(m) + " local bits");
    const auto cc = random_compiled(18, 60, rng);
    const std::vector<T> w = cast_to<T>(uniform<T>(6, -3, 3, rng));
    const std::vector<T> x = cast_to<T>(uniform<T>(3, -2, 2, rng));
    const auto serial = run<T>(cc, w, x, m, torchq::serial_executor());
    EXPECT_EQ(run<T>(cc, w, x, m, one), serial);
    EXPECT_EQ(run<T>(cc, w, x, m, two), serial);
  }
}

TYPED_TEST(BlockedTest, RunCircuitBlocksLargeStatesAndMatches) {
  // The public entry point: a strongly entangling layer plus random gates on a state where
  // block_pays() holds, against the unblocked path.
  using T = TypeParam;
  const int n = torchq::block_min_local_bits(sizeof(Complex<T>)) + 2;
  ASSERT_TRUE(torchq::block_pays(n, sizeof(Complex<T>)));
  // The state is a few MiB: pretend the last-level cache is smaller, so run_circuit blocks it here
  // whatever this machine's cache (run.cpp, forward_schedule).
  setenv("TORCHQ_LLC_BYTES", "1M", 1);
  EXPECT_FALSE(torchq::forward_schedule<T>(torchq::compile(strongly_entangling_layer(n))).steps.empty());
  std::mt19937_64 rng(5);
  torchq::Circuit c = strongly_entangling_layer(n);
  RandomCircuitOptions o;
  o.num_qubits = n;
  o.depth = 30;
  o.num_weights = 3 * n;
  o.num_inputs = 0;
  const torchq::Circuit gates = random_circuit(o, rng);
  for (const torchq::Operation& op : gates.operations()) c.add(op);
  const auto cc = torchq::compile(c);
  const std::vector<T> w = cast_to<T>(uniform<T>(3 * n, -3, 3, rng));
  std::vector<Complex<T>> got(Index{1} << n);
  torchq::run_circuit<T>(got.data(), cc, w.data(), nullptr, torchq::kernels::active_kernels<T>(),
                         torchq::OpenMPExecutor(2));
  EXPECT_LE(max_abs_diff(run<T>(cc, w, {}, -1, torchq::serial_executor()), got), kBlockedTolerance<T>);
  // A cache that holds it twice over: in place.
  setenv("TORCHQ_LLC_BYTES", "1G", 1);
  EXPECT_TRUE(torchq::forward_schedule<T>(cc).steps.empty());
  unsetenv("TORCHQ_LLC_BYTES");
}

TEST(CacheSize, TheMachineReportsALastLevelCache) {
  unsetenv("TORCHQ_LLC_BYTES");
  EXPECT_GE(torchq::last_level_cache_bytes(), std::size_t{256} << 10);
  setenv("TORCHQ_LLC_BYTES", "32768K", 1);
  EXPECT_EQ(torchq::last_level_cache_bytes(), std::size_t{32} << 20);
  unsetenv("TORCHQ_LLC_BYTES");
}

TEST(BlockSchedule, GroupsRespectTheSizeAndTheOrderOfGatesSharingABit) {
  std::mt19937_64 rng(11);
  for (int n : {12, 15, 18, 24}) {
    for (int m : {6, 9, 13}) {
      if (m > n) continue;
      for (const auto& [pad, low] : {std::pair{0, 0}, std::pair{2, 0}, std::pair{2, 4}, std::pair{3, 5}}) {
        SCOPED_TRACE(std::to_string(n) + " qubits, m = " + std::to_string(m) + ", padding " + std::to_string(pad) +
                     ", low bits " + std::to_string(low));
        const auto cc = random_compiled(n, 120, rng);
        check_schedule(cc, torchq::make_block_schedule(cc, m, pad, low), m, pad, low);
      }
    }
  }
}

TEST(BlockSchedule, StronglyEntanglingLayerTakesFewGroups) {
  // The target: one layer on 24 qubits (24 Rot, 24 CNOT; 96 primitives, 48 kernel calls
  // after fusion) in a handful of passes: with the defaults for double (2 padding bits, the 4
  // lowest always local) the chosen m is 16, and the layer takes two groups.
  const auto cc = torchq::compile(strongly_entangling_layer(24));
  const int low = torchq::block_low_bits(16);
  const int m = torchq::choose_local_bits(cc, 16, torchq::kBlockPadBits, low);
  EXPECT_EQ(m, 16);
  const auto s = torchq::make_block_schedule(cc, m, torchq::kBlockPadBits, low);
  check_schedule(cc, s, m, torchq::kBlockPadBits, low);
  EXPECT_EQ(s.num_groups(), static_cast<int>(s.steps.size())) << "no direct steps";
  EXPECT_EQ(s.num_groups(), 2);
}

}  // namespace
}  // namespace torchq_test
