/**
 * @file hybrid_train.cpp
 * @brief Trains a small hybrid model in C++: Linear -> tanh -> QuantumLayer -> Linear, with
 * torch::optim::Adam, on two interleaved spirals, and prints the loss going down.
 */
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "layers/quantum_layer.h"
#include "run_main.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"

using namespace torchq;
using namespace torchq::layers;

struct HybridImpl : torch::nn::Module {
  HybridImpl(int num_qubits, int num_layers)
      : pre(register_module("pre", torch::nn::Linear(2, num_qubits))),
        quantum(nullptr),
        head(register_module("head", torch::nn::Linear(num_qubits, 2))) {
    CircuitBuilder b(num_qubits, num_qubits);
    std::vector<int> wires;
    for (int q = 0; q < num_qubits; ++q) wires.push_back(q);
    angle_embedding(b, wires, 0, "Y");
    strongly_entangling_layers(b, num_layers, wires);
    std::vector<Observable> obs;
    for (int q = 0; q < num_qubits; ++q) obs.push_back(Observable::z(q));
    quantum = register_module("quantum", QuantumLayer(b.build(), obs));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::tanh(pre(x)) * M_PI;
    return head(quantum(x));
  }
  torch::nn::Linear pre;
  QuantumLayer quantum;
  torch::nn::Linear head;
};
TORCH_MODULE(Hybrid);

int main(int argc, char** argv) {
  // Any error is reported and exits 1, never aborts.
  return torchq_examples::run_main("hybrid_train", [&]() -> int {
    const int epochs = argc > 1 ? std::atoi(argv[1]) : 30;
    torch::manual_seed(0);
    // Two spirals, 200 points each.
    const int per_class = 200;
    auto t = torch::linspace(0.2, 3.0, per_class);
    auto a = torch::stack({t * torch::cos(t * 2), t * torch::sin(t * 2)}, 1);
    auto b = torch::stack({-t * torch::cos(t * 2), -t * torch::sin(t * 2)}, 1);
    auto x = torch::cat({a, b}) / 3.0 + 0.03 * torch::randn({2 * per_class, 2});
    auto y = torch::cat({torch::zeros({per_class}, torch::kLong), torch::ones({per_class}, torch::kLong)});

    Hybrid model(4, 2);
    std::cout << model->quantum << "\n";
    torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.05));
    double first = 0, last = 0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
      auto perm = torch::randperm(x.size(0));
      double total = 0;
      for (int64_t i = 0; i < x.size(0); i += 32) {
        auto idx = perm.slice(0, i, std::min<int64_t>(i + 32, x.size(0)));
        opt.zero_grad();
        auto loss = torch::nn::functional::cross_entropy(model->forward(x.index_select(0, idx)), y.index_select(0, idx));
        loss.backward();
        opt.step();
        total += loss.item<double>() * idx.size(0);
      }
      const double mean = total / x.size(0);
      if (epoch == 0) first = mean;
      last = mean;
      torch::NoGradGuard ng;
      const double acc = (model->forward(x).argmax(1) == y).to(torch::kFloat).mean().item<double>();
      std::printf("epoch %3d  loss %.4f  accuracy %.3f\n", epoch + 1, mean, acc);
    }
    std::printf("loss went from %.4f to %.4f\n", first, last);
    return last < first ? 0 : 1;
  });
}
