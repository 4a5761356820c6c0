/// @file noise.cpp
#include "torchq/noise.h"

#include <cmath>

#include "torchq/errors.h"
#include "torchq/kernels/kernel_table.h"

namespace torchq {
namespace {

using C = std::complex<double>;

/// Block of the deterministic reduction of the one-qubit reduced density matrix.
constexpr Index kReduceBlock = Index{1} << 13;

/// K^dagger K.
Mat2 gram(const Mat2& k) {
  return {std::conj(k[0]) * k[0] + std::conj(k[2]) * k[2], std::conj(k[0]) * k[1] + std::conj(k[2]) * k[3],
          std::conj(k[1]) * k[0] + std::conj(k[3]) * k[2], std::conj(k[1]) * k[1] + std::conj(k[3]) * k[3]};
}

/// Sums of |a0|^2, |a1|^2 and a0 conj(a1) over the amplitude pairs of one bit: the reduced
/// density matrix of that qubit, [[r00, r01], [conj(r01), r11]].
struct Reduced {
  double r00 = 0, r11 = 0;
  C r01 = 0;
  Reduced& operator+=(const Reduced& o) {
    r00 += o.r00;
    r11 += o.r11;
    r01 += o.r01;
    return *this;
  }
};

}  // namespace

KrausSet kraus_operators(GateId gate, double p) {
  KrausSet k;
  const double q = std::sqrt(1.0 - p);
  switch (gate) {
    case GateId::DepolarizingChannel: {
      const double s = std::sqrt(p / 3.0);
      k.ops = {Mat2{q, 0, 0, q}, Mat2{0, s, s, 0}, Mat2{0, C(0, -s), C(0, s), 0}, Mat2{s, 0, 0, -s}};
      k.unitary_mixture = true;
      return k;
    }
    case GateId::BitFlip:
      k.ops = {Mat2{q, 0, 0, q}, Mat2{0, std::sqrt(p), std::sqrt(p), 0}};
      k.unitary_mixture = true;
      return k;
    case GateId::AmplitudeDamping:
      k.ops = {Mat2{1, 0, 0, q}, Mat2{0, std::sqrt(p), 0, 0}};
      return k;
    case GateId::PhaseDamping:
      k.ops = {Mat2{1, 0, 0, q}, Mat2{0, 0, 0, std::sqrt(p)}};
      return k;
    default: break;
  }
  throw std::logic_error("kraus_operators: " + std::string(gate_info(gate).name) + " is not a noise channel");
}

std::array<std::complex<double>, 16> superoperator(const KrausSet& kraus) {
  // S[(2r + c), (2a + b)] = sum_k K[r, a] conj(K[c, b]).
  std::array<C, 16> s{};
  for (const Mat2& k : kraus.ops) {
    for (int r = 0; r < 2; ++r) {
      for (int c = 0; c < 2; ++c) {
        for (int a = 0; a < 2; ++a) {
          for (int b = 0; b < 2; ++b) s[4 * (2 * r + c) + (2 * a + b)] += k[2 * r + a] * std::conj(k[2 * c + b]);
        }
      }
    }
  }
  return s;
}

template <class T>
void apply_channel_trajectory(Complex<T>* psi, int num_qubits, const Primitive& p, std::mt19937_64& rng,
                              const Executor& ex) {
  const KrausSet kraus = kraus_operators(p.base, p.param.value);
  const std::size_t m = kraus.ops.size();
  std::vector<double> prob(m);
  if (kraus.unitary_mixture) {
    for (std::size_t j = 0; j < m; ++j) prob[j] = gram(kraus.ops[j])[0].real();
  } else {
    const GateLayout& L = p.layout;
    const Index t = Index{1} << L.target_bits[0];
    const Reduced r = deterministic_sum<Reduced>(ex, L.loop_count(), kReduceBlock, [&](Index lo, Index hi) {
      Reduced acc;
      for (Index k = lo; k < hi; ++k) {
        const Index i0 = L.base(k);
        const std::complex<double> a0(psi[i0]), a1(psi[i0 | t]);
        acc.r00 += std::norm(a0);
        acc.r11 += std::norm(a1);
        acc.r01 += a0 * std::conj(a1);
      }
      return acc;
    });
    // ||K psi||^2 = Tr(K^dagger K r) = sum_ij G_ij r_ji, with r_10 = conj(r_01).
    for (std::size_t j = 0; j < m; ++j) {
      const Mat2 g = gram(kraus.ops[j]);
      prob[j] = std::max(0.0, (g[0] * r.r00 + g[1] * std::conj(r.r01) + g[2] * r.r01 + g[3] * r.r11).real());
    }
  }
  double total = 0;
  for (double v : prob) total += v;
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng) * total;
  std::size_t pick = m;
  double cum = 0;
  for (std::size_t j = 0; j < m; ++j) {
    if (prob[j] <= 0) continue;
    pick = j;  // the last operator with weight, should rounding leave u >= the final sum
    cum += prob[j];
    if (u < cum) break;
  }
  if (pick == m) throw std::logic_error("apply_channel_trajectory: the state has zero norm");
  const double scale = 1.0 / std::sqrt(prob[pick]);
  const Mat2& k = kraus.ops[pick];
  if (kraus.unitary_mixture && k[0] == k[3] && k[1] == 0.0 && k[2] == 0.0) return;  // a multiple of I
  const Complex<T> mt[4] = {to_t<T>(k[0] * scale), to_t<T>(k[1] * scale), to_t<T>(k[2] * scale),
                            to_t<T>(k[3] * scale)};
  kernels::active_kernels<T>().dense1(psi, p.layout, mt, ex);
}

Circuit add_noise_after_each_gate(const Circuit& circuit, const std::string& channel, double p) {
  const auto id = find_gate(channel);  // "BitFlip", "bit_flip", "bitflip": as the builder's gate()
  if (!id || !gate_info(*id).channel) {
    std::string known;
    for (const GateInfo& g : kGateTable) {
      if (g.channel) known += (known.empty() ? "" : ", ") + std::string(g.name);
    }
    throw ArgumentError("add_noise_after_each_gate: '" + channel + "' is not a noise channel; channels are " + known);
  }
  Circuit out(circuit.num_qubits(), circuit.num_weights(), circuit.num_inputs());
  for (const Operation& op : circuit.operations()) {
    out.add(op);
    if (gate_info(op.gate).channel) continue;
    for (int w : op.controls) out.channel(*id, w, p);
    for (int w : op.wires) out.channel(*id, w, p);
  }
  return out;
}

template void apply_channel_trajectory<float>(Complex<float>*, int, const Primitive&, std::mt19937_64&,
                                              const Executor&);
template void apply_channel_trajectory<double>(Complex<double>*, int, const Primitive&, std::mt19937_64&,
                                               const Executor&);

}  // namespace torchq
