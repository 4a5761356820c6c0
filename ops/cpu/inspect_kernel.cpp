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

std::vector<int64_t> info_of(const torchq::CompiledCircuit& c) {
  return {torchq::kProgramVersion, c.circuit.num_qubits(), c.circuit.num_weights(), c.circuit.num_inputs(),
          static_cast<int64_t>(c.circuit.operations().size())};
}

std::vector<int64_t> program_info_cpu(const at::Tensor& program) { return info_of(*program_from_tensor(program)); }

std::string draw_cpu(const at::Tensor& program) { return torchq::draw(program_from_tensor(program)->circuit); }

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
  return info_of(c);
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) {
  m.impl("program_info", &program_info_cpu);
  m.impl("draw", &draw_cpu);
  m.impl("_check", &check_cpu_kernel);
}

}  // namespace torchq_ops
