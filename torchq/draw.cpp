/// @file draw.cpp
#include "torchq/draw.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace torchq {
namespace {

std::string param_label(const ParamRef& p) {
  char buf[48];
  switch (p.kind) {
    case ParamRef::Kind::kWeight:
      if (p.value == 1.0) std::snprintf(buf, sizeof buf, "w%d", p.index);
      else std::snprintf(buf, sizeof buf, "%.3gw%d", p.value, p.index);
      break;
    case ParamRef::Kind::kInput:
      if (p.value == 1.0) std::snprintf(buf, sizeof buf, "x%d", p.index);
      else std::snprintf(buf, sizeof buf, "%.3gx%d", p.value, p.index);
      break;
    case ParamRef::Kind::kInputProduct:  // 0.5x1·x2, as 0.5x1 for a scaled input
      if (p.value == 1.0) std::snprintf(buf, sizeof buf, "x%d·x%d", p.index, p.second);
      else std::snprintf(buf, sizeof buf, "%.3gx%d·x%d", p.value, p.index, p.second);
      break;
    default: std::snprintf(buf, sizeof buf, "%.3g", p.value);
  }
  return buf;
}

/// Labels per wire of one operation (targets get the gate label; controls a dot).
std::vector<std::pair<int, std::string>> labels(const Operation& op) {
  const GateInfo& g = gate_info(op.gate);
  std::vector<std::pair<int, std::string>> out;
  for (int c : op.controls) out.emplace_back(c, "●");
  const int nc = g.builtin_controls;
  for (int j = 0; j < nc; ++j) out.emplace_back(op.wires[j], "●");
  std::string_view name = gate_info(g.base).name;
  if (op.gate == GateId::CNOT || op.gate == GateId::Toffoli) name = "X";
  if (op.gate == GateId::CSWAP || op.gate == GateId::SWAP) name = "×";
  if (op.gate == GateId::AmplitudeEmbedding) name = "Amp";
  if (op.gate == GateId::BasisEmbedding) name = "Basis";
  if (op.gate == GateId::QubitUnitary) name = "U";
  std::string args;
  if (op.gate != GateId::BasisEmbedding) {
    for (const ParamRef& p : op.params) {
      if (!args.empty()) args += ',';
      args += param_label(p);
    }
  }
  std::string label(name);
  if (!args.empty()) label.append("(").append(args).append(")");
  for (std::size_t j = nc; j < op.wires.size(); ++j) {
    if (op.gate == GateId::BasisEmbedding) out.emplace_back(op.wires[j], "Basis(x" + std::to_string(op.params[j - nc].index) + ")");
    else out.emplace_back(op.wires[j], label);
  }
  return out;
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;  // count UTF-8 code points
  return n;
}


/// The drawing, each wire's line followed by ends[wire] (all empty: the plain drawing).
std::string draw_lines(const Circuit& circuit, const std::vector<std::string>& ends) {
  const int n = circuit.num_qubits();
  // Greedy packing: an operation goes in the first column after every wire it spans is free.
  std::vector<std::vector<std::string>> columns;  // columns[c][wire]
  std::vector<int> next_free(n, 0);
  for (const Operation& op : circuit.operations()) {
    const auto ls = labels(op);
    int lo = n, hi = -1;
    for (const auto& [w, _] : ls) { lo = std::min(lo, w); hi = std::max(hi, w); }
    int col = 0;
    for (int w = lo; w <= hi; ++w) col = std::max(col, next_free[w]);
    if (col >= static_cast<int>(columns.size())) columns.emplace_back(n);
    for (int w = lo; w <= hi; ++w) {
      columns[col][w] = "│";
      next_free[w] = col + 1;
    }
    for (const auto& [w, l] : ls) columns[col][w] = l;
  }
  const std::string head_width = std::to_string(n - 1);
  std::string out;
  for (int w = 0; w < n; ++w) {
    std::string line = std::string(head_width.size() - std::to_string(w).size(), ' ') + std::to_string(w) + ": ─";
    for (const auto& column : columns) {
      std::size_t width = 1;
      for (const auto& cell : column) width = std::max(width, display_width(cell));
      const std::string& cell = column[w];
      if (cell.empty()) {
        for (std::size_t k = 0; k < width; ++k) line += "─";
      } else {
        line += cell;
        for (std::size_t k = display_width(cell); k < width; ++k) line += "─";
      }
      line += "──";
    }
    out += line + ends[w] + "\n";
  }
  return out;
}

}  // namespace

std::string draw(const Circuit& circuit) {
  return draw_lines(circuit, std::vector<std::string>(circuit.num_qubits()));
}

std::string draw(const Circuit& circuit, const std::vector<Observable>& observables, const std::string& measure) {
  const int n = circuit.num_qubits();
  std::vector<std::string> ends(n, "┤");
  std::string footer;
  for (std::size_t k = 0; k < observables.size(); ++k) {
    // Appended piece by piece: gcc 12 warns (-Wrestrict, a false positive) on "<" + std::string.
    const std::string tag = std::string("<").append(std::to_string(k)).append(">");
    for (const int w : observables[k].wires()) {
      if (w >= 0 && w < n) ends[w].append(" ").append(tag);
    }
    footer.append(tag).append(" ").append(measure).append(" ").append(observable_label(observables[k])).append("\n");
  }
  return draw_lines(circuit, ends) + footer;
}

std::string draw_probs(const Circuit& circuit, const std::vector<int>& wires) {
  std::vector<std::string> ends(circuit.num_qubits(), "┤");
  for (const int w : wires) {
    if (w >= 0 && w < circuit.num_qubits()) ends[w] += " Probs";
  }
  return draw_lines(circuit, ends);
}

}  // namespace torchq
