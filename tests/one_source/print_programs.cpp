/**
 * @file print_programs.cpp
 * @brief Prints the program of every template and algorithm recipe that
 * tests/python/test_one_source.py builds again from Python: one line per recipe, "name" then the
 * program's numbers (%.17g). The test checks that both languages give identical programs, the
 * promise of one circuit builder (torchq/build/) behind both.
 *
 * Torch-free: it links the core only, so it is built with the core tests.
 */
#include <cmath>
#include <complex>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "torchq/build/algorithms.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "torchq/noise.h"

namespace {

using torchq::CircuitBuilder;

struct Recipe {
  const char* name;
  int num_qubits;
  int num_inputs;
  std::function<void(CircuitBuilder&)> build;
};

void print(const char* name, const torchq::Circuit& c) {
  std::printf("%s", name);
  for (double v : c.to_program()) std::printf(" %.17g", v);
  std::printf("\n");
}

}  // namespace

int main() {
  const double pi = std::acos(-1.0);
  // Keep in step with RECIPES in tests/python/test_one_source.py (same names, same calls).
  const std::vector<Recipe> recipes = {
      {"angle_embedding", 3, 3, [](CircuitBuilder& b) { torchq::angle_embedding(b, {0, 1, 2}, 0, "Y", 0.5); }},
      {"angle_embedding_fewer_features", 3, 2, [](CircuitBuilder& b) { torchq::angle_embedding(b, {2, 0, 1}, 0, "X", 1.0, 2); }},
      {"amplitude_embedding", 2, 4, [](CircuitBuilder& b) { torchq::amplitude_embedding(b, {0, 1}, 1, 3, true, 0.25); }},
      {"basis_embedding", 3, 4, [](CircuitBuilder& b) { torchq::basis_embedding(b, {0, 1, 2}, 1); }},
      {"basic_entangler_layers", 3, 0, [](CircuitBuilder& b) { torchq::basic_entangler_layers(b, 2, {0, 1, 2}, "Z"); }},
      {"strongly_entangling_layers", 3, 0, [](CircuitBuilder& b) { torchq::strongly_entangling_layers(b, 2, {0, 1, 2}); }},
      {"strongly_entangling_layers_cz_ranges", 4, 0,
       [](CircuitBuilder& b) { torchq::strongly_entangling_layers(b, 2, {0, 1, 2, 3}, {3, 1}, "CZ"); }},
      {"iqp_embedding", 3, 3, [](CircuitBuilder& b) { torchq::iqp_embedding(b, {0, 1, 2}, 0, 2); }},
      {"iqp_embedding_pattern", 3, 4, [](CircuitBuilder& b) { torchq::iqp_embedding(b, {0, 1, 2}, 1, 1, {{0, 2}, {2, 1}}); }},
      {"data_reuploading", 2, 2, [](CircuitBuilder& b) { torchq::data_reuploading(b, 3, {0, 1}, 0, "Y", 1.5); }},
      {"hardware_efficient_ansatz", 3, 0, [](CircuitBuilder& b) { torchq::hardware_efficient_ansatz(b, 2, {0, 1, 2}); }},
      {"random_layers", 3, 0,
       [](CircuitBuilder& b) { torchq::random_layers(b, 2, 4, {0, 1, 2}, 0.3, "CZ", {"X", "Y"}, 7); }},
      {"qft", 3, 0, [](CircuitBuilder& b) { torchq::qft(b, {0, 1, 2}); }},
      {"inverse_qft", 3, 0, [](CircuitBuilder& b) { torchq::inverse_qft(b, {2, 0, 1}); }},
      {"phase_estimation", 3, 0,
       [pi](CircuitBuilder& b) {
         torchq::phase_estimation(b, {1.0, 0.0, 0.0, std::polar(1.0, pi / 2)}, {2}, {0, 1});
       }},
      {"grover_oracle", 3, 0, [](CircuitBuilder& b) { torchq::grover_oracle(b, {0, 1, 2}, {1, 0, 1}); }},
      {"grover_diffusion", 3, 0, [](CircuitBuilder& b) { torchq::grover_diffusion(b, {0, 1, 2}); }},
      {"grover_search", 3, 0, [](CircuitBuilder& b) { torchq::grover_search(b, {0, 1, 2}, {{1, 0, 1}, {0, 1, 1}}); }},
      {"scaled_input_product", 2, 2,
       [](CircuitBuilder& b) { b.multi_rz({0, 1}, 0.5 * b.input_product(0, 1)).rx(0, -2.0 * b.weight()); }},
  };
  for (const Recipe& r : recipes) {
    CircuitBuilder b(r.num_qubits, r.num_inputs);
    r.build(b);
    print(r.name, b.build());
  }
  // A circuit with noise after each gate (the core's add_noise_after_each_gate).
  CircuitBuilder b(2, 1);
  b.ry(0, b.input(0)).cnot(0, 1);
  print("noise_after_each_gate", torchq::add_noise_after_each_gate(b.build(), "BitFlip", 0.125));
  return 0;
}
