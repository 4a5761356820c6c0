/**
 * @file templates.h
 * @brief Embeddings and layer templates that append to a CircuitBuilder. Weights are allocated
 * in PennyLane's flattening order, so trained weights can be copied to or from PennyLane.
 * Add a template here as a free function over the builder: nothing else needs to change.
 */
#pragma once

#include <string>
#include <vector>

#include "layers/circuit_builder.h"

namespace torchq::layers {

/// One rotation per wire by feature (feature_offset + j) * scale; rotation "X", "Y" or "Z"
/// (PennyLane's AngleEmbedding; its default is "X").
void angle_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0,
                     const std::string& rotation = "X", double scale = 1.0);

/// Amplitude encoding of features on the wires (normalised, padded with `pad`); must come first.
void amplitude_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0,
                         int num_features = -1, bool normalize = true, double pad = 0.0);

/// Basis encoding: X on wires[j] where feature (feature_offset + j) is 1.
void basis_embedding(CircuitBuilder& b, const std::vector<int>& wires, int feature_offset = 0);

/// PennyLane's BasicEntanglerLayers: per layer one trainable rotation per wire, then a ring of
/// CNOTs (one CNOT for 2 wires, none for 1). Weight [l, i] has index l * n + i.
void basic_entangler_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                            const std::string& rotation = "X");

/// PennyLane's StronglyEntanglingLayers: per layer Rot(w[l,i,0..2]) on every wire, then
/// CNOT(wires[i], wires[(i + r) % n]) with r = ranges[l] (default l % (n-1) + 1).
/// Weight [l, i, k] has index (l * n + i) * 3 + k.
void strongly_entangling_layers(CircuitBuilder& b, int num_layers, const std::vector<int>& wires,
                                const std::vector<int>& ranges = {});

}  // namespace torchq::layers
