/**
 * @file templates.h
 * @brief Embeddings and layer templates that append to a CircuitBuilder. Weights are allocated
 * in PennyLane's flattening order, so trained weights can be copied to or from PennyLane.
 * Add a template here as a free function over the builder: nothing else needs to change.
 * Circuits that implement algorithms (QFT, phase estimation, Grover) are in algorithms.h.
 *
 * Every template returns the weights it allocated (WeightRange), as the Python templates return
 * range(first, first + count): PennyLane's weights, flattened, fill exactly that range.
 */
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "torchq/build/circuit_builder.h"

namespace torchq {

/// The weights a template allocated: indices first .. first + count - 1 (count 0 and first =
/// the builder's num_weights() for a template without weights).
struct WeightRange {
  int first = 0;
  int count = 0;
  friend bool operator==(const WeightRange&, const WeightRange&) = default;
};

/// One rotation per wire by feature (feature_offset + j) * scale; rotation "X", "Y" or "Z"
/// (PennyLane's AngleEmbedding; its default is "X"). num_features -1 means one per wire; fewer
/// features than wires rotate the first num_features wires only, as PennyLane does; more is an error.
WeightRange angle_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0,
                            const std::string& rotation = "X", double scale = 1.0, int num_features = -1);

/// Amplitude encoding of features on the wires (normalised, padded with `pad`); must come first.
WeightRange amplitude_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0,
                                int num_features = -1, bool normalize = true, double pad = 0.0);

/// Basis encoding: X on wires[j] where feature (feature_offset + j) is 1.
WeightRange basis_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0);

/// PennyLane's BasicEntanglerLayers: per layer one trainable rotation per wire, then a ring of
/// CNOTs (one CNOT for 2 wires, none for 1). Weight [l, i] has index l * n + i.
WeightRange basic_entangler_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                   const std::string& rotation = "X");

/// PennyLane's StronglyEntanglingLayers: per layer Rot(w[l,i,0..2]) on every wire, then
/// imprimitive(wires[i], wires[(i + r) % n]) with r = ranges[l] (default l % (n-1) + 1).
/// Weight [l, i, k] has index (l * n + i) * 3 + k.
/// @param imprimitive a two-wire gate without parameters from the gate table (CNOT, CY, CZ, SWAP,
///        ISWAP), by any name find_gate accepts; PennyLane's default is CNOT
WeightRange strongly_entangling_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                       const std::vector<int>& ranges = {}, const std::string& imprimitive = "CNOT");

/// PennyLane's IQPEmbedding, n_repeats times: H then RZ(x_j) on each wires[j] (wire by wire),
/// then MultiRZ(x_i * x_j) on each pair of `pattern`. x_j is feature (feature_offset + j) and
/// a pair names wires, whose features are those of their positions in `wires`. The default
/// pattern is all pairs (wires[i], wires[j]), i < j, in lexicographic order. The pair angles
/// are input products (ParamRef::input_product), so gradients reach both features.
WeightRange iqp_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0,
                          int n_repeats = 1, const std::vector<std::pair<int, int>>& pattern = {});

/// Data re-uploading (Perez-Salinas et al. 2020): per layer, angle_embedding(wires,
/// feature_offset, rotation, scale), then layer l of StronglyEntanglingLayers (Rot on every wire,
/// CNOT ring of range (l % (n-1)) + 1). Weight [l, i, k] has index (l * n + i) * 3 + k, so the
/// weights are those of StronglyEntanglingLayers(num_layers) with the encodings interleaved.
WeightRange data_reuploading(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                             int feature_offset = 0, const std::string& rotation = "X", double scale = 1.0);

/// Hardware-efficient ansatz (Kandala et al. 2017; no PennyLane template): per layer RY(w[l,i,0])
/// then RZ(w[l,i,1]) on each wires[i], then a CNOT ladder CNOT(wires[i], wires[i+1]),
/// i = 0..n-2. Weight [l, i, k] has index (l * n + i) * 2 + k.
WeightRange hardware_efficient_ansatz(CircuitBuilder& b, int num_layers, const std::vector<int>& wires);

/// PennyLane's RandomLayers, gate for gate: for each layer, draw u in [0, 1); if u > ratio_imprim
/// put a random rotation (from `rotations`, "X", "Y" or "Z") with the next weight on a random wire,
/// else (two or more wires) `imprimitive` (a two-wire gate without parameters: "CNOT", "CZ", ...)
/// on two random wires; until the layer has num_rotations rotations. The draws reproduce
/// numpy.random.default_rng(seed) (PCG64), so a seed gives PennyLane's circuit; the same seed
/// always gives the same circuit. Weight [l, r] has index l * num_rotations + r.
/// @param ratio_imprim in [0, 1): the chance of an entangler at each draw
WeightRange random_layers(CircuitBuilder& b, int num_layers, int num_rotations, const std::vector<int>& wires,
                          double ratio_imprim = 0.3, const std::string& imprimitive = "CNOT",
                          const std::vector<std::string>& rotations = {"X", "Y", "Z"}, std::uint64_t seed = 42);

}  // namespace torchq
