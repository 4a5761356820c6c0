/**
 * @file work_loop.h
 * @brief The batch loop of every simulation (samples, trajectories, shifted circuits, density
 * matrices): independent work items, each with its own states, on as many workers as pay.
 *
 * Thread policy: threads go over the items when there are at least as many items as threads
 * (or the states are too small to split), each item then runs serially; otherwise items run one
 * after another with threads over the amplitudes. Threads start only when the whole loop's work
 * pays for them (item_workers): a batch of two 2-qubit samples runs on the calling thread. A density matrix of
 * 12 qubits is a 24-qubit vector (256 MiB in float64), and its adjoint sweep holds several: rather
 * than refuse, the loop runs on as many workers as the memory guard allows (at least one).
 */
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "torchq/memory.h"
#include "torchq/parallel.h"
#include "torchq/statevector.h"

namespace torchq::detail {

/// Work (amplitude updates) below which a thread costs more than it saves: starting a parallel
/// region costs microseconds, and on a busy machine a descheduled worker costs milliseconds.
inline constexpr double kMinWorkPerThread = double(Index{1} << 17);
/// A gate's per-sample cost that does not scale with the state (its matrix, sines and cosines,
/// the call), in amplitude updates: small circuits are dominated by it.
inline constexpr double kFixedWorkPerGate = 64;

/**
 * @brief How many workers a loop over `count` items should use: one per thread when the items
 * are many, fewer when the total work (items x amplitudes x gates) would give a thread less than
 * kMinWorkPerThread, and 1 when the items are few and large (threads then go over amplitudes).
 */
inline Index item_workers(Index count, int state_qubits, Index gates_per_item, int threads) {
  if (threads <= 1 || count <= 1) return 1;
  const Index size = Index{1} << state_qubits;
  // Few large items: threads split each item's amplitudes instead.
  if (count < static_cast<Index>(threads) && size >= kAmplitudeGrain * threads) return 1;
  const double work = static_cast<double>(count) * (static_cast<double>(size) + kFixedWorkPerGate) *
                      static_cast<double>(std::max<Index>(gates_per_item, 1));
  const double paid = std::floor(work / kMinWorkPerThread);
  return std::max<Index>(1, std::min<Index>({count, static_cast<Index>(threads), static_cast<Index>(std::min(paid, 1e9))}));
}

/**
 * @brief Runs fn(item, inner_executor, states) for every item in [0, count), with
 * `states_per_worker` states of `state_qubits` qubits per worker, allocated once per worker.
 * @param gates_per_item the gates one item applies (sizes the work for the thread decision)
 * @param extra_bytes_per_worker other memory a worker needs, for the memory guard
 * @param what names the call in memory errors
 *
 * The workers' states are reserved with the memory guard for the duration of the loop, so calls
 * running side by side cannot together exceed the limit.
 */
template <class T, class F>
void for_each_item(Index count, int state_qubits, Index gates_per_item, int states_per_worker,
                   std::uint64_t extra_bytes_per_worker, const Executor& ex, const std::string& what, F&& fn) {
  if (count == 0) return;
  const int threads = ex.num_threads();
  Index workers = item_workers(count, state_qubits, gates_per_item, threads);
  if (workers > 1) {
    const double per_worker = static_cast<double>(state_bytes(state_qubits, sizeof(Complex<T>))) * states_per_worker +
                              static_cast<double>(extra_bytes_per_worker);
    const double free = static_cast<double>(memory_limit_bytes()) - static_cast<double>(reserved_bytes());
    const double fit = std::max(free, 0.0) / std::max(per_worker, 1.0);
    workers = std::max<Index>(1, std::min<Index>(workers, static_cast<Index>(std::min(fit, 1e9))));
  }
  const MemoryReservation reservation = reserve_state_memory(
      state_qubits, sizeof(Complex<T>), workers * states_per_worker, workers * extra_bytes_per_worker, what);
  auto make_states = [&] {
    std::vector<StateVector<T>> states;
    states.reserve(states_per_worker);
    for (int s = 0; s < states_per_worker; ++s) states.emplace_back(state_qubits);
    return states;
  };
  if (workers > 1) {
    // Each worker claims items one at a time until none are left, with its own states (made at
    // its first claim): a worker that starts late finds less (or nothing) to do instead of
    // holding a fixed share the others wait for. Items are independent, so results do not
    // depend on which worker ran which item.
    std::atomic<Index> next{0};
    ex.run_workers(static_cast<int>(workers), [&](int) {
      std::vector<StateVector<T>> states;
      for (Index i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        if (states.empty() && states_per_worker > 0) states = make_states();
        fn(i, serial_executor(), states);
      }
    });
  } else {
    auto states = make_states();
    for (Index i = 0; i < count; ++i) fn(i, ex, states);
  }
}

}  // namespace torchq::detail
