/**
 * @file memory.h
 * @brief The memory guard: every allocation of statevectors (and, in the ops, every output) is
 * checked against what the process may use BEFORE it is made, and refused with both numbers in
 * the message.
 *
 * The limit is, in order of precedence: set_memory_limit_bytes(), the environment variable
 * TORCHQ_MEMORY_LIMIT_BYTES, else the smallest of what the machine and the process's own limits
 * leave: MemAvailable (/proc/meminfo), the cgroup's memory.max minus memory.current (v2, or
 * v1's limit_in_bytes minus usage_in_bytes) and RLIMIT_AS minus the address space in use
 * (`ulimit -v`).
 *
 * Calls running at the same time each hold a MemoryReservation for what they allocate, and a new
 * reservation must fit beside all the others: four concurrent calls of 128 MiB under a 160 MiB
 * limit get one through at a time, not all four at once.
 */
#pragma once

#include <cstdint>
#include <string>

#include "torchq/types.h"

namespace torchq {

/// Overrides the memory limit (bytes) for this process; 0 restores the default.
void set_memory_limit_bytes(std::uint64_t bytes);

/// The limit in force now (see file comment).
std::uint64_t memory_limit_bytes();

/// Bytes of one n-qubit statevector of amplitude type Complex<T>; saturates instead of overflowing.
std::uint64_t state_bytes(int num_qubits, std::size_t bytes_per_amplitude);

/**
 * @brief Bytes held by one call while it runs (its work states, its outputs); released when the
 * reservation is destroyed. Move-only.
 */
class MemoryReservation {
 public:
  MemoryReservation() = default;
  explicit MemoryReservation(std::uint64_t bytes) : bytes_(bytes) {}
  MemoryReservation(MemoryReservation&& o) noexcept : bytes_(o.bytes_) { o.bytes_ = 0; }
  MemoryReservation& operator=(MemoryReservation&& o) noexcept;
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  ~MemoryReservation();
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::uint64_t bytes_ = 0;
};

/// Bytes reserved by calls running now (all threads).
std::uint64_t reserved_bytes();

/**
 * @brief Reserves `bytes` for the caller's lifetime of the result, or throws MemoryError when
 * they do not fit beside what other running calls reserved.
 * @param what names the call and the memory, e.g. "probs output [2048, 1048576] float64".
 */
[[nodiscard]] MemoryReservation reserve_memory(std::uint64_t bytes, const std::string& what);

/// reserve_memory for `count` n-qubit statevectors plus `extra_bytes` (same message as below).
[[nodiscard]] MemoryReservation reserve_state_memory(int num_qubits, std::size_t bytes_per_amplitude,
                                                     std::uint64_t count, std::uint64_t extra_bytes,
                                                     const std::string& what);

/// a * b, saturating at 2^64 - 1 instead of wrapping.
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b);

/**
 * @brief Throws MemoryError if `count` statevectors of n qubits (plus `extra_bytes`) exceed the limit.
 * @param what names the call for the message, e.g. "expval forward".
 */
void check_state_memory(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                        std::uint64_t extra_bytes, const std::string& what);
// check_state_memory does not count other calls' reservations: it guards one allocation made
// inside a call that already holds its reservation (StateVector's constructor).

}  // namespace torchq
