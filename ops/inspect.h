/**
 * @file inspect.h
 * @brief The ops that read a program without running it: program_info, draw, and _check (the
 * layers' validation of their buffers), called through the dispatcher (schemas in inspect.cpp).
 */
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace torchq_ops::detail {

/// [version, qubits, weights, inputs, operations] of a program.
std::vector<int64_t> program_info(const at::Tensor& program);
/**
 * @brief The program drawn as text, one line per wire (torchq/draw.h), with its measurement.
 * @param observables for measure "expval" or "var": the float64 [K, L] table; each wire that
 *        observable k acts on ends in "┤ <k>", and a line "<k> expval Z(0)" per observable
 *        follows. Without it, the bare circuit.
 * @param measure "expval", "var" or "probs"
 * @param wires for measure "probs": the measured wires, each ending in "┤ Probs" (default all);
 *        expval and var take none (an empty list is none).
 */
std::string draw(const at::Tensor& program, const std::optional<at::Tensor>& observables = std::nullopt,
                 c10::string_view measure = "expval", at::OptionalIntArrayRef wires = std::nullopt);
/**
 * @brief Checks a layer's buffers as the ops it calls would, without running the circuit: the
 * program, the observable table against the program's qubits, the estimator arguments against
 * the program (mode "statevector" refuses noise channels, "density_matrix" refuses more than 12
 * qubits; shots and trajectories in range) and, when given, the weights (dtype, count, finite).
 * @return program_info(program).
 */
std::vector<int64_t> _check(const at::Tensor& program, const at::Tensor& observables,
                            const std::optional<at::Tensor>& weights, c10::string_view mode, int64_t shots,
                            int64_t trajectories);

}  // namespace torchq_ops::detail
