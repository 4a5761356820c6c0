/**
 * @file bench_gates.cpp
 * @brief One pass of each gate kernel over an n-qubit state, next to the memory-bandwidth bound.
 *
 * Every gate here touches each amplitude (or, for CNOT, each amplitude whose control bit is 1)
 * once: it reads it and writes it back. So on a state far larger than the caches no gate can
 * beat one in-place read-and-write pass over the same bytes, which is what
 * KernelTable::read_write_pass does. Each gate row therefore reports:
 *   ns_per_amp  wall time of one pass divided by 2^n (all amplitudes, touched or not);
 *   bytes_per_second  2 * 2^n * sizeof(amplitude) per pass (the state read once and written
 *               once) divided by wall time: the same numerator for every row, so it reads as an
 *               effective bandwidth comparable with read_write_pass's;
 *   x_rw        pass time / the time of one read_write_pass of the same state, with the same
 *               executor (measured once per size, type and thread count before the first row that
 *               needs it): 1.0 means the kernel runs at the bandwidth bound.
 *
 * Rows named kernel<T>/... call the kernel table directly (kernels::active_kernels<T>()) with a
 * GateLayout from make_layout; rows named primitive<T>/... go through apply_primitive, which adds
 * the per-call work of the simulator (angle resolution, building the matrix, the switch).
 * Targets sit at the middle wire (wire 0 is the most significant bit, see types.h), so the inner
 * runs are neither the contiguous low-bit case nor the strided top-bit case. The kernel rows
 * named *_bit0, *_bit1, CNOT_ctrl0, CNOT_target0/1 and CNOT_ctrl1_target0 put a target or control on
 * bit 0 or 1 instead (wire n-1 is bit 0): runs of 1 or 2 amplitudes, the kernels' short-run paths.
 *
 * Rows named layer<T>/strongly_entangling/... time a whole strongly entangling layer (Rot on every
 * wire, then a ring of CNOTs) blocked (blocked.h) and unblocked, with the counter "passes" (the
 * layer's time in read_write_pass units; see bm_layer).
 *
 * The state is allocated once per (qubit count, type) and reused by every row of that size, and
 * at most one state is alive at a time (26 qubits of complex<double> is 1 GiB).
 */
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <map>
#include <memory>
#include <numbers>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "torchq/blocked.h"
#include "torchq/parallel_openmp.h"
#include "torchq/torchq.h"

namespace torchq::bench {
namespace {

/// Qubit counts of the kernel rows and of the (shorter) primitive rows. Per-call overhead of
/// apply_primitive only shows at small sizes, so its rows stop at 24.
constexpr int kKernelQubits[] = {10, 14, 18, 22, 24, 26};
constexpr int kPrimitiveQubits[] = {10, 14, 18, 24};
constexpr int kThreads[] = {1, 2};
/// Qubit counts of the strongly entangling layer rows (blocked vs unblocked forward pass).
constexpr int kLayerQubits[] = {18, 20, 22, 24};

enum class Gate {
  kRX, kRZ, kX, kCNOT, kIsingXX, kSWAP, kIsingZZ, kUnitary3, kReadWrite,
  // Low-bit placements (kernel rows only): runs shorter than 4 amplitudes.
  kRXBit0, kRXBit1, kRZBit0, kXBit0, kCNOTCtrl0, kCNOTTarget0, kCNOTTarget1, kCNOTBits10,
};

struct GateSpec {
  Gate gate;
  const char* name;
};

constexpr GateSpec kGates[] = {
    {Gate::kReadWrite, "read_write_pass"},  // first: the reference for the rows after it
    {Gate::kRX, "RX"},           // dense1
    {Gate::kRZ, "RZ"},           // diag1
    {Gate::kX, "X"},             // flip1 (antidiag1 with both entries 1)
    {Gate::kCNOT, "CNOT"},       // flip1 with one control
    {Gate::kIsingXX, "IsingXX"}, // dense2
    {Gate::kSWAP, "SWAP"},       // swap2
    {Gate::kIsingZZ, "IsingZZ"}, // parity_phase
    {Gate::kUnitary3, "QubitUnitary3"},  // densek, k = 3
    {Gate::kRXBit0, "RX_bit0"},             // dense1, target bit 0
    {Gate::kRXBit1, "RX_bit1"},             // dense1, target bit 1
    {Gate::kRZBit0, "RZ_bit0"},             // diag1, target bit 0
    {Gate::kXBit0, "X_bit0"},               // flip1, target bit 0
    {Gate::kCNOTCtrl0, "CNOT_ctrl0"},       // control bit 0, target at the middle
    {Gate::kCNOTTarget0, "CNOT_target0"},   // control at the middle, target bit 0
    {Gate::kCNOTTarget1, "CNOT_target1"},   // control at the middle, target bit 1
    {Gate::kCNOTBits10, "CNOT_ctrl1_target0"},  // control bit 1, target bit 0 (ring's last CNOT)
};

bool low_bit_gate(Gate g) { return g >= Gate::kRXBit0; }

constexpr double kAngle = 0.3;

// ---------------------------------------------------------------------------------------------
// Shared state: one live statevector at a time.

struct StateCache {
  std::unique_ptr<StateVector<float>> f;
  std::unique_ptr<StateVector<double>> d;
};

StateCache& cache() {
  static StateCache c;
  return c;
}

/// An n-qubit state of type T filled with non-trivial amplitudes of norm about 1 (so float stays
/// far from denormals); frees any other cached state first.
template <class T>
Complex<T>* cached_state(int n) {
  StateCache& c = cache();
  auto& slot = [&]() -> std::unique_ptr<StateVector<T>>& {
    if constexpr (std::is_same_v<T, float>) {
      return c.f;
    } else {
      return c.d;
    }
  }();
  if (!slot || slot->num_qubits() != n) {
    c.f.reset();
    c.d.reset();
    slot = std::make_unique<StateVector<T>>(n);
    Complex<T>* psi = slot->data();
    const Index size = slot->size();
    const double scale = 1.0 / std::sqrt(static_cast<double>(size));
    // Fill on all threads: first touch of 1 GiB is slow, and this is outside any timing.
    OpenMPExecutor(0).parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) {
        psi[i] = Complex<T>(static_cast<T>(scale * (0.5 + 0.125 * static_cast<double>(i & 7))),
                            static_cast<T>(scale * (0.375 - 0.25 * static_cast<double>((i >> 3) & 3))));
      }
    });
  }
  return slot->data();
}

// ---------------------------------------------------------------------------------------------
// Gates called through the kernel table.

template <class T>
std::vector<Complex<T>> matrix_of(GateId id, double angle) {
  const SmallMatrix sm = base_gate_matrix(id, angle);
  std::vector<Complex<T>> m(sm.dim * sm.dim);
  for (int j = 0; j < sm.dim * sm.dim; ++j) m[j] = to_t<T>(sm.m[j]);
  return m;
}

/// The 8x8 discrete Fourier transform / sqrt(8): dense and unitary, so repeated passes keep norms.
std::vector<std::complex<double>> dft8() {
  constexpr int kDim = 8;
  std::vector<std::complex<double>> m(kDim * kDim);
  for (int r = 0; r < kDim; ++r) {
    for (int c = 0; c < kDim; ++c) {
      m[r * kDim + c] = std::polar(1.0 / std::sqrt(double{kDim}), 2 * std::numbers::pi * r * c / kDim);
    }
  }
  return m;
}

/// Wires each gate acts on in an n-qubit register (controls first, as in PennyLane).
std::vector<int> wires_of(Gate g, int n) {
  const int mid = n / 2;
  switch (g) {
    case Gate::kCNOT: return {mid - 1, mid};
    case Gate::kIsingXX:
    case Gate::kSWAP:
    case Gate::kIsingZZ: return {mid, mid + 1};
    case Gate::kUnitary3: return {mid - 1, mid, mid + 1};
    case Gate::kRXBit0:
    case Gate::kRZBit0:
    case Gate::kXBit0: return {n - 1};
    case Gate::kRXBit1: return {n - 2};
    case Gate::kCNOTCtrl0: return {n - 1, mid};
    case Gate::kCNOTTarget0: return {mid, n - 1};
    case Gate::kCNOTTarget1: return {mid, n - 2};
    case Gate::kCNOTBits10: return {n - 2, n - 1};
    default: return {mid};
  }
}

/// Everything one kernel call needs, built before timing.
template <class T>
struct KernelCall {
  Gate gate;
  GateLayout layout;
  std::vector<Complex<T>> m;
  Index zmask = 0;
  Index size = 0;

  KernelCall(Gate g, int n) : gate(g), size(Index{1} << n) {
    std::vector<int> bits;
    for (int w : wires_of(g, n)) bits.push_back(wire_to_bit(n, w));
    switch (g) {
      case Gate::kRX:
      case Gate::kRXBit0:
      case Gate::kRXBit1: m = matrix_of<T>(GateId::RX, kAngle); break;
      case Gate::kRZ:
      case Gate::kRZBit0: {
        const auto full = matrix_of<T>(GateId::RZ, kAngle);
        m = {full[0], full[3]};
        break;
      }
      case Gate::kX:
      case Gate::kXBit0:
      case Gate::kCNOT:
      case Gate::kCNOTCtrl0:
      case Gate::kCNOTTarget0:
      case Gate::kCNOTTarget1:
      case Gate::kCNOTBits10: m = {Complex<T>{1}, Complex<T>{1}}; break;
      case Gate::kIsingXX: m = matrix_of<T>(GateId::IsingXX, kAngle); break;
      case Gate::kIsingZZ:
        m = {to_t<T>(std::polar(1.0, -kAngle / 2)), to_t<T>(std::polar(1.0, kAngle / 2))};
        for (int b : bits) zmask |= Index{1} << b;
        break;
      case Gate::kUnitary3:
        for (const auto& z : dft8()) m.push_back(to_t<T>(z));
        break;
      default: break;
    }
    if (g == Gate::kCNOT || g == Gate::kCNOTCtrl0 || g == Gate::kCNOTTarget0 || g == Gate::kCNOTTarget1 ||
        g == Gate::kCNOTBits10) {
      layout = make_layout(n, &bits[1], 1, &bits[0], 1);
    } else if (g == Gate::kIsingZZ) {
      layout = make_layout(n, nullptr, 0, nullptr, 0);  // parity kernels loop over every amplitude
    } else {
      layout = make_layout(n, bits.data(), static_cast<int>(bits.size()), nullptr, 0);
    }
  }

  void operator()(Complex<T>* psi, const kernels::KernelTable<T>& k, const Executor& ex) const {
    switch (gate) {
      case Gate::kRX:
      case Gate::kRXBit0:
      case Gate::kRXBit1: k.dense1(psi, layout, m.data(), ex); return;
      case Gate::kRZ:
      case Gate::kRZBit0: k.diag1(psi, layout, m.data(), ex); return;
      case Gate::kX:
      case Gate::kXBit0:
      case Gate::kCNOT:
      case Gate::kCNOTCtrl0:
      case Gate::kCNOTTarget0:
      case Gate::kCNOTTarget1:
      case Gate::kCNOTBits10: k.flip1(psi, layout, ex); return;  // what apply.cpp resolves X to (kFlip1)
      case Gate::kIsingXX: k.dense2(psi, layout, m.data(), ex); return;
      case Gate::kSWAP: k.swap2(psi, layout, ex); return;
      case Gate::kIsingZZ: k.parity_phase(psi, layout, zmask, m.data(), ex); return;
      case Gate::kUnitary3: k.densek(psi, layout, m.data(), ex); return;
      case Gate::kReadWrite: k.read_write_pass(psi, size, ex); return;
    }
  }
};

/// A one-operation compiled circuit for the apply_primitive rows (angle from weights[0]).
CompiledCircuit one_gate_circuit(Gate g, int n) {
  Circuit c(n, 1, 0);
  const std::vector<int> w = wires_of(g, n);
  const ParamRef theta = ParamRef::weight(0);
  switch (g) {
    case Gate::kRX: c.add(GateId::RX, w, {theta}); break;
    case Gate::kRZ: c.add(GateId::RZ, w, {theta}); break;
    case Gate::kX: c.add(GateId::X, w); break;
    case Gate::kCNOT: c.add(GateId::CNOT, w); break;
    case Gate::kIsingXX: c.add(GateId::IsingXX, w, {theta}); break;
    case Gate::kSWAP: c.add(GateId::SWAP, w); break;
    case Gate::kIsingZZ: c.add(GateId::IsingZZ, w, {theta}); break;
    case Gate::kUnitary3: c.unitary(w, dft8()); break;
    default: break;  // kReadWrite and the low-bit kernel rows have no primitive row
  }
  return compile(c);
}

// ---------------------------------------------------------------------------------------------
// The bandwidth reference for x_rw.

/// Seconds of one read_write_pass over the cached n-qubit state with `threads` threads: the
/// median of at least 5 samples (enough to fill ~50 ms) after one warm-up pass, so a burst of
/// other load on the machine does not skew every x_rw of that size. Each sample times a batch of
/// passes of at least 2^18 amplitudes in all, so clock overhead does not count on small states.
/// Measured once per key.
template <class T>
double read_write_seconds(int n, int threads) {
  static std::map<std::pair<int, int>, double> measured;
  const auto key = std::make_pair(n, threads);
  if (auto it = measured.find(key); it != measured.end()) return it->second;
  Complex<T>* psi = cached_state<T>(n);
  const OpenMPExecutor ex(threads);
  const auto& k = kernels::active_kernels<T>();
  const Index size = Index{1} << n;
  const int batch = n >= 18 ? 1 : 1 << (18 - n);
  k.read_write_pass(psi, size, ex);
  using Clock = std::chrono::steady_clock;
  std::vector<double> samples;
  double total = 0;
  while (samples.size() < 5 || total < 0.05) {
    const auto t0 = Clock::now();
    for (int r = 0; r < batch; ++r) {
      k.read_write_pass(psi, size, ex);
      benchmark::ClobberMemory();
    }
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    samples.push_back(dt / batch);
    total += dt;
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return measured[key] = samples[samples.size() / 2];
}

/// Counters from the wall time of the timed loop (`seconds`, all iterations together). They are
/// plain numbers rather than Counter rates, so the console prints no unit suffix after them.
template <class T>
void set_counters(benchmark::State& state, int n, int threads, double seconds) {
  const double amps = static_cast<double>(Index{1} << n);
  const double iters = static_cast<double>(state.iterations());
  if (iters == 0) return;
  const double per_pass = seconds / iters;
  state.counters["ns_per_amp"] = per_pass * 1e9 / amps;
  state.counters["x_rw"] = per_pass / read_write_seconds<T>(n, threads);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(2 * amps * sizeof(Complex<T>)));
}

/// Runs the timed loop of `pass` and returns its wall time (UseRealTime measures the same span).
template <class F>
double timed_loop(benchmark::State& state, F&& pass) {
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    pass();
    benchmark::ClobberMemory();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
void bm_kernel(benchmark::State& state, Gate g, int n, int threads) {
  Complex<T>* psi = cached_state<T>(n);
  const OpenMPExecutor ex(threads);
  const auto& k = kernels::active_kernels<T>();
  const KernelCall<T> call(g, n);
  const double seconds = timed_loop(state, [&] {
    call(psi, k, ex);
    benchmark::DoNotOptimize(psi);
  });
  set_counters<T>(state, n, threads, seconds);
}

template <class T>
void bm_primitive(benchmark::State& state, Gate g, int n, int threads) {
  Complex<T>* psi = cached_state<T>(n);
  const OpenMPExecutor ex(threads);
  const auto& k = kernels::active_kernels<T>();
  const CompiledCircuit cc = one_gate_circuit(g, n);
  if (cc.primitives.size() != 1) {
    state.SkipWithError("expected one primitive");
    return;
  }
  const Primitive& p = cc.primitives[0];
  const T weights[1] = {static_cast<T>(kAngle)};
  const double seconds = timed_loop(state, [&] {
    apply_primitive<T>(psi, cc, p, weights, nullptr, false, k, ex);
    benchmark::DoNotOptimize(psi);
  });
  set_counters<T>(state, n, threads, seconds);
}

// ---------------------------------------------------------------------------------------------
// A whole layer: the cache-blocked forward pass (blocked.h) against one kernel call per gate.

/// The first layer of the core's strongly_entangling_layers (templates.h): Rot on every wire,
/// then CNOT(i, (i + 1) mod n), 24 Rot and 24 CNOT at 24 qubits; weight 3 w + k on wire w.
CompiledCircuit strongly_entangling_layer(int n) {
  std::vector<int> wires(n);
  for (int w = 0; w < n; ++w) wires[w] = w;
  CircuitBuilder b(n);
  strongly_entangling_layers(b, 1, wires);
  return compile(b.build());
}

enum class LayerMode { kUnblocked, kBlocked, kBlockedGates };

/**
 * Rows layer<T>/strongly_entangling/<mode>/qubits:n/threads:t, with counters
 *   ns_per_amp  wall time of one forward pass / 2^n;
 *   passes      that time / one read_write_pass of the same state with the same threads (the
 *               x_rw of the gate rows): how many passes over DRAM the layer costs.
 * Modes: unblocked = run_circuit_unblocked, blocked = run_circuit_blocked (both prepare |0>
 * first, one write pass, and the blocked one builds its schedule per call as run_circuit does);
 * blocked_gates = schedule + apply_gates_blocked on the current state, the gates alone.
 */
template <class T>
void bm_layer(benchmark::State& state, int n, int threads, LayerMode mode) {
  Complex<T>* psi = cached_state<T>(n);
  const OpenMPExecutor ex(threads);
  const auto& k = kernels::active_kernels<T>();
  const CompiledCircuit cc = strongly_entangling_layer(n);
  std::vector<T> w(3 * n);
  for (int j = 0; j < 3 * n; ++j) w[j] = static_cast<T>(0.1 + 0.37 * j);
  const int pad = kBlockPadBits, low = block_low_bits(sizeof(Complex<T>));
  const int m = choose_local_bits(cc, sizeof(Complex<T>), pad, low);
  state.counters["groups"] = make_block_schedule(cc, m, pad, low).num_groups();
  state.counters["local_bits"] = m;
  const double seconds = timed_loop(state, [&] {
    switch (mode) {
      case LayerMode::kUnblocked: run_circuit_unblocked<T>(psi, cc, w.data(), nullptr, k, ex); break;
      case LayerMode::kBlocked: run_circuit_blocked<T>(psi, cc, w.data(), nullptr, k, ex); break;
      case LayerMode::kBlockedGates:
        apply_gates_blocked<T>(psi, cc, make_block_schedule(cc, choose_local_bits(cc, sizeof(Complex<T>), pad, low), pad, low),
                               w.data(), nullptr, k, ex);
        break;
    }
    benchmark::DoNotOptimize(psi);
  });
  set_counters<T>(state, n, threads, seconds);
  state.counters["passes"] = state.counters["x_rw"];
  state.counters.erase("x_rw");
}

/// Large states run a fixed number of passes (each is 10s to 100s of ms); smaller ones follow
/// --benchmark_min_time.
void size_policy(benchmark::internal::Benchmark* b, int n) {
  b->UseRealTime()->Unit(n <= 14 ? benchmark::kNanosecond : benchmark::kMicrosecond);
  if (n >= 26) {
    b->Iterations(3);
  } else if (n >= 24) {
    b->Iterations(8);
  }
}

template <class T>
void register_type(const char* type_name) {
  // Size outermost, so every row of one size shares the cached state (a 26-qubit state takes
  // about a second to allocate and fill); read_write_pass comes first within each size.
  auto row = [&](const char* kind, const GateSpec& gs, int n, int t) {
    return std::string(kind) + "<" + type_name + ">/" + gs.name + "/qubits:" + std::to_string(n) +
           "/threads:" + std::to_string(t);
  };
  int previous = 0;
  for (int n : kKernelQubits) {
    // Layer rows of sizes in (previous, n], just before the rows of n.
    for (int l : kLayerQubits) {
      if (l <= previous || l > n) continue;
      for (const auto& [mode, mode_name] : {std::pair{LayerMode::kUnblocked, "unblocked"},
                                            std::pair{LayerMode::kBlocked, "blocked"},
                                            std::pair{LayerMode::kBlockedGates, "blocked_gates"}}) {
        for (int t : kThreads) {
          const std::string name = std::string("layer<") + type_name + ">/strongly_entangling/" + mode_name +
                                   "/qubits:" + std::to_string(l) + "/threads:" + std::to_string(t);
          size_policy(benchmark::RegisterBenchmark(name.c_str(), bm_layer<T>, l, t, mode), l);
        }
      }
    }
    previous = n;
    for (const GateSpec& gs : kGates) {
      for (int t : kThreads) {
        size_policy(benchmark::RegisterBenchmark(row("kernel", gs, n, t).c_str(), bm_kernel<T>, gs.gate, n, t), n);
      }
    }
    if (std::find(std::begin(kPrimitiveQubits), std::end(kPrimitiveQubits), n) == std::end(kPrimitiveQubits)) continue;
    for (const GateSpec& gs : kGates) {
      if (gs.gate == Gate::kReadWrite || low_bit_gate(gs.gate)) continue;
      for (int t : kThreads) {
        size_policy(
            benchmark::RegisterBenchmark(row("primitive", gs, n, t).c_str(), bm_primitive<T>, gs.gate, n, t), n);
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
