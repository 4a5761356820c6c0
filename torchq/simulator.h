/**
 * @file simulator.h
 * @brief Batched forward simulation: expectation values, variances, probabilities, samples and
 * final states of a compiled circuit for B input samples.
 *
 * Batches and threads: each sample is simulated independently. When the batch has at least as
 * many samples as the executor has threads (or states are too small to split), threads go over
 * the batch and every sample runs serially; otherwise samples run one after another with threads
 * over the amplitudes. Loops never nest. Each worker holds a fixed number of statevectors for the
 * whole call, and the memory guard checks their total before anything is allocated.
 *
 * Buffers: the caller allocates every output, row-major, with the sizes given per function.
 */
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "torchq/blocked.h"
#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/statevector.h"
#include "torchq/work_loop.h"

namespace torchq {

/// The numbers that feed a batch of circuits.
template <class T>
struct BatchInputs {
  const T* weights = nullptr;       ///< [P] shared, or [B, P] if weights_per_sample
  bool weights_per_sample = false;
  const T* inputs = nullptr;        ///< [B, F]; may be null when F == 0
  Index batch_size = 1;
  int num_weights = 0;              ///< P
  int num_inputs = 0;               ///< F

  const T* weights_of(Index b) const {
    return weights_per_sample ? weights + b * static_cast<Index>(num_weights) : weights;
  }
  const T* inputs_of(Index b) const { return inputs + b * static_cast<Index>(num_inputs); }
};

/// BatchInputs for a circuit; checks the pointers needed by its sizes are given.
template <class T>
BatchInputs<T> make_batch(const CompiledCircuit& c, const T* weights, bool weights_per_sample, const T* inputs,
                          Index batch_size);

/// Prepares the initial state of one sample (|0..0> or its amplitude embedding).
template <class T>
void prepare_state(Complex<T>* psi, const CompiledCircuit& c, const T* inputs, const Executor& ex);

/// Applies one primitive (or its inverse) for one sample.
template <class T>
void apply_primitive(Complex<T>* psi, const CompiledCircuit& c, const Primitive& p, const T* weights,
                     const T* inputs, bool inverse, const kernels::KernelTable<T>& k, const Executor& ex);

/**
 * @brief How run_circuit applies the gates of c to states of Complex<T>: the block schedule
 * (blocked.h) when the state is past L2, else an empty schedule (gate by gate). It depends on the
 * circuit only: callers that run a batch make it once and pass it to every sample.
 */
template <class T>
BlockSchedule forward_schedule(const CompiledCircuit& c);

/// Prepares and runs the whole circuit for one sample (`schedule`: forward_schedule's, or null to
/// make it here).
template <class T>
void run_circuit(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                 const kernels::KernelTable<T>& k, const Executor& ex, const BlockSchedule* schedule = nullptr);

/**
 * @brief Expectation values: out [B, K] for K observables.
 * @param final_states if not null, [B, 2^n]: each sample's circuit runs in its row, which keeps
 *        the final state (for a backward pass that then need not run the circuit again).
 */
template <class T>
void expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
            T* out, const Executor& ex, Complex<T>* final_states = nullptr);

/// Variances: out [B, K].
template <class T>
void variance(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
              T* out, const Executor& ex);

/// Probabilities of the basis states of `wires` (wires[0] is the most significant bit): out [B, 2^m].
template <class T>
void probs(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in, T* out,
           const Executor& ex);

/// Final states: out [B, 2^n].
template <class T>
void final_state(const CompiledCircuit& c, const BatchInputs<T>& in, Complex<T>* out, const Executor& ex);

/**
 * @brief Measurement samples: out [B, shots, m] of 0/1 for `wires`. Sample b draws from a
 * generator seeded by (seed, b), so results do not depend on the thread count.
 */
template <class T>
void sample(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in,
            std::int64_t shots, std::uint64_t seed, std::int64_t* out, const Executor& ex);

/// Checks measured wires: in range, distinct, at least one. Throws ArgumentError.
void validate_wires(const std::vector<int>& wires, int num_qubits, const std::string& what);

namespace detail {

using Mat2 = std::array<std::complex<double>, 4>;

/// a * b for row-major 2x2 matrices.
inline Mat2 mat2_mul(const Mat2& a, const Mat2& b) {
  return {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]};
}

/// The conjugate transpose.
inline Mat2 mat2_adjoint(const Mat2& a) { return {std::conj(a[0]), std::conj(a[2]), std::conj(a[1]), std::conj(a[3])}; }

/// A one-qubit primitive without controls: these fuse (forward) and sweep as blocks (adjoint).
bool is_uncontrolled_1q(const Primitive& p);

/// The 2x2 matrix of an uncontrolled one-qubit primitive for one sample (row-major).
template <class T>
Mat2 matrix_1q(const Primitive& p, const T* weights, const T* inputs);

}  // namespace detail
}  // namespace torchq
