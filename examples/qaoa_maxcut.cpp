/**
 * @file qaoa_maxcut.cpp
 * @brief QAOA for MaxCut on a 6-node graph with a torchq layer and torch::optim::Adam, checked
 * against the brute-force maximum cut.
 *
 *   qaoa_maxcut [--depth 3] [--steps 100] [--lr 0.05]
 *
 * Graph: a 2 x 3 ladder (0-1-2 over 3-4-5, rungs 0-3, 1-4, 2-5) with the diagonal 0-4: 8
 * edges, not bipartite; its maximum cut is 7, reached only by 010101 and its complement.
 *
 * Cost: C = sum over edges (1 - Z_i Z_j) / 2, the number of cut edges, one torchq::Observable.
 * Circuit: H on every wire, then p layers of cost exp(-i gamma_l C) (one IsingZZ(-gamma_l) per
 * edge: IsingZZ(phi) = exp(-i phi/2 ZZ), so all edges share the weight gamma_l with scale -1)
 * and mixer exp(-i beta_l sum X) (RX(2 beta_l) per wire). Adam maximises <C> from a linear
 * ramp (gamma growing, beta shrinking, as in an annealing schedule): deterministic, no seed.
 *
 * Checks (exit 1 if any fails): the most probable bitstring of the trained circuit is a
 * maximum cut, and the approximation ratio <C> / C_max is at least 0.8.
 */
#include <torch/torch.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "run_main.h"
#include "torchq/build/circuit_builder.h"

namespace {

using torchq::CircuitBuilder;
using torchq::Param;

constexpr int kNodes = 6;
const std::vector<std::pair<int, int>> kEdges{{0, 1}, {1, 2}, {3, 4}, {4, 5}, {0, 3}, {1, 4}, {2, 5}, {0, 4}};
constexpr double kMinRatio = 0.8;

/// Node i's side in basis state `index`: wire 0 is the most significant bit (torchq, PennyLane).
int side(int64_t index, int node) { return static_cast<int>((index >> (kNodes - 1 - node)) & 1); }

int cut_value(int64_t index) {
  int cut = 0;
  for (const auto& [i, j] : kEdges) cut += side(index, i) != side(index, j);
  return cut;
}

std::string bitstring(int64_t index) {
  std::string s;
  for (int q = 0; q < kNodes; ++q) s += static_cast<char>('0' + side(index, q));
  return s;
}

/// C = sum over edges (1 - Z_i Z_j) / 2.
torchq::Observable cost() {
  torchq::Observable c;
  c.add_term(0.5 * static_cast<double>(kEdges.size()), "", {});
  for (const auto& [i, j] : kEdges) c.add_term(-0.5, "ZZ", {i, j});
  return c;
}

/// Weights: gamma_l is weight 2l, beta_l weight 2l + 1.
torchq::Circuit qaoa_circuit(int depth) {
  CircuitBuilder b(kNodes);
  for (int q = 0; q < kNodes; ++q) b.h(q);
  for (int l = 0; l < depth; ++l) {
    // exp(-i gamma C) = prod over edges exp(+i gamma/2 Z_i Z_j) up to a global phase.
    const Param gamma = b.weight(-1.0);
    for (const auto& [i, j] : kEdges) b.ising_zz(i, j, gamma);
    const Param beta = b.weight(2.0);
    for (int q = 0; q < kNodes; ++q) b.rx(q, beta);
  }
  return b.build();
}

}  // namespace

int main(int argc, char** argv) {
  int depth = 3, steps = 100;
  double lr = 0.05;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--depth") depth = std::atoi(argv[i + 1]);
    else if (arg == "--steps") steps = std::atoi(argv[i + 1]);
    else if (arg == "--lr") lr = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--depth P] [--steps N] [--lr X]\n", argv[0]);
      return 2;
    }
  }
  if (depth < 1) {
    std::fprintf(stderr, "%s: --depth must be at least 1\n", argv[0]);
    return 2;
  }
  // Any error (a bad file, a refused model) is reported and exits 1, never aborts.
  return torchq_examples::run_main("qaoa_maxcut", [&]() -> int {
    // Brute force over all 2^6 assignments.
    int best = 0;
    std::vector<int64_t> optimal;
    for (int64_t s = 0; s < (int64_t{1} << kNodes); ++s) {
      const int c = cut_value(s);
      if (c > best) optimal.clear();
      if (c >= best) {
        best = c;
        optimal.push_back(s);
      }
    }
    std::printf("MaxCut on %d nodes, %zu edges; brute force: maximum cut %d, by", kNodes, kEdges.size(), best);
    for (int64_t s : optimal) std::printf(" %s", bitstring(s).c_str());
    std::printf("\n");

    const torchq::Circuit circuit = qaoa_circuit(depth);
    torchq::layers::QuantumLayerOptions options;
    options.dtype = torch::kDouble;
    torchq::layers::QuantumLayer expected_cut(circuit, std::vector<torchq::Observable>{cost()}, options);
    {
      torch::NoGradGuard no_grad;
      for (int l = 0; l < depth; ++l) {
        const double t = (l + 0.5) / depth;
        expected_cut->weights[2 * l] = 0.8 * t;            // gamma
        expected_cut->weights[2 * l + 1] = 0.8 * (1 - t);  // beta
      }
    }
    const torch::Tensor no_inputs = torch::zeros({1, 0}, torch::kDouble);
    std::printf("QAOA depth p = %d: %zu operations, %d weights; Adam(lr %.3g), %d steps\n", depth,
                circuit.operations().size(), circuit.num_weights(), lr, steps);

    torch::optim::Adam opt(expected_cut->parameters(), torch::optim::AdamOptions(lr));
    for (int step = 1; step <= steps; ++step) {
      opt.zero_grad();
      const torch::Tensor c = expected_cut->forward().sum();
      (-c).backward();  // maximise <C>
      if (step == 1 || step % 25 == 0 || step == steps) {
        std::printf("step %4d  <C> = %.6f  ratio %.4f\n", step, c.item<double>(), c.item<double>() / best);
      }
      opt.step();
    }

    torch::NoGradGuard no_grad;
    const double c_final = expected_cut->forward().item<double>();
    const torch::Tensor p = torchq_ops::probs(expected_cut->program, expected_cut->weights, no_inputs, {0, 1, 2, 3, 4, 5})[0];
    const auto [top_p, top_index] = p.topk(4);
    std::printf("\nmost probable bitstrings (wire 0 first):\n");
    for (int k = 0; k < 4; ++k) {
      const int64_t s = top_index[k].item<int64_t>();
      std::printf("  %s  p = %.4f  cut %d%s\n", bitstring(s).c_str(), top_p[k].item<double>(), cut_value(s),
                  cut_value(s) == best ? "  (maximum)" : "");
    }
    double p_opt = 0;
    for (int64_t s : optimal) p_opt += p[s].item<double>();
    const int64_t most_probable = top_index[0].item<int64_t>();
    const double ratio = c_final / best;
    std::printf("expected cut <C> = %.4f of %d: approximation ratio %.4f; P(maximum cut) = %.4f (uniform: %.4f)\n",
                c_final, best, ratio, p_opt, static_cast<double>(optimal.size()) / (1 << kNodes));
    const bool ok = cut_value(most_probable) == best && ratio >= kMinRatio;
    std::printf("most probable bitstring %s cuts %d edges: %s\n", bitstring(most_probable).c_str(),
                cut_value(most_probable), cut_value(most_probable) == best ? "a maximum cut" : "NOT a maximum cut");
    std::printf(ok ? "qaoa_maxcut: OK\n" : "qaoa_maxcut: FAILED\n");
    return ok ? 0 : 1;
  });
}
