/**
 * @file test_torch_noise.cpp
 * @brief Noise and shots from C++ LibTorch: expval_estimated through the dispatcher (values,
 * autograd against finite differences in density-matrix mode, double backward refused), and
 * QuantumLayer with the options mode, shots, trajectories and seed: training with Adam under
 * noise, the seed advancing in training mode only, save/load, and the refusals.
 */
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/noise.h"
#include "tests/error_of.h"

using namespace torchq;
using namespace torchq::layers;

namespace {

/// 2 qubits, 2 inputs, 6 weights, depolarizing noise after every gate.
Circuit noisy_circuit(double p = 0.05) {
  CircuitBuilder b(2, 2);
  b.ry(0, b.input(0)).ry(1, b.input(1));
  b.rot(0, b.weight(), b.weight(), b.weight()).cnot(0, 1).crx(1, 0, b.weight()).ry(1, b.weight());
  b.amplitude_damping(1, 0.1).ising_zz(0, 1, b.weight());
  return add_noise_after_each_gate(b.build(), "DepolarizingChannel", p);
}

std::vector<Observable> observables() { return {Observable::z(0), Observable::pauli_word("XZ", {0, 1})}; }

at::TensorOptions f64() { return at::TensorOptions().dtype(at::kDouble); }

}  // namespace

TEST(TorchNoise, DensityMatrixGradientsMatchFiniteDifferences) {
  const at::Tensor program = torchq_ops::program_tensor(noisy_circuit());
  const at::Tensor table = torchq_ops::observables_tensor(observables());
  torch::manual_seed(3);
  const at::Tensor w = torch::rand({6}, f64()).requires_grad_(true);
  const at::Tensor x = torch::rand({3, 2}, f64()).requires_grad_(true);
  const at::Tensor g = torch::rand({3, 2}, f64());
  auto f = [&](const at::Tensor& wv, const at::Tensor& xv) {
    return (torchq_ops::expval_estimated(program, table, wv, xv, "density_matrix", 0, 1, 0) * g).sum();
  };
  const auto grads = torch::autograd::grad({f(w, x)}, {w, x});
  torch::NoGradGuard no_grad;
  for (int which = 0; which < 2; ++which) {
    const at::Tensor v = (which == 0 ? w : x).detach();
    const at::Tensor flat = v.reshape({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      at::Tensor up = flat.clone(), down = flat.clone();
      up[i] += 1e-6;
      down[i] -= 1e-6;
      const double fd = which == 0 ? (f(up, x.detach()) - f(down, x.detach())).item<double>() / 2e-6
                                   : (f(w.detach(), up.reshape(v.sizes())) - f(w.detach(), down.reshape(v.sizes())))
                                             .item<double>() / 2e-6;
      EXPECT_NEAR(grads[which].reshape({-1})[i].item<double>(), fd, 1e-7) << (which ? "input " : "weight ") << i;
    }
  }
}

TEST(TorchNoise, TrajectoryAndShotEstimatesAreSeededAndDifferentiable) {
  const at::Tensor program = torchq_ops::program_tensor(noisy_circuit(0.2));
  const at::Tensor table = torchq_ops::observables_tensor(observables());
  const at::Tensor w = torch::full({6}, 0.4, f64()).requires_grad_(true);
  const at::Tensor x = torch::full({2, 2}, 0.3, f64());
  const at::Tensor exact = torchq_ops::expval_estimated(program, table, w, x, "density_matrix", 0, 1, 0);
  const at::Tensor a = torchq_ops::expval_estimated(program, table, w, x, "trajectories", 2000, 2000, 5);
  EXPECT_TRUE(torch::equal(a, torchq_ops::expval_estimated(program, table, w, x, "trajectories", 2000, 2000, 5)));
  EXPECT_LT((a - exact).abs().max().item<double>(), 5 / std::sqrt(2000.0));  // |each shot| <= 1
  const at::Tensor gw = torch::autograd::grad({a.sum()}, {w})[0];
  EXPECT_EQ(gw.sizes(), w.sizes());
  EXPECT_GT(gw.abs().sum().item<double>(), 0);
  // The backward op refuses to be differentiated again, by name.
  const at::Tensor y = torchq_ops::expval_estimated(program, table, w, x, "density_matrix", 0, 1, 0);
  const at::Tensor g1 = torch::autograd::grad({y.sum()}, {w}, {}, true, true)[0];
  EXPECT_NE(error_of([&] { g1.sum().backward(); }).find("expval_estimated: second derivatives"), std::string::npos);
}

TEST(TorchNoise, QuantumLayerTrainsUnderNoise) {
  torch::manual_seed(0);
  const at::Tensor x = torch::rand({8, 2}, f64()) * M_PI;
  const at::Tensor y = torch::stack({0.6 * torch::cos(x.select(1, 0) - x.select(1, 1)), -0.5 * torch::sin(x.select(1, 0))}, 1);
  for (const char* mode : {"density_matrix", "trajectories"}) {
    QuantumLayerOptions o;
    o.dtype = at::kDouble;
    o.mode = mode;
    o.trajectories = 16;
    o.shots = std::string(mode) == "trajectories" ? 64 : 0;
    QuantumLayer layer(noisy_circuit(), observables(), o);
    QuantumLayerOptions exact_o;
    exact_o.dtype = at::kDouble;
    exact_o.mode = "density_matrix";
    QuantumLayer exact(noisy_circuit(), observables(), exact_o);
    auto exact_loss = [&] {
      torch::NoGradGuard no_grad;
      exact->weights.copy_(layer->weights);
      return (exact->forward(x) - y).pow(2).mean().item<double>();
    };
    const double before = exact_loss();
    torch::optim::Adam opt(layer->parameters(), 0.1);
    for (int step = 0; step < 40; ++step) {
      opt.zero_grad();
      (layer->forward(x) - y).pow(2).mean().backward();
      opt.step();
    }
    EXPECT_LT(exact_loss(), 0.5 * before) << mode;
    EXPECT_EQ(layer->calls(), 40) << mode;
  }
}

TEST(TorchNoise, SeedAdvancesInTrainingOnlyAndOptionsPrint) {
  QuantumLayerOptions o;
  o.dtype = at::kDouble;
  o.mode = "trajectories";
  o.trajectories = 4;
  o.shots = 30;
  o.seed = 9;
  QuantumLayer layer(noisy_circuit(0.3), observables(), o);
  const at::Tensor x = torch::rand({3, 2}, f64());
  const at::Tensor a = layer->forward(x), b = layer->forward(x);
  EXPECT_FALSE(torch::equal(a, b));
  EXPECT_TRUE(torch::equal(a, torchq_ops::expval_estimated(layer->program, layer->observables, layer->weights, x,
                                                           "trajectories", 30, 4, 9)));
  layer->eval();
  EXPECT_TRUE(torch::equal(layer->forward(x), layer->forward(x)));
  EXPECT_EQ(layer->calls(), 2);
  std::ostringstream s;
  s << *layer;
  EXPECT_NE(s.str().find("mode=trajectories, shots=30, trajectories=4"), std::string::npos) << s.str();
}

TEST(TorchNoise, LayerRefusals) {
  EXPECT_NE(error_of([] { QuantumLayer(noisy_circuit(), observables()); }).find("noise channel"), std::string::npos);
  QuantumLayerOptions o;
  o.mode = "mixed";
  EXPECT_NE(error_of([&] { QuantumLayer(noisy_circuit(), observables(), o); }).find("mode must be"), std::string::npos);
  o.mode = "density_matrix";
  o.measure = Measurement::kProbs;
  EXPECT_NE(error_of([&] { QuantumLayer(noisy_circuit(), observables(), o); }).find("kExpval"), std::string::npos);
  CircuitBuilder big(13);
  big.h(0).depolarizing(0, 0.1);
  QuantumLayerOptions dm;
  dm.mode = "density_matrix";
  EXPECT_NE(error_of([&] { QuantumLayer(big.build(), std::vector<Observable>{Observable::z(0)}, dm); }).find("at most 12 qubits"),
            std::string::npos);
  dm.mode = "trajectories";
  QuantumLayer ok(big.build(), std::vector<Observable>{Observable::z(0)}, dm);  // trajectories: any qubit count
  EXPECT_EQ(ok->forward(torch::zeros({1, 0})).size(1), 1);
}
