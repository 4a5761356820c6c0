/**
 * @file common.h
 * @brief What every torchq op kernel shares: argument checks with clear messages, conversion of
 * the program and observable tensors to the core's types, and the executor over at::parallel_for.
 *
 * Tensor conventions (see README "Operators"):
 *   program      float64 [L]      a serialised torchq::Circuit (validated on every call)
 *   observables  float64 [K, L]   one observable per row (torchq::observables_to_table)
 *   weights      float32/64 [P] shared by the batch, or [B, P] one set per sample
 *   inputs       same dtype [B, F]; B is the batch size (F may be 0)
 */
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "torchq/torchq.h"

namespace torchq_ops {

/// The executor the ops pass to the core: at::parallel_for with torch's thread count, shared
/// fairly among torchq calls running at the same time so several callers never oversubscribe.
class AtenExecutor final : public torchq::Executor {
 public:
  explicit AtenExecutor(int num_threads) : num_threads_(num_threads) {}
  int num_threads() const override { return num_threads_; }
  void parallel_for(torchq::Index n, torchq::Index grain, torchq::ChunkFn fn) const override;

 private:
  int num_threads_;
};

/// Holds a share of the thread budget for the duration of one op call.
class ThreadShare {
 public:
  ThreadShare();
  ~ThreadShare();
  ThreadShare(const ThreadShare&) = delete;
  ThreadShare& operator=(const ThreadShare&) = delete;
  const AtenExecutor& executor() const { return executor_; }

 private:
  AtenExecutor executor_;
};

/// Threads torchq may use: torchq::set_num_threads override, else at::get_num_threads().
int configured_threads();
void set_thread_override(int64_t n);

/**
 * @brief Checks and parses the program tensor; errors name the problem and what is allowed.
 * A training step parses the same program twice (forward, backward) and every step again: the
 * last few compiled programs are kept, keyed by their full content (a changed or tampered program
 * is a different key, parsed and validated afresh).
 */
std::shared_ptr<const torchq::CompiledCircuit> program_from_tensor(const at::Tensor& program);

/// The program cache now: [entries, bytes, entry limit, byte limit].
std::vector<int64_t> program_cache_usage();

/// Checks and parses the observable table for an n-qubit circuit.
std::vector<torchq::CompiledObservable> observables_from_tensor(const at::Tensor& observables, int num_qubits);

/// Checked weights and inputs of one call.
struct Batch {
  at::Tensor weights;  ///< contiguous
  at::Tensor inputs;   ///< contiguous
  int64_t batch_size = 0;
  bool weights_per_sample = false;
};

/// Checks dtypes, devices and shapes of weights and inputs against the circuit.
Batch check_batch(const torchq::CompiledCircuit& c, const at::Tensor& weights, const at::Tensor& inputs,
                  const char* op);

/// The core's view of a checked batch, for dtype T.
template <class T>
torchq::BatchInputs<T> batch_view(const torchq::CompiledCircuit& c, const Batch& b) {
  return torchq::make_batch<T>(c, b.weights.data_ptr<T>(), b.weights_per_sample,
                               b.inputs.numel() > 0 ? b.inputs.data_ptr<T>() : nullptr,
                               static_cast<torchq::Index>(b.batch_size));
}

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

/// The complex dtype of a real one (float32 -> complex64, float64 -> complex128).
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
  at::Tensor empty(std::initializer_list<int64_t> sizes, const at::TensorOptions& options);
  at::Tensor empty_like(const at::Tensor& t) { return empty_sizes(t.sizes(), t.options()); }
  /// The gradient of `t` when needed, else an empty [0] tensor of its dtype.
  at::Tensor grad_for(const at::Tensor& t, bool needed) { return needed ? empty_like(t) : at::empty({0}, t.options()); }

 private:
  at::Tensor empty_sizes(at::IntArrayRef sizes, const at::TensorOptions& options);
  const char* op_;
  std::vector<torchq::MemoryReservation> held_;
};

/// Checks measured wires and converts them.
std::vector<int> wires_from_list(at::IntArrayRef wires, int num_qubits, const char* op);

/// Shape checks shared by the CPU and Meta kernels (no data access).
void check_weights_inputs_shapes(const at::Tensor& weights, const at::Tensor& inputs, const char* op);

/// Runs fn, turning the core's exceptions into c10 errors with the op's name in front.
void call_core(const char* op, const std::function<void()>& fn);

/// Checks and converts the estimator arguments of expval_estimated (mode name, shots >= 0,
/// trajectories >= 1); shared by the CPU and Meta kernels. The seed's bits are kept as uint64.
torchq::EstimatorOptions estimator_options(c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
                                           const char* op);

}  // namespace torchq_ops
