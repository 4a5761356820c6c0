/**
 * @file make_seeds.cpp
 * @brief Writes the fuzzers' seed corpora from real circuits, observables and saved layers:
 *   make_fuzz_seeds OUT_DIR   (normally tests/fuzz/corpus)
 * makes OUT_DIR/fuzz_program/NAME.bin, OUT_DIR/fuzz_observables/NAME.bin and OUT_DIR/fuzz_layer_load/NAME.pt
 * in the input formats documented atop each fuzz_*.cpp. The outputs are committed; rerun this
 * (scripts/sanitize.sh builds it on request, see docs/architecture.md) when a format changes.
 *
 * The seeds cover every gate kind, controls, embeddings, noise channels and observables of one
 * and several terms, plus tampered variants of saved layers (a wire out of range, a weight vector
 * of the wrong length, a float64 program where float32 is expected...), so the fuzzers start next
 * to both the accepted and the refused paths.
 */
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "torchq/torchq.h"

namespace fs = std::filesystem;
using namespace torchq;
using namespace torchq::layers;

namespace {

void write_bytes(const fs::path& path, const void* data, std::size_t size) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

/// A program as raw float64 numbers, with an option byte appended when options != 0.
void write_program(const fs::path& dir, const std::string& name, const Circuit& c, int options = -1) {
  const std::vector<double> p = c.to_program();
  std::string bytes(reinterpret_cast<const char*>(p.data()), p.size() * sizeof(double));
  if (options >= 0) bytes.push_back(static_cast<char>(options));
  write_bytes(dir / (name + ".bin"), bytes.data(), bytes.size());
}

/// The observables fuzzer's format: [n, rows, 0 x 6] then the table.
void write_observables(const fs::path& dir, const std::string& name, const std::vector<Observable>& obs, int n) {
  std::size_t length = 0;
  const std::vector<double> table = observables_to_table(obs, &length);
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(n - 1);
  bytes[1] = static_cast<char>(obs.size());
  bytes.append(reinterpret_cast<const char*>(table.data()), table.size() * sizeof(double));
  write_bytes(dir / (name + ".bin"), bytes.data(), bytes.size());
}

void write_layer(const fs::path& dir, const std::string& name, QuantumLayer& layer) {
  std::ostringstream s;
  torch::save(layer, s);
  const std::string bytes = s.str();
  write_bytes(dir / (name + ".pt"), bytes.data(), bytes.size());
}

/**
 * The same program in format version 1, as models saved before version 2 hold it: 3 numbers per
 * param, a product's value its second feature. Only for circuits whose products are unscaled
 * (version 1 cannot say otherwise).
 */
std::vector<double> to_version1(const std::vector<double>& p) {
  std::vector<double> out(p.begin(), p.begin() + kProgramHeaderSize);
  out[1] = 1;
  std::size_t pos = kProgramHeaderSize;
  for (int op = 0; op < static_cast<int>(p[5]); ++op) {
    const int nctrl = static_cast<int>(p[pos + 1]), nw = static_cast<int>(p[pos + 2]), np = static_cast<int>(p[pos + 3]),
              npay = static_cast<int>(p[pos + 4]);
    out.insert(out.end(), p.begin() + pos, p.begin() + pos + kOpHeaderSize + nctrl + nw);
    pos += kOpHeaderSize + nctrl + nw;
    for (int j = 0; j < np; ++j, pos += kParamSize) {
      const double kind = p[pos], index = p[pos + 1], second = p[pos + 2], value = p[pos + 3];
      if (kind == 3 && value != 1.0) throw std::runtime_error("version 1 has no scaled input products");
      out.insert(out.end(), {kind, index, kind == 3 ? second : value});
    }
    out.insert(out.end(), p.begin() + pos, p.begin() + pos + npay);
    pos += npay;
  }
  return out;
}

void write_numbers(const fs::path& dir, const std::string& name, const std::vector<double>& p) {
  write_bytes(dir / (name + ".bin"), p.data(), p.size() * sizeof(double));
}

std::vector<std::complex<double>> hadamard_cnot_unitary() {
  // (H (x) I) then CNOT: a 4x4 unitary, row-major.
  const double r = 1.0 / std::sqrt(2.0);
  return {r, 0, r, 0, 0, r, 0, r, 0, r, 0, -r, r, 0, -r, 0};
}

std::vector<std::pair<std::string, Circuit>> circuits() {
  std::vector<std::pair<std::string, Circuit>> out;
  {
    CircuitBuilder b(3, 3);
    angle_embedding(b, {0, 1, 2}, 0, "Y");
    strongly_entangling_layers(b, 2, {0, 1, 2});
    out.emplace_back("strongly_entangling", b.build());
  }
  {
    // Every fixed gate once, with an extra control on some.
    CircuitBuilder b(4, 2);
    b.i(0).x(1).y(2).z(3).h(0).s(1).sdg(2).t(3).tdg(0).sx(1, {0});
    b.rx(0, b.weight()).ry(1, b.input(0, 0.5)).rz(2, b.weight(-1.5)).phase_shift(3, 0.3, {0});
    b.rot(0, b.weight(), b.weight(), 0.2).u3(1, b.input(1), b.weight(), -0.7);
    b.cnot(0, 1).cy(1, 2).cz(2, 3, {0}).swap(0, 3).iswap(1, 2);
    b.crx(0, 1, b.weight()).cry(1, 2, 0.4).crz(2, 3, b.input(0)).crot(3, 0, b.weight(), 0.1, 0.2);
    b.controlled_phase_shift(0, 2, b.weight()).ising_xx(0, 1, b.weight()).ising_yy(1, 2, 0.3);
    b.ising_zz(2, 3, b.input(1)).toffoli(0, 1, 2).cswap(3, 0, 1).multi_rz({0, 1, 2, 3}, b.weight());
    b.qubit_unitary(hadamard_cnot_unitary(), {2, 0}, {1});
    out.emplace_back("every_gate", b.build());
  }
  {
    CircuitBuilder b(3, 8);
    amplitude_embedding(b, {0, 1, 2}, 0, 6, true, 0.25);
    basic_entangler_layers(b, 1, {0, 1, 2}, "Z");
    out.emplace_back("amplitude_embedding", b.build());
  }
  {
    CircuitBuilder b(4, 4);
    basis_embedding(b, {0, 1, 2, 3});
    hardware_efficient_ansatz(b, 1, {0, 1, 2, 3});
    out.emplace_back("basis_embedding", b.build());
  }
  {
    CircuitBuilder b(3, 3);
    iqp_embedding(b, {0, 1, 2});
    random_layers(b, 1, 3, {0, 1, 2});
    out.emplace_back("iqp_random_layers", b.build());
  }
  {
    CircuitBuilder b(2, 1);
    b.h(0).ry(1, b.input(0)).cnot(0, 1).depolarizing(0, 0.1).amplitude_damping(1, 0.2);
    b.rx(0, b.weight()).phase_damping(0, 0.05).bit_flip(1, 0.3);
    out.emplace_back("noise_channels", b.build());
  }
  {
    CircuitBuilder b(1, 0);
    b.h(0);
    out.emplace_back("one_qubit", b.build());
  }
  {
    // Last, so the indices main() uses stay. Input products with scales (format version 2), a
    // square among them.
    CircuitBuilder b(3, 3);
    b.h(0).rx(0, 0.5 * b.input_product(0, 1)).cry(1, 2, -1.5 * b.input_product(2, 0));
    b.multi_rz({0, 1, 2}, b.input_product(1, 1, 0.25)).ising_xx(0, 2, b.input_product(2, 1), {1});
    out.emplace_back("scaled_input_products", b.build());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_fuzz_seeds OUT_DIR (normally tests/fuzz/corpus)\n";
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* t : {"fuzz_program", "fuzz_observables", "fuzz_layer_load"}) fs::create_directories(out / t);

  // Programs: each circuit as it is, and with run options (float32, 0/1 features, per-sample weights).
  const auto all = circuits();
  for (const auto& [name, c] : all) write_program(out / "fuzz_program", name, c);
  write_program(out / "fuzz_program", "strongly_entangling_float_rows", all[0].second, 1 | 4);
  write_program(out / "fuzz_program", "basis_embedding_bits", all[3].second, 2);
  write_program(out / "fuzz_program", "every_gate_float", all[1].second, 1);
  // Format version 1, as saved models hold it: read as before, rewritten as version 2.
  write_numbers(out / "fuzz_program", "version1_every_gate", to_version1(all[1].second.to_program()));
  write_numbers(out / "fuzz_program", "version1_iqp_random_layers", to_version1(all[4].second.to_program()));

  // Observables.
  write_observables(out / "fuzz_observables", "z_each_wire",
                    {Observable::z(0), Observable::z(1), Observable::z(2)}, 3);
  {
    Observable h = Observable::pauli_word("XX", {0, 1}, 0.5);
    h.add_term(-0.25, "YZ", {1, 2}).add_term(1.5, "", {}).add_term(0.1, "ZZZ", {0, 1, 2});
    write_observables(out / "fuzz_observables", "hamiltonian", {h, Observable::pauli_word("Y", {2})}, 3);
  }
  write_observables(out / "fuzz_observables", "wide_register", {Observable::pauli_word("XZ", {40, 7})}, 48);
  // Identity factors (Pauli code 0): they keep their wire, which is validated.
  write_observables(out / "fuzz_observables", "identity_factors",
                    {Observable::identity(2, 0.5), Observable::pauli_word("IZ", {0, 1}).add_term(-1, "XI", {1, 2})}, 3);

  // Saved layers: real files from three configurations, then tampered copies.
  {
    CircuitBuilder b(3, 3);
    angle_embedding(b, {0, 1, 2}, 0, "Y");
    strongly_entangling_layers(b, 1, {0, 1, 2});
    QuantumLayer q(b.build(), std::vector<Observable>{Observable::z(0), Observable::pauli_word("XY", {1, 2})});
    write_layer(out / "fuzz_layer_load", "expval_float", q);

    QuantumLayerOptions po;
    po.measure = Measurement::kProbs;
    po.dtype = at::kDouble;
    QuantumLayer p(all[2].second, std::vector<Observable>{}, po);
    write_layer(out / "fuzz_layer_load", "probs_double", p);

    QuantumLayerOptions no;
    no.mode = "trajectories";
    no.shots = 8;
    no.trajectories = 2;
    QuantumLayer noisy(all[5].second, std::vector<Observable>{Observable::z(0)}, no);
    write_layer(out / "fuzz_layer_load", "noisy_trajectories", noisy);

    // Tampered files: the layer's three tensors written as torch::save writes them
    // (OutputArchive, buffers flagged), one of them altered.
    const at::Tensor program = q->program.clone(), observables = q->observables.clone(), weights = q->weights.detach().clone();
    auto tampered = [&](const std::string& name, const at::Tensor& w, const at::Tensor& p, const at::Tensor& o) {
      torch::serialize::OutputArchive archive;
      archive.write("weights", w);
      archive.write("program", p, /*is_buffer=*/true);
      archive.write("observables", o, /*is_buffer=*/true);
      std::ostringstream s;
      archive.save_to(s);
      const std::string bytes = s.str();
      write_bytes(out / "fuzz_layer_load" / (name + ".pt"), bytes.data(), bytes.size());
    };
    at::Tensor bad_wire = program.clone();
    bad_wire[11] = 7.0;  // op #0 (RY, no controls): its wire follows the 6-number header and its 5-number op header
    tampered("tampered_wire", weights, bad_wire, observables);
    tampered("tampered_weight_count", weights.narrow(0, 0, 2), program, observables);
    at::Tensor bad_obs = observables.clone();
    bad_obs[0][4] = 5.0;  // row [magic, version, num_terms, coeff, num_factors, ...]: 5 factors on 3 qubits
    tampered("tampered_observables", weights, program, bad_obs);
    tampered("tampered_program_dtype", weights, program.to(at::kFloat), observables);
    tampered("tampered_weights_dtype", weights.to(at::kDouble), program, observables);
    tampered("tampered_truncated_program", weights, program.narrow(0, 0, program.size(0) - 3), observables);
  }
  std::cout << "seeds written under " << out << "\n";
  return 0;
}
