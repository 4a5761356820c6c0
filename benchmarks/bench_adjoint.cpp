/**
 * @file bench_adjoint.cpp
 * @brief Forward (expval) and adjoint backward (adjoint_expval_backward) of layered circuits.
 *
 * The circuit is the usual hardware-efficient ansatz: `layers` times {RY(w) and RZ(w) on every
 * wire, then a ring of CNOTs (q, q+1 mod n)}, observables <Z_q> on every wire, upstream gradient
 * all ones. Two problems:
 *   large   20 qubits, 10 layers, batch 1: threads split the amplitudes;
 *   batched  8 qubits,  4 layers, batch 32, with an RY(input) angle embedding so the samples
 *           differ: threads split the batch (see simulator.h), and the input gradient is taken too.
 *   small    2, 4 and 6 qubits, batches of 1024, 256 and 256, embedded as `batched`: the lane
 *           path (lanes/lane_batch.h); the counter us_per_sample is the figure to read.
 *
 * Rows:
 *   adjoint<T>/forward/...           expval alone;
 *   adjoint<T>/forward_backward/...  expval keeping the final states, then
 *                                    adjoint_expval_backward from them (what the ops do when
 *                                    training), the two phases timed separately into the
 *                                    counters fwd_ms, bwd_ms and bwd_over_fwd (backward time /
 *                                    forward time).
 */
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "torchq/parallel_openmp.h"
#include "torchq/torchq.h"

namespace torchq::bench {
namespace {

struct Shape {
  const char* name;
  int qubits;
  int layers;
  int batch;
  bool embed;  ///< RY(input) angle embedding on every wire before the layers
};

constexpr Shape kShapes[] = {
    {"large", 20, 10, 1, false},
    {"batched", 8, 4, 32, true},
    // Small circuits, big batches (the lane path, torchq/lanes/): per-sample microseconds.
    {"small", 2, 1, 1024, true},
    {"small", 4, 2, 256, true},
    {"small", 6, 2, 256, true},
};
constexpr int kThreads[] = {1, 2};

Circuit layered_circuit(const Shape& s) {
  const int n = s.qubits;
  Circuit c(n, 2 * n * s.layers, s.embed ? n : 0);
  if (s.embed) {
    for (int q = 0; q < n; ++q) c.add(GateId::RY, {q}, {ParamRef::input(q)});
  }
  int w = 0;
  for (int l = 0; l < s.layers; ++l) {
    for (int q = 0; q < n; ++q) {
      c.add(GateId::RY, {q}, {ParamRef::weight(w++)});
      c.add(GateId::RZ, {q}, {ParamRef::weight(w++)});
    }
    for (int q = 0; q < n; ++q) c.add(GateId::CNOT, {q, (q + 1) % n});
  }
  return c;
}

/// A compiled problem with its buffers, built before timing.
template <class T>
struct Problem {
  CompiledCircuit cc;
  std::vector<CompiledObservable> obs;
  std::vector<T> weights, inputs, out, grad_out, grad_weights, grad_inputs;
  std::vector<Complex<T>> final_states;  ///< kept by the training forward for the backward
  BatchInputs<T> in;

  explicit Problem(const Shape& s) : cc(compile(layered_circuit(s))) {
    const int n = s.qubits;
    std::vector<Observable> o;
    for (int q = 0; q < n; ++q) o.push_back(Observable::z(q));
    obs = compile_observables(o, n);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-3.0, 3.0);
    weights.resize(cc.circuit.num_weights());
    inputs.resize(static_cast<std::size_t>(s.batch) * cc.circuit.num_inputs());
    for (T& v : weights) v = static_cast<T>(u(rng));
    for (T& v : inputs) v = static_cast<T>(u(rng));
    out.resize(static_cast<std::size_t>(s.batch) * n);
    grad_out.assign(out.size(), T(1));
    grad_weights.resize(weights.size());
    grad_inputs.resize(inputs.size());
    in = make_batch<T>(cc, weights.data(), false, inputs.empty() ? nullptr : inputs.data(), s.batch);
    final_states.resize(static_cast<std::size_t>(s.batch) << n);
  }

  void forward(const Executor& ex) { expval<T>(cc, obs, in, out.data(), ex); }
  void forward_keeping_states(const Executor& ex) { expval<T>(cc, obs, in, out.data(), ex, final_states.data()); }
  void backward(const Executor& ex) {
    adjoint_expval_backward<T>(cc, obs, in, grad_out.data(), grad_weights.data(),
                               grad_inputs.empty() ? nullptr : grad_inputs.data(), ex, final_states.data());
  }
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Counters shared by all rows; `seconds` is the wall time of all iterations together.
template <class T>
void set_shape_counters(benchmark::State& state, const Problem<T>& p, const Shape& s, double seconds) {
  state.counters["gates"] = static_cast<double>(p.cc.primitives.size());
  state.counters["params"] = static_cast<double>(p.weights.size());
  // Time per sample, for comparing batch sizes (plain number: no unit suffix on the console).
  if (state.iterations() > 0) state.counters["us_per_sample"] = seconds * 1e6 / (state.iterations() * s.batch);
}

template <class T>
void bm_forward(benchmark::State& state, Shape s, int threads) {
  Problem<T> p(s);
  const OpenMPExecutor ex(threads);
  const auto t0 = Clock::now();
  for (auto _ : state) {
    p.forward(ex);
    benchmark::DoNotOptimize(p.out.data());
    benchmark::ClobberMemory();
  }
  set_shape_counters(state, p, s, seconds_since(t0));
}

template <class T>
void bm_forward_backward(benchmark::State& state, Shape s, int threads) {
  Problem<T> p(s);
  const OpenMPExecutor ex(threads);
  double fwd = 0, bwd = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    p.forward_keeping_states(ex);
    benchmark::DoNotOptimize(p.out.data());
    benchmark::ClobberMemory();
    fwd += seconds_since(t0);
    const auto t1 = Clock::now();
    p.backward(ex);
    benchmark::DoNotOptimize(p.grad_weights.data());
    benchmark::ClobberMemory();
    bwd += seconds_since(t1);
  }
  using C = benchmark::Counter;
  state.counters["fwd_ms"] = C(fwd * 1e3, C::kAvgIterations);
  state.counters["bwd_ms"] = C(bwd * 1e3, C::kAvgIterations);
  state.counters["bwd_over_fwd"] = fwd > 0 ? bwd / fwd : 0.0;
  set_shape_counters(state, p, s, fwd + bwd);
}

template <class T>
void register_type(const char* type_name) {
  for (const Shape& s : kShapes) {
    const std::string shape = std::string(s.name) + "/qubits:" + std::to_string(s.qubits) +
                              "/layers:" + std::to_string(s.layers) + "/batch:" + std::to_string(s.batch);
    for (int t : kThreads) {
      const std::string tail = shape + "/threads:" + std::to_string(t);
      const std::string prefix = std::string("adjoint<") + type_name + ">/";
      for (auto* b : {benchmark::RegisterBenchmark((prefix + "forward/" + tail).c_str(), bm_forward<T>, s, t),
                      benchmark::RegisterBenchmark((prefix + "forward_backward/" + tail).c_str(),
                                                   bm_forward_backward<T>, s, t)}) {
        b->UseRealTime()->Unit(benchmark::kMillisecond);
        // A 20-qubit forward pass is a sizeable fraction of a second: run a fixed count.
        if (s.qubits >= 20) b->Iterations(3);
      }
    }
  }
}

}  // namespace
}  // namespace torchq::bench

int main(int argc, char** argv) {
  using namespace torchq;
  bench::register_type<double>("double");
  bench::register_type<float>("float");
  benchmark::AddCustomContext("torchq_isa", kernels::isa_name(kernels::active_kernels<double>().isa));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
