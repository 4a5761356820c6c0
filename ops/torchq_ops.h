/**
 * @file torchq_ops.h
 * @brief The C++ API of the torchq operators: thin calls through the dispatcher, so autograd,
 * Meta and CPU kernels apply exactly as from Python or TorchScript.
 *
 * A C++ program that only loads TorchScript models must still load libtorchq_ops.so, whose
 * registrations run in static initialisers: call torchq_ops::ensure_loaded() once (linking
 * alone may be dropped by --as-needed).
 */
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq_ops {

/// Forces the op library to be loaded (and its ops registered). Returns the op count.
int ensure_loaded();

at::Tensor expval(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                  const at::Tensor& inputs);
at::Tensor var(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
               const at::Tensor& inputs);
at::Tensor probs(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                 at::IntArrayRef wires);
at::Tensor state(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs, int64_t num_qubits);
at::Tensor sample(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                  at::IntArrayRef wires, int64_t shots, int64_t seed);
/// Expectation values [B, K] estimated in `mode` ("statevector", "trajectories",
/// "density_matrix") with `shots` (0 = the mode's exact value) and `trajectories` per sample;
/// noisy circuits (channels) need trajectories or density_matrix. See torchq/estimators.h.
at::Tensor expval_estimated(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                            const at::Tensor& inputs, const std::string& mode, int64_t shots, int64_t trajectories,
                            int64_t seed);

/// The program tensor (float64 [L]) of a circuit.
at::Tensor program_tensor(const torchq::Circuit& circuit);
/// The observable table (float64 [K, L]).
at::Tensor observables_tensor(const std::vector<torchq::Observable>& observables);
/// Parses and validates a program tensor; throws c10::Error with the reason.
torchq::Circuit circuit_from_tensor(const at::Tensor& program);

}  // namespace torchq_ops
