/**
 * @file test_validation.cpp
 * @brief Circuit::from_program refuses every kind of malformed program with a ProgramError that
 * says where (the op position) and what is allowed; one test per kind. Programs are written by
 * hand in the documented format (circuit.h), so the format itself is checked too. Then the
 * round trip to_program / from_program on random circuits.
 */
#include <gtest/gtest.h>

#include <limits>

#include "dense_reference.h"
#include "test_util.h"

namespace torchq_test {
namespace {

using torchq::GateId;
using torchq::ParamRef;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// A param as the tests write it: kind, index, value, and for input products the second feature
/// (0 otherwise), so that most params stay three numbers long in the source.
struct Param {
  double kind, index, value, second = 0;
};

/// One op in the program format: [opcode, #controls, #wires, #params, #payload, controls,
/// wires, params, payload].
struct Op {
  double opcode;
  std::vector<double> controls, wires;
  std::vector<Param> params;
  std::vector<double> payload;
};

/// The program in format `version`: 2 writes each param as (kind, index, second_index, value);
/// 1 as (kind, index, value), where a product's value is its second feature (scale 1).
std::vector<double> program(double num_qubits, double num_weights, double num_inputs, const std::vector<Op>& ops,
                            int version = torchq::kProgramVersion) {
  std::vector<double> p{torchq::kProgramMagic, static_cast<double>(version), num_qubits, num_weights, num_inputs,
                        static_cast<double>(ops.size())};
  for (const Op& op : ops) {
    p.insert(p.end(), {op.opcode, static_cast<double>(op.controls.size()), static_cast<double>(op.wires.size()),
                       static_cast<double>(op.params.size()), static_cast<double>(op.payload.size())});
    p.insert(p.end(), op.controls.begin(), op.controls.end());
    p.insert(p.end(), op.wires.begin(), op.wires.end());
    for (const Param& q : op.params) {
      if (version == 1) {
        p.insert(p.end(), {q.kind, q.index, q.kind == 3 ? q.second : q.value});
      } else {
        p.insert(p.end(), {q.kind, q.index, q.second, q.value});
      }
    }
    p.insert(p.end(), op.payload.begin(), op.payload.end());
  }
  return p;
}

double code(GateId g) { return static_cast<double>(g); }

/// A valid 4-qubit program with 3 weights and 2 inputs; tests break one op at a time.
std::vector<Op> valid_ops() {
  return {
      {code(GateId::H), {}, {0}, {}, {}},
      {code(GateId::RX), {}, {1}, {{1, 0, 0.5}}, {}},
      {code(GateId::CNOT), {3}, {0, 2}, {}, {}},
      {code(GateId::CRot), {}, {2, 1}, {{0, 0, 0.3}, {1, 2, 1.0}, {2, 1, -1.0}}, {}},
      {code(GateId::QubitUnitary), {}, {3}, {}, {0, 0, 1, 0, 0, 1, 0, 0}},  // [[0, 1], [i, 0]] as (re, im) pairs
  };
}

std::vector<double> valid_program() { return program(4, 3, 2, valid_ops()); }

/// Expects from_program to throw ProgramError whose message holds every fragment.
void expect_refused(const std::vector<double>& p, std::initializer_list<std::string> fragments) {
  try {
    torchq::Circuit::from_program(p);
    ADD_FAILURE() << "program was accepted";
  } catch (const torchq::ProgramError& e) {
    const std::string msg = e.what();
    for (const std::string& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "message \"" << msg << "\" lacks \"" << f << "\"";
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than ProgramError: " << e.what();
  }
}

std::vector<double> with_op(std::size_t position, const Op& op) {
  auto ops = valid_ops();
  ops[position] = op;
  return program(4, 3, 2, ops);
}

TEST(ProgramValidation, ValidProgramIsAcceptedAndReadAsDocumented) {
  const torchq::Circuit c = torchq::Circuit::from_program(valid_program());
  EXPECT_EQ(c.num_qubits(), 4);
  EXPECT_EQ(c.num_weights(), 3);
  EXPECT_EQ(c.num_inputs(), 2);
  ASSERT_EQ(c.operations().size(), 5u);
  const torchq::Operation& cnot = c.operations()[2];
  EXPECT_EQ(cnot.gate, GateId::CNOT);
  EXPECT_EQ(cnot.controls, std::vector<int>{3});
  EXPECT_EQ(cnot.wires, (std::vector<int>{0, 2}));
  const torchq::Operation& crot = c.operations()[3];
  EXPECT_EQ(crot.params, (std::vector<ParamRef>{ParamRef::constant(0.3), ParamRef::weight(2), ParamRef::input(1, -1.0)}));
  EXPECT_EQ(c.operations()[4].matrix, (std::vector<std::complex<double>>{0, 1, {0, 1}, 0}));
  EXPECT_EQ(c.to_program(), valid_program());
}

TEST(ProgramValidation, RefusesUnknownOpcode) {
  const std::string range = "[0, " + std::to_string(torchq::kNumGates - 1) + "]";
  expect_refused(with_op(2, {99, {}, {0}, {}, {}}), {"op #2", "opcode", range, "got 99"});
  expect_refused(with_op(2, {static_cast<double>(torchq::kNumGates), {}, {0}, {}, {}}), {"op #2", "opcode", range});
  expect_refused(with_op(0, {-1, {}, {0}, {}, {}}), {"op #0", "opcode", range});
  // The same check when an Operation is built in code.
  torchq::Circuit c(2, 0, 0);
  torchq::Operation op;
  op.gate = static_cast<GateId>(200);
  op.wires = {0};
  try {
    c.add(op);
    ADD_FAILURE() << "accepted";
  } catch (const torchq::ProgramError& e) {
    EXPECT_NE(std::string(e.what()).find("op #0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown opcode 200"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("0.." + std::to_string(torchq::kNumGates - 1)), std::string::npos) << e.what();
  }
}

TEST(ProgramValidation, RefusesWireOutOfRange) {
  for (double bad : {4.0, 60.0, -1.0, -3.0}) {
    SCOPED_TRACE("wire " + std::to_string(bad));
    // The allowed range is the circuit's: 0..3 for 4 qubits (written "0..3" or "[0, 3]").
    auto check = [&](const std::vector<double>& p, const std::string& where) {
      try {
        torchq::Circuit::from_program(p);
        ADD_FAILURE() << "accepted";
      } catch (const torchq::ProgramError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(where), std::string::npos) << m;
        EXPECT_NE(m.find("out of range"), std::string::npos) << m;
        EXPECT_TRUE(m.find("0..3") != std::string::npos || m.find("[0, 3]") != std::string::npos) << m;
      }
    };
    check(with_op(1, {code(GateId::RX), {}, {bad}, {{1, 0, 0.5}}, {}}), "op #1");
    check(with_op(2, {code(GateId::CNOT), {bad}, {0, 2}, {}, {}}), "op #2");  // an extra control
  }
  torchq::Circuit c(4, 0, 0);
  EXPECT_THROW(c.add(GateId::CZ, {1, 4}), torchq::ProgramError);
  EXPECT_THROW(c.add(GateId::X, {1}, {}, {-1}), torchq::ProgramError);
}

TEST(ProgramValidation, RefusesRepeatedWire) {
  expect_refused(with_op(2, {code(GateId::CNOT), {}, {2, 2}, {}, {}}), {"op #2", "wire 2 is used twice", "distinct"});
  // A control equal to a target, and two equal controls.
  expect_refused(with_op(2, {code(GateId::CNOT), {2}, {0, 2}, {}, {}}), {"op #2", "wire 2 is used twice"});
  expect_refused(with_op(1, {code(GateId::RX), {3, 3}, {1}, {{1, 0, 0.5}}, {}}), {"op #1", "wire 3 is used twice"});
  expect_refused(with_op(0, {code(GateId::Toffoli), {}, {0, 1, 0}, {}, {}}), {"op #0", "wire 0 is used twice"});
}

TEST(ProgramValidation, RefusesWrongArity) {
  expect_refused(with_op(2, {code(GateId::CNOT), {}, {0, 1, 2}, {}, {}}), {"op #2", "CNOT", "exactly 2 wire(s), got 3"});
  expect_refused(with_op(0, {code(GateId::H), {}, {}, {}, {}}), {"op #0", "exactly 1 wire(s), got 0"});
  expect_refused(with_op(0, {code(GateId::Toffoli), {}, {0, 1}, {}, {}}), {"op #0", "exactly 3 wire(s), got 2"});
  expect_refused(with_op(1, {code(GateId::MultiRZ), {}, {}, {{0, 0, 0.1}}, {}}), {"op #1", "at least 1 wire"});
  // QubitUnitary: at most kMaxDenseTargets wires.
  std::vector<double> wires;
  for (int w = 0; w < 7; ++w) wires.push_back(w);
  const std::vector<double> big = program(8, 0, 0, {{code(GateId::QubitUnitary), {}, wires, {}, {}}});
  expect_refused(big, {"op #0", "QubitUnitary", "at most 6 wires, got 7"});
}

TEST(ProgramValidation, RefusesWrongParamCount) {
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {}, {}}), {"op #1", "RX", "exactly 1 parameter(s), got 0"});
  expect_refused(with_op(3, {code(GateId::CRot), {}, {2, 1}, {{0, 0, 0.3}}, {}}), {"op #3", "exactly 3 parameter(s), got 1"});
  expect_refused(with_op(0, {code(GateId::H), {}, {0}, {{0, 0, 0.3}}, {}}), {"op #0", "exactly 0 parameter(s), got 1"});
  // BasisEmbedding: one input reference per wire.
  expect_refused(with_op(0, {code(GateId::BasisEmbedding), {}, {0, 1}, {{2, 0, 1}}, {}}),
                 {"op #0", "exactly 2 parameter(s), got 1"});
}

TEST(ProgramValidation, RefusesWeightIndexOutOfRange) {
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{1, 3, 1.0}}, {}}),
                 {"op #1", "parameter 0", "weight index 3 is out of range", "3 weights"});
  expect_refused(with_op(3, {code(GateId::CRot), {}, {2, 1}, {{0, 0, 0.3}, {1, 7, 1.0}, {2, 1, -1.0}}, {}}),
                 {"op #3", "parameter 1", "weight index 7", "3 weights"});
  // Negative indices are not integers in the field's range.
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{1, -1, 1.0}}, {}}), {"op #1", "parameter index", "got -1"});
}

TEST(ProgramValidation, RefusesInputIndexOutOfRange) {
  expect_refused(with_op(1, {code(GateId::RY), {}, {1}, {{2, 2, 1.0}}, {}}),
                 {"op #1", "parameter 0", "input index 2 is out of range", "2 input features"});
  expect_refused(with_op(0, {code(GateId::BasisEmbedding), {}, {0, 1}, {{2, 1, 1}, {2, 2, 1}}, {}}),
                 {"op #0", "parameter 1", "input index 2"});
}

TEST(ProgramValidation, RefusesBadParamKind) {
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{4, 0, 0.5}}, {}}), {"op #1", "parameter kind", "[0, 3]", "got 4"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{-1, 0, 0.5}}, {}}), {"op #1", "parameter kind", "[0, 3]"});
  // A constant must have index 0; BasisEmbedding parameters must be inputs.
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{0, 1, 0.5}}, {}}), {"op #1", "constant must have index 0"});
  expect_refused(with_op(0, {code(GateId::BasisEmbedding), {}, {0}, {{1, 0, 1}}, {}}), {"op #0", "must reference input"});
}

TEST(ProgramValidation, RefusesNonFiniteConstant) {
  for (double bad : {kNaN, kInf, -kInf}) {
    expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{0, 0, bad}}, {}}), {"op #1", "parameter value", "finite"});
    // A non-finite scale of a weight too.
    expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{1, 0, bad}}, {}}), {"op #1", "finite"});
  }
  torchq::Circuit c(2, 0, 0);
  EXPECT_THROW(c.add(GateId::RZ, {0}, {ParamRef::constant(kNaN)}), torchq::ProgramError);
}

TEST(ProgramValidation, RefusesBadMagic) {
  auto p = valid_program();
  p[0] = torchq::kObservableMagic;
  expect_refused(p, {"program header", "magic 29521"});
}

TEST(ProgramValidation, RefusesBadVersion) {
  for (double bad : {0.0, 3.0, 99.0}) {
    auto p = valid_program();
    p[1] = bad;
    expect_refused(p, {"program header", "version " + std::to_string(static_cast<int>(bad)), "reads versions 1 to 2"});
  }
}

TEST(ProgramValidation, RefusesTruncatedProgram) {
  const auto full = valid_program();
  for (std::size_t len = 0; len < full.size(); ++len) {
    SCOPED_TRACE("first " + std::to_string(len) + " numbers");
    const std::vector<double> p(full.begin(), full.begin() + len);
    if (len < static_cast<std::size_t>(torchq::kProgramHeaderSize)) {
      expect_refused(p, {"program header", "at least 6 numbers"});
    } else {
      expect_refused(p, {"op #", "ends early"});
    }
  }
}

TEST(ProgramValidation, RefusesTrailingNumbers) {
  auto p = valid_program();
  p.push_back(0);
  p.push_back(1);
  expect_refused(p, {"2 trailing number(s)", "num_ops = 5"});
  // Equivalently: num_ops smaller than the ops present.
  p = valid_program();
  p[5] = 4;
  expect_refused(p, {"trailing number"});
}

TEST(ProgramValidation, RefusesNonIntegerField) {
  auto p = valid_program();
  p[2] = 3.5;  // num_qubits
  expect_refused(p, {"program header", "num_qubits", "integer", "[1, 50]", "3.5"});
  p = valid_program();
  p[5] = 4.5;  // num_ops
  expect_refused(p, {"num_ops", "integer"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1.5}, {{1, 0, 0.5}}, {}}), {"op #1", "wire", "integer", "1.5"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{1, 0.25, 0.5}}, {}}), {"op #1", "parameter index", "integer"});
  expect_refused(with_op(1, {code(GateId::RX) + 0.5, {}, {1}, {{1, 0, 0.5}}, {}}), {"op #1", "opcode", "integer"});
  expect_refused(with_op(1, {kNaN, {}, {1}, {{1, 0, 0.5}}, {}}), {"op #1", "opcode", "finite"});
}

TEST(ProgramValidation, RefusesNonUnitaryQubitUnitary) {
  expect_refused(with_op(4, {code(GateId::QubitUnitary), {}, {3}, {}, {1, 0, 1, 0, 0, 0, 1, 0}}),
                 {"op #4", "QubitUnitary", "not unitary"});
  // Scaled unitary: off by a factor, still refused.
  expect_refused(with_op(4, {code(GateId::QubitUnitary), {}, {3}, {}, {0, 0, 1.001, 0, 0, 1, 0, 0}}),
                 {"op #4", "not unitary"});
  // Wrong payload size for the wire count.
  expect_refused(with_op(4, {code(GateId::QubitUnitary), {}, {3, 2}, {}, {0, 0, 1, 0, 0, 1, 0, 0}}),
                 {"op #4", "payload must hold", "32"});
  // Built in code.
  torchq::Circuit c(2, 0, 0);
  EXPECT_THROW(c.unitary({0}, {1, 1, 0, 1}), torchq::ProgramError);
  EXPECT_THROW(c.unitary({0}, {1, 0, 0}), torchq::ProgramError);
  std::mt19937_64 rng(1);
  EXPECT_NO_THROW(c.unitary({1, 0}, ref::row_major(ref::random_unitary(4, rng))));
}

TEST(ProgramValidation, RefusesAmplitudeEmbeddingNotFirst) {
  const Op emb{code(GateId::AmplitudeEmbedding), {}, {0, 1}, {}, {0, 2, 1, 0}};
  auto ops = valid_ops();
  ops.insert(ops.begin() + 1, emb);
  expect_refused(program(4, 3, 2, ops), {"op #1", "AmplitudeEmbedding", "must be the first operation", "position 1"});
  // First is fine.
  ops = valid_ops();
  ops.insert(ops.begin(), emb);
  EXPECT_NO_THROW(torchq::Circuit::from_program(program(4, 3, 2, ops)));
  // Its own checks: payload size, feature count, features beyond the inputs, no controls.
  auto bad = [&](const Op& op, std::initializer_list<std::string> f) {
    auto o = valid_ops();
    o.insert(o.begin(), op);
    expect_refused(program(4, 3, 2, o), f);
  };
  bad({code(GateId::AmplitudeEmbedding), {}, {0, 1}, {}, {0, 2, 1}}, {"op #0", "payload must hold 4"});
  bad({code(GateId::AmplitudeEmbedding), {}, {0}, {}, {0, 3, 1, 0}}, {"op #0", "num_features", "[1, 2]"});
  bad({code(GateId::AmplitudeEmbedding), {}, {0, 1}, {}, {1, 2, 1, 0}}, {"op #0", "exceed", "2 input features"});
  bad({code(GateId::AmplitudeEmbedding), {}, {0, 1}, {}, {0, 2, 0.5, 0}}, {"op #0", "normalize"});
  bad({code(GateId::AmplitudeEmbedding), {3}, {0, 1}, {}, {0, 2, 1, 0}}, {"op #0", "cannot take control wires"});
}

TEST(ProgramValidation, RefusesPayloadOnAGateWithout) {
  expect_refused(with_op(0, {code(GateId::H), {}, {0}, {}, {1.0}}), {"op #0", "H", "takes no payload"});
}

TEST(ProgramValidation, RefusesBadHeaderCounts) {
  auto p = valid_program();
  p[2] = 0;
  expect_refused(p, {"num_qubits", "[1, 50]"});
  p = valid_program();
  p[3] = -1;
  expect_refused(p, {"num_weights"});
  EXPECT_THROW(torchq::Circuit(51, 0, 0), torchq::ProgramError);
}

// ---- Round trip ----

TEST(ProgramRoundTrip, RandomCircuitsSurviveToProgramAndBack) {
  std::mt19937_64 rng(8);
  for (int trial = 0; trial < 20; ++trial) {
    RandomCircuitOptions o;
    o.num_qubits = 2 + trial % 5;
    o.depth = 40;
    o.max_unitary_wires = std::min(3, o.num_qubits);
    o.num_inputs = 8;
    torchq::Circuit c(o.num_qubits, o.num_weights, o.num_inputs);
    if (trial % 3 == 0) c.amplitude_embedding(random_wires(o.num_qubits, 2, rng), {1, 3, trial % 2 == 0, 0.25});
    const torchq::Circuit body = random_circuit(o, rng);
    for (const auto& op : body.operations()) c.add(op);
    if (trial % 3 == 1) c.basis_embedding(random_wires(o.num_qubits, 2, rng), 5);
    const std::vector<double> p = c.to_program();
    const torchq::Circuit back = torchq::Circuit::from_program(p);
    EXPECT_EQ(back, c) << "trial " << trial;
    EXPECT_EQ(back.to_program(), p);
  }
}

TEST(ProgramRoundTrip, ProgramFromCodeMatchesHandWrittenLayout) {
  torchq::Circuit c(3, 2, 1);
  c.add(GateId::CRX, {2, 0}, {ParamRef::weight(1, 0.5)}, {1});
  EXPECT_EQ(c.to_program(), program(3, 2, 1, {{code(GateId::CRX), {1}, {2, 0}, {{1, 1, 0.5}}, {}}}));
  // Version 2 written out by hand: four numbers per param, the product's scale last.
  torchq::Circuit d(2, 1, 3);
  d.add(GateId::RX, {0}, {ParamRef::weight(0, 2.0)}).add(GateId::MultiRZ, {0, 1}, {ParamRef::input_product(2, 1, 0.5)});
  EXPECT_EQ(d.to_program(), (std::vector<double>{torchq::kProgramMagic, 2, 2, 1, 3, 2,         //
                                                 code(GateId::RX), 0, 1, 1, 0, 0, 1, 0, 0, 2.0,  //
                                                 code(GateId::MultiRZ), 0, 2, 1, 0, 0, 1, 3, 2, 1, 0.5}));
}

// ---- Versions: 1 is read as it always was, 2 is validated field by field ----

TEST(ProgramVersions, Version1IsReadAsBefore) {
  // Every kind of param, a product among them: v1 stores its second feature in value.
  const std::vector<Op> ops{
      {code(GateId::RX), {}, {1}, {{1, 0, 0.5}}, {}},
      {code(GateId::CRot), {}, {2, 1}, {{0, 0, 0.3}, {1, 2, 1.0}, {2, 1, -1.0}}, {}},
      {code(GateId::MultiRZ), {}, {0, 3}, {{3, 1, 1.0, 0}}, {}},
      {code(GateId::QubitUnitary), {}, {3}, {}, {0, 0, 1, 0, 0, 1, 0, 0}},
  };
  const std::vector<double> v1 = program(4, 3, 2, ops, 1);
  EXPECT_EQ(v1[1], 1.0);
  EXPECT_EQ(v1[6 + 5 + 1 + 3 + 5 + 2 + 9 + 5 + 2 + 2], 0.0);  // the product's value: its second feature
  const torchq::Circuit c = torchq::Circuit::from_program(v1);
  EXPECT_EQ(c.operations()[0].params[0], ParamRef::weight(0, 0.5));
  EXPECT_EQ(c.operations()[1].params,
            (std::vector<ParamRef>{ParamRef::constant(0.3), ParamRef::weight(2), ParamRef::input(1, -1.0)}));
  EXPECT_EQ(c.operations()[2].params[0], ParamRef::input_product(1, 0));  // scale 1
  // Written back as version 2, the same circuit.
  EXPECT_EQ(c.to_program(), program(4, 3, 2, ops));
  EXPECT_EQ(torchq::Circuit::from_program(c.to_program()), c);
  // A v1 product's second feature is an integer field, checked as one.
  auto bad = program(2, 0, 2, {{code(GateId::RX), {}, {0}, {{3, 0, 0, 1.5}}, {}}}, 1);
  expect_refused(bad, {"op #0", "input-product second feature", "integer", "1.5"});
  bad = program(2, 0, 2, {{code(GateId::RX), {}, {0}, {{3, 0, 0, 2}}, {}}}, 1);
  expect_refused(bad, {"op #0", "parameter 0", "input-product feature 2 is out of range", "2 input features"});
}

TEST(ProgramVersions, Version1ProductComputesItsOldAngle) {
  // x0 * x1 through RY on |0>: <Z> = cos(x0 x1), whichever version the program is in.
  const std::vector<Op> ops{{code(GateId::RY), {}, {0}, {{3, 0, 1.0, 1}}, {}}};
  for (int version : {1, 2}) {
    const torchq::Circuit c = torchq::Circuit::from_program(program(1, 0, 2, ops, version));
    const auto cc = torchq::compile(c);
    const std::vector<double> x{0.7, -1.3};
    const auto out = run_expval<double>(cc, torchq::compile_observables({torchq::Observable::z(0)}, 1), {}, false, x, 1);
    EXPECT_NEAR(out[0], std::cos(0.7 * -1.3), 1e-14) << "version " << version;
  }
}

TEST(ProgramVersions, Version2ValidatesEveryParamField) {
  // second_index: an integer, 0 unless the param is a product, in range for a product.
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{1, 0, 0.5, 1}}, {}}),
                 {"op #1", "parameter 0", "second_index must be 0", "got 1"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{0, 0, 0.5, 2}}, {}}), {"op #1", "second_index must be 0"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{2, 1, 0.5, 0.5}}, {}}),
                 {"op #1", "parameter second_index", "integer", "0.5"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{3, 1, 0.5, 2}}, {}}),
                 {"op #1", "input-product feature 2 is out of range", "2 input features"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{3, 2, 0.5, 0}}, {}}), {"op #1", "input-product feature 2"});
  expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{3, 0, 0.5, -1}}, {}}), {"op #1", "second_index", "got -1"});
  for (double bad : {kNaN, kInf}) {  // a product's scale must be finite
    expect_refused(with_op(1, {code(GateId::RX), {}, {1}, {{3, 0, bad, 1}}, {}}), {"op #1", "parameter value", "finite"});
  }
  // The same checks on an Operation built in code.
  torchq::Circuit c(2, 1, 2);
  ParamRef stray = ParamRef::weight(0);
  stray.second = 1;
  EXPECT_THROW(c.add(GateId::RX, {0}, {stray}), torchq::ProgramError);
  EXPECT_THROW(c.add(GateId::RX, {0}, {ParamRef::input_product(0, 2)}), torchq::ProgramError);
  EXPECT_THROW(c.add(GateId::RX, {0}, {ParamRef::input_product(0, 1, kNaN)}), torchq::ProgramError);
  EXPECT_NO_THROW(c.add(GateId::RX, {0}, {ParamRef::input_product(0, 1, -0.5)}));
}

TEST(ProgramVersions, ScaledProductsSurviveTheRoundTrip) {
  torchq::Circuit c(2, 0, 3);
  c.add(GateId::MultiRZ, {0, 1}, {ParamRef::input_product(2, 0, 0.25)})
      .add(GateId::CRY, {1, 0}, {ParamRef::input_product(1, 1, -3.0)});
  const torchq::Circuit back = torchq::Circuit::from_program(c.to_program());
  EXPECT_EQ(back, c);
  EXPECT_EQ(back.operations()[0].params[0].value, 0.25);
  EXPECT_EQ(back.operations()[0].params[0].second, 0);
  EXPECT_EQ(back.operations()[1].params[0].second, 1);
}

}  // namespace
}  // namespace torchq_test
