/**
 * @file test_tampered.cpp
 * @brief A torch::save file of torchq::layers::QuantumLayer whose program was altered (a wire out
 * of range, 60 qubits, an unknown opcode, a NaN angle, a truncated program, a wrong version) is
 * refused by torch::load with an error that says what is wrong, and a layer whose program buffer
 * was altered in memory refuses its first forward. The Python side is tests/python/test_tampered.py.
 */
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "layers/quantum_layer.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"

using namespace torchq;
using namespace torchq::layers;

namespace {

// Offsets into the program of make_circuit() (format version 2, torchq/circuit.h): a 6-number
// header, then op #0 = RX(constant 0.3) on wire 0 laid out as
// [opcode, num_controls, num_wires, num_params, num_payload, wire, kind, index, second_index, value].
constexpr int64_t kVersion = 1, kNumQubits = 2, kOp0Opcode = 6, kOp0Wire = 11, kOp0Angle = 15;

Circuit make_circuit() {
  CircuitBuilder b(3, 3);
  b.rx(0, 0.3);  // op #0: the constant angle the NaN alteration replaces
  angle_embedding(b, {0, 1, 2}, 0, "Y");
  strongly_entangling_layers(b, 1, {0, 1, 2});
  return b.build();
}

QuantumLayer make_layer() {
  QuantumLayerOptions o;
  o.dtype = torch::kDouble;
  return QuantumLayer(make_circuit(), std::vector<Observable>{Observable::z(0), Observable::z(2)}, o);
}

struct Alteration {
  std::string name;
  std::function<at::Tensor(const at::Tensor&)> alter;
  std::vector<std::string> message;  ///< every piece must appear in the error
};

/// gtest prints a failing parameter by its name, not as bytes.
void PrintTo(const Alteration& a, std::ostream* os) { *os << a.name; }

std::function<at::Tensor(const at::Tensor&)> set(int64_t index, double value) {
  return [=](const at::Tensor& p) {
    at::Tensor out = p.clone();
    out[index].fill_(value);
    return out;
  };
}

std::vector<Alteration> alterations() {
  return {
      {"wire_out_of_range", set(kOp0Wire, 7.0), {"op #0 (RX)", "wire 7 is out of range: the circuit has 3 qubits"}},
      {"sixty_qubits", set(kNumQubits, 60.0), {"num_qubits must be an integer in [1, 50], got 60"}},
      {"unknown_opcode", set(kOp0Opcode, 999.0), {"op #0: opcode must be an integer in [0, ", "got 999"}},
      {"nan_angle",
       set(kOp0Angle, std::numeric_limits<double>::quiet_NaN()),
       {"op #0: parameter value must be a finite number, got nan"}},
      {"truncated", [](const at::Tensor& p) { return p.slice(0, 0, p.size(0) - 2).clone(); },
       {"program ends early while reading"}},
      {"wrong_version", set(kVersion, 3.0), {"unsupported program version 3; this build reads versions 1 to 2"}},
  };
}

/// The error f throws (without c10's C++ backtrace), or "(no error)".
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_message(const std::string& msg, const Alteration& a) {
  for (const std::string& piece : a.message) {
    EXPECT_NE(msg.find(piece), std::string::npos) << a.name << ": the error should say \"" << piece << "\", got:\n"
                                                  << msg;
  }
}

/// A layer whose program buffer is replaced (any length) by the altered one.
void replace_program(QuantumLayer& layer, const at::Tensor& program) {
  torch::NoGradGuard no_grad;
  layer->program.set_(program);  // the member and the registered buffer share this tensor
}

class Tampered : public ::testing::TestWithParam<Alteration> {};

TEST(TamperedLayout, OffsetsPointAtTheFieldsTheyName) {
  // Guards the alterations: if the layout moved they would tamper something else, proving nothing.
  const at::Tensor p = make_layer()->program;
  EXPECT_EQ(p[kVersion].item<double>(), 2.0);
  EXPECT_EQ(p[kNumQubits].item<double>(), 3.0);
  EXPECT_EQ(p[kOp0Opcode].item<double>(), static_cast<double>(GateId::RX));
  EXPECT_EQ(p[kOp0Wire].item<double>(), 0.0);
  EXPECT_EQ(p[kOp0Angle].item<double>(), 0.3);
}

TEST_P(Tampered, SavedFileIsRefusedByLoad) {
  const Alteration& a = GetParam();
  QuantumLayer saved = make_layer();
  replace_program(saved, a.alter(saved->program));
  std::stringstream file;
  torch::save(saved, file);  // saving does not validate: this is how a tampered file looks

  QuantumLayer victim = make_layer();
  expect_message(error_of([&] { torch::load(victim, file); }), a);
}

TEST_P(Tampered, RefusedLoadLeavesTheLayerIntact) {
  // As in Python (load_state_dict refuses before copying), a refused file must not leave the
  // layer holding the tampered program or the file's weights.
  const Alteration& a = GetParam();
  QuantumLayer saved = make_layer();
  replace_program(saved, a.alter(saved->program));
  std::stringstream file;
  torch::save(saved, file);

  QuantumLayer victim = make_layer();
  const at::Tensor x = torch::rand({4, 3}, torch::kDouble);
  const at::Tensor program = victim->program.clone(), weights = victim->weights.detach().clone();
  const at::Tensor y = victim->forward(x).detach();
  EXPECT_NE(error_of([&] { torch::load(victim, file); }), "(no error)");
  EXPECT_TRUE(victim->program.sizes() == program.sizes() && torch::equal(victim->program, program))
      << a.name << ": the refused file's program was copied into the layer";
  EXPECT_TRUE(torch::equal(victim->weights.detach(), weights)) << a.name << ": the refused file's weights were copied";
  at::Tensor y_after;
  const std::string msg = error_of([&] { y_after = victim->forward(x).detach(); });
  ASSERT_TRUE(msg == "(no error)") << a.name << ": the layer no longer runs after a refused load: " << msg;
  EXPECT_TRUE(torch::equal(y_after, y)) << a.name;
}

TEST_P(Tampered, AlteredBufferIsRefusedOnFirstForward) {
  const Alteration& a = GetParam();
  QuantumLayer layer = make_layer();
  replace_program(layer, a.alter(layer->program));
  const at::Tensor x = torch::rand({2, 3}, torch::kDouble).requires_grad_();
  expect_message(error_of([&] { layer->forward(x); }), a);
}

INSTANTIATE_TEST_SUITE_P(Alterations, Tampered, ::testing::ValuesIn(alterations()),
                         [](const ::testing::TestParamInfo<Alteration>& info) { return info.param.name; });

TEST(TamperedControl, UntamperedFileLoadsAndComputesTheSame) {
  // The control for the tests above: the same save and load without an alteration succeeds.
  QuantumLayer saved = make_layer();
  std::stringstream file;
  torch::save(saved, file);
  QuantumLayer other = make_layer();
  torch::load(other, file);
  const at::Tensor x = torch::rand({4, 3}, torch::kDouble);
  EXPECT_TRUE(torch::equal(other->forward(x), saved->forward(x)));
}

}  // namespace
