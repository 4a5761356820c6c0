/**
 * @file lowering.h
 * @brief Lowers a validated Circuit to primitives: one structure-specialised kernel call each,
 * with at most one angle and, when that angle is differentiable, its generator.
 *
 * Multi-angle gates are decomposed here so the adjoint method needs one generator per angle:
 *   Rot(a, b, c) = RZ(c) RY(b) RZ(a)        (RZ(a) applied first)
 *   U3(t, p, l)  = PhaseShift(p) RY(t) PhaseShift(l)
 * and controls carry over to every factor (a product of controlled gates with the same controls
 * is the controlled product).
 */
#pragma once

#include <complex>
#include <string>
#include <vector>

#include "torchq/bits.h"
#include "torchq/circuit.h"

namespace torchq {

enum class Structure : std::uint8_t {
  kSkip,       ///< identity
  kDense1,     ///< H, SX, RX, RY
  kDiag1,      ///< Z, S, Sdg, T, Tdg, RZ, PhaseShift
  kAntiDiag1,  ///< X, Y
  kDense2,     ///< ISWAP, IsingXX, IsingYY
  kSwap2,      ///< SWAP
  kParity,     ///< IsingZZ, MultiRZ: phase by parity of the target bits
  kDenseK,     ///< QubitUnitary
  kBasisFlip,  ///< one wire of BasisEmbedding: X if the input feature is 1
  kChannel,    ///< a noise channel on one wire (noise.h); param is its constant probability
  /// Never a primitive's: a kernel call (apply.h) of a CNOT with the pending one-qubit products of
  /// its two wires folded in, one pass instead of three (OneQubitFuser::fuse_cnot).
  kFusedCnot,
  /// Never a primitive's: a kernel call of [[0, 1], [1, 0]] under controls (X, CNOT, Toffoli, a
  /// set basis bit, a product that came out as X), resolved once (apply.cpp) so that every
  /// consumer runs the exchange kernel without comparing coefficients.
  kFlip1,
};

/**
 * @brief The generator G of U(a) = exp(-i a coeff G), G = Proj(proj_mask) * P, where P is the
 * Pauli word with X on xmask, Z on zmask, Y on both (num_y of them), and Proj projects onto
 * basis states with all proj_mask bits set (the controls; PhaseShift's |1><1|).
 */
struct Generator {
  Index xmask = 0;
  Index zmask = 0;
  int num_y = 0;
  Index proj_mask = 0;
  double coeff = 0.0;
};

struct Primitive {
  Structure structure = Structure::kSkip;
  GateId base = GateId::I;  ///< the base gate whose matrix base_gate_matrix() builds
  GateLayout layout;
  Index zmask = 0;           ///< kParity: the target bits
  bool has_param = false;
  ParamRef param;            ///< the angle (or, for kBasisFlip, the input feature)
  Generator generator;       ///< valid when has_param and param.differentiable()
  int unitary = -1;          ///< kDenseK: index into CompiledCircuit::unitaries
  int source_op = 0;         ///< position of the Operation it came from

  /// Bits the primitive reads or writes: controls, targets and (parity gates) the Z mask.
  Index touched_bits() const {
    Index bits = layout.ctrl_mask | zmask;
    for (int t = 0; t < layout.num_targets; ++t) bits |= Index{1} << layout.target_bits[t];
    return bits;
  }
};

struct CompiledCircuit {
  Circuit circuit;
  std::vector<Primitive> primitives;
  /// Matrices of QubitUnitary operations (row-major, double).
  std::vector<std::vector<std::complex<double>>> unitaries;
  /// The AmplitudeEmbedding, if the circuit starts with one.
  const Operation* amplitude_embedding() const;
  /// Number of differentiable angles (weights or inputs).
  int num_differentiable = 0;
  /// Number of noise channels (kChannel primitives). Only the estimators simulate them.
  int num_channels = 0;
};

/**
 * @brief Throws ArgumentError when the circuit holds a noise channel: the exact statevector
 * functions (expval, variance, probs, final_state, sample, the adjoint) simulate pure states only.
 * The message names the first channel and the modes that simulate it (estimators.h).
 * @param what names the call, e.g. "expval".
 */
void require_no_channels(const CompiledCircuit& c, const std::string& what);

/// Lowers a circuit (validated again here, so a CompiledCircuit is always valid).
CompiledCircuit compile(const Circuit& circuit);

}  // namespace torchq
