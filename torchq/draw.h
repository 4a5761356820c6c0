/**
 * @file draw.h
 * @brief A text drawing of a circuit: one line per wire, gates as labels, packed into columns.
 *
 *   0: ─RY(x0)──●──Rot(w0,w1,w2)─
 *   1: ─RY(x1)──X────────────────
 * Angles print as w<i> (weight), x<i> (input) or the constant; "●" marks controls.
 */
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq {

std::string draw(const Circuit& circuit);

/**
 * @brief The drawing with its measurement, as Python's draw_circuit: each wire that observable k
 * acts on ends in "┤ <k>" (identity factors included: Observable::identity(2) marks wire 2), and
 * a line "<k> expval Z(0) @ X(1)" per observable follows.
 * @param measure the word of the footer lines: "expval" or "var"
 */
std::string draw(const Circuit& circuit, const std::vector<Observable>& observables,
                 const std::string& measure = "expval");

/// The drawing of a probs measurement: each measured wire ends in "┤ Probs".
std::string draw_probs(const Circuit& circuit, const std::vector<int>& wires);

inline std::ostream& operator<<(std::ostream& os, const Circuit& circuit) { return os << draw(circuit); }

}  // namespace torchq
