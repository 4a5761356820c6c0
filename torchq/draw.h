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

#include "torchq/circuit.h"

namespace torchq {

std::string draw(const Circuit& circuit);

inline std::ostream& operator<<(std::ostream& os, const Circuit& circuit) { return os << draw(circuit); }

}  // namespace torchq
