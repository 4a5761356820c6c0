/// @file lowering.cpp
#include "torchq/lowering.h"

#include "torchq/errors.h"

namespace torchq {
namespace {

Structure structure_of(GateId base) {
  switch (base) {
    case GateId::I: return Structure::kSkip;
    case GateId::X: case GateId::Y: return Structure::kAntiDiag1;
    case GateId::Z: case GateId::S: case GateId::Sdg: case GateId::T: case GateId::Tdg:
    case GateId::RZ: case GateId::PhaseShift: return Structure::kDiag1;
    case GateId::H: case GateId::SX: case GateId::RX: case GateId::RY: return Structure::kDense1;
    case GateId::SWAP: return Structure::kSwap2;
    case GateId::ISWAP: case GateId::IsingXX: case GateId::IsingYY: return Structure::kDense2;
    case GateId::IsingZZ: case GateId::MultiRZ: return Structure::kParity;
    case GateId::QubitUnitary: return Structure::kDenseK;
    default: break;
  }
  throw std::logic_error("structure_of: not a base gate");
}

/// Generator of a single-angle base gate on `targets` (bit positions), before controls.
Generator generator_of(GateId base, const std::vector<int>& target_bits) {
  Generator g;
  g.coeff = 0.5;
  Index all = 0;
  for (int b : target_bits) all |= Index{1} << b;
  switch (base) {
    case GateId::RX: case GateId::IsingXX: g.xmask = all; break;
    case GateId::RY: case GateId::IsingYY:
      g.xmask = g.zmask = all;
      g.num_y = static_cast<int>(target_bits.size());
      break;
    case GateId::RZ: case GateId::IsingZZ: case GateId::MultiRZ: g.zmask = all; break;
    case GateId::PhaseShift:  // diag(1, e^{ia}) = exp(i a |1><1|) = exp(-i a (-1) |1><1|)
      g.proj_mask = all;
      g.coeff = -1.0;
      break;
    default: throw std::logic_error("generator_of: gate has no angle");
  }
  return g;
}

}  // namespace

const Operation* CompiledCircuit::amplitude_embedding() const {
  const auto& ops = circuit.operations();
  if (!ops.empty() && ops.front().gate == GateId::AmplitudeEmbedding) return &ops.front();
  return nullptr;
}

void require_no_channels(const CompiledCircuit& c, const std::string& what) {
  if (c.num_channels == 0) return;
  for (const Primitive& p : c.primitives) {
    if (p.structure != Structure::kChannel) continue;
    throw ArgumentError(what + ": " + describe_op(c.circuit.operations()[p.source_op], p.source_op) +
                        " is a noise channel, and exact statevector simulation handles pure states only. "
                        "Simulate noise with expval_estimated (the QuantumLayer option `mode`) in mode "
                        "\"density_matrix\" (exact values and gradients, up to 12 qubits) or \"trajectories\" "
                        "(sampled Kraus operators on statevectors)");
  }
}

CompiledCircuit compile(const Circuit& circuit) {
  circuit.validate();
  CompiledCircuit out;
  out.circuit = circuit;
  const int n = circuit.num_qubits();
  const auto& ops = out.circuit.operations();
  for (std::size_t pos = 0; pos < ops.size(); ++pos) {
    const Operation& op = ops[pos];
    const GateInfo& g = gate_info(op.gate);
    if (op.gate == GateId::AmplitudeEmbedding) continue;  // handled as the initial state
    if (g.channel) {
      Primitive p;
      p.structure = Structure::kChannel;
      p.base = op.gate;
      p.source_op = static_cast<int>(pos);
      const int bit = wire_to_bit(n, op.wires[0]);
      p.layout = make_layout(n, &bit, 1, nullptr, 0);
      p.has_param = true;
      p.param = op.params[0];  // a constant: the probability, never differentiated
      out.primitives.push_back(p);
      ++out.num_channels;
      continue;
    }

    std::vector<int> ctrl_bits, tgt_bits;
    for (int c : op.controls) ctrl_bits.push_back(wire_to_bit(n, c));
    for (int j = 0; j < static_cast<int>(op.wires.size()); ++j) {
      const int b = wire_to_bit(n, op.wires[j]);
      (j < g.builtin_controls ? ctrl_bits : tgt_bits).push_back(b);
    }
    Index ctrl_mask = 0;
    for (int b : ctrl_bits) ctrl_mask |= Index{1} << b;

    auto emit = [&](GateId base, const ParamRef* param, const std::vector<int>& targets) {
      Primitive p;
      p.base = base;
      p.structure = structure_of(base);
      p.source_op = static_cast<int>(pos);
      if (p.structure == Structure::kParity) {
        for (int b : targets) p.zmask |= Index{1} << b;
        p.layout = make_layout(n, nullptr, 0, ctrl_bits.data(), static_cast<int>(ctrl_bits.size()));
      } else {
        p.layout = make_layout(n, targets.data(), static_cast<int>(targets.size()), ctrl_bits.data(),
                               static_cast<int>(ctrl_bits.size()));
      }
      if (param != nullptr) {
        p.has_param = true;
        p.param = *param;
        if (param->differentiable()) {
          p.generator = generator_of(base, targets);
          p.generator.proj_mask |= ctrl_mask;
          ++out.num_differentiable;
        }
      }
      if (p.structure == Structure::kSkip) return;  // identity, controlled or not
      out.primitives.push_back(p);
    };

    switch (g.base) {
      case GateId::Rot:
        emit(GateId::RZ, &op.params[0], tgt_bits);
        emit(GateId::RY, &op.params[1], tgt_bits);
        emit(GateId::RZ, &op.params[2], tgt_bits);
        break;
      case GateId::U3:
        emit(GateId::PhaseShift, &op.params[2], tgt_bits);
        emit(GateId::RY, &op.params[0], tgt_bits);
        emit(GateId::PhaseShift, &op.params[1], tgt_bits);
        break;
      case GateId::QubitUnitary:
        out.unitaries.push_back(op.matrix);
        emit(GateId::QubitUnitary, nullptr, tgt_bits);
        out.primitives.back().unitary = static_cast<int>(out.unitaries.size()) - 1;
        break;
      case GateId::BasisEmbedding:
        for (std::size_t j = 0; j < tgt_bits.size(); ++j) {
          Primitive p;
          p.structure = Structure::kBasisFlip;
          p.base = GateId::X;
          p.source_op = static_cast<int>(pos);
          p.layout = make_layout(n, &tgt_bits[j], 1, nullptr, 0);
          p.has_param = true;
          p.param = op.params[j];  // an input reference: selects, is not differentiated
          out.primitives.push_back(p);
        }
        break;
      default:
        emit(g.base, g.num_params == 1 ? &op.params[0] : nullptr, tgt_bits);
    }
  }
  return out;
}

}  // namespace torchq
