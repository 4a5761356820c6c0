/**
 * @file density_matrix.h
 * @brief Exact simulation of noisy circuits on density matrices, and their exact gradients by an
 * adjoint sweep, for small qubit counts.
 *
 * Layout: rho on n qubits is vectorised as a 2n-qubit statevector, index r * 2^n + c (row r,
 * column c); the row of wire w is bit n + (n-1-w), its column bit n-1-w (noise.h). So the
 * statevector kernels do all the work:
 *   gate U:     vec(U rho U^dagger) = (U (x) conj(U)) vec(rho): U on the row bits, conj(U) on the
 *               column bits (two kernel calls on the 2n-qubit vector);
 *   channel E:  the 4x4 superoperator sum_k K_k (x) conj(K_k) on (row bit, column bit), one dense2
 *               kernel call;
 *   Tr(P rho):  sum_c phase(c) rho[c, c ^ x] for a Pauli word P: one pass over 2^n entries.
 *
 * Gradients (adjoint method on vec(rho), linear in rho): with lambda = vec(H), H = sum_k g_k O_k,
 * f = Tr(H rho) = <<lambda|rho>>. Sweeping backwards, lambda <- S_j^dagger lambda (a gate's
 * inverse, a channel's adjoint E^dagger, the Heisenberg picture) and, for U = exp(-i a coeff G),
 *   df/da = coeff * Im <<lambda| (G (x) I - I (x) G^T) |rho_j>>,
 * two pauli_inner calls on the 2n-qubit vectors (G^T = (-1)^{#Y} G for G = Proj * Pauli word).
 * A channel cannot be undone on rho, so the sweep restores rho before each channel from
 * checkpoints: sqrt(C) of them are kept from the forward pass (one every s = ceil(sqrt C)
 * channels), and the s states of one segment are recomputed from its checkpoint when the sweep
 * enters it. Memory per worker: (2 + ceil(C/s) + s) density matrices of 4^n amplitudes, about
 * 2 + 2 sqrt(C) (C = number of channels); time: the forward pass twice plus the sweep.
 */
#pragma once

#include <string>
#include <vector>

#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/run.h"

namespace torchq {

/// Largest qubit count of the density-matrix mode: 12 qubits are 4^12 amplitudes (256 MiB in
/// float64) per density matrix. Larger circuits use trajectories.
inline constexpr int kMaxDensityMatrixQubits = 12;

/// Throws ArgumentError when n exceeds kMaxDensityMatrixQubits (the message names `what`).
void check_density_matrix_qubits(int num_qubits, const std::string& what);

/**
 * @brief rho = |psi0><psi0| for one sample: |0..0> or its amplitude embedding.
 * @param rho     4^n amplitudes
 * @param scratch 2^n amplitudes for psi0 (only read with an amplitude embedding)
 */
template <class T>
void dm_prepare(Complex<T>* rho, const CompiledCircuit& c, const T* inputs, Complex<T>* scratch, const Executor& ex);

/**
 * @brief Applies one primitive to a vectorised density matrix: a gate as U rho U^dagger (with
 * `adjoint`: U^dagger rho U), a channel as E (with `adjoint`: its adjoint map E^dagger).
 */
template <class T>
void dm_apply(Complex<T>* rho, const CompiledCircuit& c, const Primitive& p, const T* weights, const T* inputs,
              bool adjoint, const kernels::KernelTable<T>& k, const Executor& ex);

/// Prepares rho and applies every primitive for one sample (scratch as in dm_prepare).
template <class T>
void dm_run(Complex<T>* rho, const CompiledCircuit& c, const T* weights, const T* inputs, Complex<T>* scratch,
            const kernels::KernelTable<T>& k, const Executor& ex);

/// Tr(P rho) for one Pauli word (its coefficient not applied). Deterministic for any executor.
template <class T>
double dm_pauli_expectation(const Complex<T>* rho, int num_qubits, const PauliMasks& m, const Executor& ex);

/// Tr(O rho).
template <class T>
double dm_expectation(const Complex<T>* rho, int num_qubits, const CompiledObservable& o, const Executor& ex);

/// Exact expectation values Tr(O_k rho_b): out [B, K]. Refuses more than kMaxDensityMatrixQubits.
template <class T>
void density_matrix_expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                           const BatchInputs<T>& in, T* out, const Executor& ex);

/**
 * @brief Exact gradients of sum_{b,k} grad_out[b,k] Tr(O_k rho_b) by the adjoint sweep of the file
 * comment, with respect to weights and inputs (amplitude-embedded features included).
 * Buffers as in adjoint_expval_backward (adjoint.h): overwritten, null to skip.
 */
template <class T>
void density_matrix_adjoint_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                                     const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                                     const Executor& ex);

}  // namespace torchq
