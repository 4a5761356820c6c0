/**
 * @file test_threads.cpp
 * @brief Results do not depend on the executor: serial_executor(), OpenMPExecutor(1), (2) and (4)
 * give bitwise identical expectation values, variances, probabilities, samples and adjoint
 * gradients (parallel.h: "results never depend on the number of threads"), on small and
 * 14-qubit circuits and batch sizes 1, 3 and 8, which covers both thread policies of
 * simulator.h (threads over the batch, threads over the amplitudes). Exceptions thrown inside
 * parallel_for reach the caller.
 */
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "test_util.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::Index;
using torchq::Observable;

template <class T>
class ThreadTest : public ::testing::Test {};
TYPED_TEST_SUITE(ThreadTest, Precisions, PrecisionNames);

/// Everything the engine computes for one circuit and batch, with one executor.
template <class T>
struct Results {
  std::vector<T> ev, var, probs, gw_shared, gx_shared, gw_rows, gx_rows;
  std::vector<std::int64_t> samples;
};

template <class T>
Results<T> run_all(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
                   const std::vector<T>& w, const std::vector<T>& w_rows, const std::vector<T>& x, Index B,
                   const std::vector<T>& g, const torchq::Executor& ex) {
  Results<T> r;
  const int n = cc.circuit.num_qubits();
  const std::vector<int> wires{n - 1, 0, n / 2};
  r.ev = run_expval<T>(cc, obs, w, false, x, B, ex);
  r.var.resize(B * obs.size());
  r.probs.resize(B * 8);
  r.samples.resize(B * 64 * 3);
  const auto in = torchq::make_batch<T>(cc, w.data(), false, x.data(), B);
  torchq::variance<T>(cc, obs, in, r.var.data(), ex);
  torchq::probs<T>(cc, wires, in, r.probs.data(), ex);
  torchq::sample<T>(cc, wires, in, 64, 99, r.samples.data(), ex);
  const Grads<T> shared = run_adjoint<T>(cc, obs, w, false, x, B, g, ex);
  const Grads<T> rows = run_adjoint<T>(cc, obs, w_rows, true, x, B, g, ex);
  r.gw_shared = shared.weights;
  r.gx_shared = shared.inputs;
  r.gw_rows = rows.weights;
  r.gx_rows = rows.inputs;
  return r;
}

TYPED_TEST(ThreadTest, EveryExecutorGivesBitwiseIdenticalResults) {
  using T = TypeParam;
  const torchq::OpenMPExecutor one(1), two(2), four(4);
  const std::vector<std::pair<const char*, const torchq::Executor*>> executors{
      {"OpenMPExecutor(1)", &one}, {"OpenMPExecutor(2)", &two}, {"OpenMPExecutor(4)", &four}};
  std::mt19937_64 rng(314);
  for (int n : {4, 14}) {
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = n == 14 ? 40 : 30;
    o.num_weights = 6;
    o.num_inputs = 3;
    o.max_unitary_wires = 3;
    const auto cc = torchq::compile(random_circuit(o, rng));
    std::vector<Observable> obs{Observable::z(0), random_observable(n, rng), Observable::pauli_word("XY", {n - 1, 1})};
    const auto cobs = torchq::compile_observables(obs, n);
    for (Index B : {Index{1}, Index{3}, Index{8}}) {
      SCOPED_TRACE(std::to_string(n) + " qubits, batch " + std::to_string(B));
      const std::vector<T> w = cast_to<T>(uniform<T>(6, -3, 3, rng));
      const std::vector<T> w_rows = cast_to<T>(uniform<T>(B * 6, -3, 3, rng));
      const std::vector<T> x = cast_to<T>(uniform<T>(B * 3, -2, 2, rng));
      const std::vector<T> g = cast_to<T>(uniform<T>(B * obs.size(), -1, 1, rng));
      const Results<T> base = run_all<T>(cc, cobs, w, w_rows, x, B, g, torchq::serial_executor());
      for (const auto& [name, ex] : executors) {
        SCOPED_TRACE(name);
        const Results<T> r = run_all<T>(cc, cobs, w, w_rows, x, B, g, *ex);
        EXPECT_EQ(r.ev, base.ev);
        EXPECT_EQ(r.var, base.var);
        EXPECT_EQ(r.probs, base.probs);
        EXPECT_EQ(r.samples, base.samples);
        EXPECT_EQ(r.gw_shared, base.gw_shared);
        EXPECT_EQ(r.gx_shared, base.gx_shared);
        EXPECT_EQ(r.gw_rows, base.gw_rows);
        EXPECT_EQ(r.gx_rows, base.gx_rows);
      }
      // Sanity: the numbers are not trivially equal because they are all zero.
      EXPECT_NE(base.gw_shared, std::vector<T>(base.gw_shared.size(), T(0)));
    }
  }
}

TYPED_TEST(ThreadTest, BatchSamplesAreIndependentOfTheirNeighbours) {
  // Sample b of a batch gives the same numbers as a batch of one holding only sample b: bit for bit
  // when both take the same path, to rounding here, where the batch of 8 takes the lane path
  // (lanes/lane_batch.h) and a batch of one on 5 qubits the one-sample path.
  using T = TypeParam;
  std::mt19937_64 rng(5);
  RandomCircuitOptions o;
  o.num_qubits = 5;
  const auto cc = torchq::compile(random_circuit(o, rng));
  const auto cobs = torchq::compile_observables({random_observable(5, rng)}, 5);
  const Index B = 8;
  const std::vector<T> w = cast_to<T>(uniform<T>(o.num_weights, -3, 3, rng));
  const std::vector<T> x = cast_to<T>(uniform<T>(B * o.num_inputs, -2, 2, rng));
  const std::vector<T> all = run_expval<T>(cc, cobs, w, false, x, B, torchq::OpenMPExecutor(2));
  for (Index b = 0; b < B; ++b) {
    const std::vector<T> xb(x.begin() + b * o.num_inputs, x.begin() + (b + 1) * o.num_inputs);
    EXPECT_NEAR(run_expval<T>(cc, cobs, w, false, xb, 1)[0], all[b], Precision<T>::kDeep) << "sample " << b;
  }
}

// ---- The executors themselves ----

TEST(Executor, ChunksAreDisjointCoverTheRangeAndRespectTheGrain) {
  const torchq::OpenMPExecutor one(1), two(2), three(3);
  for (const torchq::Executor* ex : {static_cast<const torchq::Executor*>(&torchq::serial_executor()),
                                     static_cast<const torchq::Executor*>(&one), static_cast<const torchq::Executor*>(&two),
                                     static_cast<const torchq::Executor*>(&three)}) {
    for (Index n : {Index{0}, Index{1}, Index{7}, Index{100}, Index{4097}, Index{100000}}) {
      for (Index grain : {Index{1}, Index{16}, Index{4096}}) {
        std::vector<int> hits(n, 0);
        std::mutex m;
        std::vector<std::pair<Index, Index>> chunks;
        ex->parallel_for(n, grain, [&](Index b, Index e) {
          for (Index i = b; i < e; ++i) ++hits[i];  // disjoint chunks: no race
          std::lock_guard<std::mutex> lock(m);
          chunks.emplace_back(b, e);
        });
        for (Index i = 0; i < n; ++i) ASSERT_EQ(hits[i], 1) << "index " << i << " of " << n;
        for (const auto& [b, e] : chunks) {
          EXPECT_LT(b, e);
          EXPECT_GE(e - b, std::min(grain, n)) << "chunk [" << b << ", " << e << ") with grain " << grain;
        }
        EXPECT_LE(chunks.size(), static_cast<std::size_t>(ex->num_threads()));
      }
    }
  }
}

TEST(Executor, OpenMPExecutorThreadCounts) {
  EXPECT_EQ(torchq::OpenMPExecutor(3).num_threads(), 3);
  EXPECT_GE(torchq::OpenMPExecutor(0).num_threads(), 1);
  EXPECT_EQ(torchq::serial_executor().num_threads(), 1);
  EXPECT_THROW(torchq::OpenMPExecutor(-1), torchq::ArgumentError);
}

TEST(Executor, NestedLoopsRunSeriallyInsideAChunk) {
  const torchq::OpenMPExecutor two(2);
  std::atomic<int> inner_chunks{0};
  two.parallel_for(2, 1, [&](Index, Index) {
    two.parallel_for(100000, 1, [&](Index b, Index e) {
      EXPECT_EQ(b, 0u);
      EXPECT_EQ(e, 100000u);
      ++inner_chunks;
    });
  });
  EXPECT_EQ(inner_chunks.load(), 2);
}

TEST(Executor, DeterministicSumIsIdenticalForEveryExecutor) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> v(100003);
  for (double& d : v) d = u(rng) * std::pow(10.0, static_cast<int>(rng() % 12));  // rounding-sensitive
  auto sum = [&](const torchq::Executor& ex) {
    return torchq::deterministic_sum<double>(ex, v.size(), 1000, [&](Index b, Index e) {
      double s = 0;
      for (Index i = b; i < e; ++i) s += v[i];
      return s;
    });
  };
  const double base = sum(torchq::serial_executor());
  EXPECT_EQ(sum(torchq::OpenMPExecutor(2)), base);
  EXPECT_EQ(sum(torchq::OpenMPExecutor(3)), base);
  EXPECT_EQ(sum(torchq::OpenMPExecutor(7)), base);
}

class ChunkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

TEST(Executor, ExceptionsInsideParallelForReachTheCaller) {
  const torchq::OpenMPExecutor two(2), four(4);
  for (const torchq::OpenMPExecutor* ex : {&two, &four}) {
    // Thrown by the chunk that holds index 90000 only (not the first chunk, so not the calling thread's).
    try {
      ex->parallel_for(100000, 1, [&](Index b, Index e) {
        if (b <= 90000 && 90000 < e) throw ChunkError("chunk [" + std::to_string(b) + ", " + std::to_string(e) + ")");
      });
      ADD_FAILURE() << "no exception";
    } catch (const ChunkError& e) {
      EXPECT_NE(std::string(e.what()).find("chunk ["), std::string::npos);
    }
    // Every chunk throws: exactly one exception comes out, and the executor still works afterwards.
    EXPECT_THROW(ex->parallel_for(100000, 1, [](Index, Index) { throw ChunkError("all"); }), ChunkError);
    std::atomic<Index> total{0};
    ex->parallel_for(1000, 1, [&](Index b, Index e) { total += e - b; });
    EXPECT_EQ(total.load(), 1000u);
  }
}

TYPED_TEST(ThreadTest, EngineErrorsInWorkerThreadsReachTheCaller) {
  using T = TypeParam;
  // A BasisEmbedding input of 0.5 in sample 6 of 8: raised inside a worker of the batch loop.
  torchq::Circuit c(3, 0, 3);
  c.basis_embedding({0, 1, 2}, 0);
  const auto cc = torchq::compile(c);
  const auto cobs = torchq::compile_observables({Observable::z(0)}, 3);
  std::vector<T> x(8 * 3, T(1));
  x[6 * 3 + 1] = T(0.5);
  for (int threads : {2, 4}) {
    const torchq::OpenMPExecutor ex(threads);
    EXPECT_THROW(run_expval<T>(cc, cobs, {}, false, x, 8, ex), torchq::ArgumentError);
    EXPECT_THROW(run_adjoint<T>(cc, cobs, {}, false, x, 8, std::vector<T>(8, T(1)), ex), torchq::ArgumentError);
    std::vector<T> p(8 * 2);
    EXPECT_THROW(torchq::probs<T>(cc, {0}, torchq::make_batch<T>(cc, nullptr, false, x.data(), 8), p.data(), ex),
                 torchq::ArgumentError);
  }
  x[6 * 3 + 1] = T(0);
  EXPECT_NO_THROW(run_expval<T>(cc, cobs, {}, false, x, 8, torchq::OpenMPExecutor(2)));
}

}  // namespace
}  // namespace torchq_test
