/**
 * @file lane_batch.h
 * @brief Small circuits, whole batches: expectation values and their adjoint gradients for
 * kLanes samples at a time, lane-major (lane_kernels.h), so that SIMD lanes hold different
 * samples.
 *
 * Why: a 2-qubit state has 4 amplitudes, too few to vectorise over, and per sample the circuit's
 * fixed costs (resolving each gate, its sines and cosines, a kernel call, a vector or two) were
 * most of the time. Here a gate costs one call for kLanes samples, whose loop runs over the lanes;
 * the matrices of gates whose angle is a shared weight are built once per call, not per sample,
 * and only the angles that depend on the sample (inputs, per-sample weights) are computed per lane.
 * The arithmetic is the ordinary path's: the same primitives (lowering.h), consecutive one-qubit
 * gates on a wire fused in the forward run and swept as one block in the adjoint sweep
 * (adjoint.h), in double for matrices and sums.
 *
 * run_circuit, measurements and the adjoint sweep on one sample stay the reference; the tests
 * compare the two paths on random circuits in both precisions. Results do not depend on the
 * thread count: threads take whole lane blocks, and gradients are reduced in sample order.
 */
#pragma once

#include <vector>

#include "torchq/lanes/lane_kernels.h"
#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/run.h"

namespace torchq::lanes {

/**
 * @brief Whether expval and adjoint_expval_backward take the lane path for this circuit and batch:
 * at most kLaneMaxQubits qubits, no amplitude embedding and no noise channel, and either at most 4
 * qubits or at least one full lane block (kLanes samples): past 4 qubits the empty lanes of a
 * smaller batch cost more than they save. The two paths agree to rounding, not bit for bit, so a
 * sample's numbers can differ in the last bits between a batch of one and a larger batch. TORCHQ_LANES=0 turns it off
 * (for comparisons), TORCHQ_LANES=1 forces it on wherever it can run.
 */
bool lane_batch_pays(const CompiledCircuit& c, Index batch_size);

/// Whether the lane path can run the circuit at all (the conditions of lane_batch_pays but size).
bool lane_batch_supports(const CompiledCircuit& c);

/// expval (simulator.h) on the lane path: out [B, K]; final_states [B, 2^n] if not null.
template <class T>
void lane_expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
                 T* out, const Executor& ex, Complex<T>* final_states = nullptr);

/// adjoint_expval_backward (adjoint.h) on the lane path. final_states: the forward's, or null
/// (then each lane block runs the circuit again).
template <class T>
void lane_expval_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                          const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                          const Executor& ex, const Complex<T>* final_states = nullptr);

}  // namespace torchq::lanes
