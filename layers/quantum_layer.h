/**
 * @file quantum_layer.h
 * @brief QuantumLayer: a parameterised circuit as a torch::nn::Module.
 *
 * The trainable weights are a registered parameter; the program and the observable table are
 * buffers, so torch::save / state_dict carry the circuit with the weights, and a loaded program
 * is validated when it is read. forward(inputs [B, F]) returns [B, K] expectation values (or
 * variances, or probabilities [B, 2^m]); a 1-D input [F] gives a 1-D output. Gradients flow to
 * the weights and the inputs through the ops' adjoint backward. Python mirrors this class.
 *
 * Noise and shots (options mode, shots, trajectories, seed): a circuit with noise channels runs in
 * mode "density_matrix" (exact values and adjoint gradients, up to 12 qubits) or "trajectories",
 * and shots > 0 estimates every Pauli word from that many measurements, through the op
 * expval_estimated (torchq/estimators.h). The seed advances by one per forward call in training
 * mode, so every training step sees fresh shot and trajectory noise; in eval mode the estimate
 * repeats.
 */
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <ostream>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq::layers {

enum class Measurement { kExpval, kVar, kProbs };

struct QuantumLayerOptions {
  Measurement measure = Measurement::kExpval;
  std::vector<int> probs_wires;  ///< kProbs: the measured wires (empty = all)
  at::ScalarType dtype = at::kFloat;
  /// "statevector" (exact; the default), "trajectories" or "density_matrix" (kExpval only).
  std::string mode = "statevector";
  int64_t shots = 0;         ///< 0: the mode's exact expectation values; else measurements per Pauli word
  int64_t trajectories = 1;  ///< trajectories per sample in mode "trajectories"
  int64_t seed = 0;          ///< forward call i in training mode uses seed + i
};

class QuantumLayerImpl : public torch::nn::Cloneable<QuantumLayerImpl> {
 public:
  QuantumLayerImpl(const Circuit& circuit, std::vector<Observable> observables, QuantumLayerOptions options = {});

  /// (Re)creates the parameter and buffers from the circuit and observables (Cloneable::clone
  /// calls it on the copy, then copies the values over).
  void reset() override;
  /// Casts the weights only: the program and observable table stay float64 (rounding them to
  /// float32 would corrupt the circuit). The dtype option follows, so inputs are converted to it.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, bool non_blocking = false) override;

  /// inputs [B, F] or [F]; real inputs of another dtype are converted to the layer's, complex ones refused.
  at::Tensor forward(const at::Tensor& inputs);
  /// Uniform in [0, 2 pi): every rotation starts anywhere on its period.
  void reset_parameters();
  /// The text drawing of the circuit.
  std::string draw() const;
  void pretty_print(std::ostream& stream) const override;
  /// Loads, then validates the loaded program and observables: a tampered file is refused here.
  void load(torch::serialize::InputArchive& archive) override;

  int num_qubits() const { return num_qubits_; }
  /// Forward calls made in training mode: the next one uses options.seed + calls().
  int64_t calls() const { return calls_; }
  at::Tensor weights;
  at::Tensor program;
  at::Tensor observables;

 private:
  void check_buffers() const;
  Circuit circuit_;
  std::vector<Observable> observable_list_;
  QuantumLayerOptions options_;
  /// True when forward goes through expval_estimated (a noise mode or shots).
  bool estimated() const { return options_.mode != "statevector" || options_.shots > 0; }
  int num_qubits_;
  int num_inputs_;
  int64_t calls_ = 0;
};

TORCH_MODULE(QuantumLayer);

}  // namespace torchq::layers
