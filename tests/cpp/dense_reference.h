/**
 * @file dense_reference.h
 * @brief An independent dense reference simulator built with Eigen, for checking the kernels.
 *
 * Everything here is deliberately naive and written from the textbook, never from torchq's own
 * matrix builders (no call to torchq::base_gate_matrix, no GateLayout, no lowering): every gate is
 * its 2x2 / 4x4 / 8x8 matrix written out by hand, and a gate on arbitrary wires is the Kronecker
 * product of its matrix with an identity, conjugated by the permutation that brings its wires to
 * the front. A wrong wire order in torchq then shows up as a mismatch instead of being copied.
 *
 * Bit convention (PennyLane's, as in torchq/types.h): wire 0 is the MOST significant bit of an
 * amplitude index, so |q0 q1 ... q_{n-1}> has index sum_w q_w 2^(n-1-w). A k-qubit gate matrix
 * on wires (w_0, ..., w_{k-1}) has w_0 as the most significant bit of its local index; built-in
 * controls are the first wires of a named gate (CNOT(c, t)).
 *
 * Only torchq's plain data types are used (Operation, ParamRef, Observable), to read circuits.
 */
#pragma once

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq_test::ref {

using Cd = std::complex<double>;
using Mat = Eigen::MatrixXcd;
using Vec = Eigen::VectorXcd;

inline constexpr Cd kI{0.0, 1.0};
inline constexpr double kPi = std::numbers::pi;

/// A 2x2 matrix from its entries, row-major.
inline Mat mat2(Cd a, Cd b, Cd c, Cd d) {
  Mat m(2, 2);
  m << a, b, c, d;
  return m;
}

/// A 4x4 matrix from 16 entries, row-major.
inline Mat mat4(std::initializer_list<Cd> e) {
  Mat m(4, 4);
  int k = 0;
  for (Cd v : e) {
    m(k / 4, k % 4) = v;
    ++k;
  }
  if (k != 16) throw std::logic_error("mat4 needs 16 entries");
  return m;
}

// ---- Textbook one-qubit gates (PennyLane's definitions). ----
inline Mat Id2() { return mat2(1, 0, 0, 1); }
inline Mat PauliX() { return mat2(0, 1, 1, 0); }
inline Mat PauliY() { return mat2(0, -kI, kI, 0); }
inline Mat PauliZ() { return mat2(1, 0, 0, -1); }
inline Mat Hadamard() {
  const double r = 1.0 / std::sqrt(2.0);
  return mat2(r, r, r, -r);
}
inline Mat SGate() { return mat2(1, 0, 0, kI); }
inline Mat SdgGate() { return mat2(1, 0, 0, -kI); }
inline Mat TGate() { return mat2(1, 0, 0, Cd(std::sqrt(0.5), std::sqrt(0.5))); }
inline Mat TdgGate() { return mat2(1, 0, 0, Cd(std::sqrt(0.5), -std::sqrt(0.5))); }
inline Mat SXGate() { return mat2(Cd(0.5, 0.5), Cd(0.5, -0.5), Cd(0.5, -0.5), Cd(0.5, 0.5)); }
inline Mat RXGate(double a) {
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  return mat2(c, -kI * s, -kI * s, c);
}
inline Mat RYGate(double a) {
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  return mat2(c, -s, s, c);
}
inline Mat RZGate(double a) { return mat2(std::exp(-kI * (a / 2)), 0, 0, std::exp(kI * (a / 2))); }
inline Mat PhaseShiftGate(double a) { return mat2(1, 0, 0, std::exp(kI * a)); }
/// Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi), written out.
inline Mat RotGate(double phi, double theta, double omega) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  return mat2(std::exp(-kI * ((phi + omega) / 2)) * c, -std::exp(kI * ((phi - omega) / 2)) * s,
              std::exp(-kI * ((phi - omega) / 2)) * s, std::exp(kI * ((phi + omega) / 2)) * c);
}
/// U3(theta, phi, lambda), written out.
inline Mat U3Gate(double theta, double phi, double lambda) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  return mat2(c, -std::exp(kI * lambda) * s, std::exp(kI * phi) * s, std::exp(kI * (phi + lambda)) * c);
}

// ---- Textbook two- and three-qubit gates (first wire = most significant local bit). ----
inline Mat CNOTGate() {
  return mat4({1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 0, 1,  0, 0, 1, 0});
}
inline Mat CYGate() {
  return mat4({1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 0, -kI,  0, 0, kI, 0});
}
inline Mat CZGate() {
  return mat4({1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 0,  0, 0, 0, -1});
}
inline Mat SWAPGate() {
  return mat4({1, 0, 0, 0,  0, 0, 1, 0,  0, 1, 0, 0,  0, 0, 0, 1});
}
inline Mat ISWAPGate() {
  return mat4({1, 0, 0, 0,  0, 0, kI, 0,  0, kI, 0, 0,  0, 0, 0, 1});
}
/// diag(I, U): U acts on the second wire when the first is |1>.
inline Mat ControlledOnFirst(const Mat& u) {
  Mat m = Mat::Identity(4, 4);
  m.block(2, 2, 2, 2) = u;
  return m;
}
inline Mat CRXGate(double a) { return ControlledOnFirst(RXGate(a)); }
inline Mat CRYGate(double a) { return ControlledOnFirst(RYGate(a)); }
inline Mat CRZGate(double a) {
  return mat4({1, 0, 0, 0,  0, 1, 0, 0,  0, 0, std::exp(-kI * (a / 2)), 0,  0, 0, 0, std::exp(kI * (a / 2))});
}
inline Mat CRotGate(double phi, double theta, double omega) { return ControlledOnFirst(RotGate(phi, theta, omega)); }
inline Mat ControlledPhaseShiftGate(double a) {
  return mat4({1, 0, 0, 0,  0, 1, 0, 0,  0, 0, 1, 0,  0, 0, 0, std::exp(kI * a)});
}
inline Mat IsingXXGate(double a) {
  const Cd c = std::cos(a / 2), s = -kI * std::sin(a / 2);
  return mat4({c, 0, 0, s,  0, c, s, 0,  0, s, c, 0,  s, 0, 0, c});
}
inline Mat IsingYYGate(double a) {
  const Cd c = std::cos(a / 2), s = kI * std::sin(a / 2);
  return mat4({c, 0, 0, s,  0, c, -s, 0,  0, -s, c, 0,  s, 0, 0, c});
}
inline Mat IsingZZGate(double a) {
  const Cd m = std::exp(-kI * (a / 2)), p = std::exp(kI * (a / 2));
  return mat4({m, 0, 0, 0,  0, p, 0, 0,  0, 0, p, 0,  0, 0, 0, m});
}
/// Toffoli: flips the third wire when the first two are |1>: swaps |110> and |111>.
inline Mat ToffoliGate() {
  Mat m = Mat::Identity(8, 8);
  m(6, 6) = m(7, 7) = 0;
  m(6, 7) = m(7, 6) = 1;
  return m;
}
/// CSWAP: swaps wires 2 and 3 when the first is |1>: swaps |101> and |110>.
inline Mat CSWAPGate() {
  Mat m = Mat::Identity(8, 8);
  m(5, 5) = m(6, 6) = 0;
  m(5, 6) = m(6, 5) = 1;
  return m;
}
/// MultiRZ(a) on k wires: exp(-i a/2 Z...Z), diagonal with e^{-ia/2} on even parity.
inline Mat MultiRZGate(double a, int k) {
  const int dim = 1 << k;
  Mat m = Mat::Zero(dim, dim);
  for (int j = 0; j < dim; ++j) {
    const bool odd = __builtin_popcount(static_cast<unsigned>(j)) & 1;
    m(j, j) = std::exp((odd ? kI : -kI) * (a / 2));
  }
  return m;
}

/// Kronecker product A (x) B: A acts on the more significant bits.
inline Mat kron(const Mat& a, const Mat& b) {
  Mat out(a.rows() * b.rows(), a.cols() * b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = 0; j < a.cols(); ++j) {
      out.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
    }
  }
  return out;
}

/// diag(I, ..., I, U): U acts on the last wires when the first `num_controls` wires are all |1>.
inline Mat add_controls(const Mat& u, int num_controls) {
  const Eigen::Index dim = u.rows() << num_controls;
  Mat m = Mat::Identity(dim, dim);
  m.block(dim - u.rows(), dim - u.cols(), u.rows(), u.cols()) = u;
  return m;
}

/**
 * @brief The full 2^n matrix of a k-qubit `local` matrix acting on `wires` (wires[0] = most
 * significant local bit). Built as P^T (local (x) I) P, where the permutation P reorders the
 * qubits as (wires..., remaining wires ascending) so that `local` sits on the leading bits.
 */
inline Mat embed(const Mat& local, const std::vector<int>& wires, int n) {
  const int k = static_cast<int>(wires.size());
  if (local.rows() != (Eigen::Index{1} << k)) throw std::logic_error("embed: matrix size does not match wires");
  std::vector<int> order = wires;
  for (int w = 0; w < n; ++w) {
    if (std::find(wires.begin(), wires.end(), w) == wires.end()) order.push_back(w);
  }
  const Eigen::Index dim = Eigen::Index{1} << n;
  // P|x> = |y>, where bit j of y (from the top) is the bit of wire order[j] in x.
  Mat perm = Mat::Zero(dim, dim);
  for (Eigen::Index x = 0; x < dim; ++x) {
    Eigen::Index y = 0;
    for (int j = 0; j < n; ++j) {
      const Eigen::Index bit = (x >> (n - 1 - order[j])) & 1;
      y |= bit << (n - 1 - j);
    }
    perm(y, x) = 1;
  }
  const Mat big = kron(local, Mat::Identity(dim >> k, dim >> k));
  return perm.transpose() * big * perm;
}

/// One parameter's angle for one sample.
inline double resolve(const torchq::ParamRef& p, const std::vector<double>& weights, const std::vector<double>& inputs) {
  switch (p.kind) {
    case torchq::ParamRef::Kind::kWeight: return p.value * weights.at(p.index);
    case torchq::ParamRef::Kind::kInput: return p.value * inputs.at(p.index);
    case torchq::ParamRef::Kind::kInputProduct: return p.value * inputs.at(p.index) * inputs.at(p.second);
    default: return p.value;
  }
}

/// The hand-written local matrix of an operation on op.wires (built-in controls included).
inline Mat local_matrix(const torchq::Operation& op, const std::vector<double>& w, const std::vector<double>& x) {
  using torchq::GateId;
  auto a = [&](int j) { return resolve(op.params.at(j), w, x); };
  switch (op.gate) {
    case GateId::I: return Id2();
    case GateId::X: return PauliX();
    case GateId::Y: return PauliY();
    case GateId::Z: return PauliZ();
    case GateId::H: return Hadamard();
    case GateId::S: return SGate();
    case GateId::Sdg: return SdgGate();
    case GateId::T: return TGate();
    case GateId::Tdg: return TdgGate();
    case GateId::SX: return SXGate();
    case GateId::RX: return RXGate(a(0));
    case GateId::RY: return RYGate(a(0));
    case GateId::RZ: return RZGate(a(0));
    case GateId::PhaseShift: return PhaseShiftGate(a(0));
    case GateId::Rot: return RotGate(a(0), a(1), a(2));
    case GateId::U3: return U3Gate(a(0), a(1), a(2));
    case GateId::CNOT: return CNOTGate();
    case GateId::CY: return CYGate();
    case GateId::CZ: return CZGate();
    case GateId::SWAP: return SWAPGate();
    case GateId::ISWAP: return ISWAPGate();
    case GateId::CRX: return CRXGate(a(0));
    case GateId::CRY: return CRYGate(a(0));
    case GateId::CRZ: return CRZGate(a(0));
    case GateId::CRot: return CRotGate(a(0), a(1), a(2));
    case GateId::ControlledPhaseShift: return ControlledPhaseShiftGate(a(0));
    case GateId::IsingXX: return IsingXXGate(a(0));
    case GateId::IsingYY: return IsingYYGate(a(0));
    case GateId::IsingZZ: return IsingZZGate(a(0));
    case GateId::Toffoli: return ToffoliGate();
    case GateId::CSWAP: return CSWAPGate();
    case GateId::MultiRZ: return MultiRZGate(a(0), static_cast<int>(op.wires.size()));
    case GateId::QubitUnitary: {
      const int dim = 1 << op.wires.size();
      Mat m(dim, dim);
      for (int r = 0; r < dim; ++r) {
        for (int c = 0; c < dim; ++c) m(r, c) = op.matrix.at(r * dim + c);
      }
      return m;
    }
    default: break;
  }
  throw std::logic_error("local_matrix: not a unitary gate");
}

/// The full 2^n matrix of an operation with its extra controls.
inline Mat full_matrix(const torchq::Operation& op, int n, const std::vector<double>& w, const std::vector<double>& x) {
  std::vector<int> all = op.controls;  // extra controls lead: add_controls puts them on top
  all.insert(all.end(), op.wires.begin(), op.wires.end());
  return embed(add_controls(local_matrix(op, w, x), static_cast<int>(op.controls.size())), all, n);
}

/// The final state of a circuit for one sample: |0..0> or the amplitude embedding, then every op.
inline Vec simulate(const torchq::Circuit& c, const std::vector<double>& w, const std::vector<double>& x) {
  using torchq::GateId;
  const int n = c.num_qubits();
  const Eigen::Index dim = Eigen::Index{1} << n;
  Vec psi = Vec::Zero(dim);
  psi(0) = 1;
  for (const torchq::Operation& op : c.operations()) {
    if (op.gate == GateId::AmplitudeEmbedding) {
      const auto& a = op.amplitude;
      const int k = static_cast<int>(op.wires.size());
      Vec v(Eigen::Index{1} << k);
      for (Eigen::Index j = 0; j < v.size(); ++j) v(j) = j < a.num_features ? x.at(a.feature_offset + j) : a.pad;
      if (a.normalize) v /= v.norm();
      // |v> on the embedding wires (wires[0] = most significant local bit), |0> on the others.
      psi = Vec::Zero(dim);
      for (Eigen::Index j = 0; j < v.size(); ++j) {
        Eigen::Index xi = 0;
        for (int t = 0; t < k; ++t) xi |= ((j >> (k - 1 - t)) & 1) << (n - 1 - op.wires[t]);
        psi(xi) = v(j);
      }
      continue;
    }
    if (op.gate == GateId::BasisEmbedding) {
      for (std::size_t j = 0; j < op.wires.size(); ++j) {
        if (resolve(op.params[j], w, x) == 1.0) psi = embed(PauliX(), {op.wires[j]}, n) * psi;
      }
      continue;
    }
    psi = full_matrix(op, n, w, x) * psi;
  }
  return psi;
}

/// The 2^n matrix of a Pauli term (coeff times the tensor product of its factors).
inline Mat term_matrix(const torchq::PauliTerm& t, int n) {
  const Eigen::Index dim = Eigen::Index{1} << n;
  Mat m = Mat::Identity(dim, dim);
  for (const torchq::PauliFactor& f : t.factors) {
    if (f.pauli == torchq::Pauli::I) continue;  // an identity factor only names its wire
    const Mat p = f.pauli == torchq::Pauli::X ? PauliX() : f.pauli == torchq::Pauli::Y ? PauliY() : PauliZ();
    m = embed(p, {f.wire}, n) * m;
  }
  return t.coeff * m;
}

/// The 2^n matrix of an observable.
inline Mat observable_matrix(const torchq::Observable& o, int n) {
  const Eigen::Index dim = Eigen::Index{1} << n;
  Mat m = Mat::Zero(dim, dim);
  for (const torchq::PauliTerm& t : o.terms) m += term_matrix(t, n);
  return m;
}

inline double expval(const Vec& psi, const Mat& o) { return psi.dot(o * psi).real(); }

inline double variance(const Vec& psi, const Mat& o) {
  const double e = expval(psi, o);
  return psi.dot(o * (o * psi)).real() - e * e;
}

/// Marginal probabilities of `wires` (wires[0] = most significant bit of the outcome).
inline std::vector<double> marginal_probs(const Vec& psi, const std::vector<int>& wires, int n) {
  std::vector<double> p(std::size_t{1} << wires.size(), 0.0);
  for (Eigen::Index i = 0; i < psi.size(); ++i) {
    std::size_t outcome = 0;
    for (int w : wires) outcome = (outcome << 1) | ((i >> (n - 1 - w)) & 1);
    p[outcome] += std::norm(psi(i));
  }
  return p;
}

/// A random normalised state of n qubits.
inline Vec random_state(int n, std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  Vec v(Eigen::Index{1} << n);
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = Cd(g(rng), g(rng));
  return v / v.norm();
}

/// A random unitary: the Q factor of a complex Gaussian matrix.
inline Mat random_unitary(int dim, std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  Mat a(dim, dim);
  for (int r = 0; r < dim; ++r) {
    for (int c = 0; c < dim; ++c) a(r, c) = Cd(g(rng), g(rng));
  }
  Eigen::HouseholderQR<Mat> qr(a);
  return qr.householderQ() * Mat::Identity(dim, dim);
}

/// Row-major entries of a matrix, as Circuit::unitary takes them.
inline std::vector<Cd> row_major(const Mat& m) {
  std::vector<Cd> out;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) out.push_back(m(r, c));
  }
  return out;
}

}  // namespace torchq_test::ref
