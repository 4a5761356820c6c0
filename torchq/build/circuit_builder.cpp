/// @file circuit_builder.cpp
#include "torchq/build/circuit_builder.h"

#include "torchq/errors.h"

namespace torchq {

CircuitBuilder::CircuitBuilder(int num_qubits, int num_inputs) : num_qubits_(num_qubits), num_inputs_(num_inputs) {
  Circuit probe(num_qubits, 0, num_inputs);  // validates the sizes now, not at build()
}

CircuitBuilder CircuitBuilder::from_circuit(const Circuit& circuit) {
  CircuitBuilder b(circuit.num_qubits(), circuit.num_inputs());
  b.num_weights_ = circuit.num_weights();
  b.ops_ = circuit.operations();  // already validated by the circuit
  return b;
}

CircuitBuilder& CircuitBuilder::push(Operation op) {
  // The sizes so far: a weight must have been allocated (weight()) before a gate uses it.
  Circuit(num_qubits_, num_weights_, num_inputs_).validate_op(op, ops_.size());
  ops_.push_back(std::move(op));
  return *this;
}

Param CircuitBuilder::weight(double scale) { return Param(ParamRef::weight(num_weights_++, scale)); }

Param CircuitBuilder::input(int index, double scale) const {
  if (index < 0 || index >= num_inputs_) {
    throw ArgumentError("input(" + std::to_string(index) + "): the circuit has " + std::to_string(num_inputs_) +
                        " input features (set num_inputs when creating the builder)");
  }
  return Param(ParamRef::input(index, scale));
}

Param CircuitBuilder::input_product(int i, int j, double scale) const {
  for (const int k : {i, j}) {
    if (k < 0 || k >= num_inputs_) {
      throw ArgumentError("input_product(" + std::to_string(i) + ", " + std::to_string(j) + "): the circuit has " +
                          std::to_string(num_inputs_) + " input features (set num_inputs when creating the builder)");
    }
  }
  return Param(ParamRef::input_product(i, j, scale));
}

CircuitBuilder& CircuitBuilder::add(GateId gate, Wires wires, std::vector<Param> params, Wires controls) {
  Operation op;
  op.gate = gate;
  op.wires = std::move(wires);
  op.controls = std::move(controls);
  for (const Param& p : params) op.params.push_back(p.ref);
  return push(std::move(op));
}

#define TORCHQ_GATE1(method, id) \
  CircuitBuilder& CircuitBuilder::method(int w, Wires c) { return add(GateId::id, {w}, {}, std::move(c)); }
TORCHQ_GATE1(i, I)
TORCHQ_GATE1(x, X)
TORCHQ_GATE1(y, Y)
TORCHQ_GATE1(z, Z)
TORCHQ_GATE1(h, H)
TORCHQ_GATE1(s, S)
TORCHQ_GATE1(sdg, Sdg)
TORCHQ_GATE1(t, T)
TORCHQ_GATE1(tdg, Tdg)
TORCHQ_GATE1(sx, SX)
#undef TORCHQ_GATE1

#define TORCHQ_ROT1(method, id) \
  CircuitBuilder& CircuitBuilder::method(int w, Param a, Wires c) { return add(GateId::id, {w}, {a}, std::move(c)); }
TORCHQ_ROT1(rx, RX)
TORCHQ_ROT1(ry, RY)
TORCHQ_ROT1(rz, RZ)
TORCHQ_ROT1(phase_shift, PhaseShift)
#undef TORCHQ_ROT1

CircuitBuilder& CircuitBuilder::rot(int w, Param a, Param b, Param c, Wires ctrl) {
  return add(GateId::Rot, {w}, {a, b, c}, std::move(ctrl));
}
CircuitBuilder& CircuitBuilder::u3(int w, Param a, Param b, Param c, Wires ctrl) {
  return add(GateId::U3, {w}, {a, b, c}, std::move(ctrl));
}

#define TORCHQ_GATE2(method, id) \
  CircuitBuilder& CircuitBuilder::method(int a, int b, Wires c) { return add(GateId::id, {a, b}, {}, std::move(c)); }
TORCHQ_GATE2(cnot, CNOT)
TORCHQ_GATE2(cy, CY)
TORCHQ_GATE2(cz, CZ)
TORCHQ_GATE2(swap, SWAP)
TORCHQ_GATE2(iswap, ISWAP)
#undef TORCHQ_GATE2

#define TORCHQ_ROT2(method, id)                                          \
  CircuitBuilder& CircuitBuilder::method(int a, int b, Param p, Wires c) { \
    return add(GateId::id, {a, b}, {p}, std::move(c));                   \
  }
TORCHQ_ROT2(crx, CRX)
TORCHQ_ROT2(cry, CRY)
TORCHQ_ROT2(crz, CRZ)
TORCHQ_ROT2(controlled_phase_shift, ControlledPhaseShift)
TORCHQ_ROT2(ising_xx, IsingXX)
TORCHQ_ROT2(ising_yy, IsingYY)
TORCHQ_ROT2(ising_zz, IsingZZ)
#undef TORCHQ_ROT2

CircuitBuilder& CircuitBuilder::crot(int control, int target, Param a, Param b, Param c, Wires ctrl) {
  return add(GateId::CRot, {control, target}, {a, b, c}, std::move(ctrl));
}
CircuitBuilder& CircuitBuilder::toffoli(int c1, int c2, int target, Wires ctrl) {
  return add(GateId::Toffoli, {c1, c2, target}, {}, std::move(ctrl));
}
CircuitBuilder& CircuitBuilder::cswap(int control, int a, int b, Wires ctrl) {
  return add(GateId::CSWAP, {control, a, b}, {}, std::move(ctrl));
}
CircuitBuilder& CircuitBuilder::multi_rz(Wires wires, Param a, Wires ctrl) {
  return add(GateId::MultiRZ, std::move(wires), {a}, std::move(ctrl));
}

CircuitBuilder& CircuitBuilder::qubit_unitary(std::vector<std::complex<double>> matrix, Wires wires, Wires ctrl) {
  Operation op;
  op.gate = GateId::QubitUnitary;
  op.wires = std::move(wires);
  op.controls = std::move(ctrl);
  op.matrix = std::move(matrix);
  return push(std::move(op));
}

CircuitBuilder& CircuitBuilder::amplitude_embedding(Wires wires, int feature_offset, int num_features, bool normalize,
                                                    double pad) {
  Operation op;
  op.gate = GateId::AmplitudeEmbedding;
  const int k = static_cast<int>(wires.size());
  op.amplitude = {feature_offset, num_features < 0 ? (k < 31 ? 1 << k : -1) : num_features, normalize, pad};
  op.wires = std::move(wires);
  return push(std::move(op));
}

CircuitBuilder& CircuitBuilder::basis_embedding(Wires wires, int feature_offset) {
  Operation op;
  op.gate = GateId::BasisEmbedding;
  for (std::size_t j = 0; j < wires.size(); ++j) op.params.push_back(ParamRef::input(feature_offset + static_cast<int>(j)));
  op.wires = std::move(wires);
  return push(std::move(op));
}

CircuitBuilder& CircuitBuilder::depolarizing(int w, double p) { return add(GateId::DepolarizingChannel, {w}, {p}, {}); }
CircuitBuilder& CircuitBuilder::amplitude_damping(int w, double gamma) {
  return add(GateId::AmplitudeDamping, {w}, {gamma}, {});
}
CircuitBuilder& CircuitBuilder::phase_damping(int w, double gamma) { return add(GateId::PhaseDamping, {w}, {gamma}, {}); }
CircuitBuilder& CircuitBuilder::bit_flip(int w, double p) { return add(GateId::BitFlip, {w}, {p}, {}); }

CircuitBuilder& CircuitBuilder::gate(const std::string& name, Wires wires, std::vector<Param> params, Wires controls,
                                     GatePayload payload) {
  const auto id = find_gate(name);
  if (!id) {
    std::string known;
    for (const GateInfo& g : kGateTable) known += (known.empty() ? "" : ", ") + std::string(g.name);
    throw ArgumentError("unknown gate '" + name + "'; known gates: " + known +
                        " (or their method names: cnot, ising_xx, ...)");
  }
  const bool has_matrix = !payload.matrix.empty(), has_amplitude = payload.amplitude.has_value();
  // A payload the gate does not take would be dropped without a word: refuse it instead.
  if (has_matrix && *id != GateId::QubitUnitary) {
    throw ArgumentError("gate('" + name + "'): a matrix is for QubitUnitary only");
  }
  if (has_amplitude && *id != GateId::AmplitudeEmbedding) {
    throw ArgumentError("gate('" + name + "'): an amplitude specification is for AmplitudeEmbedding only");
  }
  if (*id == GateId::QubitUnitary || *id == GateId::AmplitudeEmbedding) {
    if (!params.empty()) {
      throw ArgumentError("gate('" + name + "') takes no angles, got " + std::to_string(params.size()));
    }
  }
  if (*id == GateId::QubitUnitary) {
    if (!has_matrix) {
      throw ArgumentError("gate('" + name + "'): QubitUnitary needs its matrix: pass GatePayload{.matrix = m} "
                          "(row-major 2^k x 2^k), or call qubit_unitary(matrix, wires)");
    }
    return qubit_unitary(std::move(payload.matrix), std::move(wires), std::move(controls));
  }
  if (*id == GateId::AmplitudeEmbedding) {
    if (!controls.empty()) {
      throw ArgumentError("gate('" + name + "'): AmplitudeEmbedding is a state preparation and takes no control wires");
    }
    const AmplitudeOptions a = payload.amplitude.value_or(AmplitudeOptions{});
    return amplitude_embedding(std::move(wires), a.feature_offset, a.num_features, a.normalize, a.pad);
  }
  return add(*id, std::move(wires), std::move(params), std::move(controls));
}

Circuit CircuitBuilder::build() const {
  Circuit c(num_qubits_, num_weights_, num_inputs_);
  for (const Operation& op : ops_) c.add(op);
  return c;
}

}  // namespace torchq
