/**
 * @file test_torch_templates.cpp
 * @brief Core templates and algorithms (torchq/build/) inside a QuantumLayer and through the ops:
 * Grover's search measured by a probs layer, data re-uploading trained with Adam, and scaled
 * input products differentiated by autograd, in a program of either format version. The
 * blocks themselves are checked against theory in tests/cpp/test_algorithms.cpp.
 */
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "torchq/build/algorithms.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"

using namespace torchq;
using namespace torchq::layers;

namespace {

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

}  // namespace

TEST(Grover, InsideAQuantumLayer) {
  CircuitBuilder b(2);
  grover_search(b, {0, 1}, {{1, 0}});
  QuantumLayerOptions o;
  o.measure = Measurement::kProbs;
  o.dtype = torch::kDouble;
  QuantumLayer layer(b.build(), std::vector<Observable>{}, o);
  const at::Tensor p = layer->forward();  // a circuit without inputs: no argument
  EXPECT_LT(max_abs_diff(p, torch::tensor({0.0, 0.0, 1.0, 0.0}, torch::kDouble)), 1e-12);
}

TEST(DataReuploading, Trains) {
  // One qubit, three layers, fit sin(2x) on [-1, 1]: out of reach of one encoding (whose <Z> is
  // a first-order trigonometric polynomial in x), within reach of three.
  torch::manual_seed(0);
  CircuitBuilder b(1, 1);
  data_reuploading(b, 3, {0});
  QuantumLayerOptions o;
  o.dtype = torch::kDouble;
  QuantumLayer layer(b.build(), std::vector<Observable>{Observable::z(0)}, o);
  const at::Tensor x = torch::linspace(-1, 1, 16, torch::kDouble).unsqueeze(1);
  const at::Tensor y = torch::sin(2 * x);
  torch::optim::Adam opt(layer->parameters(), 0.1);
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    const at::Tensor loss = (layer->forward(x) - y).pow(2).mean();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.1 * first);
  EXPECT_LT(last, 0.02);
}

TEST(InputProduct, ScaledProductThroughTheOpsAndAutograd) {
  // RY(0.5 x0 x1)|0>: <Z> = cos(0.5 x0 x1); autograd reaches both features with the scale.
  CircuitBuilder b(1, 2);
  b.ry(0, 0.5 * b.input_product(0, 1));
  const at::Tensor prog = torchq_ops::program_tensor(b.build());
  EXPECT_EQ(prog[1].item<double>(), 2.0);  // the ops take format version 2
  const at::Tensor obs = torchq_ops::observables_tensor({Observable::z(0)});
  const at::Tensor x = torch::tensor({{0.7, -1.3}}, torch::kDouble).requires_grad_(true);
  const at::Tensor out = torchq_ops::expval(prog, obs, torch::zeros({0}, torch::kDouble), x);
  const double a = 0.5 * 0.7 * -1.3;
  EXPECT_NEAR(out.item<double>(), std::cos(a), 1e-14);
  out.sum().backward();
  EXPECT_NEAR(x.grad()[0][0].item<double>(), -std::sin(a) * 0.5 * -1.3, 1e-12);
  EXPECT_NEAR(x.grad()[0][1].item<double>(), -std::sin(a) * 0.5 * 0.7, 1e-12);
}

TEST(InputProduct, Version1ProgramTensorsStillRun) {
  // A saved v1 program: RY(x0 * x1), the product's value holding its second feature.
  const at::Tensor v1 =
      torch::tensor(std::vector<double>{29521, 1, 1, 0, 2, 1, 11, 0, 1, 1, 0, 0, 3, 0, 1}, torch::kDouble);
  const at::Tensor obs = torchq_ops::observables_tensor({Observable::z(0)});
  const at::Tensor x = torch::tensor({{0.7, -1.3}}, torch::kDouble);
  const at::Tensor out = torchq_ops::expval(v1, obs, torch::zeros({0}, torch::kDouble), x);
  EXPECT_NEAR(out.item<double>(), std::cos(0.7 * -1.3), 1e-14);
  // Read as the same circuit the builder makes today, and written back as version 2.
  CircuitBuilder b(1, 2);
  b.ry(0, b.input_product(0, 1));
  EXPECT_EQ(torchq_ops::circuit_from_tensor(v1), b.build());
}
