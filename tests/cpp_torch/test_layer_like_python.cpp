/**
 * @file test_layer_like_python.cpp
 * @brief The C++ QuantumLayer behaves as Python's torchq.QuantumLayer (python/torchq/layers.py):
 * the same options and defaults (weight_init included), the same input shapes ([F], [B, F],
 * [..., F], no argument for a circuit without inputs), the same errors for a wrong feature count
 * (the op's, naming both counts) and for options that do not fit the measurement.
 */
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"

using namespace torchq;
using namespace torchq::layers;

namespace {

/// 3 qubits, 3 features, 2 strongly entangling layers (18 weights) + one CRX weight.
Circuit make_circuit() {
  CircuitBuilder b(3, 3);
  angle_embedding(b, {0, 1, 2}, 0, "Y");
  strongly_entangling_layers(b, 2, {0, 1, 2});
  b.crx(0, 2, b.weight());
  return b.build();
}

std::vector<Observable> z_all() { return {Observable::z(0), Observable::z(1), Observable::z(2)}; }

QuantumLayerOptions float64() {
  QuantumLayerOptions o;
  o.dtype = at::kDouble;
  return o;
}

/// The error f throws, without c10's backtrace ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const c10::Error& e) {
    return e.what_without_backtrace();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ---- Options and defaults ----

TEST(LayerLikePython, DefaultsArePythons) {
  const QuantumLayerOptions o;
  EXPECT_FALSE(o.weight_init.has_value());  // None: uniform in [0, 2 pi)
  EXPECT_EQ(o.dtype, at::kFloat);
  EXPECT_EQ(o.measure, Measurement::kExpval);
  EXPECT_TRUE(o.probs_wires.empty());  // Python's wires=None: all of them, for probs
  EXPECT_EQ(o.mode, "statevector");
  EXPECT_EQ(o.shots, 0);
  EXPECT_EQ(o.trajectories, 1);
  EXPECT_EQ(o.seed, 0);
  QuantumLayer layer(make_circuit(), z_all());
  EXPECT_EQ(layer->weights.scalar_type(), at::kFloat);
  EXPECT_EQ(layer->weights.size(0), 19);
  EXPECT_GE(layer->weights.min().item<double>(), 0.0);
  EXPECT_LT(layer->weights.max().item<double>(), 2 * M_PI);
  EXPECT_GT(layer->weights.std().item<double>(), 0.1);  // drawn, not constant
}

TEST(LayerLikePython, WeightInitCopiesValuesOfAnyShape) {
  const at::Tensor w = torch::arange(19, torch::kDouble) * 0.1;
  QuantumLayerOptions o;  // float32 weights from float64 values: converted, as torch.as_tensor(..., dtype)
  o.weight_init = w;
  QuantumLayer layer(make_circuit(), z_all(), o);
  EXPECT_TRUE(torch::allclose(layer->weights, w.to(at::kFloat)));
  QuantumLayerOptions shaped = float64();
  shaped.weight_init = w.reshape({19, 1});  // any shape: flattened row-major
  QuantumLayer other(make_circuit(), z_all(), shaped);
  EXPECT_TRUE(torch::equal(other->weights, w));
  // The values survive clone() (which re-creates the parameter, then copies the values over).
  auto copy = std::dynamic_pointer_cast<QuantumLayerImpl>(other->clone());
  EXPECT_TRUE(torch::equal(copy->weights, w));
}

TEST(LayerLikePython, WeightInitOfAnotherCountIsAnError) {
  QuantumLayerOptions o;
  o.weight_init = torch::zeros({5});
  const std::string e = error_of([&] { QuantumLayer(make_circuit(), z_all(), o); });
  EXPECT_NE(e.find("QuantumLayer: weight_init has 5 numbers but the circuit has 19 weights"), std::string::npos) << e;
}

TEST(LayerLikePython, OptionsThatDoNotFitTheMeasurementAreRefused) {
  const std::vector<Observable> none;
  auto refusal = [](const std::vector<Observable>& obs, const QuantumLayerOptions& o) {
    return error_of([&] { QuantumLayer(make_circuit(), obs, o); });
  };
  QuantumLayerOptions probs;
  probs.measure = Measurement::kProbs;
  EXPECT_NE(refusal(z_all(), probs).find("measures wires, not observables"), std::string::npos);
  probs.probs_wires = {0, 0};
  EXPECT_NE(refusal(none, probs).find("wires must be distinct wires in 0..2, at least one, got [0, 0]"),
            std::string::npos);
  probs.probs_wires = {3};
  EXPECT_NE(refusal(none, probs).find("got [3]"), std::string::npos);
  QuantumLayerOptions expval;
  expval.probs_wires = {0};
  EXPECT_NE(refusal(z_all(), expval).find("probs_wires is for Measurement::kProbs"), std::string::npos);
  EXPECT_NE(refusal(none, {}).find("measure=expval needs observables"), std::string::npos);
  QuantumLayerOptions var;
  var.measure = Measurement::kVar;
  EXPECT_NE(refusal(none, var).find("measure=var needs observables"), std::string::npos);
}

// ---- Input shapes ----

TEST(LayerLikePython, InputsOfAnyLeadingShape) {
  QuantumLayer layer(make_circuit(), z_all(), float64());
  const at::Tensor x = torch::rand({2, 4, 3}, torch::kDouble);
  const at::Tensor flat = layer->forward(x.reshape({8, 3}));
  EXPECT_EQ(flat.sizes(), (std::vector<int64_t>{8, 3}));
  const at::Tensor y = layer->forward(x);  // [..., F] -> [..., K]
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 4, 3}));
  EXPECT_TRUE(torch::equal(y.reshape({8, 3}), flat));
  EXPECT_EQ(layer->forward(x[1][2]).sizes(), (std::vector<int64_t>{3}));  // [F] -> [K]
  EXPECT_TRUE(torch::equal(layer->forward(x[1][2]), flat[6]));
  EXPECT_EQ(layer->forward(torch::rand({1, 1, 1, 3}, torch::kDouble)).sizes(), (std::vector<int64_t>{1, 1, 1, 3}));
  EXPECT_EQ(layer->forward(torch::rand({0, 3}, torch::kDouble)).sizes(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(layer->forward(torch::rand({2, 0, 3}, torch::kDouble)).sizes(), (std::vector<int64_t>{2, 0, 3}));
  // Gradients reach inputs of any shape.
  const at::Tensor xg = x.clone().requires_grad_(true);
  layer->forward(xg).sum().backward();
  EXPECT_EQ(xg.grad().sizes(), x.sizes());
  // probs: [..., 2^m].
  QuantumLayerOptions o = float64();
  o.measure = Measurement::kProbs;
  o.probs_wires = {2, 0};
  QuantumLayer probs(make_circuit(), std::vector<Observable>{}, o);
  EXPECT_EQ(probs->forward(x).sizes(), (std::vector<int64_t>{2, 4, 4}));
}

TEST(LayerLikePython, ZeroDimensionalInputsAreRefusedWithPythonsMessage) {
  QuantumLayer layer(make_circuit(), z_all(), float64());
  EXPECT_EQ(error_of([&] { layer->forward(torch::tensor(0.5, torch::kDouble)); }),
            "QuantumLayer: inputs must be [B, F], [F] or [..., F], got a 0-d tensor");
  EXPECT_EQ(error_of([&] { layer->forward(torch::complex(torch::rand({3}), torch::rand({3}))); }),
            "QuantumLayer: inputs must be real (features are rotation angles), got a complex tensor");
}

TEST(LayerLikePython, ACircuitWithoutInputsIsCalledWithNoArgument) {
  CircuitBuilder b(2, 0);
  b.rx(0, b.weight()).cnot(0, 1);
  QuantumLayerOptions o = float64();
  o.weight_init = torch::tensor({0.4}, torch::kDouble);
  QuantumLayer layer(b.build(), std::vector<Observable>{Observable::z(0), Observable::z(1)}, o);
  const at::Tensor y = layer->forward();
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2}));
  EXPECT_NEAR(y[0].item<double>(), std::cos(0.4), 1e-12);
  EXPECT_TRUE(torch::equal(layer->forward(at::Tensor()), y));                  // an undefined tensor: the same
  EXPECT_TRUE(torch::equal(layer->forward(torch::zeros({0}, torch::kDouble)), y));  // [F = 0] -> [K]
  EXPECT_EQ(layer->forward(torch::zeros({5, 0}, torch::kDouble)).sizes(), (std::vector<int64_t>{5, 2}));
  // Inside a Sequential, an undefined tensor says "no inputs" (torch cannot default a first argument).
  torch::nn::Sequential seq(layer);
  EXPECT_TRUE(torch::equal(seq->forward(at::Tensor()), y));
  // Gradients still reach the weights.
  layer->forward().sum().backward();
  EXPECT_NEAR(layer->weights.grad()[0].item<double>(), -2 * std::sin(0.4), 1e-12);
}

// ---- Wrong feature counts: the op's error, naming both counts, as in Python ----

TEST(LayerLikePython, AWrongFeatureCountNamesBothCounts) {
  QuantumLayer layer(make_circuit(), z_all(), float64());
  for (const std::vector<int64_t>& shape : std::vector<std::vector<int64_t>>{{5}, {2, 5}, {2, 2, 5}, {2}, {4, 2}}) {
    const int64_t got = shape.back();
    const at::Tensor x = torch::rand(shape, torch::kDouble);
    const std::string e = error_of([&] { layer->forward(x); });
    EXPECT_NE(e.find("the circuit reads 3 input features but inputs have " + std::to_string(got)), std::string::npos)
        << e;
    // Word for word the op's message for the [B, F] tensor the layer passes on (what Python shows).
    EXPECT_EQ(e, error_of([&] {
                torchq_ops::expval(layer->program, layer->observables, layer->weights, x.reshape({-1, got}));
              }));
  }
  // No argument for a circuit that reads features: it has none to give.
  EXPECT_NE(error_of([&] { layer->forward(); }).find("the circuit reads 3 input features but inputs have 0"),
            std::string::npos);
}

// ---- The drawing shows the measurement ----

TEST(LayerLikePython, DrawShowsTheMeasurement) {
  const std::vector<Observable> obs{Observable::z(0), Observable::identity(2, 0.5)};
  QuantumLayer layer(make_circuit(), obs, float64());
  const std::string d = layer->draw();
  EXPECT_NE(d.find("┤ <0>"), std::string::npos) << d;
  EXPECT_NE(d.find("┤ <1>"), std::string::npos) << d;
  EXPECT_NE(d.find("<0> expval Z(0)"), std::string::npos) << d;
  EXPECT_NE(d.find("<1> expval 0.5*I(2)"), std::string::npos) << d;
  std::ostringstream printed;
  printed << *layer;
  EXPECT_NE(printed.str().find("num_qubits=3, num_weights=19, num_inputs=3, dtype=torch.float64, measure=expval, "
                               "observables=[Z(0), 0.5*I(2)]"),
            std::string::npos)
      << printed.str();
  QuantumLayerOptions o = float64();
  o.measure = Measurement::kProbs;
  o.probs_wires = {1};
  QuantumLayer probs(make_circuit(), std::vector<Observable>{}, o);
  EXPECT_NE(probs->draw().find("┤ Probs"), std::string::npos) << probs->draw();
}
