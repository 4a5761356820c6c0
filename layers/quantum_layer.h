/**
 * @file quantum_layer.h
 * @brief QuantumLayer: a parameterised circuit as a torch::nn::Module.
 *
 * The trainable weights are a registered parameter; the program and the observable table are
 * buffers, so torch::save / state_dict carry the circuit with the weights, and a loaded program
 * is validated when it is read. forward(inputs [..., F]) returns [..., K] expectation values (or
 * variances, or probabilities [..., 2^m]); gradients flow to the weights and the inputs through
 * the ops' adjoint backward.
 *
 * What it shares with Python's torchq.QuantumLayer (python/torchq/layers.py), one for one:
 *  - the options and their defaults: weight_init (none: uniform in [0, 2 pi); else exactly P
 *    numbers, any shape, flattened row-major), dtype float32, measure expval, the measured wires
 *    of probs (Python's `wires`, here probs_wires; default all), mode "statevector", shots 0,
 *    trajectories 1, seed 0; and the checks on them, in the same order;
 *  - the state: parameter "weights" [P] and float64 buffers "program" and "observables" (for
 *    probs the placeholder table of Z(0)), so a state_dict saved by one loads into the other;
 *  - forward: inputs [F], [B, F] or [..., F] (any leading dimensions, kept in the output), real
 *    inputs of another dtype converted, complex and 0-d ones refused with Python's messages; a
 *    circuit without inputs called with no argument; the feature count checked by the op itself,
 *    so a wrong count gets the op's error naming both numbers ("the circuit reads 3 input
 *    features but inputs have 5"), word for word as in Python;
 *  - noise and shots: the seed advances by one per forward call in training mode (calls()).
 * Not shared: Python's weight_init also takes a callable (in C++, set weights after
 * construction); C++ to(dtype) casts the weights only, as Python's _apply keeps the buffers
 * float64; the drawing's layout (draw.h) differs from Python's drawing.py.
 *
 * Noise and shots (options mode, shots, trajectories, seed): a circuit with noise channels runs in
 * mode "density_matrix" (exact values and adjoint gradients, up to 12 qubits) or "trajectories",
 * and shots > 0 estimates every Pauli word from that many measurements, through the op
 * expval_estimated (torchq/estimators.h). In eval mode the estimate repeats.
 */
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "torchq/circuit.h"
#include "torchq/observables.h"

namespace torchq::layers {

enum class Measurement { kExpval, kVar, kProbs };

/// The options of Python's QuantumLayer, with its defaults (see the file comment).
struct QuantumLayerOptions {
  /// None: uniform in [0, 2 pi). Else the initial weights: P numbers in any shape (e.g.
  /// PennyLane's [L, n, 3]), flattened in row-major order; another count is an error.
  std::optional<at::Tensor> weight_init;
  at::ScalarType dtype = at::kFloat;  ///< of the weights and outputs: float32 or float64
  Measurement measure = Measurement::kExpval;
  std::vector<int> probs_wires;  ///< kProbs: the measured wires, distinct (empty = all); Python's `wires`
  /// "statevector" (exact; the default), "trajectories" or "density_matrix" (kExpval only).
  std::string mode = "statevector";
  int64_t shots = 0;         ///< 0: the mode's exact expectation values; else measurements per Pauli word
  int64_t trajectories = 1;  ///< trajectories per sample in mode "trajectories"
  int64_t seed = 0;          ///< forward call i in training mode uses seed + i
};

class QuantumLayerImpl : public torch::nn::Cloneable<QuantumLayerImpl> {
 public:
  /// @param observables for kExpval and kVar, one or more; for kProbs none (it measures wires)
  QuantumLayerImpl(const Circuit& circuit, std::vector<Observable> observables, QuantumLayerOptions options = {});

  /// (Re)creates the parameter and buffers from the circuit and observables (Cloneable::clone
  /// calls it on the copy, then copies the values over).
  void reset() override;
  /// Casts the weights only: the program and observable table stay float64 (rounding them to
  /// float32 would corrupt the circuit). The dtype option follows, so inputs are converted to it.
  void to(torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, torch::Dtype dtype, bool non_blocking = false) override;
  void to(torch::Device device, bool non_blocking = false) override;

  /**
   * @brief inputs [..., F] -> [..., K] ([F] -> [K], [B, F] -> [B, K]). An undefined tensor, the
   * default, means no inputs (Python's forward() / forward(None)): a circuit without inputs gives [K].
   * Inside torch::nn::Sequential or AnyModule pass at::Tensor() for "no inputs": torch's
   * FORWARD_HAS_DEFAULT_ARGS cannot default a first argument (its fill-in skips index 0).
   */
  at::Tensor forward(const at::Tensor& inputs = {});
  /// weight_init's values, or uniform in [0, 2 pi): every rotation starts anywhere on its period.
  void reset_parameters();
  /// The text drawing of the circuit and its measurement (torchq/draw.h).
  std::string draw() const;
  void pretty_print(std::ostream& stream) const override;
  /// Loads, then validates the loaded program and observables: a tampered file is refused here.
  void load(torch::serialize::InputArchive& archive) override;

  int num_qubits() const { return num_qubits_; }
  int num_inputs() const { return num_inputs_; }
  /// Forward calls made in training mode: the next one uses options.seed + calls().
  int64_t calls() const { return calls_; }
  at::Tensor weights;
  at::Tensor program;
  at::Tensor observables;

 private:
  /// The buffers as the ops will read them (torchq::_check); returns program_info.
  std::vector<int64_t> check_buffers() const;
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
