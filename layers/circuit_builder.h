/**
 * @file circuit_builder.h
 * @brief CircuitBuilder: writes a circuit the way the physics reads, gate by gate, with angles
 * that are constants, trainable weights (allocated in order by weight()) or input features.
 *
 *   CircuitBuilder b(2, 2);          // 2 qubits, 2 input features
 *   b.ry(0, b.input(0)).ry(1, b.input(1)).cnot(0, 1).rx(1, b.weight());
 *   torchq::Circuit c = b.build();
 *
 * Every gate takes optional extra control wires last. Python mirrors this as torchq.Circuit.
 */
#pragma once

#include <complex>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/noise.h"

namespace torchq::layers {

/// An angle: a constant (implicit from double), a weight or an input feature.
struct Param {
  ParamRef ref;
  Param(double constant) : ref(ParamRef::constant(constant)) {}  // NOLINT: implicit by design
  explicit Param(ParamRef r) : ref(r) {}
};

class CircuitBuilder {
 public:
  using Wires = std::vector<int>;

  explicit CircuitBuilder(int num_qubits, int num_inputs = 0);

  /// The next trainable weight (index 0, 1, 2, ... in call order).
  Param weight(double scale = 1.0);
  /// Input feature i times scale.
  Param input(int index, double scale = 1.0) const;

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
  /// Any gate by its name in the gate table ("CRX", "IsingXX", ...).
  CircuitBuilder& gate(const std::string& name, Wires wires, std::vector<Param> params = {}, Wires controls = {});

  int num_qubits() const { return num_qubits_; }
  int num_inputs() const { return num_inputs_; }
  int num_weights() const { return num_weights_; }

  /// The validated circuit; throws torchq::ProgramError naming the first bad operation.
  Circuit build() const;

 private:
  CircuitBuilder& add(GateId gate, Wires wires, std::vector<Param> params, Wires controls);
  int num_qubits_;
  int num_inputs_;
  int num_weights_ = 0;
  std::vector<Operation> ops_;
};

/**
 * @brief A copy of `circuit` with `channel` ("DepolarizingChannel", "AmplitudeDamping",
 * "PhaseDamping" or "BitFlip") of probability p after every gate, on each of its wires (controls
 * included). The core's torchq::add_noise_after_each_gate (noise.h).
 */
using torchq::add_noise_after_each_gate;

}  // namespace torchq::layers
