/**
 * @file simulator.h
 * @brief Measurements of a batch: expectation values, variances, probabilities, samples and
 * final states of a compiled circuit for B input samples. Each sample's state comes from
 * run_circuit (run.h); this file measures it.
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

#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/run.h"
#include "torchq/statevector.h"

namespace torchq {

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
 * generator seeded by derive_seed(seed, b) (random.h), so results do not depend on the thread count.
 */
template <class T>
void sample(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in,
            std::int64_t shots, std::uint64_t seed, std::int64_t* out, const Executor& ex);

/// Checks measured wires: in range, distinct, at least one. Throws ArgumentError.
void validate_wires(const std::vector<int>& wires, int num_qubits, const std::string& what);

}  // namespace torchq
