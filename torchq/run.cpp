/// @file run.cpp
/// @brief The initial state and the forward run of one sample (see run.h).
#include "torchq/run.h"

#include "torchq/cache_size.h"
#include "torchq/memory.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "torchq/apply.h"
#include "torchq/errors.h"
#include "torchq/numerics.h"

namespace torchq {
namespace {

constexpr double kNormTolerance = 1e-6;

}  // namespace

template <class T>
BatchInputs<T> make_batch(const CompiledCircuit& c, const T* weights, bool weights_per_sample, const T* inputs,
                          Index batch_size) {
  BatchInputs<T> in;
  in.weights = weights;
  in.weights_per_sample = weights_per_sample;
  in.inputs = inputs;
  in.batch_size = batch_size;
  in.num_weights = c.circuit.num_weights();
  in.num_inputs = c.circuit.num_inputs();
  // An empty batch has no data to point at: [0, P] per-sample weights are a valid empty batch.
  if (in.num_weights > 0 && weights == nullptr && (batch_size > 0 || !weights_per_sample)) {
    throw ArgumentError("the circuit has weights but none were given");
  }
  if (in.num_inputs > 0 && inputs == nullptr && batch_size > 0) {
    throw ArgumentError("the circuit reads input features but no inputs were given");
  }
  return in;
}

template <class T>
void prepare_state(Complex<T>* psi, const CompiledCircuit& c, const T* inputs, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  const Index size = Index{1} << n;
  ex.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(psi + lo, psi + hi, Complex<T>{0}); });
  const Operation* emb = c.amplitude_embedding();
  if (emb == nullptr) {
    psi[0] = Complex<T>{1};
    return;
  }
  const AmplitudeSpec& a = emb->amplitude;
  const int k = static_cast<int>(emb->wires.size());
  const Index dim = Index{1} << k;
  std::vector<int> bits;
  for (int w : emb->wires) bits.push_back(wire_to_bit(n, w));
  const GateLayout L = make_layout(n, bits.data(), k, nullptr, 0);
  std::vector<double> v(dim);
  for (Index j = 0; j < dim; ++j) {
    v[j] = j < static_cast<Index>(a.num_features) ? static_cast<double>(inputs[a.feature_offset + j]) : a.pad;
    if (!std::isfinite(v[j])) {
      throw ArgumentError("AmplitudeEmbedding: input feature " + std::to_string(j) + " is not finite");
    }
  }
  // Scaled first (stable_norm): finite features of any size embed, 1e-320 as well as 1e200.
  const ScaledNorm norm = stable_norm(v.data(), dim);
  if (norm.scale == 0) {
    throw ArgumentError("AmplitudeEmbedding: the features of a sample are all zero; a state needs a non-zero vector");
  }
  if (!a.normalize && std::abs(norm.value() * norm.value() - 1.0) > kNormTolerance) {
    throw ArgumentError("AmplitudeEmbedding: features have squared norm " + std::to_string(norm.value() * norm.value()) +
                        " but normalize is off; normalise them or turn normalize on");
  }
  for (Index j = 0; j < dim; ++j) {
    psi[L.scatter(j)] = Complex<T>(static_cast<T>(a.normalize ? norm.unit(v[j]) : v[j]), 0);
  }
}

template <class T>
void run_circuit_unblocked(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                           const kernels::KernelTable<T>& k, const Executor& ex) {
  prepare_state(psi, c, inputs, ex);
  // Consecutive uncontrolled one-qubit gates on a wire are applied as one product when another
  // gate touches that wire, or at the end (apply.h).
  OneQubitFuser fuser;
  KernelCalls<T> calls;
  for (const Primitive& p : c.primitives) {
    if (fuser.add(p, weights, inputs)) continue;
    calls.clear();
    if (!fuser.fuse_cnot(p, calls)) {  // a CNOT takes its wires' products along
      fuser.flush(p.touched_bits(), calls);
      resolve_primitive(c, p, weights, inputs, ApplyMode::kForward, calls);
    }
    calls.run(psi, k, ex);
  }
  calls.clear();
  fuser.flush(~Index{0}, calls);
  calls.run(psi, k, ex);
}

template <class T>
BlockSchedule forward_schedule(const CompiledCircuit& c) {
  // A state beyond the last-level cache is memory-bound: apply the gates in cache-sized groups,
  // about one pass over the state per group instead of one per gate (blocked.h). A state that
  // fits in half of it is faster in place, gate by gate with one-qubit products folded into
  // CNOTs: the groups' gathers and scatters cost more than the cache misses they save
  // (benchmarks/README.md, "Where blocking starts").
  const int n = c.circuit.num_qubits();
  if (!block_pays(n, sizeof(Complex<T>))) return {};
  if (state_bytes(n, sizeof(Complex<T>)) <= last_level_cache_bytes() / 2) return {};
  const int low = block_low_bits(sizeof(Complex<T>));
  const int m = choose_local_bits(c, sizeof(Complex<T>), kBlockPadBits, low);
  if (m == 0 || n <= m) return {};
  return make_block_schedule(c, m, kBlockPadBits, low);
}

template <class T>
void run_circuit(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                 const kernels::KernelTable<T>& k, const Executor& ex, const BlockSchedule* schedule) {
  BlockSchedule own;
  if (schedule == nullptr) {
    own = forward_schedule<T>(c);
    schedule = &own;
  }
  if (schedule->steps.empty()) {
    run_circuit_unblocked(psi, c, weights, inputs, k, ex);
    return;
  }
  prepare_state(psi, c, inputs, ex);
  apply_gates_blocked(psi, c, *schedule, weights, inputs, k, ex);
}

template <class T>
void run_circuit_blocked(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                         const kernels::KernelTable<T>& k, const Executor& ex, int local_bits, int pad_bits,
                         int low_bits) {
  const int n = c.circuit.num_qubits();
  const int low = low_bits >= 0 ? low_bits : block_low_bits(sizeof(Complex<T>));
  const int m = local_bits > 0 ? local_bits : choose_local_bits(c, sizeof(Complex<T>), pad_bits, low);
  if (m == 0 || n <= m || pad_bits >= m || low >= m) {
    run_circuit_unblocked(psi, c, weights, inputs, k, ex);
    return;
  }
  prepare_state(psi, c, inputs, ex);
  apply_gates_blocked(psi, c, make_block_schedule(c, m, pad_bits, low), weights, inputs, k, ex);
}

#define TORCHQ_INSTANTIATE(T)                                                                                   \
  template BatchInputs<T> make_batch<T>(const CompiledCircuit&, const T*, bool, const T*, Index);              \
  template void prepare_state<T>(Complex<T>*, const CompiledCircuit&, const T*, const Executor&);               \
  template BlockSchedule forward_schedule<T>(const CompiledCircuit&);                                          \
  template void run_circuit<T>(Complex<T>*, const CompiledCircuit&, const T*, const T*,                         \
                               const kernels::KernelTable<T>&, const Executor&, const BlockSchedule*);        \
  template void run_circuit_unblocked<T>(Complex<T>*, const CompiledCircuit&, const T*, const T*,               \
                                         const kernels::KernelTable<T>&, const Executor&);                    \
  template void run_circuit_blocked<T>(Complex<T>*, const CompiledCircuit&, const T*, const T*,                 \
                                       const kernels::KernelTable<T>&, const Executor&, int, int, int);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
