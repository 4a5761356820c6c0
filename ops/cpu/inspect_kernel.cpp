/**
 * @file inspect_kernel.cpp
 * @brief CPU kernels of program_info, draw and _check: they parse and check, and never run the
 * circuit.
 */
#include <torch/library.h>

#include <optional>

#include "ops/checks.h"
#include "ops/program_cache.h"

namespace torchq_ops {
namespace {

/// `version` is the program's own (a saved version-1 program reports 1; it runs the same).
std::vector<int64_t> info_of(const torchq::CompiledCircuit& c, int64_t version) {
  return {version, c.circuit.num_qubits(), c.circuit.num_weights(), c.circuit.num_inputs(),
          static_cast<int64_t>(c.circuit.operations().size())};
}

/// The header's version field of a program that program_from_tensor accepted (so it exists and is exact).
int64_t version_of(const at::Tensor& program) { return static_cast<int64_t>(program[1].item<double>()); }

std::vector<int64_t> program_info_cpu(const at::Tensor& program) {
  const auto compiled = program_from_tensor(program);
  return info_of(*compiled, version_of(program));
}

std::string draw_cpu(const at::Tensor& program, const std::optional<at::Tensor>& observables,
                     c10::string_view measure, at::OptionalIntArrayRef wires) {
  const char* name = "draw";
  check_draw_measurement(measure, observables.has_value(), wires, name);
  check_cpu(program, "program", name);
  if (observables.has_value()) check_cpu(*observables, "observables", name);
  const auto compiled = program_from_tensor(program);
  const torchq::Circuit& circuit = compiled->circuit;
  const int n = circuit.num_qubits();
  std::string out;
  if (measure == "probs") {
    std::vector<int> measured;
    if (wires.has_value()) {
      measured = wires_from_list(*wires, n, name);
    } else {
      for (int w = 0; w < n; ++w) measured.push_back(w);
    }
    call_core(name, [&] { out = torchq::draw_probs(circuit, measured); });
  } else if (observables.has_value()) {
    const std::vector<torchq::Observable> obs = parse_observables(*observables, n);
    call_core(name, [&] { out = torchq::draw(circuit, obs, std::string(measure)); });
  } else {
    call_core(name, [&] { out = torchq::draw(circuit); });
  }
  return out;
}

std::vector<int64_t> check_cpu_kernel(const at::Tensor& program, const at::Tensor& observables,
                                      const std::optional<at::Tensor>& weights, c10::string_view mode, int64_t shots,
                                      int64_t trajectories) {
  const char* name = "_check";
  const torchq::EstimatorOptions opt = estimator_options(mode, shots, trajectories, 0, name);
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  observables_from_tensor(observables, c.circuit.num_qubits());
  if (weights.has_value()) {
    // The checks of every op's weights, on an empty batch of the program's inputs.
    check_batch(c, *weights, at::empty({0, c.circuit.num_inputs()}, weights->options()), name);
  }
  // The mode against the program: statevector refuses noise channels, density_matrix large circuits.
  call_core(name, [&] { torchq::validate_estimator(c, opt, "the program"); });
  return info_of(c, version_of(program));
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("program_info", &program_info_cpu);
  m.impl("draw", &draw_cpu);
  m.impl("_check", &check_cpu_kernel);
}

}  // namespace torchq_ops
