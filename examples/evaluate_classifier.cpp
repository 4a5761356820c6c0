/**
 * @file evaluate_classifier.cpp
 * @brief Loads the TorchScript classifier saved by train_classifier and measures its test
 * accuracy from the CSV: plain C++, no Python, no model code (the circuit travels in the file).
 *
 *   evaluate_classifier [--model out/classifier/model.pt] [--data build/data/breast_cancer_test.csv]
 *                       [--min-accuracy A]
 *
 * Prints the accuracy and the confusion matrix. Exits 1 when the accuracy is below
 * --min-accuracy, or when it differs from the test accuracy the trainer stored in the model
 * (attribute test_accuracy): the saved model must predict exactly what the trained one did.
 */
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "classifier_data.h"
#include "ops/torchq_ops.h"
#include "run_main.h"

int main(int argc, char** argv) {
  std::string model_path = "out/classifier/model.pt";
  std::string data_path = "build/data/breast_cancer_test.csv";
  double min_accuracy = -1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 < argc && arg == "--model") model_path = argv[++i];
    else if (i + 1 < argc && arg == "--data") data_path = argv[++i];
    else if (i + 1 < argc && arg == "--min-accuracy") min_accuracy = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--model model.pt] [--data test.csv] [--min-accuracy A]\n", argv[0]);
      return 2;
    }
  }
  // Any error (a bad file, a refused model) is reported and exits 1, never aborts.
  return torchq_examples::run_main("evaluate_classifier", [&]() -> int {
    // The op library registers torch.ops.torchq.* when it loads; make sure the linker kept it.
    torchq_ops::ensure_loaded();
    torch::jit::Module model = torch::jit::load(model_path);
    model.eval();
    const classifier::Dataset test = classifier::read_csv(data_path);

    torch::NoGradGuard no_grad;
    const torch::Tensor logits = model.forward({test.x}).toTensor();
    const torch::Tensor pred = logits.argmax(1);
    const double acc = classifier::accuracy(logits, test.y);
    const int64_t n = test.size();
    const int64_t num_classes = logits.size(1);
    std::printf("loaded %s: %zu parameter tensors, evaluating %lld samples from %s\n", model_path.c_str(),
                model.parameters().size(), static_cast<long long>(n), data_path.c_str());
    std::printf("test accuracy %.4f (%lld/%lld correct)\n", acc, static_cast<long long>(pred.eq(test.y).sum().item<int64_t>()),
                static_cast<long long>(n));
    // Rows: true class, columns: predicted class.
    const torch::Tensor confusion = torch::zeros({num_classes, num_classes}, torch::kInt64);
    confusion.view(-1).index_add_(0, test.y * num_classes + pred, torch::ones({n}, torch::kInt64));
    std::printf("confusion matrix (rows: true class, columns: predicted)\n");
    for (int64_t r = 0; r < num_classes; ++r) {
      std::printf("  class %lld:", static_cast<long long>(r));
      for (int64_t c = 0; c < num_classes; ++c) std::printf(" %5lld", static_cast<long long>(confusion[r][c].item<int64_t>()));
      std::printf("\n");
    }

    bool ok = true;
    if (model.hasattr("test_accuracy")) {
      const double stored = model.attr("test_accuracy").toDouble();
      if (stored >= 0) {
        const bool same = std::abs(stored - acc) < 1e-12;
        std::printf("accuracy recorded by the trainer: %.4f (%s)\n", stored, same ? "reproduced" : "MISMATCH");
        ok &= same;
      }
    }
    if (min_accuracy >= 0 && acc < min_accuracy) {
      std::fprintf(stderr, "FAILED: accuracy %.4f is below --min-accuracy %.4f\n", acc, min_accuracy);
      ok = false;
    }
    std::printf(ok ? "evaluate: OK\n" : "evaluate: FAILED\n");
    return ok ? 0 : 1;
  });
}
