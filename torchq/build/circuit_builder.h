/**
 * @file circuit_builder.h
 * @brief CircuitBuilder: writes a circuit the way the physics reads, gate by gate, with angles
 * that are constants, trainable weights (allocated in order by weight()) or input features.
 *
 *   CircuitBuilder b(2, 2);          // 2 qubits, 2 input features
 *   b.ry(0, b.input(0)).ry(1, b.input(1)).cnot(0, 1).rx(1, b.weight());
 *   torchq::Circuit c = b.build();
 *
 * Every gate takes optional extra control wires last, and is checked as it is added (a bad wire,
 * angle or matrix throws torchq::ProgramError naming "op #k (Gate)" at once, as Python's Circuit
 * does). Part of the torch-free core (torchq_core): building circuits needs no LibTorch.
 */
#pragma once

#include <complex>
#include <optional>
#include <string>
#include <vector>

#include "torchq/circuit.h"

namespace torchq {

/// An angle: a constant (implicit from double), a weight, an input feature or a product of two.
/// Multiplying by a number scales it (0.5 * b.input(1), 0.5 * b.input_product(1, 2)).
struct Param {
  ParamRef ref;
  Param(double constant) : ref(ParamRef::constant(constant)) {}  // NOLINT: implicit by design
  explicit Param(ParamRef r) : ref(r) {}
  /// The angle times s: a constant's angle, else the scale of its weight, feature or product.
  friend Param operator*(double s, Param p) {
    p.ref.value *= s;
    return p;
  }
  friend Param operator*(Param p, double s) { return s * p; }
  friend Param operator-(Param p) { return -1.0 * p; }
};

/// An amplitude embedding's features, with the defaults of CircuitBuilder::amplitude_embedding:
/// inputs[feature_offset : feature_offset + num_features] (-1: 2^k), padded with `pad`, normalised.
struct AmplitudeOptions {
  int feature_offset = 0;
  int num_features = -1;
  bool normalize = true;
  double pad = 0.0;
};

/// What QubitUnitary and AmplitudeEmbedding take beyond wires when added by name (gate()).
/// Written with designated initializers: GatePayload{.matrix = m}. (The "= {}" initializers keep
/// gcc's -Wmissing-field-initializers quiet about the member left out.)
struct GatePayload {
  std::vector<std::complex<double>> matrix = {};  ///< QubitUnitary: row-major 2^k x 2^k (required)
  std::optional<AmplitudeOptions> amplitude = {};  ///< AmplitudeEmbedding: none = AmplitudeOptions{}
};

class CircuitBuilder {
 public:
  using Wires = std::vector<int>;

  explicit CircuitBuilder(int num_qubits, int num_inputs = 0);
  /// A builder that continues `circuit`: its operations, and weights numbered after its own.
  static CircuitBuilder from_circuit(const Circuit& circuit);

  /// The next trainable weight (index 0, 1, 2, ... in call order).
  Param weight(double scale = 1.0);
  /// Input feature i times scale.
  Param input(int index, double scale = 1.0) const;
  /// scale * inputs[i] * inputs[j] (i == j allowed), e.g. IQP pair angles; differentiable in both.
  Param input_product(int i, int j, double scale = 1.0) const;

  CircuitBuilder& i(int w, Wires controls = {});
  CircuitBuilder& x(int w, Wires controls = {});
  CircuitBuilder& y(int w, Wires controls = {});
  CircuitBuilder& z(int w, Wires controls = {});
  CircuitBuilder& h(int w, Wires controls = {});
  CircuitBuilder& s(int w, Wires controls = {});
  CircuitBuilder& sdg(int w, Wires controls = {});
  CircuitBuilder& t(int w, Wires controls = {});
  CircuitBuilder& tdg(int w, Wires controls = {});
  CircuitBuilder& sx(int w, Wires controls = {});
  CircuitBuilder& rx(int w, Param a, Wires controls = {});
  CircuitBuilder& ry(int w, Param a, Wires controls = {});
  CircuitBuilder& rz(int w, Param a, Wires controls = {});
  CircuitBuilder& phase_shift(int w, Param a, Wires controls = {});
  CircuitBuilder& rot(int w, Param phi, Param theta, Param omega, Wires controls = {});
  CircuitBuilder& u3(int w, Param theta, Param phi, Param lambda, Wires controls = {});
  CircuitBuilder& cnot(int control, int target, Wires controls = {});
  CircuitBuilder& cy(int control, int target, Wires controls = {});
  CircuitBuilder& cz(int control, int target, Wires controls = {});
  CircuitBuilder& swap(int a, int b, Wires controls = {});
  CircuitBuilder& iswap(int a, int b, Wires controls = {});
  CircuitBuilder& crx(int control, int target, Param a, Wires controls = {});
  CircuitBuilder& cry(int control, int target, Param a, Wires controls = {});
  CircuitBuilder& crz(int control, int target, Param a, Wires controls = {});
  CircuitBuilder& crot(int control, int target, Param phi, Param theta, Param omega, Wires controls = {});
  CircuitBuilder& controlled_phase_shift(int control, int target, Param a, Wires controls = {});
  CircuitBuilder& ising_xx(int a, int b, Param angle, Wires controls = {});
  CircuitBuilder& ising_yy(int a, int b, Param angle, Wires controls = {});
  CircuitBuilder& ising_zz(int a, int b, Param angle, Wires controls = {});
  CircuitBuilder& toffoli(int c1, int c2, int target, Wires controls = {});
  CircuitBuilder& cswap(int control, int a, int b, Wires controls = {});
  CircuitBuilder& multi_rz(Wires wires, Param a, Wires controls = {});
  CircuitBuilder& qubit_unitary(std::vector<std::complex<double>> matrix, Wires wires, Wires controls = {});
  /// Prepares inputs[feature_offset : feature_offset + num_features] (padded with `pad`,
  /// normalised if asked) on `wires`; must come first. num_features -1 means 2^len(wires).
  CircuitBuilder& amplitude_embedding(Wires wires, int feature_offset = 0, int num_features = -1,
                                      bool normalize = true, double pad = 0.0);
  /// X on wires[j] where inputs[feature_offset + j] is 1.
  CircuitBuilder& basis_embedding(Wires wires, int feature_offset = 0);
  /// Noise channels of probability p in [0, 1] on one wire (torchq/noise.h); a circuit with
  /// channels runs in QuantumLayer mode "density_matrix" or "trajectories".
  CircuitBuilder& depolarizing(int w, double p);
  CircuitBuilder& amplitude_damping(int w, double gamma);
  CircuitBuilder& phase_damping(int w, double gamma);
  CircuitBuilder& bit_flip(int w, double p);
  /**
   * @brief Any gate by name, found as Python's gate_info finds it (torchq::find_gate): the table
   * name ("CRX", "IsingXX"), the method name ("crx", "ising_xx") or the table name in any case.
   * @param payload QubitUnitary's matrix (required), AmplitudeEmbedding's features (optional)
   */
  CircuitBuilder& gate(const std::string& name, Wires wires, std::vector<Param> params = {}, Wires controls = {},
                       GatePayload payload = {});

  int num_qubits() const { return num_qubits_; }
  int num_inputs() const { return num_inputs_; }
  int num_weights() const { return num_weights_; }
  /// The operations so far, in order.
  const std::vector<Operation>& operations() const { return ops_; }

  /// The circuit (its operations were checked as they were added).
  Circuit build() const;

 private:
  CircuitBuilder& add(GateId gate, Wires wires, std::vector<Param> params, Wires controls);
  /// Checks `op` against the sizes so far and appends it; a refused op leaves the builder as it was.
  CircuitBuilder& push(Operation op);
  int num_qubits_;
  int num_inputs_;
  int num_weights_ = 0;
  std::vector<Operation> ops_;
};

}  // namespace torchq
