/// @file gate_table.cpp
#include "torchq/gate_table.h"

#include <cctype>
#include <cmath>
#include <stdexcept>
#include <string>

namespace torchq {

static_assert([] {
  for (int i = 0; i < kNumGates; ++i) {
    if (static_cast<int>(kGateTable[i].id) != i) return false;
  }
  return true;
}(), "kGateTable rows must be in GateId order");

std::optional<GateId> gate_by_name(std::string_view name) {
  for (const GateInfo& g : kGateTable) {
    if (g.name == name) return g.id;
  }
  return std::nullopt;
}

std::optional<GateId> find_gate(std::string_view name) {
  if (const auto id = gate_by_name(name)) return id;
  for (const GateInfo& g : kGateTable) {
    if (g.method == name) return g.id;
  }
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string wanted = lower(name);
  for (const GateInfo& g : kGateTable) {
    if (lower(g.name) == wanted) return g.id;
  }
  return std::nullopt;
}

SmallMatrix base_gate_matrix(GateId base, double a) {
  using C = std::complex<double>;
  const C i(0, 1);
  const double c = std::cos(a / 2), s = std::sin(a / 2);
  const double r2 = 1.0 / std::sqrt(2.0);
  auto m2 = [](C a00, C a01, C a10, C a11) {
    SmallMatrix M;
    M.dim = 2;
    M.m = {a00, a01, a10, a11};
    return M;
  };
  switch (base) {
    case GateId::I: return m2(1, 0, 0, 1);
    case GateId::X: return m2(0, 1, 1, 0);
    case GateId::Y: return m2(0, -i, i, 0);
    case GateId::Z: return m2(1, 0, 0, -1);
    case GateId::H: return m2(r2, r2, r2, -r2);
    case GateId::S: return m2(1, 0, 0, i);
    case GateId::Sdg: return m2(1, 0, 0, -i);
    case GateId::T: return m2(1, 0, 0, std::exp(i * (M_PI / 4)));
    case GateId::Tdg: return m2(1, 0, 0, std::exp(-i * (M_PI / 4)));
    case GateId::SX: return m2(C(0.5, 0.5), C(0.5, -0.5), C(0.5, -0.5), C(0.5, 0.5));
    case GateId::RX: return m2(c, -i * s, -i * s, c);
    case GateId::RY: return m2(c, -s, s, c);
    // exp(+-i a/2) from the cosine and sine above: std::exp of a complex argument (cexp) also
    // computes exp(0) and checks for infinities, and cost more than the rest of the matrix.
    case GateId::RZ: return m2(C(c, -s), 0, 0, C(c, s));
    case GateId::PhaseShift: return m2(1, 0, 0, C(std::cos(a), std::sin(a)));
    default: break;
  }
  SmallMatrix M;
  M.dim = 4;
  M.m.fill(0);
  auto at = [&M](int r, int col) -> C& { return M.m[4 * r + col]; };
  switch (base) {
    case GateId::SWAP:
      at(0, 0) = at(1, 2) = at(2, 1) = at(3, 3) = 1;
      return M;
    case GateId::ISWAP:
      at(0, 0) = at(3, 3) = 1;
      at(1, 2) = at(2, 1) = i;
      return M;
    case GateId::IsingXX:  // exp(-i a/2 X⊗X)
      at(0, 0) = at(1, 1) = at(2, 2) = at(3, 3) = c;
      at(0, 3) = at(1, 2) = at(2, 1) = at(3, 0) = -i * s;
      return M;
    case GateId::IsingYY:  // exp(-i a/2 Y⊗Y); Y⊗Y = [[0,0,0,-1],[0,0,1,0],[0,1,0,0],[-1,0,0,0]]
      at(0, 0) = at(1, 1) = at(2, 2) = at(3, 3) = c;
      at(0, 3) = at(3, 0) = i * s;
      at(1, 2) = at(2, 1) = -i * s;
      return M;
    case GateId::IsingZZ:
      at(0, 0) = at(3, 3) = C(c, -s);
      at(1, 1) = at(2, 2) = C(c, s);
      return M;
    default: break;
  }
  throw std::logic_error("base_gate_matrix: gate " + std::string(gate_info(base).name) +
                         " has no fixed small matrix");
}

}  // namespace torchq
