/// @file circuit.cpp
#include "torchq/circuit.h"

#include <cmath>
#include <set>
#include <sstream>

#include "torchq/errors.h"
#include "torchq/types.h"

namespace torchq {
namespace {

constexpr double kUnitaryTolerance = 1e-8;
constexpr int kMaxCount = 1 << 30;  // bound on weights, inputs, ops: keeps every size in int range

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ProgramError(where + ": " + what);
}

/// Reads program numbers in order and checks that each integer field is an exact integer.
class Reader {
 public:
  explicit Reader(std::span<const double> data) : data_(data) {}
  bool done() const { return pos_ == data_.size(); }
  std::size_t pos() const { return pos_; }

  double real(const std::string& where, const std::string& field) {
    need(1, where, field);
    const double v = data_[pos_++];
    if (!std::isfinite(v)) {
      fail(where, field + " must be a finite number, got " + std::to_string(v));
    }
    return v;
  }
  int integer(const std::string& where, const std::string& field, long long lo, long long hi) {
    const double v = real(where, field);
    if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
      std::ostringstream s;
      s << field << " must be an integer in [" << lo << ", " << hi << "], got " << v;
      fail(where, s.str());
    }
    return static_cast<int>(v);
  }

 private:
  void need(std::size_t n, const std::string& where, const std::string& field) {
    if (data_.size() - pos_ < n) {
      fail(where, "program ends early while reading " + field + " (program has " +
                      std::to_string(data_.size()) + " numbers)");
    }
  }
  std::span<const double> data_;
  std::size_t pos_ = 0;
};

/**
 * One param. Version 2: (kind, index, second_index, value). Version 1: (kind, index, value), where
 * a product's value is its second feature (an exact integer) and its scale is 1; reading it so
 * keeps every saved v1 model computing what it did. Ranges are checked by validate_op.
 */
ParamRef read_param(Reader& r, const std::string& where, int version) {
  ParamRef p;
  p.kind = static_cast<ParamRef::Kind>(r.integer(where, "parameter kind", 0, 3));
  p.index = r.integer(where, "parameter index", 0, kMaxCount);
  if (version >= 2) {
    p.second = r.integer(where, "parameter second_index", 0, kMaxCount);
    p.value = r.real(where, "parameter value");
  } else if (p.kind == ParamRef::Kind::kInputProduct) {
    p.second = r.integer(where, "input-product second feature", 0, kMaxCount);
    p.value = 1.0;
  } else {
    p.value = r.real(where, "parameter value");
  }
  return p;
}

}  // namespace

std::string describe_op(const Operation& op, std::size_t position) {
  const int id = static_cast<int>(op.gate);
  const std::string name = id < kNumGates ? std::string(gate_info(op.gate).name) : "unknown";
  return "op #" + std::to_string(position) + " (" + name + ")";
}

Circuit::Circuit(int num_qubits, int num_weights, int num_inputs)
    : num_qubits_(num_qubits), num_weights_(num_weights), num_inputs_(num_inputs) {
  if (num_qubits < 1 || num_qubits > kMaxQubits) {
    throw ProgramError("circuit: num_qubits must be in [1, " + std::to_string(kMaxQubits) +
                       "], got " + std::to_string(num_qubits));
  }
  if (num_weights < 0 || num_weights > kMaxCount || num_inputs < 0 || num_inputs > kMaxCount) {
    throw ProgramError("circuit: num_weights and num_inputs must be in [0, 2^30], got " +
                       std::to_string(num_weights) + " and " + std::to_string(num_inputs));
  }
}

Circuit& Circuit::add(Operation op) {
  validate_op(op, ops_.size());
  ops_.push_back(std::move(op));
  return *this;
}

Circuit& Circuit::add(GateId gate, std::vector<int> wires, std::vector<ParamRef> params,
                      std::vector<int> controls) {
  Operation op;
  op.gate = gate;
  op.wires = std::move(wires);
  op.params = std::move(params);
  op.controls = std::move(controls);
  return add(std::move(op));
}

Circuit& Circuit::unitary(std::vector<int> wires, std::vector<std::complex<double>> matrix,
                          std::vector<int> controls) {
  Operation op;
  op.gate = GateId::QubitUnitary;
  op.wires = std::move(wires);
  op.matrix = std::move(matrix);
  op.controls = std::move(controls);
  return add(std::move(op));
}

Circuit& Circuit::amplitude_embedding(std::vector<int> wires, AmplitudeSpec spec) {
  Operation op;
  op.gate = GateId::AmplitudeEmbedding;
  op.wires = std::move(wires);
  op.amplitude = spec;
  return add(std::move(op));
}

Circuit& Circuit::basis_embedding(std::vector<int> wires, int feature_offset) {
  Operation op;
  op.gate = GateId::BasisEmbedding;
  for (std::size_t j = 0; j < wires.size(); ++j) {
    op.params.push_back(ParamRef::input(feature_offset + static_cast<int>(j)));
  }
  op.wires = std::move(wires);
  return add(std::move(op));
}

Circuit& Circuit::channel(GateId channel, int wire, double p) {
  return add(channel, {wire}, {ParamRef::constant(p)});
}

void Circuit::validate_op(const Operation& op, std::size_t position) const {
  const int id = static_cast<int>(op.gate);
  if (id < 0 || id >= kNumGates) {
    fail("op #" + std::to_string(position),
         "unknown opcode " + std::to_string(id) + "; known opcodes are 0.." +
             std::to_string(kNumGates - 1) + " (see gate_table.h)");
  }
  const GateInfo& g = gate_info(op.gate);
  const std::string where = describe_op(op, position);
  const int nw = static_cast<int>(op.wires.size());

  // Arity.
  if (g.num_wires == kVariableWires) {
    if (nw < 1) fail(where, "needs at least 1 wire, got 0");
    if (op.gate == GateId::QubitUnitary && nw > kMaxDenseTargets) {
      fail(where, "acts on at most " + std::to_string(kMaxDenseTargets) +
                      " wires, got " + std::to_string(nw));
    }
  } else if (nw != g.num_wires) {
    fail(where, "takes exactly " + std::to_string(g.num_wires) + " wire(s), got " +
                    std::to_string(nw));
  }
  const int want_params = g.num_params == kVariableWires ? nw : g.num_params;
  if (static_cast<int>(op.params.size()) != want_params) {
    fail(where, "takes exactly " + std::to_string(want_params) + " parameter(s), got " +
                    std::to_string(op.params.size()));
  }
  if (g.embedding && !op.controls.empty()) {
    fail(where, "is a state preparation and cannot take control wires");
  }
  if (g.channel && !op.controls.empty()) {
    fail(where, "is a noise channel and cannot take control wires");
  }

  // Wires: in range and all distinct (controls included).
  std::set<int> seen;
  auto check_wire = [&](int w, const char* role) {
    if (w < 0 || w >= num_qubits_) {
      fail(where, std::string(role) + "wire " + std::to_string(w) + " is out of range: the circuit has " +
                      std::to_string(num_qubits_) + " qubits, so wires are 0.." +
                      std::to_string(num_qubits_ - 1));
    }
    if (!seen.insert(w).second) {
      fail(where, "wire " + std::to_string(w) + " is used twice; every wire of an operation "
                  "(controls included) must be distinct");
    }
  };
  for (int w : op.wires) check_wire(w, "");
  for (int w : op.controls) check_wire(w, "control ");

  // Parameters.
  for (std::size_t j = 0; j < op.params.size(); ++j) {
    const ParamRef& p = op.params[j];
    const std::string pw = where + " parameter " + std::to_string(j);
    if (!std::isfinite(p.value)) fail(pw, "value must be finite, got " + std::to_string(p.value));
    switch (p.kind) {
      case ParamRef::Kind::kConstant:
        if (p.index != 0) fail(pw, "a constant must have index 0, got " + std::to_string(p.index));
        break;
      case ParamRef::Kind::kWeight:
        if (p.index < 0 || p.index >= num_weights_) {
          fail(pw, "weight index " + std::to_string(p.index) + " is out of range: the circuit has " +
                       std::to_string(num_weights_) + " weights");
        }
        break;
      case ParamRef::Kind::kInput:
        if (p.index < 0 || p.index >= num_inputs_) {
          fail(pw, "input index " + std::to_string(p.index) + " is out of range: the circuit has " +
                       std::to_string(num_inputs_) + " input features");
        }
        break;
      case ParamRef::Kind::kInputProduct:
        for (const int j : {p.index, p.second}) {
          if (j < 0 || j >= num_inputs_) {
            fail(pw, "input-product feature " + std::to_string(j) + " is out of range: the circuit has " +
                         std::to_string(num_inputs_) + " input features");
          }
        }
        break;
      default:
        fail(pw, "kind must be 0 (constant), 1 (weight), 2 (input) or 3 (input product), got " +
                     std::to_string(static_cast<int>(p.kind)));
    }
    // Only a product has a second feature: a stray one would be dropped by a round trip.
    if (p.kind != ParamRef::Kind::kInputProduct && p.second != 0) {
      fail(pw, "second_index must be 0 for a parameter that is not an input product, got " +
                   std::to_string(p.second));
    }
    if (op.gate == GateId::BasisEmbedding && p.kind != ParamRef::Kind::kInput) {
      fail(pw, "BasisEmbedding parameters must reference input features");
    }
    if (g.channel) {
      // A channel's probability is part of the noise model, not a trainable angle.
      if (p.kind != ParamRef::Kind::kConstant) {
        fail(pw, "a noise channel's probability must be a constant number in [0, 1], not a weight or an "
                 "input feature");
      }
      if (!(p.value >= 0.0 && p.value <= 1.0)) {
        fail(pw, "probability must be in [0, 1], got " + std::to_string(p.value));
      }
    }
  }

  // Payloads.
  if (op.gate == GateId::QubitUnitary) {
    const std::size_t dim = std::size_t{1} << nw;
    if (op.matrix.size() != dim * dim) {
      fail(where, "matrix must have " + std::to_string(dim * dim) + " entries for " +
                      std::to_string(nw) + " wire(s), got " + std::to_string(op.matrix.size()));
    }
    for (const auto& z : op.matrix) {
      if (!std::isfinite(z.real()) || !std::isfinite(z.imag())) fail(where, "matrix has a non-finite entry");
    }
    // U^dagger U = I: a non-unitary matrix would silently break norms and the adjoint method.
    double worst = 0;
    for (std::size_t r = 0; r < dim; ++r) {
      for (std::size_t c = 0; c < dim; ++c) {
        std::complex<double> acc = 0;
        for (std::size_t k = 0; k < dim; ++k) acc += std::conj(op.matrix[k * dim + r]) * op.matrix[k * dim + c];
        worst = std::max(worst, std::abs(acc - (r == c ? 1.0 : 0.0)));
      }
    }
    if (worst > kUnitaryTolerance) {
      fail(where, "matrix is not unitary (max |U^dagger U - I| = " + std::to_string(worst) + ")");
    }
  } else if (!op.matrix.empty()) {
    fail(where, "only QubitUnitary takes a matrix");
  }
  if (op.gate == GateId::AmplitudeEmbedding) {
    if (position != 0) fail(where, "must be the first operation (it prepares the state), found at position " + std::to_string(position));
    const AmplitudeSpec& a = op.amplitude;
    const long long dim = 1LL << nw;
    if (a.num_features < 1 || a.num_features > dim) {
      fail(where, "num_features must be in [1, " + std::to_string(dim) + "] for " + std::to_string(nw) +
                      " wire(s), got " + std::to_string(a.num_features));
    }
    if (a.feature_offset < 0 || static_cast<long long>(a.feature_offset) + a.num_features > num_inputs_) {
      fail(where, "features [" + std::to_string(a.feature_offset) + ", " +
                      std::to_string(static_cast<long long>(a.feature_offset) + a.num_features) +
                      ") exceed the circuit's " + std::to_string(num_inputs_) + " input features");
    }
    if (!std::isfinite(a.pad)) fail(where, "pad value must be finite");
    if (a.num_features < dim && a.pad == 0.0 && !a.normalize) {
      // Fine: zero padding of an already normalised vector.
    }
  }
}

void Circuit::validate() const {
  if (num_qubits_ < 1 || num_qubits_ > kMaxQubits) {
    throw ProgramError("circuit: num_qubits must be in [1, " + std::to_string(kMaxQubits) + "]");
  }
  for (std::size_t i = 0; i < ops_.size(); ++i) validate_op(ops_[i], i);
}

std::vector<double> Circuit::to_program() const {
  std::vector<double> out{kProgramMagic, static_cast<double>(kProgramVersion),
                          static_cast<double>(num_qubits_), static_cast<double>(num_weights_),
                          static_cast<double>(num_inputs_), static_cast<double>(ops_.size())};
  for (const Operation& op : ops_) {
    std::size_t payload = 0;
    if (op.gate == GateId::QubitUnitary) payload = 2 * op.matrix.size();
    if (op.gate == GateId::AmplitudeEmbedding) payload = 4;
    out.insert(out.end(), {static_cast<double>(op.gate), static_cast<double>(op.controls.size()),
                           static_cast<double>(op.wires.size()), static_cast<double>(op.params.size()),
                           static_cast<double>(payload)});
    for (int c : op.controls) out.push_back(c);
    for (int w : op.wires) out.push_back(w);
    for (const ParamRef& p : op.params) {
      out.insert(out.end(), {static_cast<double>(p.kind), static_cast<double>(p.index), static_cast<double>(p.second),
                             p.value});
    }
    for (const auto& z : op.matrix) out.insert(out.end(), {z.real(), z.imag()});
    if (op.gate == GateId::AmplitudeEmbedding) {
      const AmplitudeSpec& a = op.amplitude;
      out.insert(out.end(), {static_cast<double>(a.feature_offset), static_cast<double>(a.num_features),
                             a.normalize ? 1.0 : 0.0, a.pad});
    }
  }
  return out;
}

Circuit Circuit::from_program(std::span<const double> program) {
  Reader r(program);
  const std::string head = "program header";
  if (program.size() < static_cast<std::size_t>(kProgramHeaderSize)) {
    fail(head, "a program has at least " + std::to_string(kProgramHeaderSize) + " numbers, got " +
                   std::to_string(program.size()));
  }
  if (program[0] != kProgramMagic) {
    fail(head, "first number must be the torchq magic 29521 (was this made by Circuit::to_program?), got " +
                   std::to_string(program[0]));
  }
  r.real(head, "magic");
  const int version = r.integer(head, "version", 0, 1 << 20);
  if (version < kOldestProgramVersion || version > kProgramVersion) {
    fail(head, "unsupported program version " + std::to_string(version) + "; this build reads versions " +
                   std::to_string(kOldestProgramVersion) + " to " + std::to_string(kProgramVersion));
  }
  const int nq = r.integer(head, "num_qubits", 1, kMaxQubits);
  const int nweights = r.integer(head, "num_weights", 0, kMaxCount);
  const int ninputs = r.integer(head, "num_inputs", 0, kMaxCount);
  const int nops = r.integer(head, "num_ops", 0, kMaxCount);
  Circuit c(nq, nweights, ninputs);
  for (int i = 0; i < nops; ++i) {
    const std::string where = "op #" + std::to_string(i);
    Operation op;
    const int code = r.integer(where, "opcode", 0, kNumGates - 1);
    op.gate = static_cast<GateId>(code);
    const int nctrl = r.integer(where, "num_controls", 0, kMaxQubits);
    const int nw = r.integer(where, "num_wires", 0, kMaxQubits);
    const int np = r.integer(where, "num_params", 0, kMaxQubits * 3);
    const int npay = r.integer(where, "payload size", 0, 2 << (2 * kMaxDenseTargets));
    // Any integer wire reaches validate_op, whose message names the circuit's range (0..n-1).
    for (int j = 0; j < nctrl; ++j) op.controls.push_back(r.integer(where, "control wire", -kMaxCount, kMaxCount));
    for (int j = 0; j < nw; ++j) op.wires.push_back(r.integer(where, "wire", -kMaxCount, kMaxCount));
    for (int j = 0; j < np; ++j) op.params.push_back(read_param(r, where, version));
    if (op.gate == GateId::QubitUnitary) {
      if (nw > kMaxDenseTargets) {
        fail(describe_op(op, i), "acts on at most " + std::to_string(kMaxDenseTargets) +
                                     " wires, got " + std::to_string(nw));
      }
      const int want = nw <= kMaxDenseTargets ? 2 << (2 * nw) : -1;
      if (npay != want) fail(where + " (QubitUnitary)", "payload must hold 2*4^k = " + std::to_string(want) + " numbers, got " + std::to_string(npay));
      for (int j = 0; j < npay / 2; ++j) {
        const double re = r.real(where, "matrix entry");
        const double im = r.real(where, "matrix entry");
        op.matrix.emplace_back(re, im);
      }
    } else if (op.gate == GateId::AmplitudeEmbedding) {
      if (npay != 4) fail(where + " (AmplitudeEmbedding)", "payload must hold 4 numbers, got " + std::to_string(npay));
      op.amplitude.feature_offset = r.integer(where, "feature_offset", 0, kMaxCount);
      op.amplitude.num_features = r.integer(where, "num_features", 0, kMaxCount);
      op.amplitude.normalize = r.integer(where, "normalize flag", 0, 1) == 1;
      op.amplitude.pad = r.real(where, "pad value");
    } else if (npay != 0) {
      fail(describe_op(op, i), "takes no payload, got " + std::to_string(npay) + " numbers");
    }
    c.add(std::move(op));
  }
  if (!r.done()) {
    fail("program", "has " + std::to_string(program.size() - r.pos()) +
                        " trailing number(s) after the last operation (num_ops = " + std::to_string(nops) + ")");
  }
  return c;
}

}  // namespace torchq
