/**
 * @file vqe_h2.cpp
 * @brief Variational quantum eigensolver: the ground-state energy of H2 with a torchq layer
 * and torch::optim::Adam, checked against exact diagonalisation of the Hamiltonian.
 *
 *   vqe_h2 [--steps 100] [--lr 0.1]
 *
 * Hamiltonian: H2 at the equilibrium bond length 0.7414 Angstrom, STO-3G basis, Jordan-Wigner
 * mapping onto 4 qubits (spin orbitals 0 up, 0 down, 1 up, 1 down), in Hartree, nuclear
 * repulsion included: the 15 coefficients as OpenFermion computes them (the same values serve
 * as the reference in, for example, Tangelo's test of its Jordan-Wigner mapping).
 *
 * Ansatz: the Hartree-Fock state |1100> (X on wires 0 and 1) followed by a double excitation
 * G(theta) with one trainable angle. torchq has no DoubleExcitation gate, so it is built from
 * the gates there are: G(theta) = exp(-i theta/2 * K), K = sum_k c_k P_k over eight mutually
 * commuting 4-qubit Pauli words with c_k = +-1/8, so G(theta) = prod_k exp(-i theta c_k/2 P_k),
 * and each factor is a MultiRZ(theta * c_k) between basis changes (H for X, RX(pi/2) for Y).
 * G(theta)|1100> = cos(theta/2)|1100> - sin(theta/2)|0011>, PennyLane's DoubleExcitation.
 *
 * Checks (exit 1 if any fails): |E_vqe - E_exact| < 1.6e-3 Ha (chemical accuracy), where
 * E_exact is the lowest eigenvalue of the dense 16x16 matrix (torch::linalg_eigvalsh); and the
 * final state is the one the decomposition promises (amplitudes on |1100> and |0011> only).
 */
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "run_main.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/draw.h"

namespace {

using torchq::CircuitBuilder;
using torchq::Param;

constexpr double kChemicalAccuracy = 1.6e-3;  // Hartree (1 kcal/mol)
constexpr int kQubits = 4;

/// A Pauli word on wires 0..3 (wire 0 first) and its coefficient.
struct Term {
  double coeff;
  const char* word;
};

// H2, STO-3G, R = 0.7414 Angstrom, Jordan-Wigner (OpenFermion), Hartree.
constexpr Term kH2[] = {
    {-0.0988639693354571, "IIII"}, {0.17119774903432955, "ZIII"}, {0.17119774903432958, "IZII"},
    {-0.22278593040418496, "IIZI"}, {-0.22278593040418496, "IIIZ"}, {0.16862219158920938, "ZZII"},
    {0.120544822053018, "ZIZI"},    {0.165867024105892, "ZIIZ"},    {0.165867024105892, "IZZI"},
    {0.120544822053018, "IZIZ"},    {0.17434844185575687, "IIZZ"},  {-0.045322202052874, "XXYY"},
    {0.045322202052874, "XYYX"},    {0.045322202052874, "YXXY"},    {-0.045322202052874, "YYXX"},
};

// The generator of the double excitation |1100> <-> |0011>: K = i(|1100><0011| - |0011><1100|)
// = sum_k c_k P_k (computed by tracing K against all 256 Pauli words; the other 248 vanish).
constexpr Term kDoubleExcitation[] = {
    {-0.125, "XXXY"}, {-0.125, "XXYX"}, {0.125, "XYXX"}, {-0.125, "XYYY"},
    {0.125, "YXXX"},  {-0.125, "YXYY"}, {0.125, "YYXY"}, {0.125, "YYYX"},
};

const std::vector<int> kWires{0, 1, 2, 3};

torchq::Observable hamiltonian() {
  torchq::Observable h;
  for (const Term& t : kH2) h.add_term(t.coeff, t.word, kWires);  // 'I' letters: identity factors, value 1
  return h;
}

/// The dense 2^n x 2^n matrix of sum_k coeff_k P_k (wire 0 = most significant bit: first factor).
torch::Tensor dense_matrix(const Term* terms, std::size_t count) {
  const auto c = torch::TensorOptions().dtype(torch::kComplexDouble);
  const torch::Tensor i2 = torch::eye(2, c);
  const torch::Tensor x = torch::tensor({0.0, 1.0, 1.0, 0.0}, torch::kDouble).reshape({2, 2}).to(torch::kComplexDouble);
  const torch::Tensor z = torch::tensor({1.0, 0.0, 0.0, -1.0}, torch::kDouble).reshape({2, 2}).to(torch::kComplexDouble);
  const torch::Tensor y = torch::complex(torch::zeros({2, 2}, torch::kDouble),
                                         torch::tensor({0.0, -1.0, 1.0, 0.0}, torch::kDouble).reshape({2, 2}));
  torch::Tensor h = torch::zeros({1 << kQubits, 1 << kQubits}, c);
  for (std::size_t k = 0; k < count; ++k) {
    torch::Tensor m = torch::ones({1, 1}, c);
    for (const char* p = terms[k].word; *p; ++p) {
      m = torch::kron(m, *p == 'X' ? x : *p == 'Y' ? y : *p == 'Z' ? z : i2);
    }
    h = h + terms[k].coeff * m;
  }
  return h;
}

/// Hartree-Fock |1100>, then the double excitation with weight 0 as theta.
torchq::Circuit ansatz() {
  CircuitBuilder b(kQubits);
  b.x(0).x(1);
  const Param theta = b.weight();  // allocates weight 0; the rotations below share it
  for (const Term& t : kDoubleExcitation) {
    // exp(-i theta c/2 P) = V^dagger MultiRZ(theta c) V, where V takes P to Z...Z.
    for (int w = 0; w < kQubits; ++w) {
      if (t.word[w] == 'X') b.h(w);
      if (t.word[w] == 'Y') b.rx(w, M_PI / 2);
    }
    b.multi_rz(kWires, Param(torchq::ParamRef::weight(theta.ref.index, t.coeff)));
    for (int w = 0; w < kQubits; ++w) {
      if (t.word[w] == 'X') b.h(w);
      if (t.word[w] == 'Y') b.rx(w, -M_PI / 2);
    }
  }
  return b.build();
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 100;
  double lr = 0.1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--steps") steps = std::atoi(argv[i + 1]);
    else if (arg == "--lr") lr = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--steps N] [--lr X]\n", argv[0]);
      return 2;
    }
  }
  // Any error (a bad file, a refused model) is reported and exits 1, never aborts.
  return torchq_examples::run_main("vqe_h2", [&]() -> int {
    // Exact answer: the lowest eigenvalue of the 16x16 Hamiltonian.
    const torch::Tensor h_dense = dense_matrix(kH2, std::size(kH2));
    const double e_exact = torch::linalg_eigvalsh(h_dense).min().item<double>();

    const torchq::Circuit circuit = ansatz();
    torchq::layers::QuantumLayerOptions options;
    options.dtype = torch::kDouble;
    torchq::layers::QuantumLayer energy(circuit, std::vector<torchq::Observable>{hamiltonian()}, options);
    {
      torch::NoGradGuard no_grad;
      energy->weights.zero_();  // theta = 0: the Hartree-Fock state
    }
    const torch::Tensor no_inputs = torch::zeros({1, 0}, torch::kDouble);
    const double e_hf = energy->forward().item<double>();
    std::printf("H2 (STO-3G, R = 0.7414 A, Jordan-Wigner, %zu Pauli terms), ansatz: %zu operations, %d weight\n",
                std::size(kH2), circuit.operations().size(), circuit.num_weights());
    std::printf("Hartree-Fock energy  %.8f Ha\nexact ground energy  %.8f Ha  (eigvalsh of the 16x16 matrix)\n\n", e_hf,
                e_exact);

    torch::optim::Adam opt(energy->parameters(), torch::optim::AdamOptions(lr));
    double e = e_hf;
    for (int step = 1; step <= steps; ++step) {
      opt.zero_grad();
      const torch::Tensor loss = energy->forward().sum();
      loss.backward();
      e = loss.item<double>();
      if (step == 1 || step % 10 == 0 || step == steps) {
        std::printf("step %4d  theta = %+.6f  E = %.8f Ha  E - E_exact = %.2e\n", step,
                    energy->weights[0].item<double>(), e, e - e_exact);
      }
      opt.step();
    }
    torch::NoGradGuard no_grad;
    e = energy->forward().item<double>();
    const double theta = energy->weights[0].item<double>();

    // The state must be cos(theta/2)|1100> - sin(theta/2)|0011> (basis index 12 and 3).
    const torch::Tensor psi = torchq_ops::state(energy->program, energy->weights, no_inputs, kQubits)[0];
    torch::Tensor expected = torch::zeros({1 << kQubits}, torch::kComplexDouble);
    expected[12] = std::cos(theta / 2);
    expected[3] = -std::sin(theta / 2);
    // Up to a global phase: compare |<expected|psi>| with 1.
    const double overlap = torch::abs(torch::vdot(expected, psi)).item<double>();

    const double error = std::abs(e - e_exact);
    std::printf("\nVQE energy           %.8f Ha  (theta = %.6f)\n", e, theta);
    std::printf("exact                %.8f Ha\n", e_exact);
    std::printf("|E_vqe - E_exact|    %.2e Ha  (chemical accuracy: %.1e Ha)\n", error, kChemicalAccuracy);
    std::printf("correlation energy recovered: %.2f %%\n", 100.0 * (e_hf - e) / (e_hf - e_exact));
    std::printf("|<cos(t/2)|1100> - sin(t/2)|0011> | psi>| = %.12f\n", overlap);
    const bool ok = error < kChemicalAccuracy && std::abs(overlap - 1.0) < 1e-9;
    std::printf(ok ? "vqe_h2: OK\n" : "vqe_h2: FAILED\n");
    return ok ? 0 : 1;
  });
}
