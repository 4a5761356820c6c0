/// @file algorithms.cpp
#include "torchq/build/algorithms.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <string>

#include "torchq/errors.h"

namespace torchq {
namespace {

using Matrix = std::vector<std::complex<double>>;  // row-major dim x dim

Matrix multiply(const Matrix& a, const Matrix& b, std::size_t dim) {
  Matrix c(dim * dim);
  for (std::size_t i = 0; i < dim; ++i) {
    for (std::size_t k = 0; k < dim; ++k) {
      const std::complex<double> aik = a[i * dim + k];
      for (std::size_t j = 0; j < dim; ++j) c[i * dim + j] += aik * b[k * dim + j];
    }
  }
  return c;
}

Matrix adjoint(const Matrix& a, std::size_t dim) {
  Matrix t(dim * dim);
  for (std::size_t i = 0; i < dim; ++i) {
    for (std::size_t j = 0; j < dim; ++j) t[j * dim + i] = std::conj(a[i * dim + j]);
  }
  return t;
}

/// max |U^dagger U - I|.
double unitarity_error(const Matrix& u, std::size_t dim) {
  const Matrix p = multiply(adjoint(u, dim), u, dim);
  double worst = 0;
  for (std::size_t i = 0; i < dim; ++i) {
    for (std::size_t j = 0; j < dim; ++j) worst = std::max(worst, std::abs(p[i * dim + j] - (i == j ? 1.0 : 0.0)));
  }
  return worst;
}

/// U^2, pulled back onto the unitaries by one Newton-Schulz step X (3I - X^dagger X) / 2: repeated
/// squaring doubles the rounding error each time, which would fail the QubitUnitary check after
/// a few dozen squarings.
Matrix square(const Matrix& u, std::size_t dim) {
  const Matrix x = multiply(u, u, dim);
  Matrix m = multiply(adjoint(x, dim), x, dim);
  for (std::size_t i = 0; i < dim * dim; ++i) m[i] = (i % (dim + 1) == 0 ? 3.0 : 0.0) - m[i];
  Matrix y = multiply(x, m, dim);
  for (auto& z : y) z *= 0.5;
  return y;
}

void check_register(const std::vector<int>& wires, const char* what) {
  if (wires.empty()) throw ArgumentError(std::string(what) + ": give at least one wire");
  if (std::set<int>(wires.begin(), wires.end()).size() != wires.size()) {
    throw ArgumentError(std::string(what) + ": wires must be distinct");
  }
}

void check_bitstring(const std::vector<int>& wires, const std::vector<int>& bits, const char* what) {
  if (bits.size() != wires.size()) {
    throw ArgumentError(std::string(what) + ": a marked bitstring needs one bit per wire (" +
                        std::to_string(wires.size()) + "), got " + std::to_string(bits.size()));
  }
  for (const int bit : bits) {
    if (bit != 0 && bit != 1) throw ArgumentError(std::string(what) + ": bits must be 0 or 1, got " + std::to_string(bit));
  }
}

/// The QFT's phase between wires m apart: 2 pi / 2^(m+1).
double phase_step(std::size_t m) { return 2.0 * std::numbers::pi / std::ldexp(1.0, static_cast<int>(m) + 1); }

/// Z on the last wire controlled by all the others (Z itself for one wire).
void multi_controlled_z(CircuitBuilder& b, const std::vector<int>& wires) {
  b.z(wires.back(), std::vector<int>(wires.begin(), wires.end() - 1));
}

}  // namespace

void qft(CircuitBuilder& b, const std::vector<int>& wires) {
  check_register(wires, "qft");
  const std::size_t n = wires.size();
  for (std::size_t i = 0; i < n; ++i) {
    b.h(wires[i]);
    for (std::size_t m = 1; i + m < n; ++m) {
      b.controlled_phase_shift(wires[i + m], wires[i], phase_step(m));
    }
  }
  for (std::size_t i = 0; i < n / 2; ++i) b.swap(wires[i], wires[n - 1 - i]);
}

void inverse_qft(CircuitBuilder& b, const std::vector<int>& wires) {
  check_register(wires, "inverse_qft");
  const std::size_t n = wires.size();
  for (std::size_t i = n / 2; i-- > 0;) b.swap(wires[i], wires[n - 1 - i]);
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t m = n - 1 - i; m >= 1; --m) {
      b.controlled_phase_shift(wires[i + m], wires[i], -phase_step(m));
    }
    b.h(wires[i]);
  }
}

void phase_estimation(CircuitBuilder& b, const std::vector<std::complex<double>>& unitary_matrix,
                      const std::vector<int>& target_wires, const std::vector<int>& estimation_wires) {
  check_register(target_wires, "phase_estimation (target_wires)");
  check_register(estimation_wires, "phase_estimation (estimation_wires)");
  for (const int w : estimation_wires) {
    if (std::find(target_wires.begin(), target_wires.end(), w) != target_wires.end()) {
      throw ArgumentError("phase_estimation: wire " + std::to_string(w) + " is both a target and an estimation wire");
    }
  }
  const std::size_t k = target_wires.size();
  if (k > 6) throw ArgumentError("phase_estimation: the unitary acts on at most 6 target wires, got " + std::to_string(k));
  const std::size_t dim = std::size_t{1} << k;
  if (unitary_matrix.size() != dim * dim) {
    throw ArgumentError("phase_estimation: the unitary must have " + std::to_string(dim * dim) + " entries for " +
                        std::to_string(k) + " target wire(s), got " + std::to_string(unitary_matrix.size()));
  }
  const double err = unitarity_error(unitary_matrix, dim);
  if (!(err <= 1e-8)) {  // the QubitUnitary bound; also refuses NaN
    throw ArgumentError("phase_estimation: the matrix is not unitary (max |U^dagger U - I| = " + std::to_string(err) + ")");
  }
  const std::size_t t = estimation_wires.size();
  for (const int w : estimation_wires) b.h(w);
  // estimation_wires[t-1] controls U, estimation_wires[t-2] controls U^2, ...: apply from the
  // highest power down, in PennyLane's order.
  std::vector<Matrix> powers{unitary_matrix};
  for (std::size_t i = 1; i < t; ++i) powers.push_back(square(powers.back(), dim));
  for (std::size_t i = 0; i < t; ++i) b.qubit_unitary(powers[t - 1 - i], target_wires, {estimation_wires[i]});
  inverse_qft(b, estimation_wires);
}

void grover_oracle(CircuitBuilder& b, const std::vector<int>& wires, const std::vector<int>& marked_bitstring) {
  check_register(wires, "grover_oracle");
  check_bitstring(wires, marked_bitstring, "grover_oracle");
  for (std::size_t j = 0; j < wires.size(); ++j) {
    if (marked_bitstring[j] == 0) b.x(wires[j]);
  }
  multi_controlled_z(b, wires);
  for (std::size_t j = 0; j < wires.size(); ++j) {
    if (marked_bitstring[j] == 0) b.x(wires[j]);
  }
}

void grover_diffusion(CircuitBuilder& b, const std::vector<int>& wires) {
  check_register(wires, "grover_diffusion");
  for (const int w : wires) b.h(w).x(w);
  multi_controlled_z(b, wires);  // I - 2|1..1><1..1|, so with the X and H: I - 2|s><s|
  for (const int w : wires) b.x(w).h(w);
  b.rz(wires[0], 2.0 * std::numbers::pi);  // -I: 2|s><s| - I, as PennyLane
}

int grover_iterations(int num_wires, int num_marked) {
  if (num_wires < 1 || num_wires > 62) {
    throw ArgumentError("grover_iterations: num_wires must be in [1, 62], got " + std::to_string(num_wires));
  }
  const double n = std::ldexp(1.0, num_wires);
  if (num_marked < 1 || num_marked > n) {
    throw ArgumentError("grover_iterations: num_marked must be in [1, 2^num_wires], got " + std::to_string(num_marked));
  }
  return static_cast<int>(std::floor(std::numbers::pi / 4.0 * std::sqrt(n / num_marked)));
}

int grover_search(CircuitBuilder& b, const std::vector<int>& wires, const std::vector<std::vector<int>>& marked,
                  int iterations) {
  check_register(wires, "grover_search");
  if (marked.empty()) throw ArgumentError("grover_search: give at least one marked bitstring");
  for (const auto& m : marked) check_bitstring(wires, m, "grover_search");
  if (std::set<std::vector<int>>(marked.begin(), marked.end()).size() != marked.size()) {
    throw ArgumentError("grover_search: marked bitstrings must be distinct");
  }
  if (iterations < -1) {
    throw ArgumentError("grover_search: iterations must be >= 0 (or -1: optimal), got " + std::to_string(iterations));
  }
  const int k = iterations >= 0 ? iterations
                                : grover_iterations(static_cast<int>(wires.size()), static_cast<int>(marked.size()));
  for (const int w : wires) b.h(w);
  for (int it = 0; it < k; ++it) {
    for (const auto& m : marked) grover_oracle(b, wires, m);
    grover_diffusion(b, wires);
  }
  return k;
}

}  // namespace torchq
