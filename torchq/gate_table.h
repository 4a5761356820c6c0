/**
 * @file gate_table.h
 * @brief Gate metadata as data: one constexpr row per gate (id, name, wires, parameters,
 * built-in controls, base gate). The numeric GateId is the opcode of the serialised program
 * format, so ids are append-only: never reorder or reuse them.
 *
 * Controlled gates are their base gate plus controls (CNOT = X with 1 control, Toffoli = X with
 * 2, CRot = Rot with 1, ...): the kernels and the adjoint only ever see base gates. The built-in
 * controls are the first wires of a gate, as in PennyLane; any gate may carry extra controls.
 */
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string_view>

namespace torchq {

enum class GateId : std::uint8_t {
  I = 0, X, Y, Z, H, S, Sdg, T, Tdg, SX,
  RX, RY, RZ, PhaseShift, Rot, U3,
  CNOT, CY, CZ, SWAP, ISWAP, CRX, CRY, CRZ, CRot, ControlledPhaseShift,
  IsingXX, IsingYY, IsingZZ, Toffoli, CSWAP, MultiRZ, QubitUnitary,
  AmplitudeEmbedding, BasisEmbedding,
  DepolarizingChannel, AmplitudeDamping, PhaseDamping, BitFlip,
  kCount
};

inline constexpr int kNumGates = static_cast<int>(GateId::kCount);
inline constexpr int kVariableWires = -1;

struct GateInfo {
  GateId id;
  std::string_view name;
  std::string_view method;  ///< the CircuitBuilder method (and Python Circuit method): "cnot", "ising_xx"
  int num_wires;         ///< wires including built-in controls; kVariableWires = any number >= 1
  int num_params;        ///< angles; for BasisEmbedding one input reference per wire (see circuit.h)
  int builtin_controls;  ///< leading wires that are controls
  GateId base;           ///< the gate applied to the remaining wires
  bool embedding;        ///< state preparation from input features; takes no extra controls
  /// A noise channel (noise.h): not unitary, one constant probability in [0, 1], no controls.
  /// Only the estimators of estimators.h (trajectories, density matrix) simulate channels.
  bool channel = false;
};

// clang-format off
inline constexpr std::array<GateInfo, kNumGates> kGateTable{{
  {GateId::I, "I", "i", 1, 0, 0, GateId::I, false},
  {GateId::X, "X", "x", 1, 0, 0, GateId::X, false},
  {GateId::Y, "Y", "y", 1, 0, 0, GateId::Y, false},
  {GateId::Z, "Z", "z", 1, 0, 0, GateId::Z, false},
  {GateId::H, "H", "h", 1, 0, 0, GateId::H, false},
  {GateId::S, "S", "s", 1, 0, 0, GateId::S, false},
  {GateId::Sdg, "Sdg", "sdg", 1, 0, 0, GateId::Sdg, false},
  {GateId::T, "T", "t", 1, 0, 0, GateId::T, false},
  {GateId::Tdg, "Tdg", "tdg", 1, 0, 0, GateId::Tdg, false},
  {GateId::SX, "SX", "sx", 1, 0, 0, GateId::SX, false},
  {GateId::RX, "RX", "rx", 1, 1, 0, GateId::RX, false},
  {GateId::RY, "RY", "ry", 1, 1, 0, GateId::RY, false},
  {GateId::RZ, "RZ", "rz", 1, 1, 0, GateId::RZ, false},
  {GateId::PhaseShift, "PhaseShift", "phase_shift", 1, 1, 0, GateId::PhaseShift, false},
  {GateId::Rot, "Rot", "rot", 1, 3, 0, GateId::Rot, false},
  {GateId::U3, "U3", "u3", 1, 3, 0, GateId::U3, false},
  {GateId::CNOT, "CNOT", "cnot", 2, 0, 1, GateId::X, false},
  {GateId::CY, "CY", "cy", 2, 0, 1, GateId::Y, false},
  {GateId::CZ, "CZ", "cz", 2, 0, 1, GateId::Z, false},
  {GateId::SWAP, "SWAP", "swap", 2, 0, 0, GateId::SWAP, false},
  {GateId::ISWAP, "ISWAP", "iswap", 2, 0, 0, GateId::ISWAP, false},
  {GateId::CRX, "CRX", "crx", 2, 1, 1, GateId::RX, false},
  {GateId::CRY, "CRY", "cry", 2, 1, 1, GateId::RY, false},
  {GateId::CRZ, "CRZ", "crz", 2, 1, 1, GateId::RZ, false},
  {GateId::CRot, "CRot", "crot", 2, 3, 1, GateId::Rot, false},
  {GateId::ControlledPhaseShift, "ControlledPhaseShift", "controlled_phase_shift", 2, 1, 1, GateId::PhaseShift, false},
  {GateId::IsingXX, "IsingXX", "ising_xx", 2, 1, 0, GateId::IsingXX, false},
  {GateId::IsingYY, "IsingYY", "ising_yy", 2, 1, 0, GateId::IsingYY, false},
  {GateId::IsingZZ, "IsingZZ", "ising_zz", 2, 1, 0, GateId::IsingZZ, false},
  {GateId::Toffoli, "Toffoli", "toffoli", 3, 0, 2, GateId::X, false},
  {GateId::CSWAP, "CSWAP", "cswap", 3, 0, 1, GateId::SWAP, false},
  {GateId::MultiRZ, "MultiRZ", "multi_rz", kVariableWires, 1, 0, GateId::MultiRZ, false},
  {GateId::QubitUnitary, "QubitUnitary", "qubit_unitary", kVariableWires, 0, 0, GateId::QubitUnitary, false},
  {GateId::AmplitudeEmbedding, "AmplitudeEmbedding", "amplitude_embedding", kVariableWires, 0, 0, GateId::AmplitudeEmbedding, true},
  {GateId::BasisEmbedding, "BasisEmbedding", "basis_embedding", kVariableWires, kVariableWires, 0, GateId::BasisEmbedding, true},
  {GateId::DepolarizingChannel, "DepolarizingChannel", "depolarizing", 1, 1, 0, GateId::DepolarizingChannel, false, true},
  {GateId::AmplitudeDamping, "AmplitudeDamping", "amplitude_damping", 1, 1, 0, GateId::AmplitudeDamping, false, true},
  {GateId::PhaseDamping, "PhaseDamping", "phase_damping", 1, 1, 0, GateId::PhaseDamping, false, true},
  {GateId::BitFlip, "BitFlip", "bit_flip", 1, 1, 0, GateId::BitFlip, false, true},
}};
// clang-format on

constexpr const GateInfo& gate_info(GateId id) { return kGateTable[static_cast<int>(id)]; }

/// Looks a gate up by its name ("CNOT", "RX", ...); case-sensitive.
std::optional<GateId> gate_by_name(std::string_view name);

/**
 * @brief Looks a gate up as Python's torchq.gates.gate_info does: by its table name ("CRX"), its
 * method name ("crx", "ising_xx"), or its table name in any case ("isingxx"), in that order.
 */
std::optional<GateId> find_gate(std::string_view name);

/// Dense matrix of a base gate with at most one angle, row-major, dim x dim (dim 2 or 4).
struct SmallMatrix {
  int dim = 2;
  std::array<std::complex<double>, 16> m{};
};

/**
 * @brief Matrix of a single-angle or constant base gate (I..PhaseShift, SWAP, ISWAP, Ising*).
 * Multi-angle gates (Rot, U3) are decomposed before this is called; see lowering.h.
 */
SmallMatrix base_gate_matrix(GateId base, double angle);

}  // namespace torchq
