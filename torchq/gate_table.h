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
  {GateId::I, "I", 1, 0, 0, GateId::I, false},
  {GateId::X, "X", 1, 0, 0, GateId::X, false},
  {GateId::Y, "Y", 1, 0, 0, GateId::Y, false},
  {GateId::Z, "Z", 1, 0, 0, GateId::Z, false},
  {GateId::H, "H", 1, 0, 0, GateId::H, false},
  {GateId::S, "S", 1, 0, 0, GateId::S, false},
  {GateId::Sdg, "Sdg", 1, 0, 0, GateId::Sdg, false},
  {GateId::T, "T", 1, 0, 0, GateId::T, false},
  {GateId::Tdg, "Tdg", 1, 0, 0, GateId::Tdg, false},
  {GateId::SX, "SX", 1, 0, 0, GateId::SX, false},
  {GateId::RX, "RX", 1, 1, 0, GateId::RX, false},
  {GateId::RY, "RY", 1, 1, 0, GateId::RY, false},
  {GateId::RZ, "RZ", 1, 1, 0, GateId::RZ, false},
  {GateId::PhaseShift, "PhaseShift", 1, 1, 0, GateId::PhaseShift, false},
  {GateId::Rot, "Rot", 1, 3, 0, GateId::Rot, false},
  {GateId::U3, "U3", 1, 3, 0, GateId::U3, false},
  {GateId::CNOT, "CNOT", 2, 0, 1, GateId::X, false},
  {GateId::CY, "CY", 2, 0, 1, GateId::Y, false},
  {GateId::CZ, "CZ", 2, 0, 1, GateId::Z, false},
  {GateId::SWAP, "SWAP", 2, 0, 0, GateId::SWAP, false},
  {GateId::ISWAP, "ISWAP", 2, 0, 0, GateId::ISWAP, false},
  {GateId::CRX, "CRX", 2, 1, 1, GateId::RX, false},
  {GateId::CRY, "CRY", 2, 1, 1, GateId::RY, false},
  {GateId::CRZ, "CRZ", 2, 1, 1, GateId::RZ, false},
  {GateId::CRot, "CRot", 2, 3, 1, GateId::Rot, false},
  {GateId::ControlledPhaseShift, "ControlledPhaseShift", 2, 1, 1, GateId::PhaseShift, false},
  {GateId::IsingXX, "IsingXX", 2, 1, 0, GateId::IsingXX, false},
  {GateId::IsingYY, "IsingYY", 2, 1, 0, GateId::IsingYY, false},
  {GateId::IsingZZ, "IsingZZ", 2, 1, 0, GateId::IsingZZ, false},
  {GateId::Toffoli, "Toffoli", 3, 0, 2, GateId::X, false},
  {GateId::CSWAP, "CSWAP", 3, 0, 1, GateId::SWAP, false},
  {GateId::MultiRZ, "MultiRZ", kVariableWires, 1, 0, GateId::MultiRZ, false},
  {GateId::QubitUnitary, "QubitUnitary", kVariableWires, 0, 0, GateId::QubitUnitary, false},
  {GateId::AmplitudeEmbedding, "AmplitudeEmbedding", kVariableWires, 0, 0, GateId::AmplitudeEmbedding, true},
  {GateId::BasisEmbedding, "BasisEmbedding", kVariableWires, kVariableWires, 0, GateId::BasisEmbedding, true},
  {GateId::DepolarizingChannel, "DepolarizingChannel", 1, 1, 0, GateId::DepolarizingChannel, false, true},
  {GateId::AmplitudeDamping, "AmplitudeDamping", 1, 1, 0, GateId::AmplitudeDamping, false, true},
  {GateId::PhaseDamping, "PhaseDamping", 1, 1, 0, GateId::PhaseDamping, false, true},
  {GateId::BitFlip, "BitFlip", 1, 1, 0, GateId::BitFlip, false, true},
}};
// clang-format on

constexpr const GateInfo& gate_info(GateId id) { return kGateTable[static_cast<int>(id)]; }

/// Looks a gate up by its name ("CNOT", "RX", ...); case-sensitive.
std::optional<GateId> gate_by_name(std::string_view name);

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
