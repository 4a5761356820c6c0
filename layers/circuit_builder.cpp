/// @file circuit_builder.cpp
#include "layers/circuit_builder.h"

#include "torchq/errors.h"

namespace torchq::layers {

CircuitBuilder::CircuitBuilder(int num_qubits, int num_inputs) : num_qubits_(num_qubits), num_inputs_(num_inputs) {
  Circuit probe(num_qubits, 0, num_inputs);  // validates the sizes now, not at build()
}

Param CircuitBuilder::weight(double scale) { return Param(ParamRef::weight(num_weights_++, scale)); }

Param CircuitBuilder::input(int index, double scale) const {
  if (index < 0 || index >= num_inputs_) {
    throw ArgumentError("input(" + std::to_string(index) + "): the circuit has " + std::to_string(num_inputs_) +
                        " input features (set num_inputs when creating the builder)");
  }
  return Param(ParamRef::input(index, scale));
}

CircuitBuilder& CircuitBuilder::add(GateId gate, Wires wires, std::vector<Param> params, Wires controls) {
  Operation op;
  op.gate = gate;
  op.wires = std::move(wires);
  op.controls = std::move(controls);
  for (const Param& p : params) op.params.push_back(p.ref);
  ops_.push_back(std::move(op));
  return *this;
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
  ops_.push_back(std::move(op));
  return *this;
}

CircuitBuilder& CircuitBuilder::amplitude_embedding(Wires wires, int feature_offset, int num_features, bool normalize,
                                                    double pad) {
  Operation op;
  op.gate = GateId::AmplitudeEmbedding;
  const int k = static_cast<int>(wires.size());
  op.amplitude = {feature_offset, num_features < 0 ? (k < 31 ? 1 << k : -1) : num_features, normalize, pad};
  op.wires = std::move(wires);
  ops_.push_back(std::move(op));
  return *this;
}

CircuitBuilder& CircuitBuilder::basis_embedding(Wires wires, int feature_offset) {
  Operation op;
  op.gate = GateId::BasisEmbedding;
  for (std::size_t j = 0; j < wires.size(); ++j) op.params.push_back(ParamRef::input(feature_offset + static_cast<int>(j)));
  op.wires = std::move(wires);
  ops_.push_back(std::move(op));
  return *this;
}

CircuitBuilder& CircuitBuilder::depolarizing(int w, double p) { return add(GateId::DepolarizingChannel, {w}, {p}, {}); }
CircuitBuilder& CircuitBuilder::amplitude_damping(int w, double gamma) {
  return add(GateId::AmplitudeDamping, {w}, {gamma}, {});
}
CircuitBuilder& CircuitBuilder::phase_damping(int w, double gamma) { return add(GateId::PhaseDamping, {w}, {gamma}, {}); }
CircuitBuilder& CircuitBuilder::bit_flip(int w, double p) { return add(GateId::BitFlip, {w}, {p}, {}); }

CircuitBuilder& CircuitBuilder::gate(const std::string& name, Wires wires, std::vector<Param> params, Wires controls) {
  const auto id = gate_by_name(name);
  if (!id) {
    std::string known;
    for (const GateInfo& g : kGateTable) known += (known.empty() ? "" : ", ") + std::string(g.name);
    throw ArgumentError("unknown gate '" + name + "'; known gates: " + known);
  }
  return add(*id, std::move(wires), std::move(params), std::move(controls));
}

Circuit CircuitBuilder::build() const {
  Circuit c(num_qubits_, num_weights_, num_inputs_);
  for (const Operation& op : ops_) c.add(op);
  return c;
}

}  // namespace torchq::layers
