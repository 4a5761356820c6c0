/**
 * @file estimator.h
 * @brief One estimate of the expectation values of one sample (Estimator) and its options: the
 * modes (statevector, trajectories, density matrix), shots and seeds. The batch functions built
 * on it, and the file comment that explains modes, shots and seeds, are in estimators.h; its
 * parameter-shift gradient is in parameter_shift.h.
 */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "torchq/lowering.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/types.h"

namespace torchq {

enum class EstimatorMode : std::uint8_t { kStatevector = 0, kTrajectories = 1, kDensityMatrix = 2 };

/// Most shots and trajectories per sample (the counts fit in int64 with room to spare).
inline constexpr std::int64_t kMaxShots = std::int64_t{1} << 40;
inline constexpr std::int64_t kMaxTrajectories = std::int64_t{1} << 30;

/// The index of the backward pass's random streams: derive_seed(seed, kBackwardStream).
inline constexpr std::uint64_t kBackwardStream = 0x6261636B77617264ULL;  // "backward"

struct EstimatorOptions {
  EstimatorMode mode = EstimatorMode::kStatevector;
  std::int64_t shots = 0;         ///< 0 = the mode's expectation value, else shots per Pauli word
  std::int64_t trajectories = 1;  ///< trajectories per sample (kTrajectories only; >= 1 always)
  std::uint64_t seed = 0;
};

/// "statevector" | "trajectories" | "density_matrix"; throws ArgumentError naming the choices.
EstimatorMode estimator_mode_from_name(const std::string& name);
const char* estimator_mode_name(EstimatorMode mode);

/**
 * @brief Checks options against a circuit: shots in [0, kMaxShots], trajectories in
 * [1, kMaxTrajectories], no channels in statevector mode, at most kMaxDensityMatrixQubits in
 * density-matrix mode. Throws ArgumentError naming `what` and the fix.
 */
void validate_estimator(const CompiledCircuit& c, const EstimatorOptions& options, const std::string& what);

/**
 * @brief One estimate of the K expectation values for one sample, as a sum of independent parts
 * (the trajectories; one part otherwise): estimate = (sum of the parts' sums) / denominator().
 * Parts are grouped into at most kMaxChunks chunks (a fixed split, not one per thread): the
 * forward pass runs the chunks of all samples in parallel and keeps one sum per chunk, and
 * evaluate() adds the same chunk sums in the same order, so both give the same numbers. The
 * observables must outlive the estimator.
 */
template <class T>
class Estimator {
 public:
  Estimator(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const EstimatorOptions& options);

  const EstimatorOptions& options() const { return options_; }
  Index num_outputs() const { return obs_.size(); }
  /// Qubits of the state one part needs: n, or 2n for a density matrix.
  int state_qubits() const;
  /// Bytes one part needs besides its state (for the memory guard).
  std::uint64_t extra_bytes() const;
  Index num_parts() const { return parts_; }
  /// Chunks of parts: min(num_parts(), kMaxChunks); chunk j holds parts [j P / C, (j+1) P / C).
  static constexpr Index kMaxChunks = 64;
  Index num_chunks() const { return parts_ < kMaxChunks ? parts_ : kMaxChunks; }
  double denominator() const { return denominator_; }

  /**
   * @brief Adds the sums of part `part` to acc[K] for one sample.
   * @param c      the circuit to run: the one given to the constructor, or one with the same
   *               qubits, channels and embedding (the parameter-shift engine's angle form)
   * @param stream the sample's random stream (derive_seed(seed, b) in the forward pass)
   * @param state  2^state_qubits() amplitudes of workspace
   */
  void add_part(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream, Index part,
                Complex<T>* state, double* acc, const Executor& ex) const;
  /// Adds the sums of the parts of chunk `chunk` to acc[K], part by part in order.
  void add_chunk(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream, Index chunk,
                 Complex<T>* state, double* acc, const Executor& ex) const;
  /// The estimate out[K] for one sample: every chunk in order, then divided by denominator().
  void evaluate(const CompiledCircuit& c, const T* weights, const T* inputs, std::uint64_t stream,
                Complex<T>* state, double* out, const Executor& ex) const;

 private:
  const std::vector<CompiledObservable>& obs_;
  EstimatorOptions options_;
  int num_qubits_;
  bool has_embedding_;
  Index parts_ = 1;
  double denominator_ = 1;
};

}  // namespace torchq
