/**
 * @file checks.h
 * @brief The argument checks every torchq op kernel shares, with messages that say what was
 * wrong and what is allowed; conversion of the checked tensors to the core's types; output
 * allocation through the memory guard; and the shape-only checks of the Meta kernels.
 *
 * Tensor conventions (see README "Operators"):
 *   program      float64 [L]      a serialised torchq::Circuit (ops/program_cache.h)
 *   observables  float64 [K, L]   one observable per row (torchq::observables_to_table)
 *   weights      float32/64 [P] shared by the batch, or [B, P] one set per sample
 *   inputs       same dtype [B, F]; B is the batch size (F may be 0)
 */
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <tuple>
#include <vector>

#include "torchq/torchq.h"

namespace torchq_ops {

/// Runs fn, turning the core's exceptions into c10 errors with "torchq.<op>: " in front.
void call_core(const char* op, const std::function<void()>& fn);

// ---- CPU kernels: checks that may read data ----

/// Refuses a tensor that is not a plain CPU tensor (a meta tensor among CPU ones, say), naming it:
/// every CPU kernel checks every tensor argument, so none reads memory that is not there.
void check_cpu(const at::Tensor& t, const char* name, const char* op);

/**
 * @brief Refuses NaN and inf in weights or inputs, naming the tensor, the first bad value and
 * its index. torchq's rule for non-finite values, the same in every op: refuse. A sampled
 * bitstring or a shot estimate cannot carry a NaN, so propagating would hide a diverged
 * training step in some ops and not others. (grad_out is not checked: a NaN there propagates
 * into the gradients, as in any torch backward.)
 */
void check_finite(const at::Tensor& t, const char* name, const char* op);

/// Dtype and shape checks of weights and inputs (no data access; the Meta kernels use it too).
void check_weights_inputs_shapes(const at::Tensor& weights, const at::Tensor& inputs, const char* op);

/// Checked weights and inputs of one call.
struct Batch {
  at::Tensor weights;  ///< contiguous
  at::Tensor inputs;   ///< contiguous
  int64_t batch_size = 0;
  bool weights_per_sample = false;
};

/// Checks dtypes, devices, shapes and values (finite) of weights and inputs against the circuit.
Batch check_batch(const torchq::CompiledCircuit& c, const at::Tensor& weights, const at::Tensor& inputs,
                  const char* op);

/// The core's view of a checked batch, for dtype T.
template <class T>
torchq::BatchInputs<T> batch_view(const torchq::CompiledCircuit& c, const Batch& b) {
  return torchq::make_batch<T>(c, b.weights.data_ptr<T>(), b.weights_per_sample,
                               b.inputs.numel() > 0 ? b.inputs.data_ptr<T>() : nullptr,
                               static_cast<torchq::Index>(b.batch_size));
}

/// Checks the observable table tensor (float64 [K, L] on the CPU) and parses it with the core's
/// validation for an n-qubit circuit.
std::vector<torchq::Observable> parse_observables(const at::Tensor& observables, int num_qubits);

/// Checks and parses the observable table for an n-qubit circuit, compiled for measuring.
std::vector<torchq::CompiledObservable> observables_from_tensor(const at::Tensor& observables, int num_qubits);

/// Checks measured wires against an n-qubit circuit and converts them.
std::vector<int> wires_from_list(at::IntArrayRef wires, int num_qubits, const char* op);

/**
 * @brief Checks the measurement a drawing shows (CPU and Meta kernels of draw): measure is
 * "expval" or "var" (observables given or not, no wires) or "probs" (wires given or not, no
 * observables); an empty wire list counts as none.
 */
void check_draw_measurement(c10::string_view measure, bool has_observables, at::OptionalIntArrayRef wires,
                            const char* op);

/// Checks that num_qubits is the program's (the state ops take it so their Meta kernels know 2^n).
void check_num_qubits(const torchq::CompiledCircuit& c, int64_t num_qubits, const char* op);

/**
 * @brief Checks and converts the estimator arguments of expval_estimated (mode name, shots in
 * [0, 2^40], trajectories in [1, 2^30]): the one validation of them in ops/, used by the CPU,
 * Meta and _check kernels. The seed's bits are kept as uint64.
 */
torchq::EstimatorOptions estimator_options(c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
                                           const char* op);

/// The complex dtype of a real one (float32 -> complex64, float64 -> complex128): states and
/// their gradients.
at::ScalarType complex_dtype(at::ScalarType real);

/**
 * @brief Allocates an op's outputs through the memory guard: each output is reserved before it
 * is allocated (so a [2^31, K] result or a 2^40-shot sample is refused with a clear message, not
 * attempted), and the reservations are held until the kernel returns, so calls running side by
 * side count each other's outputs.
 */
class Outputs {
 public:
  explicit Outputs(const char* op) : op_(op) {}
  at::Tensor empty(std::initializer_list<int64_t> sizes, const at::TensorOptions& options) {
    return empty(at::IntArrayRef(sizes.begin(), sizes.size()), options);
  }
  at::Tensor empty(at::IntArrayRef sizes, const at::TensorOptions& options);
  at::Tensor empty_like(const at::Tensor& t) { return empty(t.sizes(), t.options()); }
  /// The gradient of `t` when needed, else an empty [0] tensor of its dtype.
  at::Tensor grad_for(const at::Tensor& t, bool needed) { return needed ? empty_like(t) : at::empty({0}, t.options()); }

 private:
  const char* op_;
  std::vector<torchq::MemoryReservation> held_;
};

/**
 * @brief What every backward kernel does before its sweep, in one place: grad_out must be a CPU
 * tensor of `shape` (the forward's output shape) and is converted to `dtype`, contiguous; the
 * gradients of the weights and inputs are allocated through the memory guard when asked for, else
 * they are empty [0] tensors (the schema returns two tensors either way).
 */
class BackwardOutputs {
 public:
  BackwardOutputs(const at::Tensor& grad_out, at::IntArrayRef shape, at::ScalarType dtype, const Batch& b,
                  bool need_weights, bool need_inputs, const char* op);
  /// grad_out, checked and converted.
  const at::Tensor& grad_out() const { return grad_out_; }
  /// Where the core writes the weight gradient, or nullptr when not asked for (or empty).
  template <class T>
  T* grad_weights() const {
    return need_weights_ && grad_weights_.numel() > 0 ? grad_weights_.data_ptr<T>() : nullptr;
  }
  template <class T>
  T* grad_inputs() const {
    return need_inputs_ && grad_inputs_.numel() > 0 ? grad_inputs_.data_ptr<T>() : nullptr;
  }
  /// The op's result: (grad_weights, grad_inputs).
  std::tuple<at::Tensor, at::Tensor> result() const { return {grad_weights_, grad_inputs_}; }

 private:
  Outputs outputs_;
  at::Tensor grad_out_, grad_weights_, grad_inputs_;
  bool need_weights_, need_inputs_;
};

// ---- Meta kernels: shapes, dtypes and devices only, never data ----

/// The program checks a Meta kernel can make: float64, 1-D.
void check_program_meta(const at::Tensor& program);

/// Real kernels refuse tensors on different devices; so must the shape-only ones.
void check_same_device(std::initializer_list<const at::Tensor*> tensors, const char* op);

/// The Meta checks of an observable measurement (expval, var, expval_estimated and backward).
void check_observable_call_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                const at::Tensor& inputs, const char* op);

/// The Meta output of an observable measurement: its checks, then an empty [B, K] of the
/// weights' dtype with a symbolic batch size.
at::Tensor meta_observable_values(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                  const at::Tensor& inputs, const char* op);

/// The Meta outputs of a backward op (after its own checks): the weights' and inputs' shapes, or
/// empty [0] tensors when not asked for.
std::tuple<at::Tensor, at::Tensor> meta_backward_outputs(const at::Tensor& weights, const at::Tensor& inputs,
                                                         bool need_weights, bool need_inputs);

/// The ops whose results are the program's data, not its shape, cannot run on a meta program:
/// says so, and how the meta-device idiom gets real buffers. `needs` completes "<op>: <needs>
/// <source> values" (source: "the program's", or "the observables table's").
[[noreturn]] void refuse_meta_data(const char* op, const char* needs, const char* source = "the program's");

}  // namespace torchq_ops
