/**
 * @file work_loop.h
 * @brief The loop of the estimators (density matrices, trajectories, parameter shift): like
 * detail::for_each_sample (simulator.h), over any number of independent work items, and with
 * fewer workers when one set of states per thread would not fit in memory.
 *
 * Thread policy, as in simulator.h: threads go over the items when there are at least as many
 * items as threads (or the states are too small to split), each item then runs serially;
 * otherwise items run one after another with threads over the amplitudes. A density matrix of
 * 12 qubits is a 24-qubit vector (256 MiB in float64), and its adjoint sweep holds several: rather
 * than refuse, the loop runs on as many workers as the memory guard allows (at least one).
 */
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "torchq/memory.h"
#include "torchq/parallel.h"
#include "torchq/statevector.h"

namespace torchq::detail {

/**
 * @brief Runs fn(item, inner_executor, states) for every item in [0, count), with
 * `states_per_worker` states of `state_qubits` qubits per worker, allocated once per worker.
 * @param extra_bytes_per_worker other memory a worker needs, for the memory guard
 * @param what names the call in memory errors
 */
template <class T, class F>
void for_each_item(Index count, int state_qubits, int states_per_worker, std::uint64_t extra_bytes_per_worker,
                   const Executor& ex, const std::string& what, F&& fn) {
  if (count == 0) return;
  const int threads = ex.num_threads();
  const Index size = Index{1} << state_qubits;
  const bool over_items =
      threads > 1 && count > 1 && (count >= static_cast<Index>(threads) || size < kAmplitudeGrain * threads);
  Index workers = over_items ? std::min<Index>(count, threads) : 1;
  if (workers > 1) {
    const double per_worker = static_cast<double>(state_bytes(state_qubits, sizeof(Complex<T>))) * states_per_worker +
                              static_cast<double>(extra_bytes_per_worker);
    const double fit = static_cast<double>(memory_limit_bytes()) / std::max(per_worker, 1.0);
    workers = std::max<Index>(1, std::min<Index>(workers, static_cast<Index>(std::min(fit, 1e9))));
  }
  check_state_memory(state_qubits, sizeof(Complex<T>), workers * states_per_worker, workers * extra_bytes_per_worker,
                     what);
  auto make_states = [&] {
    std::vector<StateVector<T>> states;
    states.reserve(states_per_worker);
    for (int s = 0; s < states_per_worker; ++s) states.emplace_back(state_qubits);
    return states;
  };
  if (workers > 1) {
    // When memory caps the workers, chunks of at least count / workers items keep at most
    // `workers` chunks (each with its own states) running at once.
    const Index grain = workers >= static_cast<Index>(threads) ? 1 : (count + workers - 1) / workers;
    ex.parallel_for(count, grain, [&](Index lo, Index hi) {
      auto states = make_states();
      for (Index i = lo; i < hi; ++i) fn(i, serial_executor(), states);
    });
  } else {
    auto states = make_states();
    for (Index i = 0; i < count; ++i) fn(i, ex, states);
  }
}

}  // namespace torchq::detail
