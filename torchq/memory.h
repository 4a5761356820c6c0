/**
 * @file memory.h
 * @brief The memory guard: every allocation of statevectors is checked against what the
 * machine has BEFORE it is made, and refused with both numbers in the message.
 *
 * The limit is, in order of precedence: set_memory_limit_bytes(), the environment variable
 * TORCHQ_MEMORY_LIMIT_BYTES, then MemAvailable from /proc/meminfo.
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
 * @brief Throws MemoryError if `count` statevectors of n qubits (plus `extra_bytes`) exceed the limit.
 * @param what names the call for the message, e.g. "expval forward".
 */
void check_state_memory(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                        std::uint64_t extra_bytes, const std::string& what);

}  // namespace torchq
