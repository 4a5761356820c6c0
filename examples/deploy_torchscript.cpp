/**
 * @file deploy_torchscript.cpp
 * @brief Runs a TorchScript model with a torchq layer, saved from Python, in C++ without
 * Python: checks its outputs and gradients against the reference Python saved, fine-tunes it
 * with Adam, saves it, and reloads the saved model to check it round-trips.
 *
 *   deploy_torchscript model.pt reference.pt finetuned.pt
 * reference.pt is a scripted module whose attributes hold `inputs`, `outputs` and `grads` (the
 * gradients of outputs.sum() for each parameter, in parameters() order).
 */
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

#include "ops/torchq_ops.h"
#include "run_main.h"

namespace {

bool close(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  const double diff = (a - b).abs().max().item<double>();
  std::printf("%-28s max |C++ - Python| = %.3e\n", what, diff);
  return diff < 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s model.pt reference.pt finetuned.pt\n", argv[0]);
    return 2;
  }
  // Any error (an unreadable file, a tampered model refused by the ops) is reported and exits 1,
  // never aborts.
  return torchq_examples::run_main("deploy_torchscript", [&]() -> int {
    // The op library's registrations run when it loads; make sure the linker kept it.
    torchq_ops::ensure_loaded();
    torch::jit::Module model = torch::jit::load(argv[1]);
    torch::jit::Module ref = torch::jit::load(argv[2]);
    const torch::Tensor inputs = ref.attr("inputs").toTensor();
    const torch::Tensor expected = ref.attr("outputs").toTensor();
    const auto expected_grads = ref.attr("grads").toTensorList();

    bool ok = true;
    torch::Tensor out = model.forward({inputs}).toTensor();
    ok &= close(out, expected, "outputs");
    out.sum().backward();
    std::vector<torch::Tensor> params;
    for (const auto& p : model.parameters()) params.push_back(p);
    if (params.size() != expected_grads.size()) {
      std::fprintf(stderr, "parameter count %zu differs from Python's %zu\n", params.size(), expected_grads.size());
      return 1;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::string name = "grad of parameter " + std::to_string(i);
      ok &= close(params[i].grad(), expected_grads.get(i), name.c_str());
    }

    // Fine-tune towards a new target in C++.
    torch::optim::Adam opt(params, torch::optim::AdamOptions(0.05));
    const torch::Tensor target = torch::zeros_like(expected);
    double first = 0, last = 0;
    for (int step = 0; step < 30; ++step) {
      opt.zero_grad();
      const torch::Tensor loss = (model.forward({inputs}).toTensor() - target).pow(2).mean();
      loss.backward();
      opt.step();
      if (step == 0) first = loss.item<double>();
      last = loss.item<double>();
    }
    std::printf("fine-tuning loss %.6f -> %.6f\n", first, last);
    ok &= last < first;
    model.save(argv[3]);
    torch::jit::Module reloaded = torch::jit::load(argv[3]);
    torch::NoGradGuard ng;
    ok &= close(reloaded.forward({inputs}).toTensor(), model.forward({inputs}).toTensor(), "reloaded fine-tuned model");
    std::printf(ok ? "deploy: OK\n" : "deploy: FAILED\n");
    return ok ? 0 : 1;
  });
}
