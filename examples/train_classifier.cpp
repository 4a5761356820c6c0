/**
 * @file train_classifier.cpp
 * @brief The main job: a hybrid quantum-classical classifier for the breast-cancer data set,
 * trained in C++ and saved as TorchScript, next to a classical baseline of similar size.
 *
 *   train_classifier [--data build/data] [--out out/classifier] [--epochs 30] [--qubits 4]
 *                    [--layers 2] [--batch 32] [--lr 0.01] [--weight-decay 0.01]
 *                    [--angle-scale 1.5708] [--seed 0] [--threads 1] [--min-test-accuracy A]
 *
 * Model: Linear(30 -> n) -> tanh * pi/2 (angles) -> n-qubit circuit (RY angle embedding,
 * strongly entangling layers, <Z> on each wire) -> Linear(n -> 2). The model is a
 * torch::jit::Module built here: parameters and buffers are registered on it and its forward
 * is TorchScript source (define()) that calls torch.ops.torchq.expval. It is trained through
 * its parameters() with torch::optim::Adam and saved with module.save(), so
 * examples/evaluate_classifier.cpp (or Python's torch.jit.load) runs it without this program.
 *
 * The baseline is Linear(30 -> n) -> tanh -> Linear(n -> n) -> tanh -> Linear(n -> 2): the same
 * model with the circuit replaced by a classical layer of about as many parameters, trained
 * with the same optimiser, batches, epochs and seed.
 *
 * Writes OUT/model.pt (the quantum model) and OUT/training_curves.csv (epoch, loss, train and
 * test accuracy of both models; scripts/plot_training.py draws it). Exits 1 when
 * --min-test-accuracy is given and the quantum model's test accuracy is below it.
 */
#include <torch/csrc/jit/frontend/resolver.h>
#include <torch/csrc/jit/frontend/sugared_value.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "classifier_data.h"
#include "ops/torchq_ops.h"
#include "run_main.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "torchq/draw.h"

namespace {

using classifier::Dataset;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string data_dir = "build/data";
  std::string out_dir = "out/classifier";
  int epochs = 30;
  int qubits = 4;
  int layers = 2;
  int batch = 32;
  double lr = 0.01;
  double weight_decay = 0.01;  ///< Adam's L2 penalty, on every parameter of both models
  /// tanh(.) * angle_scale are the RY angles. pi/2, not pi: RY(pi) and RY(-pi) prepare the same
  /// state, so with pi the two ends of every feature would look alike to the circuit.
  double angle_scale = M_PI / 2;
  uint64_t seed = 0;
  double min_test_accuracy = -1.0;  ///< < 0: no check
  /// Torch (and so torchq) threads. A batch is 32 samples of 16 amplitudes: one thread is
  /// fastest, and more only add synchronisation, which costs a lot on a busy machine. 0 keeps
  /// torch's default. Results do not depend on it.
  int threads = 1;
};

void usage(const char* prog) {
  std::fprintf(stderr,
               "usage: %s [--data DIR] [--out DIR] [--epochs N] [--qubits N] [--layers N] [--batch N]\n"
               "          [--lr X] [--weight-decay X] [--angle-scale X] [--seed N] [--threads N]\n"
               "          [--min-test-accuracy A]\n",
               prog);
}

bool parse_options(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") return false;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value\n", argv[0], arg.c_str());
      return false;
    }
    const char* v = argv[++i];
    if (arg == "--data") o.data_dir = v;
    else if (arg == "--out") o.out_dir = v;
    else if (arg == "--epochs") o.epochs = std::atoi(v);
    else if (arg == "--qubits") o.qubits = std::atoi(v);
    else if (arg == "--layers") o.layers = std::atoi(v);
    else if (arg == "--batch") o.batch = std::atoi(v);
    else if (arg == "--lr") o.lr = std::atof(v);
    else if (arg == "--weight-decay") o.weight_decay = std::atof(v);
    else if (arg == "--angle-scale") o.angle_scale = std::atof(v);
    else if (arg == "--seed") o.seed = std::strtoull(v, nullptr, 10);
    else if (arg == "--min-test-accuracy") o.min_test_accuracy = std::atof(v);
    else if (arg == "--threads") o.threads = std::atoi(v);
    else {
      std::fprintf(stderr, "%s: unknown option %s\n", argv[0], arg.c_str());
      return false;
    }
  }
  if (o.threads < 0 || o.epochs < 1 || o.qubits < 1 || o.qubits > 12 || o.layers < 1 || o.batch < 1 || !(o.lr > 0)) {
    std::fprintf(stderr, "%s: need threads >= 0, epochs >= 1, 1 <= qubits <= 12, layers >= 1, batch >= 1, lr > 0\n", argv[0]);
    return false;
  }
  return true;
}

/**
 * @brief `torch.ops.<namespace>.<op>` for TorchScript source compiled in C++.
 *
 * Module::define() compiles with the native resolver, which knows `torch` as the aten
 * namespace only, so `torch.ops.torchq.expval` would fail with "attribute lookup is not
 * defined on builtin". This resolver adds the `ops` level: `torch.ops.torchq` (and a bare
 * `ops.torchq`, the spelling TorchScript uses in saved files) is the operator namespace
 * `torchq::`, and every other `torch.<name>` is still `aten::<name>`.
 */
struct OpsNamespace : torch::jit::SugaredValue {
  std::string kind() const override { return "torch.ops"; }
  std::shared_ptr<torch::jit::SugaredValue> attr(const torch::jit::SourceRange&, torch::jit::GraphFunction&,
                                                 const std::string& ns) override {
    return std::make_shared<torch::jit::BuiltinModule>(ns);
  }
};

struct TorchNamespace : torch::jit::SugaredValue {
  std::string kind() const override { return "torch"; }
  std::shared_ptr<torch::jit::SugaredValue> attr(const torch::jit::SourceRange& loc, torch::jit::GraphFunction& m,
                                                 const std::string& field) override {
    if (field == "ops") return std::make_shared<OpsNamespace>();
    return aten_.attr(loc, m, field);
  }
  torch::jit::BuiltinModule aten_{"aten"};
};

struct OpsResolver : torch::jit::Resolver {
  std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name, torch::jit::GraphFunction&,
                                                         const torch::jit::SourceRange&) override {
    if (name == "torch") return std::make_shared<TorchNamespace>();
    if (name == "ops") return std::make_shared<OpsNamespace>();
    return nullptr;
  }
  torch::jit::TypePtr resolveType(const std::string&, const torch::jit::SourceRange&) override { return nullptr; }
};

/// A tensor initialised like torch.nn.Linear's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
torch::Tensor linear_init(std::vector<int64_t> shape, int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return torch::empty(shape, torch::kFloat64).uniform_(-bound, bound).requires_grad_();
}

/// The circuit: RY angle embedding of n features, then strongly entangling layers.
torchq::Circuit make_circuit(int num_qubits, int num_layers) {
  using namespace torchq;  // CircuitBuilder and the templates (torchq/build/)
  CircuitBuilder b(num_qubits, /*num_inputs=*/num_qubits);
  std::vector<int> wires;
  for (int q = 0; q < num_qubits; ++q) wires.push_back(q);
  angle_embedding(b, wires, /*feature_offset=*/0, "Y");
  strongly_entangling_layers(b, num_layers, wires);
  return b.build();
}

/**
 * @brief The hybrid model as a TorchScript module built in C++ (no Python involved).
 * Parameters: pre_weight [n, F], pre_bias [n], qweights [P], head_weight [C, n], head_bias [C];
 * buffers: program, observables; attributes: angle_scale, test_accuracy (set after training).
 */
torch::jit::Module make_quantum_model(const torchq::Circuit& circuit, int64_t num_features, int64_t num_classes,
                                      double angle_scale) {
  const int64_t n = circuit.num_qubits();
  std::vector<torchq::Observable> obs;
  for (int q = 0; q < n; ++q) obs.push_back(torchq::Observable::z(q));

  torch::jit::Module m("TorchqClassifier");
  m.register_parameter("pre_weight", linear_init({n, num_features}, num_features), false);
  m.register_parameter("pre_bias", linear_init({n}, num_features), false);
  // Rotation weights uniform on their period, as QuantumLayer initialises them.
  // register_parameter keeps requires_grad as it is, so the tensors are created with it set.
  m.register_parameter("qweights", torch::empty({circuit.num_weights()}, torch::kFloat64).uniform_(0, 2 * M_PI).requires_grad_(), false);
  m.register_parameter("head_weight", linear_init({num_classes, n}, n), false);
  m.register_parameter("head_bias", linear_init({num_classes}, n), false);
  m.register_buffer("program", torchq_ops::program_tensor(circuit));
  m.register_buffer("observables", torchq_ops::observables_tensor(obs));
  m.register_attribute("angle_scale", c10::FloatType::get(), angle_scale);
  m.register_attribute("test_accuracy", c10::FloatType::get(), -1.0);
  m.define(R"JIT(
def forward(self, x: Tensor) -> Tensor:
    # features -> angles in (-pi, pi) -> <Z> of each wire -> class logits
    h = torch.tanh(torch.linear(x, self.pre_weight, self.pre_bias)) * self.angle_scale
    q = torch.ops.torchq.expval(self.program, self.observables, self.qweights, h)
    return torch.linear(q, self.head_weight, self.head_bias)

def predict(self, x: Tensor) -> Tensor:
    return torch.argmax(self.forward(x), 1)
)JIT",
           std::make_shared<OpsResolver>());
  return m;
}

/// The classical baseline: the quantum layer replaced by Linear(n -> n) + tanh.
torch::nn::Sequential make_classical_model(int64_t num_features, int64_t hidden, int64_t num_classes) {
  torch::nn::Sequential s(torch::nn::Linear(num_features, hidden), torch::nn::Tanh(), torch::nn::Linear(hidden, hidden),
                          torch::nn::Tanh(), torch::nn::Linear(hidden, num_classes));
  s->to(torch::kFloat64);
  return s;
}

int64_t count_parameters(const std::vector<torch::Tensor>& params) {
  int64_t total = 0;
  for (const auto& p : params) total += p.numel();
  return total;
}

/// One line of the progress bar, redrawn in place with \r on a terminal.
class ProgressBar {
 public:
  ProgressBar(std::string label, int epochs) : label_(std::move(label)), epochs_(epochs), tty_(isatty(fileno(stdout))) {}

  /// Redraws the line (terminal only; a log gets the final line of each epoch only).
  void update(int epoch, int64_t done, int64_t total, double loss, double acc, double elapsed_s) {
    if (tty_) draw(epoch, done, total, loss, acc, elapsed_s, "");
  }
  /// The epoch's final line, with the test accuracy, and a newline.
  void finish(int epoch, int64_t total, double loss, double acc, double test_acc, double elapsed_s) {
    char extra[48];
    std::snprintf(extra, sizeof(extra), "  test %.3f", test_acc);
    draw(epoch, total, total, loss, acc, elapsed_s, extra);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

 private:
  void draw(int epoch, int64_t done, int64_t total, double loss, double acc, double elapsed_s, const char* extra) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
    std::string bar(kWidth, ' ');
    for (int i = 0; i < filled; ++i) bar[i] = '=';
    if (filled < kWidth) bar[filled] = '>';
    // \r returns to the start of the line; the trailing spaces erase a longer previous line.
    std::printf("\r%-9s epoch %*d/%d [%s] %3lld/%-3lld loss %.4f  acc %.3f  %6.1fs%s   ", label_.c_str(),
                static_cast<int>(std::to_string(epochs_).size()), epoch, epochs_, bar.c_str(),
                static_cast<long long>(done), static_cast<long long>(total), loss, acc, elapsed_s, extra);
    std::fflush(stdout);
  }
  std::string label_;
  int epochs_;
  bool tty_;
};

struct EpochStats {
  double loss = 0;
  double train_acc = 0;
  double test_acc = 0;
};

using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

/**
 * @brief Trains with Adam and shuffled mini-batches; returns per-epoch statistics. The
 * shuffles come from torch's global generator, so seeding it before each model gives both
 * models the same batches.
 */
std::vector<EpochStats> train(const std::string& label, const Forward& forward, std::vector<torch::Tensor> params,
                              const Dataset& train_set, const Dataset& test_set, const Options& o) {
  torch::optim::Adam opt(params, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  ProgressBar bar(label, o.epochs);
  const int64_t n = train_set.size();
  const int64_t num_batches = (n + o.batch - 1) / o.batch;
  std::vector<EpochStats> history;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const torch::Tensor perm = torch::randperm(n, torch::kInt64);
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    for (int64_t b = 0; b < num_batches; ++b) {
      const torch::Tensor idx = perm.slice(0, b * o.batch, std::min<int64_t>((b + 1) * o.batch, n));
      const torch::Tensor x = train_set.x.index_select(0, idx);
      const torch::Tensor y = train_set.y.index_select(0, idx);
      opt.zero_grad();
      const torch::Tensor logits = forward(x);
      const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      seen += idx.size(0);
      bar.update(epoch, b + 1, num_batches, loss_sum / seen, static_cast<double>(correct) / seen, elapsed());
    }
    EpochStats s;
    s.loss = loss_sum / seen;
    s.train_acc = static_cast<double>(correct) / seen;  // running accuracy over the epoch's batches
    {
      torch::NoGradGuard no_grad;
      s.test_acc = classifier::accuracy(forward(test_set.x), test_set.y);
    }
    bar.finish(epoch, num_batches, s.loss, s.train_acc, s.test_acc, elapsed());
    history.push_back(s);
  }
  return history;
}

void write_curves(const std::string& path, const std::vector<EpochStats>& q, const std::vector<EpochStats>& c) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "epoch,quantum_loss,quantum_train_acc,quantum_test_acc,classical_loss,classical_train_acc,classical_test_acc\n";
  char line[256];
  for (std::size_t e = 0; e < q.size(); ++e) {
    std::snprintf(line, sizeof(line), "%zu,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", e + 1, q[e].loss, q[e].train_acc,
                  q[e].test_acc, c[e].loss, c[e].train_acc, c[e].test_acc);
    out << line;
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse_options(argc, argv, o)) {
    usage(argv[0]);
    return 2;
  }
  // Any error (a bad file, a refused model) is reported and exits 1, never aborts.
  return torchq_examples::run_main("train_classifier", [&]() -> int {
    if (o.threads > 0) torch::set_num_threads(o.threads);
    const auto start = Clock::now();
    const Dataset train_set = classifier::read_csv(o.data_dir + "/breast_cancer_train.csv");
    const Dataset test_set = classifier::read_csv(o.data_dir + "/breast_cancer_test.csv");
    const int64_t num_features = train_set.x.size(1);
    const int64_t num_classes = train_set.y.max().item<int64_t>() + 1;
    std::printf("breast cancer: %lld train / %lld test samples, %lld features, %lld classes; torch threads: %d\n",
                static_cast<long long>(train_set.size()), static_cast<long long>(test_set.size()),
                static_cast<long long>(num_features), static_cast<long long>(num_classes), torch::get_num_threads());

    // The quantum model.
    torch::manual_seed(o.seed);
    const torchq::Circuit circuit = make_circuit(o.qubits, o.layers);
    torch::jit::Module quantum = make_quantum_model(circuit, num_features, num_classes, o.angle_scale);
    std::vector<torch::Tensor> q_params;
    for (const auto& p : quantum.parameters()) q_params.push_back(p);
    std::printf("\nquantum circuit (%d qubits, %d strongly entangling layers, <Z> on each wire):\n%s\n", o.qubits,
                o.layers, torchq::draw(circuit).c_str());
    const Forward q_forward = [&quantum](const torch::Tensor& x) { return quantum.forward({x}).toTensor(); };
    const auto q_hist = train("quantum", q_forward, q_params, train_set, test_set, o);

    // The classical baseline, same seed, so the same batches in the same order.
    torch::manual_seed(o.seed);
    torch::nn::Sequential classical = make_classical_model(num_features, o.qubits, num_classes);
    const std::vector<torch::Tensor> c_params = classical->parameters();
    std::printf("\n");
    const Forward c_forward = [&classical](const torch::Tensor& x) { return classical->forward(x); };
    const auto c_hist = train("classical", c_forward, c_params, train_set, test_set, o);

    // Final evaluation, save, report.
    torch::NoGradGuard no_grad;
    const double q_train = classifier::accuracy(q_forward(train_set.x), train_set.y);
    const double q_test = classifier::accuracy(q_forward(test_set.x), test_set.y);
    const double c_train = classifier::accuracy(c_forward(train_set.x), train_set.y);
    const double c_test = classifier::accuracy(c_forward(test_set.x), test_set.y);
    quantum.setattr("test_accuracy", q_test);

    std::filesystem::create_directories(o.out_dir);
    const std::string model_path = o.out_dir + "/model.pt";
    const std::string curves_path = o.out_dir + "/training_curves.csv";
    quantum.save(model_path);
    write_curves(curves_path, q_hist, c_hist);

    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const auto n_test = test_set.size();
    std::printf("\n%-34s %10s %10s %10s\n", "model", "parameters", "train acc", "test acc");
    std::printf("%-34s %10lld %10.4f %10.4f  (%lld/%lld)\n", "quantum (Linear-circuit-Linear)",
                static_cast<long long>(count_parameters(q_params)), q_train, q_test,
                static_cast<long long>(std::llround(q_test * n_test)), static_cast<long long>(n_test));
    std::printf("%-34s %10lld %10.4f %10.4f  (%lld/%lld)\n", "classical baseline (MLP)",
                static_cast<long long>(count_parameters(c_params)), c_train, c_test,
                static_cast<long long>(std::llround(c_test * n_test)), static_cast<long long>(n_test));
    std::printf("quantum %s the classical baseline on the test set\n",
                q_test > c_test ? "beats" : q_test == c_test ? "matches" : "is below");
    std::printf("saved the TorchScript model to %s and the training curves to %s (%.1f s)\n", model_path.c_str(),
                curves_path.c_str(), seconds);
    if (o.min_test_accuracy >= 0 && q_test < o.min_test_accuracy) {
      std::fprintf(stderr, "FAILED: quantum test accuracy %.4f is below --min-test-accuracy %.4f\n", q_test,
                   o.min_test_accuracy);
      return 1;
    }
    return 0;
  });
}
