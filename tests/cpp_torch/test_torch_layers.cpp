/**
 * @file test_torch_layers.cpp
 * @brief The LibTorch side from C++: ops through the dispatcher, autograd against finite
 * differences, layers, templates, optimisers, save/load (and refusal of tampered files), errors.
 */
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "tests/error_of.h"

using namespace torchq;
using namespace torchq::layers;

namespace {

std::vector<int> range(int n) {
  std::vector<int> w(n);
  for (int i = 0; i < n; ++i) w[i] = i;
  return w;
}

std::vector<Observable> z_all(int n) {
  std::vector<Observable> obs;
  for (int q = 0; q < n; ++q) obs.push_back(Observable::z(q));
  return obs;
}

/// A 3-qubit circuit with embeddings and entanglers, plus a Hamiltonian observable.
QuantumLayer make_layer(at::ScalarType dtype) {
  CircuitBuilder b(3, 3);
  angle_embedding(b, range(3), 0, "Y", 0.7);
  strongly_entangling_layers(b, 2, range(3));
  b.crx(0, 2, b.weight()).ising_yy(1, 2, b.weight()).phase_shift(0, b.input(1, 1.3));
  auto obs = z_all(3);
  Observable h;
  h.add_term(0.5, "XZ", {0, 1}).add_term(-1.2, "YY", {1, 2});
  obs.push_back(h);
  QuantumLayerOptions o;
  o.dtype = dtype;
  return QuantumLayer(b.build(), obs, o);
}

}  // namespace

TEST(TorchOps, AnalyticExpectationValues) {
  // RX(a) then CNOT: <Z0> = cos a, <Z1> = cos a; RY(b) on wire 1 after: <Z1> = cos a cos b.
  CircuitBuilder b(2, 0);
  b.rx(0, b.weight()).cnot(0, 1).ry(1, b.weight());
  const at::Tensor prog = torchq_ops::program_tensor(b.build());
  const at::Tensor obs = torchq_ops::observables_tensor(z_all(2));
  const at::Tensor w = torch::tensor({0.3, 1.1}, torch::kDouble);
  const at::Tensor out = torchq_ops::expval(prog, obs, w, torch::zeros({1, 0}, torch::kDouble));
  EXPECT_NEAR(out[0][0].item<double>(), std::cos(0.3), 1e-12);
  EXPECT_NEAR(out[0][1].item<double>(), std::cos(0.3) * std::cos(1.1), 1e-12);
  const at::Tensor p = torchq_ops::probs(prog, w, torch::zeros({1, 0}, torch::kDouble), {0});
  EXPECT_NEAR(p[0][0].item<double>(), std::pow(std::cos(0.15), 2), 1e-12);
}

TEST(TorchOps, GradientsMatchFiniteDifferences) {
  QuantumLayer layer = make_layer(torch::kDouble);
  const at::Tensor x = torch::randn({4, 3}, torch::kDouble).requires_grad_(true);
  const at::Tensor g = torch::randn({4, 4}, torch::kDouble);
  (layer->forward(x) * g).sum().backward();
  const double h = 1e-6;
  torch::NoGradGuard ng;
  auto loss = [&] { return (layer->forward(x) * g).sum().item<double>(); };
  for (int64_t i = 0; i < layer->weights.size(0); ++i) {
    const double orig = layer->weights[i].item<double>();
    layer->weights[i].fill_(orig + h);
    const double up = loss();
    layer->weights[i].fill_(orig - h);
    const double down = loss();
    layer->weights[i].fill_(orig);
    EXPECT_NEAR(layer->weights.grad()[i].item<double>(), (up - down) / (2 * h), 1e-7) << "weight " << i;
  }
  for (int64_t b = 0; b < 4; ++b) {
    for (int64_t f = 0; f < 3; ++f) {
      const double orig = x[b][f].item<double>();
      x[b][f].fill_(orig + h);
      const double up = loss();
      x[b][f].fill_(orig - h);
      const double down = loss();
      x[b][f].fill_(orig);
      EXPECT_NEAR(x.grad()[b][f].item<double>(), (up - down) / (2 * h), 1e-7) << "input " << b << "," << f;
    }
  }
}

TEST(TorchOps, Float32AgreesWithFloat64) {
  QuantumLayer l64 = make_layer(torch::kDouble);
  QuantumLayer l32 = make_layer(torch::kFloat);
  {
    torch::NoGradGuard ng;
    l32->weights.copy_(l64->weights);
  }
  const at::Tensor x = torch::randn({5, 3}, torch::kDouble);
  const at::Tensor y64 = l64->forward(x);
  const at::Tensor y32 = l32->forward(x.to(torch::kFloat));
  EXPECT_EQ(y32.scalar_type(), torch::kFloat);
  EXPECT_LT((y64 - y32.to(torch::kDouble)).abs().max().item<double>(), 2e-5);
  y64.sum().backward();
  y32.sum().backward();
  EXPECT_LT((l64->weights.grad() - l32->weights.grad().to(torch::kDouble)).abs().max().item<double>(), 1e-4);
}

TEST(TorchOps, PerSampleWeightsMatchSharedWeights) {
  QuantumLayer layer = make_layer(torch::kDouble);
  const at::Tensor x = torch::randn({3, 3}, torch::kDouble);
  const at::Tensor shared = layer->forward(x);
  const at::Tensor per = layer->weights.detach().unsqueeze(0).repeat({3, 1}).requires_grad_(true);
  const at::Tensor out = torchq_ops::expval(layer->program, layer->observables, per, x);
  EXPECT_LT((out - shared).abs().max().item<double>(), 1e-12);
  out.sum().backward();
  shared.sum().backward();
  EXPECT_LT((per.grad().sum(0) - layer->weights.grad()).abs().max().item<double>(), 1e-12);
}

TEST(TorchOps, ResultsDoNotDependOnThreadCount) {
  QuantumLayer layer = make_layer(torch::kDouble);
  const at::Tensor x = torch::randn({7, 3}, torch::kDouble);
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  const at::Tensor one = layer->forward(x);
  one.sum().backward();
  const at::Tensor g1 = layer->weights.grad().clone();
  layer->weights.mutable_grad().zero_();
  at::set_num_threads(2);
  const at::Tensor two = layer->forward(x);
  two.sum().backward();
  at::set_num_threads(before);
  EXPECT_LT((one - two).abs().max().item<double>(), 1e-13);
  EXPECT_LT((g1 - layer->weights.grad()).abs().max().item<double>(), 1e-12);
}

TEST(TorchLayers, TemplatesMatchPennyLaneConventions) {
  // BasicEntanglerLayers, 1 layer on 2 wires: RX(a) RX(b) CNOT -> <Z0> = cos a, <Z1> = cos a cos b.
  CircuitBuilder b(2, 0);
  basic_entangler_layers(b, 1, {0, 1});
  EXPECT_EQ(b.num_weights(), 2);
  QuantumLayerOptions o;
  o.dtype = torch::kDouble;
  QuantumLayer layer(b.build(), z_all(2), o);
  {
    torch::NoGradGuard ng;
    layer->weights.copy_(torch::tensor({0.4, 2.0}, torch::kDouble));
  }
  const at::Tensor y = layer->forward(torch::zeros({0}, torch::kDouble));
  EXPECT_NEAR(y[0].item<double>(), std::cos(0.4), 1e-12);
  EXPECT_NEAR(y[1].item<double>(), std::cos(0.4) * std::cos(2.0), 1e-12);
  CircuitBuilder s(4, 0);
  strongly_entangling_layers(s, 3, range(4));
  EXPECT_EQ(s.num_weights(), 3 * 4 * 3);
}

TEST(TorchLayers, OptimisersReduceTheLoss) {
  const at::Tensor x = torch::randn({16, 3}, torch::kDouble);
  const at::Tensor target = torch::rand({16, 4}, torch::kDouble) - 0.5;
  for (const std::string name : {"sgd", "adam", "lbfgs"}) {
    torch::manual_seed(3);
    QuantumLayer layer = make_layer(torch::kDouble);
    auto loss_fn = [&] { return (layer->forward(x) - target).pow(2).mean(); };
    const double first = loss_fn().item<double>();
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (name == "sgd") opt = std::make_unique<torch::optim::SGD>(layer->parameters(), torch::optim::SGDOptions(0.1));
    if (name == "adam") opt = std::make_unique<torch::optim::Adam>(layer->parameters(), torch::optim::AdamOptions(0.05));
    if (name == "lbfgs") opt = std::make_unique<torch::optim::LBFGS>(layer->parameters(), torch::optim::LBFGSOptions(0.5));
    for (int step = 0; step < 15; ++step) {
      opt->step([&] {
        opt->zero_grad();
        at::Tensor loss = loss_fn();
        loss.backward();
        return loss;
      });
    }
    EXPECT_LT(loss_fn().item<double>(), 0.9 * first) << name;
  }
}

TEST(TorchLayers, SaveLoadRoundTripAndTamperedFilesAreRefused) {
  QuantumLayer layer = make_layer(torch::kDouble);
  const at::Tensor x = torch::randn({2, 3}, torch::kDouble);
  std::stringstream file;
  torch::save(layer, file);
  QuantumLayer other = make_layer(torch::kDouble);
  torch::load(other, file);
  EXPECT_LT((other->forward(x) - layer->forward(x)).abs().max().item<double>(), 1e-14);

  // Tamper with the saved program: a wire beyond the register.
  {
    torch::NoGradGuard ng;
    layer->program[6 + 5].fill_(17.0);  // op #0's first wire (after the 6-number header and 5-number op header)
  }
  std::stringstream bad;
  torch::save(layer, bad);
  QuantumLayer victim = make_layer(torch::kDouble);
  const std::string msg = error_of([&] { torch::load(victim, bad); });
  EXPECT_NE(msg.find("out of range"), std::string::npos) << msg;
}

TEST(TorchErrors, BadInputsGetClearMessages) {
  QuantumLayer layer = make_layer(torch::kDouble);
  EXPECT_NE(error_of([&] { layer->forward(torch::randn({2, 5}, torch::kDouble)); }).find("reads 3 input features"),
            std::string::npos);
  // The layer converts real inputs to its dtype (as Python does); the op itself refuses a mismatch.
  EXPECT_NE(error_of([&] { torchq_ops::expval(layer->program, layer->observables, layer->weights,
                                              torch::randn({2, 3}, torch::kFloat)); }).find("differs from weights dtype"),
            std::string::npos);
  EXPECT_NE(error_of([&] { torchq_ops::expval(layer->program.to(torch::kFloat), layer->observables, layer->weights,
                                              torch::randn({1, 3}, torch::kDouble)); })
                .find("must be float64"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              torchq_ops::expval(layer->program, torchq_ops::observables_tensor({Observable::z(9)}), layer->weights,
                                 torch::randn({1, 3}, torch::kDouble));
            }).find("out of range"),
            std::string::npos);
  EXPECT_NE(error_of([&] { torchq_ops::probs(layer->program, layer->weights, torch::randn({1, 3}, torch::kDouble), {0, 0}); })
                .find("listed twice"),
            std::string::npos);
  auto set_threads = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::set_num_threads", "").typed<void(int64_t)>();
  EXPECT_NE(error_of([&] { set_threads.call(-1); }).find("must be >= 1"), std::string::npos);
  // Double backward is refused by name.
  const at::Tensor x = torch::randn({2, 3}, torch::kDouble).requires_grad_(true);
  const at::Tensor y = layer->forward(x).sum();
  const auto g = torch::autograd::grad({y}, {x}, {}, true, true);
  EXPECT_NE(error_of([&] { g[0].sum().backward(); }).find("second derivatives"), std::string::npos);
}

TEST(TorchErrors, MemoryIsRefusedBeforeAllocating) {
  CircuitBuilder b(40, 0);
  b.h(0);
  const at::Tensor prog = torchq_ops::program_tensor(b.build());
  const std::string msg = error_of([&] {
    torchq_ops::expval(prog, torchq_ops::observables_tensor({Observable::z(0)}), torch::zeros({0}, torch::kDouble),
                       torch::zeros({1, 0}, torch::kDouble));
  });
  EXPECT_NE(msg.find("are available"), std::string::npos) << msg;
}

// ---- issue #9: module conventions (clone, to(dtype), input dtypes) ----

TEST(QuantumLayerConventions, CloneIsADeepCopyThatTrainsOnItsOwn) {
  QuantumLayer a = make_layer(at::kDouble);
  auto b = std::dynamic_pointer_cast<QuantumLayerImpl>(a->clone());
  ASSERT_TRUE(b);
  const at::Tensor x = torch::rand({4, 3}, torch::kDouble);
  EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x)));
  EXPECT_TRUE(torch::equal(a->program, b->program));
  EXPECT_NE(a->weights.data_ptr(), b->weights.data_ptr());
  {
    torch::NoGradGuard ng;
    b->weights.add_(0.1);
  }
  EXPECT_FALSE(torch::equal(a->forward(x), b->forward(x)));  // the clone's weights are its own
}

TEST(QuantumLayerConventions, ToFloatCastsTheWeightsOnlyAndKeepsWorking) {
  QuantumLayer layer = make_layer(at::kDouble);
  const at::Tensor x = torch::rand({5, 3}, torch::kDouble);
  const at::Tensor y64 = layer->forward(x);
  layer->to(torch::kFloat);
  EXPECT_EQ(layer->weights.scalar_type(), at::kFloat);
  EXPECT_EQ(layer->program.scalar_type(), at::kDouble);      // the circuit is not rounded
  EXPECT_EQ(layer->observables.scalar_type(), at::kDouble);
  const at::Tensor y32 = layer->forward(x);                  // float64 inputs are converted
  EXPECT_EQ(y32.scalar_type(), at::kFloat);
  EXPECT_LT((y32.to(at::kDouble) - y64).abs().max().item<double>(), 1e-5);
  y32.sum().backward();
  EXPECT_TRUE(layer->weights.grad().defined());
  layer->to(torch::kCPU, torch::kDouble);
  EXPECT_EQ(layer->weights.scalar_type(), at::kDouble);
  EXPECT_EQ(layer->program.scalar_type(), at::kDouble);
  {
    const std::string e = error_of([&] { layer->to(torch::kHalf); });
    EXPECT_NE(e.find("float32 or float64"), std::string::npos) << e;
  }
}

TEST(QuantumLayerConventions, InputsOfAnotherRealDtypeAreConvertedComplexOnesRefused) {
  QuantumLayer layer = make_layer(at::kDouble);
  const at::Tensor x = torch::rand({3, 3}, torch::kDouble);
  const at::Tensor y = layer->forward(x);
  const at::Tensor y_from_float = layer->forward(x.to(at::kFloat));
  EXPECT_EQ(y_from_float.scalar_type(), at::kDouble);
  EXPECT_LT((y_from_float - layer->forward(x.to(at::kFloat).to(at::kDouble))).abs().max().item<double>(), 1e-15);
  const std::string e = error_of([&] { layer->forward(torch::complex(x, x)); });
  EXPECT_NE(e.find("must be real"), std::string::npos) << e;
}

TEST(QuantumLayerConventions, AnEmptyBatchWithPerSampleWeightsGivesAnEmptyResult) {
  QuantumLayer layer = make_layer(at::kDouble);
  const at::Tensor w = torch::zeros({0, layer->weights.size(0)}, torch::kDouble);
  const at::Tensor out = torchq_ops::expval(layer->program, layer->observables, w, torch::zeros({0, 3}, torch::kDouble));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{0, layer->observables.size(0)}));
}
