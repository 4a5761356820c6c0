/// @file estimator.cpp
#include "torchq/estimator.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "torchq/density_matrix.h"
#include "torchq/errors.h"
#include "torchq/random.h"
#include "torchq/run.h"
#include "torchq/trajectories.h"

namespace torchq {

EstimatorMode estimator_mode_from_name(const std::string& name) {
  if (name == "statevector") return EstimatorMode::kStatevector;
  if (name == "trajectories") return EstimatorMode::kTrajectories;
  if (name == "density_matrix") return EstimatorMode::kDensityMatrix;
  throw ArgumentError("mode must be \"statevector\", \"trajectories\" or \"density_matrix\", got \"" + name + "\"");
}

const char* estimator_mode_name(EstimatorMode mode) {
  switch (mode) {
    case EstimatorMode::kStatevector: return "statevector";
    case EstimatorMode::kTrajectories: return "trajectories";
    case EstimatorMode::kDensityMatrix: return "density_matrix";
  }
  return "unknown";
}

void validate_estimator(const CompiledCircuit& c, const EstimatorOptions& o, const std::string& what) {
  if (o.shots < 0 || o.shots > kMaxShots) {
    throw ArgumentError(what + ": shots must be in [0, 2^40] (0 = the exact expectation value of the mode), got " +
                        std::to_string(o.shots));
  }
  if (o.trajectories < 1 || o.trajectories > kMaxTrajectories) {
    throw ArgumentError(what + ": trajectories must be in [1, 2^30], got " + std::to_string(o.trajectories));
  }
  switch (o.mode) {
    case EstimatorMode::kStatevector: require_no_channels(c, what + " (mode \"statevector\")"); break;
    case EstimatorMode::kDensityMatrix: check_density_matrix_qubits(c.circuit.num_qubits(), what); break;
    case EstimatorMode::kTrajectories: break;
    default: throw ArgumentError(what + ": unknown estimator mode " + std::to_string(static_cast<int>(o.mode)));
  }
}

template <class T>
Estimator<T>::Estimator(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                        const EstimatorOptions& options)
    : obs_(obs), options_(options), num_qubits_(c.circuit.num_qubits()), has_embedding_(c.amplitude_embedding() != nullptr) {
  if (options_.mode == EstimatorMode::kTrajectories) {
    // A circuit without channels has a single trajectory; a shot needs at most one trajectory.
    parts_ = c.num_channels == 0 ? 1 : static_cast<Index>(options_.trajectories);
    if (options_.shots > 0) parts_ = std::min<Index>(parts_, static_cast<Index>(options_.shots));
  }
  denominator_ = options_.shots > 0 ? static_cast<double>(options_.shots) : static_cast<double>(parts_);
}

template <class T>
int Estimator<T>::state_qubits() const {
  return options_.mode == EstimatorMode::kDensityMatrix ? 2 * num_qubits_ : num_qubits_;
}

template <class T>
std::uint64_t Estimator<T>::extra_bytes() const {
  const bool scratch = options_.mode == EstimatorMode::kDensityMatrix && has_embedding_;
  return (scratch ? std::uint64_t{1} << num_qubits_ : 0) * sizeof(Complex<T>) + obs_.size() * sizeof(double);
}

template <class T>
void Estimator<T>::add_part(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream,
                            Index part, Complex<T>* state, double* acc, const Executor& ex) const {
  const auto& k = kernels::active_kernels<T>();
  const int n = num_qubits_;
  std::vector<Complex<T>> scratch;
  switch (options_.mode) {
    case EstimatorMode::kStatevector: run_circuit(state, c, weights, inputs, k, ex); break;
    case EstimatorMode::kTrajectories: {
      std::mt19937_64 rng(derive_seed(stream, 2 * part));
      run_trajectory(state, c, weights, inputs, rng, k, ex);
      break;
    }
    case EstimatorMode::kDensityMatrix:
      scratch.resize(has_embedding_ ? Index{1} << n : 0);
      dm_run(state, c, weights, inputs, scratch.data(), k, ex);
      break;
  }
  auto term_expectation = [&](const PauliMasks& m) {
    if (options_.mode == EstimatorMode::kDensityMatrix) return dm_pauli_expectation(state, n, m, ex);
    return pauli_inner(state, state, n, m.xmask, m.zmask, m.num_y, 0, ex).real();
  };
  // Shot s goes to part s mod parts.
  const std::int64_t shots = options_.shots == 0 ? 0
                                                 : options_.shots / static_cast<std::int64_t>(parts_) +
                                                       (static_cast<std::int64_t>(part) < options_.shots % static_cast<std::int64_t>(parts_) ? 1 : 0);
  std::mt19937_64 shot_rng(derive_seed(stream, 2 * part + 1));
  for (Index j = 0; j < obs_.size(); ++j) {
    for (const PauliMasks& m : obs_[j].terms) {
      if (m.xmask == 0 && m.zmask == 0) {  // identity: always +1
        acc[j] += m.coeff * (shots == 0 ? 1.0 : static_cast<double>(shots));
        continue;
      }
      const double e = term_expectation(m);
      if (shots == 0) {
        acc[j] += m.coeff * e;
      } else {
        if (!std::isfinite(e)) {
          throw ArgumentError("expval_estimated: a Pauli term's expectation is not finite (NaN or inf weights or "
                              "inputs?); shots cannot be drawn from it");
        }
        const double p_plus = std::clamp((1.0 + e) / 2.0, 0.0, 1.0);
        const std::int64_t plus = binomial(shots, p_plus, shot_rng);
        acc[j] += m.coeff * static_cast<double>(2 * plus - shots);
      }
    }
  }
}

template <class T>
void Estimator<T>::add_chunk(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream,
                             Index chunk, Complex<T>* state, double* acc, const Executor& ex) const {
  const Index K = obs_.size(), chunks = num_chunks();
  std::vector<double> part_sum(K);
  for (Index t = chunk * parts_ / chunks; t < (chunk + 1) * parts_ / chunks; ++t) {
    std::fill(part_sum.begin(), part_sum.end(), 0.0);
    add_part(c, weights, inputs, stream, t, state, part_sum.data(), ex);
    for (Index j = 0; j < K; ++j) acc[j] += part_sum[j];
  }
}

template <class T>
void Estimator<T>::evaluate(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream,
                            Complex<T>* state, double* out, const Executor& ex) const {
  const Index K = obs_.size();
  std::vector<double> sum(K, 0.0), chunk_sum(K);
  for (Index j = 0; j < num_chunks(); ++j) {
    std::fill(chunk_sum.begin(), chunk_sum.end(), 0.0);
    add_chunk(c, weights, inputs, stream, j, state, chunk_sum.data(), ex);
    for (Index k = 0; k < K; ++k) sum[k] += chunk_sum[k];
  }
  for (Index k = 0; k < K; ++k) out[k] = sum[k] / denominator_;
}

template class Estimator<float>;
template class Estimator<double>;

}  // namespace torchq
