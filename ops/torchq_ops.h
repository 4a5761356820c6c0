/**
 * @file torchq_ops.h
 * @brief The C++ API of the torchq operators: thin calls through the dispatcher, so autograd,
 * Meta and CPU kernels apply exactly as from Python or TorchScript.
 *
 * Deploying: a C++ program that runs models saved elsewhere (TorchScript files, AOTInductor
 * packages) must have the torchq operators registered before it loads a model, because those
 * models call torch.ops.torchq.* by name through the dispatcher. The registrations run in
 * libtorchq_ops.so's static initialisers, when the library loads. Link libtorchq_ops.so and call
 * torchq_ops::ensure_loaded() once, before loading: the call is what keeps the library linked
 * (with --as-needed the linker drops a library nothing references).
 */
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq_ops {

/**
 * @brief The one call that makes the torchq operators available to models loaded in this
 * process: TorchScript (torch::jit::load) and AOTInductor packages
 * (torch::inductor::AOTIModelPackageLoader, whose proxy executor resolves each torchq op by name
 * when the package loads, so call this before constructing the loader).
 *
 * Linking libtorchq_ops.so and calling this once is all that is needed: no dlopen, and no
 * RTLD_GLOBAL (an AOTInductor package references no torchq symbol; it only needs the ops in the
 * dispatcher). A program that cannot link the library may dlopen it instead (RTLD_LOCAL works).
 * Cheap; safe to call more than once.
 * @return the number of torch.ops.torchq operator schemas registered (always > 0).
 */
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

/**
 * @brief Threads torchq ops may use (torch.ops.torchq.set_num_threads). Calls running side by
 * side share this budget, so together they never use more.
 * @param num_threads at least 1, or 0 (the default) to follow at::get_num_threads().
 */
void set_num_threads(int64_t num_threads);
/// Threads torchq ops use: the set_num_threads value, else at::get_num_threads().
int64_t get_num_threads();

/// The program tensor (float64 [L]) of a circuit.
at::Tensor program_tensor(const torchq::Circuit& circuit);
/// The observable table (float64 [K, L]).
at::Tensor observables_tensor(const std::vector<torchq::Observable>& observables);
/// Parses and validates a program tensor; throws c10::Error with the reason.
torchq::Circuit circuit_from_tensor(const at::Tensor& program);

}  // namespace torchq_ops
