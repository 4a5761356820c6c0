/// @file memory.cpp
#include "torchq/memory.h"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "torchq/errors.h"

namespace torchq {
namespace {

std::atomic<std::uint64_t> g_limit_override{0};

std::uint64_t mem_available_from_proc() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t value_kb = 0;
  std::string unit;
  while (meminfo >> key >> value_kb >> unit) {
    if (key == "MemAvailable:") return value_kb * 1024;
  }
  // No /proc/meminfo (not Linux): do not guess low; allow up to 2^40 bytes.
  return std::uint64_t{1} << 40;
}

/**
 * MemAvailable, read at most every 100 ms: reading /proc/meminfo costs tens of microseconds
 * (the kernel formats the whole file), as much as a small circuit's forward pass, and every op
 * call checks memory. `fresh` forces a read (for requests that come near the last value).
 */
std::uint64_t mem_available(bool fresh) {
  static std::atomic<std::uint64_t> value{0};
  static std::atomic<std::int64_t> read_at_ns{0};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  const std::uint64_t v = value.load();
  if (!fresh && v != 0 && now - read_at_ns.load() < 100'000'000) return v;
  const std::uint64_t read = mem_available_from_proc();
  value.store(read);
  read_at_ns.store(now);
  return read;
}

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  return a * b;
}

std::string human(std::uint64_t bytes) {
  std::ostringstream s;
  const double gib = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  s << bytes << " bytes (" << gib << " GiB)";
  return s.str();
}

}  // namespace

void set_memory_limit_bytes(std::uint64_t bytes) { g_limit_override.store(bytes); }

namespace {

/// The override, else TORCHQ_MEMORY_LIMIT_BYTES, else 0 (none: MemAvailable applies).
std::uint64_t explicit_limit() {
  if (const std::uint64_t o = g_limit_override.load(); o != 0) return o;
  if (const char* env = std::getenv("TORCHQ_MEMORY_LIMIT_BYTES"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(env, &end, 10);
    // strtoull accepts a sign ("-5" becomes 2^64 - 5) and saturates on overflow: refuse both.
    if (!std::isdigit(static_cast<unsigned char>(*env)) || errno == ERANGE || end == env || *end != '\0' || v == 0) {
      throw ArgumentError(std::string("TORCHQ_MEMORY_LIMIT_BYTES must be a positive integer number "
                                      "of bytes, got '") + env + "'");
    }
    return v;
  }
  return 0;
}

}  // namespace

std::uint64_t memory_limit_bytes() {
  const std::uint64_t limit = explicit_limit();
  return limit != 0 ? limit : mem_available(false);
}

std::uint64_t state_bytes(int num_qubits, std::size_t bytes_per_amplitude) {
  if (num_qubits >= 63) return std::numeric_limits<std::uint64_t>::max();
  return saturating_mul(std::uint64_t{1} << num_qubits, bytes_per_amplitude);
}

void check_state_memory(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                        std::uint64_t extra_bytes, const std::string& what) {
  if (num_qubits < 1 || num_qubits > kMaxQubits) {
    throw ArgumentError(what + ": number of qubits must be between 1 and " +
                        std::to_string(kMaxQubits) + ", got " + std::to_string(num_qubits));
  }
  std::uint64_t need = saturating_mul(state_bytes(num_qubits, bytes_per_amplitude), count);
  need = need > std::numeric_limits<std::uint64_t>::max() - extra_bytes
             ? std::numeric_limits<std::uint64_t>::max()
             : need + extra_bytes;
  std::uint64_t limit = explicit_limit();
  if (limit == 0) {
    limit = mem_available(false);
    if (need > limit / 4) limit = mem_available(true);  // near the limit: a fresh reading decides
  }
  if (need > limit) {
    throw MemoryError(what + ": " + std::to_string(count) + " statevector(s) of " +
                      std::to_string(num_qubits) + " qubits need " + human(need) +
                      " but only " + human(limit) +
                      " are available. Use fewer qubits, a smaller batch or fewer threads, "
                      "float32 instead of float64, or raise the limit with "
                      "TORCHQ_MEMORY_LIMIT_BYTES.");
  }
}

}  // namespace torchq
