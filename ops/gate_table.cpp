/**
 * @file gate_table.cpp
 * @brief The core's gate table and limits as ops, for callers that are not C++ (the Python
 * package builds torchq.gates from them, so it holds no copy of torchq/gate_table.h): schemas
 * and kernels of _gate_table, _find_gate and _constants. They take no tensor, so they are plain
 * functions (CompositeImplicitAutograd), like library.cpp's ops, and need no backend kernels.
 */
#include <torch/library.h>

#include <string>
#include <tuple>
#include <vector>

#include "torchq/gate_table.h"
#include "torchq/types.h"

namespace torchq_ops {
namespace {

using GateTable = std::tuple<std::vector<std::string>, std::vector<std::string>, std::vector<int64_t>,
                             std::vector<int64_t>, std::vector<int64_t>, c10::List<bool>, c10::List<bool>>;

GateTable gate_table() {
  GateTable out;
  auto& [names, methods, num_wires, num_params, builtin_controls, embedding, channel] = out;
  for (const torchq::GateInfo& g : torchq::kGateTable) {  // in opcode order: row i is GateId i
    names.emplace_back(g.name);
    methods.emplace_back(g.method);
    num_wires.push_back(g.num_wires);
    num_params.push_back(g.num_params);
    builtin_controls.push_back(g.builtin_controls);
    embedding.push_back(g.embedding);
    channel.push_back(g.channel);
  }
  return out;
}

std::string known_gates() {
  std::string known;
  for (const torchq::GateInfo& g : torchq::kGateTable) known.append(known.empty() ? "" : ", ").append(g.name);
  return known;
}

int64_t find_gate(c10::string_view name) {
  const std::string wanted(name);
  const auto id = torchq::find_gate(wanted);
  TORCH_CHECK_VALUE(id.has_value(), "torchq: unknown gate '", wanted, "'; known gates: ", known_gates());
  return static_cast<int64_t>(*id);
}

std::tuple<int64_t, int64_t, int64_t> constants() {
  return {torchq::kMaxQubits, torchq::kMaxDenseTargets, torchq::kVariableWires};
}

}  // namespace
}  // namespace torchq_ops

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  // torchq::kGateTable, one entry per opcode (GateId); num_wires and num_params are -1
  // (kVariableWires) where any number is allowed.
  m.def("_gate_table() -> (str[] names, str[] methods, int[] num_wires, int[] num_params, int[] builtin_controls, "
        "bool[] embedding, bool[] channel)",
        &torchq_ops::gate_table);
  // The opcode of a gate named by its table name ("CRX"), its method name ("crx", "ising_xx") or
  // its table name in any case (torchq::find_gate); an unknown name is refused, listing the gates.
  m.def("_find_gate(str name) -> int", &torchq_ops::find_gate);
  // The core's limits: the most qubits, the most wires of a QubitUnitary, the variable-count marker.
  m.def("_constants() -> (int max_qubits, int max_unitary_wires, int variable)", &torchq_ops::constants);
}
