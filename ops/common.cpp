/// @file common.cpp
#include "ops/common.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <list>
#include <mutex>
#include <sstream>

namespace torchq_ops {
namespace {

std::atomic<int64_t> g_thread_override{0};
std::atomic<int> g_active_calls{0};
std::atomic<int> g_threads_in_use{0};

}  // namespace

void AtenExecutor::parallel_for(torchq::Index n, torchq::Index grain, torchq::ChunkFn fn) const {
  if (n == 0) return;
  grain = std::max<torchq::Index>(grain, 1);
  // Chunks are n / tasks long: at most n / grain tasks keep every chunk at least `grain` long.
  const int64_t tasks = static_cast<int64_t>(std::min<torchq::Index>(num_threads_, std::max<torchq::Index>(1, n / grain)));
  // Never nest: inside torch's parallel region, run on the calling thread.
  if (tasks <= 1 || at::in_parallel_region()) {
    fn(0, n);
    return;
  }
  // One task per thread: at::parallel_for then starts exactly `tasks` threads.
  at::parallel_for(0, tasks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const torchq::Index begin = n * static_cast<torchq::Index>(t) / static_cast<torchq::Index>(tasks);
      const torchq::Index end = n * static_cast<torchq::Index>(t + 1) / static_cast<torchq::Index>(tasks);
      if (begin < end) fn(begin, end);
    }
  });
}

int configured_threads() {
  const int64_t o = g_thread_override.load();
  return o > 0 ? static_cast<int>(o) : std::max(1, at::get_num_threads());
}

void set_thread_override(int64_t n) {
  TORCH_CHECK(n >= 0, "torchq.set_num_threads: the thread count must be >= 1, or 0 to follow "
              "torch.get_num_threads(); got ", n);
  TORCH_CHECK(n <= 4096, "torchq.set_num_threads: ", n, " threads is more than any machine has; use at most 4096");
  g_thread_override.store(n);
}

ThreadShare::ThreadShare() : executor_([] {
  // Calls running side by side split the budget: a call takes its fair share of the budget, but
  // never more than the threads other running calls left free, so a call that started alone and
  // holds every thread is not joined by a second one taking half again. Every call gets at least
  // its own thread (the caller's), so together they use at most max(budget, number of callers).
  const int budget = configured_threads();
  const int active = g_active_calls.fetch_add(1) + 1;
  int in_use = g_threads_in_use.load();
  for (;;) {
    const int take = std::max(1, std::min(budget / active, budget - in_use));
    if (g_threads_in_use.compare_exchange_weak(in_use, in_use + take)) return take;
  }
}()) {}

ThreadShare::~ThreadShare() {
  g_threads_in_use.fetch_sub(executor_.num_threads());
  g_active_calls.fetch_sub(1);
}

void call_core(const char* op, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const c10::Error&) {
    throw;
  } catch (const torchq::MemoryError& e) {
    TORCH_CHECK(false, "torchq.", op, ": ", e.what());
  } catch (const std::invalid_argument& e) {
    TORCH_CHECK_VALUE(false, "torchq.", op, ": ", e.what());
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "torchq.", op, ": ", e.what());
  }
}

namespace {

/// Approximate bytes a compiled program keeps: its key (the program) plus what compile() built.
std::size_t approx_bytes(std::size_t program_length, const torchq::CompiledCircuit& c) {
  std::size_t bytes = program_length * sizeof(double) + sizeof(torchq::CompiledCircuit);
  bytes += c.primitives.capacity() * sizeof(torchq::Primitive);
  for (const torchq::Operation& op : c.circuit.operations()) {
    bytes += sizeof(torchq::Operation) + (op.wires.capacity() + op.controls.capacity()) * sizeof(int) + op.params.capacity() * sizeof(torchq::ParamRef) +
             op.matrix.capacity() * sizeof(std::complex<double>);
  }
  for (const auto& u : c.unitaries) bytes += u.capacity() * sizeof(std::complex<double>) + sizeof(u);
  return bytes;
}

/**
 * The most recently used compiled programs, by content, bounded by bytes (a compiled program of
 * a million numbers keeps tens of MiB): at most kEntries programs and kMaxBytes in all; the least
 * recently used go first, and a program bigger than the whole budget is not kept.
 */
class ProgramCache {
 public:
  static constexpr std::size_t kEntries = 16;
  static constexpr std::size_t kMaxBytes = std::size_t{64} << 20;

  std::shared_ptr<const torchq::CompiledCircuit> find(const double* data, std::size_t length) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->program.size() == length && std::memcmp(it->program.data(), data, length * sizeof(double)) == 0) {
        entries_.splice(entries_.begin(), entries_, it);  // most recent first
        return entries_.front().compiled;
      }
    }
    return nullptr;
  }

  void insert(const double* data, std::size_t length, std::shared_ptr<const torchq::CompiledCircuit> compiled) {
    const std::size_t bytes = approx_bytes(length, *compiled);
    if (bytes > kMaxBytes) return;
    std::lock_guard<std::mutex> guard(mutex_);
    entries_.push_front({std::vector<double>(data, data + length), std::move(compiled), bytes});
    bytes_ += bytes;
    while (entries_.size() > kEntries || bytes_ > kMaxBytes) {
      bytes_ -= entries_.back().bytes;
      entries_.pop_back();
    }
  }

  /// Entries and bytes kept now (for tests and torchq.ops._cache_info).
  std::pair<std::size_t, std::size_t> usage() {
    std::lock_guard<std::mutex> guard(mutex_);
    return {entries_.size(), bytes_};
  }

 private:
  struct Entry {
    std::vector<double> program;
    std::shared_ptr<const torchq::CompiledCircuit> compiled;
    std::size_t bytes = 0;
  };
  std::mutex mutex_;
  std::list<Entry> entries_;
  std::size_t bytes_ = 0;
};

ProgramCache& program_cache() {
  static ProgramCache cache;
  return cache;
}

}  // namespace

std::vector<int64_t> program_cache_usage() {
  const auto [entries, bytes] = program_cache().usage();
  return {static_cast<int64_t>(entries), static_cast<int64_t>(bytes), static_cast<int64_t>(ProgramCache::kEntries),
          static_cast<int64_t>(ProgramCache::kMaxBytes)};
}

std::shared_ptr<const torchq::CompiledCircuit> program_from_tensor(const at::Tensor& program) {
  TORCH_CHECK_TYPE(program.scalar_type() == at::kDouble,
                   "torchq: the program tensor must be float64 (made by Circuit.to_program / the layer's buffer), got ",
                   program.scalar_type());
  TORCH_CHECK_VALUE(program.dim() == 1, "torchq: the program tensor must be 1-D, got shape ", program.sizes());
  TORCH_CHECK(program.device().is_cpu(), "torchq: the program tensor must be on the CPU, got ", program.device());
  TORCH_CHECK(program.has_storage(), "torchq: the program tensor has no data (a tensor subclass or transform "
              "wrapper); pass the plain float64 program tensor");
  const at::Tensor p = program.contiguous();
  const double* data = p.data_ptr<double>();
  const auto length = static_cast<std::size_t>(p.numel());
  if (auto cached = program_cache().find(data, length)) return cached;
  std::shared_ptr<const torchq::CompiledCircuit> out;
  call_core("program", [&] {
    out = std::make_shared<const torchq::CompiledCircuit>(torchq::compile(torchq::Circuit::from_program({data, length})));
  });
  program_cache().insert(data, length, out);
  return out;
}

std::vector<torchq::CompiledObservable> observables_from_tensor(const at::Tensor& observables, int num_qubits) {
  TORCH_CHECK_TYPE(observables.scalar_type() == at::kDouble,
                   "torchq: the observables tensor must be float64 (made by torchq observables_to_table), got ",
                   observables.scalar_type());
  TORCH_CHECK_VALUE(observables.dim() == 2,
                    "torchq: the observables tensor must be 2-D [num_observables, row_length], got shape ",
                    observables.sizes());
  TORCH_CHECK(observables.device().is_cpu(), "torchq: the observables tensor must be on the CPU, got ",
              observables.device());
  TORCH_CHECK(observables.has_storage(), "torchq: the observables tensor has no data (a tensor subclass or "
              "transform wrapper); pass the plain float64 observables table");
  const at::Tensor o = observables.contiguous();
  std::vector<torchq::CompiledObservable> out;
  call_core("observables", [&] {
    const auto obs = torchq::observables_from_table(o.data_ptr<double>(), o.size(0), o.size(1), num_qubits);
    out = torchq::compile_observables(obs, num_qubits);
  });
  return out;
}

void check_weights_inputs_shapes(const at::Tensor& weights, const at::Tensor& inputs, const char* op) {
  TORCH_CHECK_TYPE(weights.scalar_type() == at::kFloat || weights.scalar_type() == at::kDouble, "torchq.", op,
                   ": weights must be float32 or float64, got ", weights.scalar_type());
  TORCH_CHECK_TYPE(inputs.scalar_type() == weights.scalar_type(), "torchq.", op, ": inputs dtype ",
                   inputs.scalar_type(), " differs from weights dtype ", weights.scalar_type(),
                   "; convert one of them, e.g. inputs.to(weights.dtype)");
  TORCH_CHECK_VALUE(weights.dim() == 1 || weights.dim() == 2, "torchq.", op,
                    ": weights must be 1-D [P] (shared) or 2-D [B, P] (one set per sample), got shape ",
                    weights.sizes());
  TORCH_CHECK_VALUE(inputs.dim() == 2, "torchq.", op, ": inputs must be 2-D [B, F] (batch, features), got shape ",
                    inputs.sizes());
  if (weights.dim() == 2) {
    TORCH_CHECK_VALUE(weights.sym_size(0) == inputs.sym_size(0), "torchq.", op,
                      ": per-sample weights have batch size ", weights.sym_size(0), " but inputs have ",
                      inputs.sym_size(0));
  }
}

void check_cpu(const at::Tensor& t, const char* name, const char* op) {
  TORCH_CHECK(t.device().is_cpu(), "torchq.", op, ": ", name, " must be a CPU tensor like the other arguments, got one on ",
              t.device(), "; move it with .cpu()");
  TORCH_CHECK(t.has_storage(), "torchq.", op, ": ", name, " has no data (a tensor subclass or transform wrapper "
              "reached the CPU kernel); call the op on plain tensors");
}

void check_finite(const at::Tensor& t, const char* name, const char* op) {
  if (t.numel() == 0) return;
  AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "torchq_check_finite", [&] {
    const scalar_t* p = t.data_ptr<scalar_t>();
    const int64_t n = t.numel();
    // x - x is 0 for finite x and NaN for NaN and inf: one branch-free pass, vectorised.
    scalar_t acc = 0;
    for (int64_t i = 0; i < n; ++i) acc += p[i] - p[i];
    if (acc == scalar_t(0)) return;
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(p[i])) {
        std::vector<int64_t> index(t.dim());
        for (int64_t d = t.dim() - 1, rest = i; d >= 0; --d) {
          index[d] = rest % t.size(d);
          rest /= t.size(d);
        }
        TORCH_CHECK_VALUE(false, "torchq.", op, ": ", name, " hold a non-finite value (", p[i], " at index ",
                          at::IntArrayRef(index), "). torchq refuses NaN and inf weights and inputs in every op: "
                          "a NaN there usually means training diverged; lower the learning rate, clip gradients, or "
                          "find the step with torch.autograd.set_detect_anomaly(True)");
      }
    }
  });
}

at::ScalarType complex_dtype(at::ScalarType real) { return real == at::kFloat ? at::kComplexFloat : at::kComplexDouble; }

at::Tensor Outputs::empty(std::initializer_list<int64_t> sizes, const at::TensorOptions& options) {
  return empty_sizes(at::IntArrayRef(sizes.begin(), sizes.size()), options);
}

at::Tensor Outputs::empty_sizes(at::IntArrayRef sizes, const at::TensorOptions& options) {
  std::uint64_t count = 1;
  for (int64_t s : sizes) count = torchq::saturating_mul(count, static_cast<std::uint64_t>(s));
  const std::uint64_t bytes = torchq::saturating_mul(count, at::elementSize(at::typeMetaToScalarType(options.dtype())));
  call_core(op_, [&] {
    std::ostringstream what;
    what << "the output " << sizes << " " << options.dtype();
    held_.push_back(torchq::reserve_memory(bytes, what.str()));
  });
  return at::empty(sizes, options);
}

Batch check_batch(const torchq::CompiledCircuit& c, const at::Tensor& weights, const at::Tensor& inputs,
                  const char* op) {
  check_weights_inputs_shapes(weights, inputs, op);
  check_cpu(weights, "weights", op);
  check_cpu(inputs, "inputs", op);
  const int64_t P = c.circuit.num_weights();
  const int64_t F = c.circuit.num_inputs();
  TORCH_CHECK_VALUE(weights.size(-1) == P, "torchq.", op, ": the circuit has ", P,
                    " weights but the weights tensor has ", weights.size(-1), " (shape ", weights.sizes(), ")");
  TORCH_CHECK_VALUE(inputs.size(1) == F, "torchq.", op, ": the circuit reads ", F,
                    " input features but inputs have ", inputs.size(1), " (shape ", inputs.sizes(), ")");
  Batch b;
  b.weights = weights.contiguous();
  b.inputs = inputs.contiguous();
  check_finite(b.weights, "weights", op);
  check_finite(b.inputs, "inputs", op);
  b.batch_size = inputs.size(0);
  b.weights_per_sample = weights.dim() == 2;
  return b;
}

torchq::EstimatorOptions estimator_options(c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
                                           const char* op) {
  torchq::EstimatorOptions o;
  const std::string name(mode);
  TORCH_CHECK_VALUE(name == "statevector" || name == "trajectories" || name == "density_matrix", "torchq.", op,
                    ": mode must be \"statevector\", \"trajectories\" or \"density_matrix\", got \"", name, "\"");
  o.mode = torchq::estimator_mode_from_name(name);
  TORCH_CHECK_VALUE(shots >= 0 && shots <= torchq::kMaxShots, "torchq.", op,
                    ": shots must be >= 0 (0 = the exact expectation value of the mode) and at most 2^40, got ", shots);
  TORCH_CHECK_VALUE(trajectories >= 1 && trajectories <= torchq::kMaxTrajectories, "torchq.", op,
                    ": trajectories must be >= 1 and at most 2^30 (it is used by mode \"trajectories\"), got ",
                    trajectories);
  o.shots = shots;
  o.trajectories = trajectories;
  o.seed = static_cast<std::uint64_t>(seed);
  return o;
}

std::vector<int> wires_from_list(at::IntArrayRef wires, int num_qubits, const char* op) {
  std::vector<int> out;
  for (int64_t w : wires) {
    TORCH_CHECK_VALUE(w >= 0 && w < num_qubits, "torchq.", op, ": wire ", w, " is out of range: the circuit has ",
                      num_qubits, " qubits, so wires are 0..", num_qubits - 1);
    out.push_back(static_cast<int>(w));
  }
  call_core(op, [&] { torchq::validate_wires(out, num_qubits, op); });
  return out;
}

}  // namespace torchq_ops
