/**
 * @file run.h
 * @brief Running a compiled circuit on one sample's state: the batch's inputs (BatchInputs), the
 * initial state, and the forward run, gate by gate or cache-blocked (blocked.h). Measurements
 * (simulator.h), the adjoint sweeps (adjoint.h) and the estimators build on it; every gate goes
 * through apply.h.
 *
 * run_circuit picks the path from the circuit and the amplitude size only (forward_schedule):
 * past L2 the blocked run, else gate by gate with consecutive one-qubit gates fused
 * (OneQubitFuser). Both give the same state up to rounding.
 */
#pragma once

#include "torchq/blocked.h"
#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"
#include "torchq/types.h"

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

/// run_circuit with blocking forced off: one kernel call per (fused) gate.
template <class T>
void run_circuit_unblocked(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                           const kernels::KernelTable<T>& k, const Executor& ex);

/**
 * @brief run_circuit with blocking forced on, with `local_bits` local bits per group (0: chosen
 * by choose_local_bits), `pad_bits` padding bits and `low_bits` always-local low bits (-1: the
 * default for T). Falls back to the unblocked path when the state has no more than local_bits
 * qubits. Reachable from tests and benchmarks.
 */
template <class T>
void run_circuit_blocked(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                         const kernels::KernelTable<T>& k, const Executor& ex, int local_bits = 0,
                         int pad_bits = kBlockPadBits, int low_bits = -1);

}  // namespace torchq
