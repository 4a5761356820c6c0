/**
 * @file tsan_driver.cpp
 * @brief ThreadSanitizer driver of the core's threaded paths (build-tsan, scripts/sanitize.sh).
 *
 * The core's loops run on an injected Executor (parallel.h); here it is ThreadExecutor
 * (std::thread, parallel_threads.h), which TSan instruments fully, unlike an OpenMP runtime.
 * Several driver threads call the core AT THE SAME TIME, sharing the compiled circuits and
 * observables (as concurrent torch ops do), each with its own executor of 2, 3 or 4 threads, and
 * every result must be bitwise identical to a run on the serial executor ("results never depend
 * on the number of threads", parallel.h). The jobs cover both thread policies (threads over the
 * batch, threads over the amplitudes), the cache-blocked forward and adjoint paths (16 qubits in
 * float64, blocked.h / adjoint_blocked.h), probs, samples, variances, the estimators (shots drawn
 * from binomial distributions, trajectories, the density matrix, parameter shift) and the memory
 * guard under contention. An executor loop started inside a chunk (a nested loop, which the core
 * promises never to make) is counted and fails the run.
 *
 * Exit status 0 when every result matched; TSan itself fails the run on any report
 * (TSAN_OPTIONS=halt_on_error=1 in scripts/sanitize.sh).
 */
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "torchq/parallel_threads.h"
#include "torchq/torchq.h"

namespace {

using namespace torchq;

std::atomic<int> g_nested_loops{0};

/// ThreadExecutor that counts loops started from inside a chunk (the core must never nest).
class CheckingExecutor final : public Executor {
 public:
  explicit CheckingExecutor(int threads) : inner_(threads) {}
  int num_threads() const override { return inner_.num_threads(); }
  void parallel_for(Index n, Index grain, ChunkFn fn) const override {
    if (ThreadExecutor::in_parallel_region()) g_nested_loops.fetch_add(1);
    inner_.parallel_for(n, grain, fn);
  }

 private:
  ThreadExecutor inner_;
};

/// Everything a job computed, as bytes: compared with memcmp, so -0 vs 0 and every last bit count.
struct Bytes {
  std::vector<unsigned char> data;
  template <class V>
  void add(const std::vector<V>& v) {
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    data.insert(data.end(), p, p + v.size() * sizeof(V));
  }
};

struct Job {
  std::string name;
  std::function<Bytes(const Executor&)> run;
};

/// Layers of rotations by weights and features, entanglers with extra controls, and a unitary.
Circuit layered_circuit(int n, int layers, int num_inputs, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> scale(0.5, 1.5);
  const int num_weights = layers * n * 2;
  Circuit c(n, num_weights, num_inputs);
  int w = 0;
  for (int l = 0; l < layers; ++l) {
    for (int q = 0; q < n; ++q) {
      c.add(GateId::RY, {q}, {ParamRef::input((q + l) % num_inputs, scale(rng))});
      c.add(GateId::RZ, {q}, {ParamRef::weight(w++)});
      c.add(GateId::RX, {q}, {ParamRef::weight(w++, scale(rng))});
    }
    for (int q = 0; q < n; ++q) c.add(GateId::CNOT, {q, (q + 1 + l % (n - 1)) % n});
    c.add(GateId::CRX, {0, n - 1}, {ParamRef::input(l % num_inputs)}, {n / 2});
    c.add(GateId::IsingZZ, {n - 1, 0}, {ParamRef::constant(0.3 + l)});
    c.add(GateId::H, {n / 2});
  }
  const double r = 1.0 / std::sqrt(2.0);
  c.unitary({n - 1, 0}, {r, 0, r, 0, 0, r, 0, r, 0, r, 0, -r, r, 0, -r, 0});
  return c;
}

std::vector<Observable> some_observables(int n) {
  Observable h = Observable::pauli_word("XZ", {0, n - 1}, 0.5);
  h.add_term(-0.75, "YY", {1, 2}).add_term(0.25, "", {});
  return {Observable::z(0), Observable::z(n - 1), h};
}

template <class T>
std::vector<T> values(std::size_t count, double lo, double step) {
  std::vector<T> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<T>(lo + step * static_cast<double>(i % 23));
  return v;
}

/// The pure-state run modes of simulator.h and adjoint.h for one circuit and batch.
template <class T>
Job pure_job(const std::string& name, const CompiledCircuit& cc, const std::vector<CompiledObservable>& obs,
             Index batch, bool everything) {
  return {name, [&cc, &obs, batch, everything](const Executor& ex) {
            const int n = cc.circuit.num_qubits();
            const int P = cc.circuit.num_weights(), F = cc.circuit.num_inputs();
            const auto w = values<T>(P, -2.0, 0.21);
            const auto w_rows = values<T>(batch * P, -1.5, 0.17);
            const auto x = values<T>(batch * F, -1.0, 0.13);
            const auto in = make_batch<T>(cc, w.data(), false, x.data(), batch);
            const auto in_rows = make_batch<T>(cc, w_rows.data(), true, x.data(), batch);
            const Index K = obs.size();
            Bytes out;
            std::vector<T> ev(batch * K);
            std::vector<Complex<T>> kept(batch * (Index{1} << n));
            expval<T>(cc, obs, in, ev.data(), ex, kept.data());
            out.add(ev);
            const std::vector<T> g = values<T>(batch * K, -0.8, 0.3);
            std::vector<T> gw(P), gx(batch * F), gw_rows(batch * P), gx_rows(batch * F);
            adjoint_expval_backward<T>(cc, obs, in, g.data(), gw.data(), gx.data(), ex, kept.data());
            adjoint_expval_backward<T>(cc, obs, in_rows, g.data(), gw_rows.data(), gx_rows.data(), ex);
            out.add(gw);
            out.add(gx);
            out.add(gw_rows);
            out.add(gx_rows);
            if (!everything) return out;
            std::vector<T> var(batch * K);
            variance<T>(cc, obs, in, var.data(), ex);
            out.add(var);
            const std::vector<int> wires{n - 1, 0, 2};
            std::vector<T> pr(batch * 8);
            probs<T>(cc, wires, in, pr.data(), ex);
            out.add(pr);
            std::vector<std::int64_t> samples(batch * 32 * wires.size());
            sample<T>(cc, wires, in, 32, 1234, samples.data(), ex);
            out.add(samples);
            const std::vector<T> gp = values<T>(batch * 8, -0.5, 0.1);
            std::vector<T> gwp(P), gwv(P);
            adjoint_probs_backward<T>(cc, wires, in, gp.data(), gwp.data(), nullptr, ex);
            adjoint_variance_backward<T>(cc, obs, in, g.data(), gwv.data(), nullptr, ex);
            out.add(gwp);
            out.add(gwv);
            std::vector<Complex<T>> st(batch * (Index{1} << n));
            final_state<T>(cc, in, st.data(), ex);
            out.add(st);
            return out;
          }};
}

/// The estimators of estimators.h: shots, trajectories, the density matrix, and their gradients.
template <class T>
Job estimator_job(const std::string& name, const CompiledCircuit& cc, const std::vector<CompiledObservable>& obs,
                  Index batch, EstimatorMode mode, std::int64_t shots, std::int64_t trajectories) {
  return {name, [&cc, &obs, batch, mode, shots, trajectories](const Executor& ex) {
            const int P = cc.circuit.num_weights(), F = cc.circuit.num_inputs();
            const auto w = values<T>(P, -2.0, 0.21);
            const auto x = values<T>(batch * F, -1.0, 0.13);
            const auto in = make_batch<T>(cc, w.data(), false, x.data(), batch);
            EstimatorOptions o;
            o.mode = mode;
            o.shots = shots;
            o.trajectories = trajectories;
            o.seed = 77;
            Bytes out;
            std::vector<T> ev(batch * obs.size());
            expval_estimated<T>(cc, obs, in, o, ev.data(), ex);
            out.add(ev);
            const std::vector<T> g = values<T>(batch * obs.size(), -0.8, 0.3);
            std::vector<T> gw(P), gx(batch * F);
            expval_estimated_backward<T>(cc, obs, in, o, g.data(), gw.data(), gx.data(), ex);
            out.add(gw);
            out.add(gx);
            return out;
          }};
}

/// Runs every job on `threads` driver threads at once (each with its own executor) and compares
/// with the serial references. Returns the number of mismatches.
int run_concurrently(const std::vector<Job>& jobs, const std::vector<Bytes>& reference, const char* phase) {
  const int kDrivers = 3;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> drivers;
  for (int d = 0; d < kDrivers; ++d) {
    drivers.emplace_back([&, d] {
      const CheckingExecutor ex(2 + d);
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        const std::size_t k = (j + d) % jobs.size();  // each driver starts elsewhere: overlap differs
        try {
          const Bytes got = jobs[k].run(ex);
          if (got.data != reference[k].data) {
            std::fprintf(stderr, "[%s] MISMATCH: %s with %d threads differs from the serial run\n", phase,
                         jobs[k].name.c_str(), 2 + d);
            mismatches.fetch_add(1);
          }
        } catch (const std::exception& e) {
          std::fprintf(stderr, "[%s] %s with %d threads threw: %s\n", phase, jobs[k].name.c_str(), 2 + d, e.what());
          mismatches.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : drivers) t.join();
  return mismatches.load();
}

/// The memory guard under contention: a limit that admits each call alone; concurrent calls may be
/// refused (MemoryError) but never return wrong numbers, and a 40-qubit request is always refused.
int memory_phase(const Job& job, const Bytes& reference) {
  set_memory_limit_bytes(std::uint64_t{3} << 20);
  std::atomic<int> failures{0}, refused{0}, ok{0};
  // Alone, the call fits (else the phase would test nothing).
  if (job.run(CheckingExecutor(2)).data != reference.data) {
    std::fprintf(stderr, "[memory] %s alone under the limit differs from the serial run\n", job.name.c_str());
    failures.fetch_add(1);
  }
  std::vector<std::thread> drivers;
  for (int d = 0; d < 4; ++d) {
    drivers.emplace_back([&, d] {
      const CheckingExecutor ex(2);
      for (int round = 0; round < 2; ++round) {
        try {
          if (job.run(ex).data == reference.data) {
            ok.fetch_add(1);
          } else {
            std::fprintf(stderr, "[memory] MISMATCH in %s (driver %d)\n", job.name.c_str(), d);
            failures.fetch_add(1);
          }
        } catch (const MemoryError&) {
          refused.fetch_add(1);
        }
        try {
          check_state_memory(40, sizeof(Complex<double>), 1, 0, "tsan_driver 40 qubits");
          std::fprintf(stderr, "[memory] a 40-qubit state was not refused\n");
          failures.fetch_add(1);
        } catch (const MemoryError&) {
        }
      }
    });
  }
  for (auto& t : drivers) t.join();
  set_memory_limit_bytes(0);
  std::printf("memory guard: %d calls ran (bitwise equal), %d refused with MemoryError\n", ok.load(), refused.load());
  return failures.load();
}

}  // namespace

int main() {
  const int kSmall = 6, kLarge = 16, kNoisy = 4, kDensity = 3;
  const CompiledCircuit small = compile(layered_circuit(kSmall, 3, 3, 1));
  const CompiledCircuit large = compile(layered_circuit(kLarge, 2, 4, 2));
  const CompiledCircuit noisy =
      compile(add_noise_after_each_gate(layered_circuit(kNoisy, 1, 2, 3), "DepolarizingChannel", 0.05));
  const CompiledCircuit dense = compile(add_noise_after_each_gate(layered_circuit(kDensity, 1, 2, 4), "AmplitudeDamping", 0.1));
  const auto obs_small = compile_observables(some_observables(kSmall), kSmall);
  const auto obs_large = compile_observables(some_observables(kLarge), kLarge);
  const auto obs_noisy = compile_observables(some_observables(kNoisy), kNoisy);
  const auto obs_dense = compile_observables(some_observables(kDensity), kDensity);

  const std::vector<Job> jobs{
      pure_job<double>("6 qubits, batch 8, double: expval var probs sample state + adjoints", small, obs_small, 8, true),
      pure_job<float>("6 qubits, batch 1, float: threads over amplitudes", small, obs_small, 1, true),
      pure_job<double>("16 qubits, batch 1, double: blocked forward + blocked adjoint", large, obs_large, 1, false),
      pure_job<double>("16 qubits, batch 2, double: blocked, threads over the batch", large, obs_large, 2, false),
      estimator_job<double>("statevector, 200 shots (binomial draws)", small, obs_small, 5, EstimatorMode::kStatevector,
                            200, 1),
      estimator_job<float>("trajectories x6, 50 shots: parameter shift", noisy, obs_noisy, 3,
                           EstimatorMode::kTrajectories, 50, 6),
      estimator_job<double>("density matrix, exact: adjoint on rho", dense, obs_dense, 3,
                            EstimatorMode::kDensityMatrix, 0, 1),
  };
  std::vector<Bytes> reference;
  for (const Job& j : jobs) reference.push_back(j.run(serial_executor()));

  int failures = run_concurrently(jobs, reference, "concurrent");
  failures += memory_phase(jobs[2], reference[2]);
  if (g_nested_loops.load() != 0) {
    std::fprintf(stderr, "%d executor loops were started inside a chunk (the core must never nest)\n",
                 g_nested_loops.load());
    ++failures;
  }
  std::printf("tsan_driver: %zu jobs x 3 concurrent drivers (2, 3, 4 threads each) + memory guard: %s\n",
              jobs.size(), failures == 0 ? "all bitwise equal to the serial run" : "FAILED");
  return failures == 0 ? 0 : 1;
}
