/// @file templates.cpp
#include "layers/templates.h"

#include "torchq/errors.h"

namespace torchq::layers {
namespace {

CircuitBuilder& rotate(CircuitBuilder& b, const std::string& rotation, int wire, Param p) {
  if (rotation == "X") return b.rx(wire, p);
  if (rotation == "Y") return b.ry(wire, p);
  if (rotation == "Z") return b.rz(wire, p);
  throw ArgumentError("rotation must be \"X\", \"Y\" or \"Z\", got \"" + rotation + "\"");
}

void check_layers(int num_layers, const std::vector<int>& wires, const char* what) {
  if (num_layers < 1) throw ArgumentError(std::string(what) + ": num_layers must be >= 1, got " + std::to_string(num_layers));
  if (wires.empty()) throw ArgumentError(std::string(what) + ": give at least one wire");
}

}  // namespace

void angle_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset, const std::string& rotation,
                     double scale) {
  for (std::size_t j = 0; j < wires.size(); ++j) {
    rotate(b, rotation, wires[j], b.input(feature_offset + static_cast<int>(j), scale));
  }
}

void amplitude_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset, int num_features,
                         bool normalize, double pad) {
  b.amplitude_embedding(wires, feature_offset, num_features, normalize, pad);
}

void basis_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset) {
  b.basis_embedding(wires, feature_offset);
}

void basic_entangler_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                            const std::string& rotation) {
  check_layers(num_layers, wires, "basic_entangler_layers");
  const int n = static_cast<int>(wires.size());
  for (int l = 0; l < num_layers; ++l) {
    for (int i = 0; i < n; ++i) rotate(b, rotation, wires[i], b.weight());
    if (n == 2) {
      b.cnot(wires[0], wires[1]);
    } else if (n > 2) {
      for (int i = 0; i < n; ++i) b.cnot(wires[i], wires[(i + 1) % n]);
    }
  }
}

void strongly_entangling_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                const std::vector<int>& ranges) {
  check_layers(num_layers, wires, "strongly_entangling_layers");
  const int n = static_cast<int>(wires.size());
  if (!ranges.empty() && static_cast<int>(ranges.size()) != num_layers) {
    throw ArgumentError("strongly_entangling_layers: ranges needs one entry per layer (" + std::to_string(num_layers) +
                        "), got " + std::to_string(ranges.size()));
  }
  for (int l = 0; l < num_layers; ++l) {
    for (int i = 0; i < n; ++i) {
      const Param phi = b.weight(), theta = b.weight(), omega = b.weight();
      b.rot(wires[i], phi, theta, omega);
    }
    if (n > 1) {
      const int r = ranges.empty() ? (l % (n - 1)) + 1 : ranges[l];
      if (r < 1 || r >= n) {
        throw ArgumentError("strongly_entangling_layers: range " + std::to_string(r) + " must be in [1, " +
                            std::to_string(n - 1) + "] for " + std::to_string(n) + " wires");
      }
      for (int i = 0; i < n; ++i) b.cnot(wires[i], wires[(i + r) % n]);
    }
  }
}

}  // namespace torchq::layers
