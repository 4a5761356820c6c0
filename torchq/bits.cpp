/// @file bits.cpp
#include "torchq/bits.h"

#include <algorithm>

namespace torchq {

GateLayout make_layout(int num_qubits, const int* target_bits, int num_targets,
                       const int* control_bits, int num_controls) {
  GateLayout L;
  L.num_qubits = num_qubits;
  L.num_targets = num_targets;
  std::array<int, GateLayout::kMaxBits> fixed{};
  int nf = 0;
  for (int t = 0; t < num_targets; ++t) {
    L.target_bits[t] = static_cast<std::uint8_t>(target_bits[t]);
    fixed[nf++] = target_bits[t];
  }
  for (int c = 0; c < num_controls; ++c) {
    L.ctrl_mask |= Index{1} << control_bits[c];
    fixed[nf++] = control_bits[c];
  }
  std::sort(fixed.begin(), fixed.begin() + nf);
  L.num_fixed = nf;
  for (int j = 0; j < nf; ++j) L.fixed_bits[j] = static_cast<std::uint8_t>(fixed[j]);
  return L;
}

}  // namespace torchq
