/**
 * @file test_builder.cpp
 * @brief The circuit builder and its templates (torchq/build/): gates by any name Python accepts
 * (QubitUnitary and AmplitudeEmbedding included), scaled input products (values, adjoint
 * gradients, drawing), the weight ranges templates return, angle_embedding's num_features and
 * strongly_entangling_layers' imprimitive. Torch-free: runs in the core-only build.
 */
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include "test_util.h"
#include "tests/error_of.h"

namespace torchq_test {
namespace {

using torchq::CircuitBuilder;
using torchq::GateId;
using torchq::GatePayload;
using torchq::Param;
using torchq::ParamRef;
using torchq::WeightRange;

/// Expects the call (the remaining arguments, commas and all) to throw a message holding `fragment`.
#define EXPECT_ERROR_HAS(fragment, ...) \
  EXPECT_NE(error_of([&] { __VA_ARGS__; }).find(fragment), std::string::npos) << error_of([&] { __VA_ARGS__; })

// ---- Checks as gates are added; continuing a circuit ----

TEST(Builder, EveryGateIsCheckedAsItIsAdded) {
  CircuitBuilder b(3, 1);
  b.h(0);
  EXPECT_ERROR_HAS("op #1 (RX)", b.rx(5, 0.1));
  EXPECT_ERROR_HAS("wire 5 is out of range", b.rx(5, 0.1));
  EXPECT_THROW(b.rx(0, 0.1, {0}), torchq::ProgramError);                         // a control that is a target
  EXPECT_ERROR_HAS("weight index 0", b.ry(0, Param(ParamRef::weight(0))));      // not allocated yet
  EXPECT_ERROR_HAS("not unitary", b.qubit_unitary({1, 1, 0, 1}, {0}));
  EXPECT_ERROR_HAS("must be the first operation", b.amplitude_embedding({0}, 0, 1));
  EXPECT_EQ(b.operations().size(), 1u);  // the refused gates left nothing behind
  b.ry(0, b.weight());
  EXPECT_EQ(b.operations().size(), 2u);
}

TEST(Builder, FromCircuitContinuesIt) {
  CircuitBuilder a(2, 1);
  a.rx(0, a.weight()).ry(1, a.input(0)).cnot(0, 1);
  CircuitBuilder b = CircuitBuilder::from_circuit(a.build());
  EXPECT_EQ(b.operations(), a.operations());
  EXPECT_EQ(b.weight().ref, ParamRef::weight(1));  // numbered after the circuit's own
  EXPECT_EQ(b.num_inputs(), 1);
  EXPECT_EQ(b.build().operations().size(), 3u);
}

// ---- gate(name, ...) ----

TEST(BuilderGate, AcceptsTableNamesMethodNamesAndAnyCase) {
  // Python's gate_info: the table name, the method name, or the table name in any case.
  CircuitBuilder want(3, 0);
  want.crx(0, 1, 0.3).ising_xx(1, 2, 0.2).cnot(2, 0).controlled_phase_shift(0, 2, 0.1, {1}).multi_rz({0, 1}, 0.4);
  for (const auto& names : std::vector<std::vector<std::string>>{
           {"CRX", "IsingXX", "CNOT", "ControlledPhaseShift", "MultiRZ"},
           {"crx", "ising_xx", "cnot", "controlled_phase_shift", "multi_rz"},
           {"cRx", "isingxx", "Cnot", "CONTROLLEDPHASESHIFT", "multirz"}}) {
    CircuitBuilder b(3, 0);
    b.gate(names[0], {0, 1}, {0.3}).gate(names[1], {1, 2}, {0.2}).gate(names[2], {2, 0});
    b.gate(names[3], {0, 2}, {0.1}, {1}).gate(names[4], {0, 1}, {0.4});
    EXPECT_EQ(b.build(), want.build()) << names[0];
  }
  // Methods whose snake case is no lower-cased table name (as in Python).
  CircuitBuilder noisy(1, 0);
  noisy.gate("depolarizing", {0}, {0.1}).gate("bit_flip", {0}, {0.2});
  EXPECT_EQ(noisy.build().operations()[0].gate, GateId::DepolarizingChannel);
  EXPECT_EQ(noisy.build().operations()[1].gate, GateId::BitFlip);
  // Neither a name, a method nor a name in another case: refused, as Python refuses it.
  CircuitBuilder b(2, 0);
  EXPECT_ERROR_HAS("unknown gate 'ISING_XX'", b.gate("ISING_XX", {0, 1}, {0.1}));
  EXPECT_ERROR_HAS("known gates: I, X", b.gate("Foo", {0}));
}

TEST(BuilderGate, QubitUnitaryByNameTakesItsMatrix) {
  const std::vector<std::complex<double>> m{0, 1, {0, 1}, 0};  // [[0, 1], [i, 0]]
  CircuitBuilder want(2, 0);
  want.qubit_unitary(m, {1}, {0});
  for (const std::string name : {"QubitUnitary", "qubit_unitary", "qubitunitary"}) {
    CircuitBuilder b(2, 0);
    b.gate(name, {1}, {}, {0}, GatePayload{.matrix = m});
    EXPECT_EQ(b.build(), want.build()) << name;
  }
  CircuitBuilder b(2, 0);
  EXPECT_ERROR_HAS("QubitUnitary needs its matrix", b.gate("QubitUnitary", {0}));
  EXPECT_ERROR_HAS("qubit_unitary(matrix, wires)", b.gate("QubitUnitary", {0}));
  EXPECT_ERROR_HAS("a matrix is for QubitUnitary only", b.gate("RX", {0}, {0.1}, {}, GatePayload{.matrix = m}));
  EXPECT_ERROR_HAS("takes no angles", b.gate("QubitUnitary", {0}, {0.1}, {}, GatePayload{.matrix = m}));
  EXPECT_EQ(b.build().operations().size(), 0u);  // nothing was added by the refused calls
}

TEST(BuilderGate, AmplitudeEmbeddingByNameDefaultsToTheFirstFeatures) {
  CircuitBuilder b(3, 6);
  b.gate("AmplitudeEmbedding", {0, 2});
  const torchq::Circuit built = b.build();
  const torchq::Operation& op = built.operations()[0];
  EXPECT_EQ(op.gate, GateId::AmplitudeEmbedding);
  EXPECT_EQ(op.wires, (std::vector<int>{0, 2}));
  EXPECT_EQ(op.amplitude, (torchq::AmplitudeSpec{0, 4, true, 0.0}));  // features [0, 2^2), normalised, pad 0

  CircuitBuilder c(3, 6);
  c.gate("amplitude_embedding", {1, 2}, {}, {}, GatePayload{.amplitude = torchq::AmplitudeOptions{2, 3, false, 0.5}});
  EXPECT_EQ(c.build().operations()[0].amplitude, (torchq::AmplitudeSpec{2, 3, false, 0.5}));
  CircuitBuilder d(3, 6);
  EXPECT_ERROR_HAS("takes no control wires", d.gate("AmplitudeEmbedding", {0}, {}, {1}));
  EXPECT_ERROR_HAS("for AmplitudeEmbedding only",
                   d.gate("RY", {0}, {0.1}, {}, GatePayload{.amplitude = torchq::AmplitudeOptions{}}));
}

// ---- Scaled input products ----

TEST(InputProduct, BuilderMakesAndScalesProducts) {
  CircuitBuilder b(2, 3);
  EXPECT_EQ(b.input_product(0, 2).ref, ParamRef::input_product(0, 2));
  EXPECT_EQ(b.input_product(0, 2, 0.5).ref, (ParamRef{ParamRef::Kind::kInputProduct, 0, 2, 0.5}));
  EXPECT_EQ((0.5 * b.input_product(1, 1)).ref, ParamRef::input_product(1, 1, 0.5));
  EXPECT_EQ((b.input_product(1, 2, 2.0) * 0.25).ref, ParamRef::input_product(1, 2, 0.5));
  EXPECT_EQ((-b.input_product(1, 2)).ref, ParamRef::input_product(1, 2, -1.0));
  EXPECT_EQ((0.5 * b.input(1)).ref, ParamRef::input(1, 0.5));  // the other kinds scale the same way
  EXPECT_EQ((3.0 * Param(0.25)).ref, ParamRef::constant(0.75));
  EXPECT_ERROR_HAS("input_product(0, 3): the circuit has 3 input features", b.input_product(0, 3));
  EXPECT_ERROR_HAS("input_product(-1, 0)", b.input_product(-1, 0));
}

TEST(InputProduct, ScaledProductAngleAndGradient) {
  // RY(s x0 x1)|0>: <Z> = cos(s x0 x1), d/dx0 = -sin(.) s x1, d/dx1 = -sin(.) s x0.
  const double s = 0.5, x0 = 0.7, x1 = -1.3;
  CircuitBuilder b(1, 2);
  b.ry(0, s * b.input_product(0, 1));
  const auto cc = torchq::compile(b.build());
  const auto obs = torchq::compile_observables({torchq::Observable::z(0)}, 1);
  const std::vector<double> x{x0, x1};
  const double angle = s * x0 * x1;
  EXPECT_NEAR(run_expval<double>(cc, obs, {}, false, x, 1)[0], std::cos(angle), 1e-14);
  const Grads<double> g = run_adjoint<double>(cc, obs, {}, false, x, 1, {1.0});
  EXPECT_NEAR(g.inputs[0], -std::sin(angle) * s * x1, 1e-12);
  EXPECT_NEAR(g.inputs[1], -std::sin(angle) * s * x0, 1e-12);
}

TEST(InputProduct, ScaledProductsInEveryGateKindMatchTheReferenceAndFiniteDifferences) {
  // Products with scales (and a square, i == j) in one- and two-qubit rotations, Rot, MultiRZ and
  // a controlled rotation; the state against the dense reference, the gradient against finite
  // differences of the engine.
  CircuitBuilder b(3, 3);
  b.h(0).h(1).rx(0, 0.5 * b.input_product(0, 1)).cry(1, 2, -1.5 * b.input_product(2, 0));
  b.rot(2, b.input_product(1, 1, 0.25), b.input(0), 2.0 * b.input_product(0, 2));
  b.multi_rz({0, 1, 2}, b.input_product(2, 1, -0.75)).ising_xx(0, 2, 1.25 * b.input_product(1, 0), {1});
  b.ry(1, b.input_product(0, 0));  // scale 1: the v1 angle
  const torchq::Circuit c = b.build();
  const auto cc = torchq::compile(c);
  const std::vector<double> x{0.4, -0.9, 1.1};
  const ref::Vec psi = ref::simulate(c, {}, x);
  std::vector<std::complex<double>> state(8);
  torchq::final_state<double>(cc, torchq::make_batch<double>(cc, nullptr, false, x.data(), 1), state.data(),
                              torchq::serial_executor());
  EXPECT_LT(max_diff(psi, state.data()), 1e-12);

  const auto obs = torchq::compile_observables(
      {torchq::Observable::pauli_word("XZ", {0, 2}), torchq::Observable::pauli_word("Y", {1}, 0.5)}, 3);
  const std::vector<double> cot{0.8, -1.1};
  const Grads<double> g = run_adjoint<double>(cc, obs, {}, false, x, 1, cot);
  for (int f = 0; f < 3; ++f) {
    std::vector<double> xp = x, xm = x;
    const double eps = 1e-6;
    xp[f] += eps;
    xm[f] -= eps;
    const auto ep = run_expval<double>(cc, obs, {}, false, xp, 1), em = run_expval<double>(cc, obs, {}, false, xm, 1);
    const double fd = (cot[0] * (ep[0] - em[0]) + cot[1] * (ep[1] - em[1])) / (2 * eps);
    EXPECT_NEAR(g.inputs[f], fd, 1e-8) << "feature " << f;
  }
}

TEST(InputProduct, DrawnLikeAScaledInput) {
  CircuitBuilder b(2, 3);
  b.rx(0, 0.5 * b.input(1)).ry(1, 0.5 * b.input_product(1, 2)).rz(0, b.input_product(0, 2));
  const std::string d = torchq::draw(b.build());
  EXPECT_NE(d.find("RX(0.5x1)"), std::string::npos) << d;
  EXPECT_NE(d.find("RY(0.5x1·x2)"), std::string::npos) << d;
  EXPECT_NE(d.find("RZ(x0·x2)"), std::string::npos) << d;
}

// ---- Templates: the weights they allocate ----

TEST(TemplateWeightRange, EveryTemplateReturnsWhatItAllocated) {
  CircuitBuilder b(4, 8);
  b.rx(0, b.weight());  // templates start after this weight
  EXPECT_EQ(torchq::angle_embedding(b, {0, 1, 2, 3}), (WeightRange{1, 0}));
  EXPECT_EQ(torchq::basic_entangler_layers(b, 2, {0, 1, 2}), (WeightRange{1, 6}));
  EXPECT_EQ(torchq::strongly_entangling_layers(b, 2, {0, 1, 2, 3}), (WeightRange{7, 24}));
  EXPECT_EQ(torchq::iqp_embedding(b, {0, 1, 2}, 1), (WeightRange{31, 0}));
  EXPECT_EQ(torchq::data_reuploading(b, 2, {1, 3}, 4), (WeightRange{31, 12}));
  EXPECT_EQ(torchq::hardware_efficient_ansatz(b, 3, {0, 1}), (WeightRange{43, 12}));
  EXPECT_EQ(torchq::random_layers(b, 2, 3, {0, 1, 2}), (WeightRange{55, 6}));
  EXPECT_EQ(torchq::basis_embedding(b, {0, 1}), (WeightRange{61, 0}));
  EXPECT_EQ(b.num_weights(), 61);
  CircuitBuilder a(2, 4);
  EXPECT_EQ(torchq::amplitude_embedding(a, {0, 1}), (WeightRange{0, 0}));
  EXPECT_EQ(torchq::strongly_entangling_layers(a, 1, {0, 1}), (WeightRange{0, 6}));
}

// ---- angle_embedding(num_features) ----

TEST(AngleEmbedding, FewerFeaturesThanWiresUseTheFirstWires) {
  CircuitBuilder b(4, 6);
  torchq::angle_embedding(b, {3, 1, 0, 2}, 2, "Y", 0.5, 3);
  const torchq::Circuit c = b.build();
  ASSERT_EQ(c.operations().size(), 3u);  // PennyLane's AngleEmbedding: wires[0..2] only
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(c.operations()[j].gate, GateId::RY);
    const std::vector<int> want_wires{3, 1, 0};
    EXPECT_EQ(c.operations()[j].wires, std::vector<int>{want_wires[j]});
    EXPECT_EQ(c.operations()[j].params[0], ParamRef::input(2 + j, 0.5));
  }
  CircuitBuilder all(4, 4);
  torchq::angle_embedding(all, {0, 1, 2, 3});  // -1: one feature per wire
  EXPECT_EQ(all.build().operations().size(), 4u);
}

TEST(AngleEmbedding, MoreFeaturesThanWiresIsAnErrorNamingBoth) {
  CircuitBuilder b(4, 8);
  const std::string e = error_of([&] { torchq::angle_embedding(b, {0, 1, 2, 3}, 0, "X", 1.0, 5); });
  EXPECT_NE(e.find("5 features"), std::string::npos) << e;
  EXPECT_NE(e.find("4 wires"), std::string::npos) << e;
  EXPECT_ERROR_HAS("num_features must be -1", torchq::angle_embedding(b, {0, 1}, 0, "X", 1.0, 0));
  EXPECT_EQ(b.build().operations().size(), 0u);
}

// ---- strongly_entangling_layers(imprimitive) ----

TEST(StronglyEntanglingLayers, ImprimitiveIsAnyTwoWireGateWithoutParameters) {
  CircuitBuilder b(3, 0);
  torchq::strongly_entangling_layers(b, 2, {0, 1, 2}, {}, "CZ");
  const torchq::Circuit c = b.build();
  ASSERT_EQ(c.operations().size(), 2u * (3 + 3));
  for (int l = 0; l < 2; ++l) {
    const int r = l % 2 + 1;
    for (int i = 0; i < 3; ++i) {
      const torchq::Operation& op = c.operations()[l * 6 + 3 + i];
      EXPECT_EQ(op.gate, GateId::CZ);
      EXPECT_EQ(op.wires, (std::vector<int>{i, (i + r) % 3}));
    }
  }
  // The default is CNOT, and every name find_gate accepts works.
  CircuitBuilder d(3, 0), m(3, 0), s(3, 0);
  torchq::strongly_entangling_layers(d, 1, {0, 1, 2});
  torchq::strongly_entangling_layers(m, 1, {0, 1, 2}, {}, "cnot");
  torchq::strongly_entangling_layers(s, 1, {0, 1, 2}, {}, "swap");
  EXPECT_EQ(d.build().operations()[3].gate, GateId::CNOT);
  EXPECT_EQ(m.build(), d.build());
  EXPECT_EQ(s.build().operations()[5].gate, GateId::SWAP);
}

TEST(StronglyEntanglingLayers, OtherImprimitivesAreRefusedWithTheAllowedList) {
  for (const std::string bad : {"CRX", "Toffoli", "H", "Foo", "AmplitudeEmbedding"}) {
    CircuitBuilder b(3, 0);
    const std::string e = error_of([&] { torchq::strongly_entangling_layers(b, 1, {0, 1, 2}, {}, bad); });
    EXPECT_NE(e.find("imprimitive must be a two-wire gate without parameters (CNOT, CY, CZ, SWAP, ISWAP)"),
              std::string::npos) << e;
    EXPECT_NE(e.find("\"" + bad + "\""), std::string::npos) << e;
    EXPECT_EQ(b.num_weights(), 0) << "a refused call allocates nothing";
  }
  CircuitBuilder b(3, 0);
  EXPECT_ERROR_HAS("range 3 must be in [1, 2]", torchq::strongly_entangling_layers(b, 2, {0, 1, 2}, {1, 3}));
  EXPECT_EQ(b.num_weights(), 0);
}

}  // namespace
}  // namespace torchq_test
