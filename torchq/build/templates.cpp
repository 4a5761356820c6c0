/// @file templates.cpp
#include "torchq/build/templates.h"

#include <algorithm>

#include "torchq/errors.h"
#include "torchq/gate_table.h"

namespace torchq {
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

/// An entangler for random_layers and strongly_entangling_layers: a two-wire gate without
/// parameters (CNOT, CY, CZ, SWAP, ISWAP), found by any name find_gate accepts.
GateId two_wire_gate(const std::string& name, const char* what) {
  const auto id = find_gate(name);
  auto fits = [](const GateInfo& g) { return g.num_wires == 2 && g.num_params == 0 && !g.channel && !g.embedding; };
  if (!id || !fits(gate_info(*id))) {
    std::string allowed;
    for (const GateInfo& g : kGateTable) {
      if (fits(g)) allowed += (allowed.empty() ? "" : ", ") + std::string(g.name);
    }
    throw ArgumentError(std::string(what) + ": imprimitive must be a two-wire gate without parameters (" + allowed +
                        "), got \"" + name + "\"");
  }
  return *id;
}

/// The weights allocated since `first` (the builder's num_weights() before the template ran).
WeightRange since(const CircuitBuilder& b, int first) { return {first, b.num_weights() - first}; }

/// numpy.random.default_rng(seed) for exactly the calls PennyLane's RandomLayers makes, so a seed
/// gives PennyLane's circuit: SeedSequence(seed) -> PCG64 (numpy/random/bit_generator.pyx,
/// _pcg64.pyx, src/distributions/distributions.c). Generator.random() takes 53 bits of one 64-bit
/// draw; integers use Lemire's method on 32-bit draws, each 64-bit draw serving two of them
/// (low half first), a buffer that random() leaves alone.
class NumpyGenerator {
 public:
  explicit NumpyGenerator(std::uint64_t seed) {
    // SeedSequence: the seed's 32-bit words (least significant first) hashed into a pool of 4.
    std::vector<std::uint32_t> entropy{static_cast<std::uint32_t>(seed)};
    if (seed >> 32) entropy.push_back(static_cast<std::uint32_t>(seed >> 32));
    std::uint32_t hash_const = 0x43b0d7e5u;
    auto hashmix = [&](std::uint32_t v) {
      v ^= hash_const;
      hash_const *= 0x931e8875u;
      v *= hash_const;
      return v ^ (v >> 16);
    };
    auto mix = [](std::uint32_t x, std::uint32_t y) {
      std::uint32_t r = 0xca01f9ddu * x - 0x4973f715u * y;
      return r ^ (r >> 16);
    };
    std::uint32_t pool[4];
    for (std::size_t i = 0; i < 4; ++i) pool[i] = hashmix(i < entropy.size() ? entropy[i] : 0u);
    for (int src = 0; src < 4; ++src) {
      for (int dst = 0; dst < 4; ++dst) {
        if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
      }
    }
    // generate_state(4, uint64): 8 words, paired little-endian.
    std::uint32_t words[8];
    std::uint32_t hash_b = 0x8b51f9ddu;
    for (int i = 0; i < 8; ++i) {
      std::uint32_t v = pool[i % 4] ^ hash_b;
      hash_b *= 0x58f38dedu;
      v *= hash_b;
      words[i] = v ^ (v >> 16);
    }
    std::uint64_t val[4];
    for (int i = 0; i < 4; ++i) val[i] = words[2 * i] | (static_cast<std::uint64_t>(words[2 * i + 1]) << 32);
    // pcg64_set_seed: state = val[0..1], increment = val[2..3] (high word first).
    inc_ = ((static_cast<U128>(val[2]) << 64 | val[3]) << 1) | 1u;
    state_ = 0;
    step();
    state_ += static_cast<U128>(val[0]) << 64 | val[1];
    step();
  }

  /// Generator.random(): uniform in [0, 1).
  double uniform() { return static_cast<double>(next64() >> 11) * (1.0 / 9007199254740992.0); }

  /// Generator.integers(0, max + 1) for max < 2^32 - 1: Lemire's method, no draw when max is 0.
  std::uint32_t bounded(std::uint32_t max) {
    if (max == 0) return 0;
    const std::uint64_t range = static_cast<std::uint64_t>(max) + 1;
    std::uint64_t m = next32() * range;
    if (static_cast<std::uint32_t>(m) < range) {
      const std::uint32_t threshold = static_cast<std::uint32_t>((0xffffffffull - max) % range);
      while (static_cast<std::uint32_t>(m) < threshold) m = next32() * range;
    }
    return static_cast<std::uint32_t>(m >> 32);
  }

  /// Generator.choice(n, size=k, replace=False): Floyd's algorithm, then a shuffle of the k.
  std::vector<int> choice(int n, int k) {
    std::vector<int> out;
    for (int j = n - k; j < n; ++j) {
      const int v = static_cast<int>(bounded(static_cast<std::uint32_t>(j)));
      out.push_back(std::find(out.begin(), out.end(), v) == out.end() ? v : j);
    }
    for (int i = k - 1; i > 0; --i) std::swap(out[i], out[bounded(static_cast<std::uint32_t>(i))]);
    return out;
  }

 private:
  using U128 = unsigned __int128;
  static constexpr U128 kMultiplier = static_cast<U128>(0x2360ED051FC65DA4ull) << 64 | 0x4385DF649FCCF645ull;

  void step() { state_ = state_ * kMultiplier + inc_; }
  std::uint64_t next64() {  // XSL-RR output of the stepped state
    step();
    const auto hi = static_cast<std::uint64_t>(state_ >> 64);
    const std::uint64_t x = hi ^ static_cast<std::uint64_t>(state_);
    const unsigned r = static_cast<unsigned>(hi >> 58);
    return (x >> r) | (x << ((64u - r) & 63u));
  }
  std::uint64_t next32() {
    if (has_half_) {
      has_half_ = false;
      return half_;
    }
    const std::uint64_t v = next64();
    has_half_ = true;
    half_ = static_cast<std::uint32_t>(v >> 32);
    return static_cast<std::uint32_t>(v);
  }

  U128 state_ = 0;
  U128 inc_ = 0;
  bool has_half_ = false;
  std::uint32_t half_ = 0;
};

}  // namespace

WeightRange angle_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset,
                            const std::string& rotation, double scale, int num_features) {
  const int n = static_cast<int>(wires.size());
  if (num_features == -1) num_features = n;
  if (num_features < 1) {
    throw ArgumentError("angle_embedding: num_features must be -1 (one per wire) or >= 1, got " +
                        std::to_string(num_features));
  }
  if (num_features > n) {
    throw ArgumentError("angle_embedding: " + std::to_string(num_features) + " features but " + std::to_string(n) +
                        " wires; give at most one feature per wire");
  }
  // PennyLane's AngleEmbedding: fewer features than wires rotate the first wires only.
  for (int j = 0; j < num_features; ++j) rotate(b, rotation, wires[j], b.input(feature_offset + j, scale));
  return {b.num_weights(), 0};
}

WeightRange amplitude_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset, int num_features,
                                bool normalize, double pad) {
  b.amplitude_embedding(wires, feature_offset, num_features, normalize, pad);
  return {b.num_weights(), 0};
}

WeightRange basis_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset) {
  b.basis_embedding(wires, feature_offset);
  return {b.num_weights(), 0};
}

WeightRange basic_entangler_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                   const std::string& rotation) {
  check_layers(num_layers, wires, "basic_entangler_layers");
  const int first = b.num_weights();
  const int n = static_cast<int>(wires.size());
  for (int l = 0; l < num_layers; ++l) {
    for (int i = 0; i < n; ++i) rotate(b, rotation, wires[i], b.weight());
    if (n == 2) {
      b.cnot(wires[0], wires[1]);
    } else if (n > 2) {
      for (int i = 0; i < n; ++i) b.cnot(wires[i], wires[(i + 1) % n]);
    }
  }
  return since(b, first);
}

WeightRange strongly_entangling_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                       const std::vector<int>& ranges, const std::string& imprimitive) {
  check_layers(num_layers, wires, "strongly_entangling_layers");
  const GateId entangler = two_wire_gate(imprimitive, "strongly_entangling_layers");
  const std::string entangler_name(gate_info(entangler).name);
  const int n = static_cast<int>(wires.size());
  if (!ranges.empty() && static_cast<int>(ranges.size()) != num_layers) {
    throw ArgumentError("strongly_entangling_layers: ranges needs one entry per layer (" + std::to_string(num_layers) +
                        "), got " + std::to_string(ranges.size()));
  }
  // Every check before the first weight: a refused call leaves the builder as it was.
  for (const int r : ranges) {
    if (n > 1 && (r < 1 || r >= n)) {
      throw ArgumentError("strongly_entangling_layers: range " + std::to_string(r) + " must be in [1, " +
                          std::to_string(n - 1) + "] for " + std::to_string(n) + " wires");
    }
  }
  const int first = b.num_weights();
  for (int l = 0; l < num_layers; ++l) {
    for (int i = 0; i < n; ++i) {
      const Param phi = b.weight(), theta = b.weight(), omega = b.weight();
      b.rot(wires[i], phi, theta, omega);
    }
    if (n > 1) {
      const int r = ranges.empty() ? (l % (n - 1)) + 1 : ranges[l];
      for (int i = 0; i < n; ++i) b.gate(entangler_name, {wires[i], wires[(i + r) % n]});
    }
  }
  return since(b, first);
}

WeightRange iqp_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset, int n_repeats,
                          const std::vector<std::pair<int, int>>& pattern) {
  if (wires.empty()) throw ArgumentError("iqp_embedding: give at least one wire");
  if (n_repeats < 1) throw ArgumentError("iqp_embedding: n_repeats must be >= 1, got " + std::to_string(n_repeats));
  const int n = static_cast<int>(wires.size());
  auto position = [&](int w) {
    const auto it = std::find(wires.begin(), wires.end(), w);
    if (it == wires.end()) {
      throw ArgumentError("iqp_embedding: pattern wire " + std::to_string(w) + " is not one of the embedding's wires");
    }
    return static_cast<int>(it - wires.begin());
  };
  std::vector<std::pair<int, int>> pairs;  // positions in `wires`
  if (pattern.empty()) {
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) pairs.emplace_back(i, j);
    }
  } else {
    for (const auto& [u, v] : pattern) {
      if (u == v) {
        throw ArgumentError("iqp_embedding: pattern pair (" + std::to_string(u) + ", " + std::to_string(v) +
                            ") repeats a wire");
      }
      pairs.emplace_back(position(u), position(v));
    }
  }
  for (int r = 0; r < n_repeats; ++r) {
    for (int j = 0; j < n; ++j) b.h(wires[j]).rz(wires[j], b.input(feature_offset + j));
    for (const auto& [i, j] : pairs) {
      b.multi_rz({wires[i], wires[j]}, b.input_product(feature_offset + i, feature_offset + j));
    }
  }
  return {b.num_weights(), 0};
}

WeightRange data_reuploading(CircuitBuilder& b, int num_layers, const std::vector<int>& wires, int feature_offset,
                             const std::string& rotation, double scale) {
  check_layers(num_layers, wires, "data_reuploading");
  const int first = b.num_weights();
  const int n = static_cast<int>(wires.size());
  for (int l = 0; l < num_layers; ++l) {
    angle_embedding(b, wires, feature_offset, rotation, scale);
    strongly_entangling_layers(b, 1, wires, {n > 1 ? l % (n - 1) + 1 : 1});  // its layer l
  }
  return since(b, first);
}

WeightRange hardware_efficient_ansatz(CircuitBuilder& b, int num_layers, const std::vector<int>& wires) {
  check_layers(num_layers, wires, "hardware_efficient_ansatz");
  const int first = b.num_weights();
  const std::size_t n = wires.size();
  for (int l = 0; l < num_layers; ++l) {
    for (const int w : wires) {
      const Param ry = b.weight(), rz = b.weight();
      b.ry(w, ry).rz(w, rz);
    }
    for (std::size_t i = 0; i + 1 < n; ++i) b.cnot(wires[i], wires[i + 1]);
  }
  return since(b, first);
}

WeightRange random_layers(CircuitBuilder& b, int num_layers, int num_rotations, const std::vector<int>& wires,
                          double ratio_imprim, const std::string& imprimitive, const std::vector<std::string>& rotations,
                          std::uint64_t seed) {
  check_layers(num_layers, wires, "random_layers");
  if (num_rotations < 1) {
    throw ArgumentError("random_layers: num_rotations must be >= 1, got " + std::to_string(num_rotations));
  }
  if (!(ratio_imprim >= 0.0 && ratio_imprim < 1.0)) {  // at 1 no rotation would ever be drawn
    throw ArgumentError("random_layers: ratio_imprim must be in [0, 1), got " + std::to_string(ratio_imprim));
  }
  if (rotations.empty()) throw ArgumentError("random_layers: give at least one rotation (\"X\", \"Y\" or \"Z\")");
  for (const std::string& r : rotations) {
    if (r != "X" && r != "Y" && r != "Z") {
      throw ArgumentError("random_layers: rotations must be \"X\", \"Y\" or \"Z\", got \"" + r + "\"");
    }
  }
  const std::string entangler(gate_info(two_wire_gate(imprimitive, "random_layers")).name);
  const int n = static_cast<int>(wires.size());
  NumpyGenerator rng(seed);
  const int first = b.num_weights();
  for (int l = 0; l < num_layers; ++l) {
    for (int r = 0; r < num_rotations;) {
      if (rng.uniform() > ratio_imprim) {
        const std::string& rotation = rotations[rng.bounded(static_cast<std::uint32_t>(rotations.size() - 1))];
        rotate(b, rotation, wires[rng.choice(n, 1)[0]], b.weight());
        ++r;
      } else if (n > 1) {
        const std::vector<int> pick = rng.choice(n, 2);
        b.gate(entangler, {wires[pick[0]], wires[pick[1]]});
      }
    }
  }
  return since(b, first);
}

}  // namespace torchq
