/**
 * @file circuit.h
 * @brief A circuit: a flat sequence of operations on wires, and its serialised program form.
 *
 * Every angle is a ParamRef: a constant, scale * weights[index] (trainable) or
 * scale * inputs[index] (a data feature), so encodings and trainable gates are both
 * differentiable. Wires of a named gate come in PennyLane's order: built-in controls first
 * (CNOT(c, t)); `controls` holds extra control wires (the gate acts when all are |1>).
 *
 * Program format, version 2 (a flat array of float64, so it travels as one tensor):
 *   header:  [kProgramMagic, version, num_qubits, num_weights, num_inputs, num_ops]
 *   each op: [opcode, num_controls, num_wires, num_params, num_payload,
 *             controls..., wires..., (kind, index, second_index, value) per param..., payload...]
 * opcode is the GateId; param kind 0 constant (index 0, value = angle), 1 weight (angle = value *
 * weights[index]), 2 input (angle = value * inputs[index]), 3 product of two inputs (angle =
 * value * inputs[index] * inputs[second_index], as in IQP embeddings); second_index is 0 for the
 * kinds other than 3. Payload: QubitUnitary 2*4^k numbers (real, imaginary; row-major);
 * AmplitudeEmbedding [feature_offset, num_features, normalize (0/1), pad_value]; others none.
 * Noise channels (DepolarizingChannel, AmplitudeDamping, PhaseDamping, BitFlip; see noise.h) take
 * one wire, no controls and one constant parameter, their probability in [0, 1].
 * Every integer field must hold an exact integer. Circuit::from_program validates all of it.
 *
 * Version 1 (still read, never written: saved models hold it) differs only in the params: 3
 * numbers (kind, index, value), and a product stores its second feature in value (scale 1), so
 * it could not be scaled.
 */
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "torchq/gate_table.h"

namespace torchq {

inline constexpr double kProgramMagic = 29521.0;  // "tq" as 0x7351
inline constexpr int kProgramVersion = 2;        ///< the version to_program writes
inline constexpr int kOldestProgramVersion = 1;  ///< the oldest version from_program reads
inline constexpr int kProgramHeaderSize = 6;
inline constexpr int kOpHeaderSize = 5;
inline constexpr int kParamSize = 4;  ///< numbers per param in version 2 (3 in version 1)

struct ParamRef {
  enum class Kind : std::uint8_t { kConstant = 0, kWeight = 1, kInput = 2, kInputProduct = 3 };
  Kind kind = Kind::kConstant;
  int index = 0;
  int second = 0;      ///< the second feature of a product; 0 for the other kinds
  double value = 0.0;  ///< the angle for constants, the scale for weights, inputs and products

  static ParamRef constant(double angle) { return {Kind::kConstant, 0, 0, angle}; }
  static ParamRef weight(int index, double scale = 1.0) { return {Kind::kWeight, index, 0, scale}; }
  static ParamRef input(int index, double scale = 1.0) { return {Kind::kInput, index, 0, scale}; }
  /// scale * inputs[i] * inputs[j].
  static ParamRef input_product(int i, int j, double scale = 1.0) { return {Kind::kInputProduct, i, j, scale}; }

  /// The angle for one sample. `weights` and `inputs` point at that sample's rows.
  template <class T>
  double resolve(const T* weights, const T* inputs) const {
    switch (kind) {
      case Kind::kWeight: return value * static_cast<double>(weights[index]);
      case Kind::kInput: return value * static_cast<double>(inputs[index]);
      case Kind::kInputProduct:
        return value * static_cast<double>(inputs[index]) * static_cast<double>(inputs[second]);
      default: return value;
    }
  }
  bool differentiable() const { return kind != Kind::kConstant; }
  friend bool operator==(const ParamRef&, const ParamRef&) = default;
};

/// Parameters of an amplitude embedding: the state is inputs[offset : offset+num_features],
/// padded with `pad` to 2^k and (if `normalize`) divided by its norm.
struct AmplitudeSpec {
  int feature_offset = 0;
  int num_features = 0;
  bool normalize = true;
  double pad = 0.0;
  friend bool operator==(const AmplitudeSpec&, const AmplitudeSpec&) = default;
};

struct Operation {
  GateId gate = GateId::I;
  std::vector<int> wires;     ///< built-in controls first, then targets
  std::vector<int> controls;  ///< extra control wires
  std::vector<ParamRef> params;
  std::vector<std::complex<double>> matrix;  ///< QubitUnitary only, row-major 2^k x 2^k
  AmplitudeSpec amplitude;                   ///< AmplitudeEmbedding only
  friend bool operator==(const Operation&, const Operation&) = default;
};

class Circuit {
 public:
  Circuit() = default;
  /// @param num_qubits wires 0..num_qubits-1 (wire 0 = most significant bit, see types.h)
  /// @param num_weights length of the trainable weight vector (per sample)
  /// @param num_inputs  length of one input feature row
  Circuit(int num_qubits, int num_weights, int num_inputs);

  int num_qubits() const { return num_qubits_; }
  int num_weights() const { return num_weights_; }
  int num_inputs() const { return num_inputs_; }
  const std::vector<Operation>& operations() const { return ops_; }

  /// Appends an operation and validates it (throws ProgramError naming the position).
  Circuit& add(Operation op);
  /// Convenience: gate by id, wires, angles, extra controls.
  Circuit& add(GateId gate, std::vector<int> wires, std::vector<ParamRef> params = {},
               std::vector<int> controls = {});
  Circuit& unitary(std::vector<int> wires, std::vector<std::complex<double>> matrix,
                   std::vector<int> controls = {});
  Circuit& amplitude_embedding(std::vector<int> wires, AmplitudeSpec spec);
  /// X on wires[j] when inputs[feature_offset + j] is 1 (inputs must be 0 or 1).
  Circuit& basis_embedding(std::vector<int> wires, int feature_offset);
  /// A noise channel (GateId::DepolarizingChannel, ...) of probability p on one wire.
  Circuit& channel(GateId channel, int wire, double p);

  /// The program array (see file comment).
  std::vector<double> to_program() const;
  /// Parses and validates a program; throws ProgramError saying what and where.
  static Circuit from_program(std::span<const double> program);

  /// Throws ProgramError if any operation is malformed (from_program calls this).
  void validate() const;
  /// Throws ProgramError, naming "op #position", if `op` at that position is malformed for this
  /// circuit's sizes (add() calls it; CircuitBuilder checks each gate with it as it is added).
  void validate_op(const Operation& op, std::size_t position) const;

  friend bool operator==(const Circuit&, const Circuit&) = default;

 private:
  int num_qubits_ = 0;
  int num_weights_ = 0;
  int num_inputs_ = 0;
  std::vector<Operation> ops_;
};

/// "op #3 (CNOT)" for messages.
std::string describe_op(const Operation& op, std::size_t position);

}  // namespace torchq
