/**
 * @file adjoint_blocked.h
 * @brief The adjoint sweep of one sample, cache-blocked: psi and lambda go through the reversed
 * circuit group by group (blocked.h), so a group of gates costs about one pass over each state.
 *
 * Why: the sweep touches two states, so from about 16 qubits it is memory-bound even where the
 * forward pass still runs from cache; gate by gate the backward cost several forwards
 * (benchmarks/README.md, "Tuning the blocked runs"). Per
 * group and per outer index, the group's amplitudes of psi and lambda are gathered into two
 * buffers and every gate of the group is handled there, in sweep order: its derivative
 * <lambda|G|psi> (summed over the outer indices) and its un-apply on both buffers. Uncontrolled
 * one-qubit gates on one wire still sweep as one block through their cross density (adjoint.cpp).
 * The sums are kept per outer index and added in index order: results do not depend on threads.
 */
#pragma once

#include "torchq/blocked.h"
#include "torchq/function_ref.h"
#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"

namespace torchq {

/// Where the sweep's derivatives go: whether a primitive wants one, and d<H>/d(angle) for it.
struct SweepSink {
  FunctionRef<bool(const Primitive&)> wanted;
  FunctionRef<void(const Primitive&, double d_angle)> accumulate;
};

/**
 * @brief Sweeps psi (the final state) and lambda (H psi) back through the circuit following `s`
 * (made with SweepOrder::kReverse), reporting every wanted derivative to `sink` (with the
 * circuit's own primitives). Afterwards psi is the initial state and lambda its adjoint.
 * With `psi_source` (the final state, read-only; the first step must be blocked) the first group
 * gathers psi from it and psi's contents on entry are ignored: the group writes all of psi.
 */
template <class T>
void adjoint_sweep_blocked(Complex<T>* psi, Complex<T>* lambda, const CompiledCircuit& c, const BlockSchedule& s,
                           const T* weights, const T* inputs, SweepSink sink, const kernels::KernelTable<T>& k,
                           const Executor& ex, const Complex<T>* psi_source = nullptr);

}  // namespace torchq
