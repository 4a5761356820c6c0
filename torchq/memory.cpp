/// @file memory.cpp
#include "torchq/memory.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

#include "torchq/errors.h"

namespace torchq {
namespace {

std::atomic<std::uint64_t> g_limit_override{0};

constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

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

/// The first token of a file as a byte count; kUnlimited when absent, unreadable or "max".
std::uint64_t read_bytes_file(const std::string& path) {
  std::ifstream f(path);
  std::string token;
  if (!(f >> token) || token.empty() || !std::isdigit(static_cast<unsigned char>(token[0]))) return kUnlimited;
  errno = 0;
  const unsigned long long v = std::strtoull(token.c_str(), nullptr, 10);
  return errno == ERANGE ? kUnlimited : static_cast<std::uint64_t>(v);
}

/// This process's cgroup path ("/..." as in /proc/self/cgroup), for v2 ("0::") or v1's memory controller.
std::string cgroup_path(bool v2) {
  std::ifstream f("/proc/self/cgroup");
  std::string line;
  while (std::getline(f, line)) {
    if (v2 && line.rfind("0::", 0) == 0) return line.substr(3);
    if (!v2) {
      const auto a = line.find(':'), b = line.find(':', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      const std::string controllers = "," + line.substr(a + 1, b - a - 1) + ",";
      if (controllers.find(",memory,") != std::string::npos) return line.substr(b + 1);
    }
  }
  return "";
}

/**
 * What the cgroup still allows: memory.max - memory.current (v2) or limit_in_bytes -
 * usage_in_bytes (v1), the smallest over the process's cgroup and its parents (a container's limit
 * is often set on an ancestor). kUnlimited when no limit is set.
 */
std::uint64_t cgroup_available() {
  std::uint64_t best = kUnlimited;
  auto consider = [&](const std::string& limit_file, const std::string& usage_file) {
    const std::uint64_t limit = read_bytes_file(limit_file);
    if (limit >= (std::uint64_t{1} << 60)) return;  // "max", or v1's "unlimited" (2^63 rounded to pages)
    const std::uint64_t usage = read_bytes_file(usage_file);
    const std::uint64_t left = usage == kUnlimited ? limit : (usage >= limit ? 0 : limit - usage);
    best = std::min(best, left);
  };
  for (const bool v2 : {true, false}) {
    const std::string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    std::string path = cgroup_path(v2);
    // Inside a cgroup namespace the path may not exist under /sys/fs/cgroup: then the root files are ours.
    for (;;) {
      const std::string dir = root + (path == "/" ? "" : path);
      if (v2) {
        consider(dir + "/memory.max", dir + "/memory.current");
      } else {
        consider(dir + "/memory.limit_in_bytes", dir + "/memory.usage_in_bytes");
      }
      if (path.empty() || path == "/") break;
      const auto slash = path.find_last_of('/');
      path = slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
    }
  }
  return best;
}

/// RLIMIT_AS (`ulimit -v`) minus the address space the process already maps; kUnlimited when unset.
std::uint64_t address_space_available() {
  rlimit rl{};
  if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return kUnlimited;
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  const long page = sysconf(_SC_PAGESIZE);
  const std::uint64_t used = pages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
  const auto cur = static_cast<std::uint64_t>(rl.rlim_cur);
  return used >= cur ? 0 : cur - used;
}

/// What the machine and the process's limits leave now: the smallest of the three readings.
std::uint64_t system_available() {
  return std::min({mem_available_from_proc(), cgroup_available(), address_space_available()});
}

/**
 * system_available(), read at most every 100 ms: reading /proc/meminfo costs tens of microseconds
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
  const std::uint64_t read = system_available();
  value.store(read);
  read_at_ns.store(now);
  return read;
}

std::atomic<std::uint64_t> g_reserved{0};

std::string human(std::uint64_t bytes) {
  std::ostringstream s;
  const double gib = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
  s << bytes << " bytes (" << gib << " GiB)";
  return s.str();
}

}  // namespace

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > kUnlimited / a) return kUnlimited;
  return a * b;
}

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

namespace {

std::uint64_t states_need(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                          std::uint64_t extra_bytes, const std::string& what) {
  if (num_qubits < 1 || num_qubits > kMaxQubits) {
    throw ArgumentError(what + ": number of qubits must be between 1 and " + std::to_string(kMaxQubits) +
                        ", got " + std::to_string(num_qubits));
  }
  const std::uint64_t need = saturating_mul(state_bytes(num_qubits, bytes_per_amplitude), count);
  return need > kUnlimited - extra_bytes ? kUnlimited : need + extra_bytes;
}

/// The limit for a request of `need` bytes (a fresh reading when the request comes near it).
std::uint64_t limit_for(std::uint64_t need) {
  std::uint64_t limit = explicit_limit();
  if (limit == 0) {
    limit = mem_available(false);
    if (need > limit / 4) limit = mem_available(true);  // near the limit: a fresh reading decides
  }
  return limit;
}

const char* const kAdvice =
    " Use fewer qubits, a smaller batch or fewer threads, float32 instead of float64, or raise the limit with "
    "TORCHQ_MEMORY_LIMIT_BYTES.";

[[noreturn]] void refuse(const std::string& what, const std::string& needs, std::uint64_t need, std::uint64_t limit,
                         std::uint64_t reserved) {
  // "expval: 4 statevector(s) of 20 qubits need ..." or "the output [2048, 1048576] double needs ...".
  std::string msg = (needs.empty() ? what + " needs " : what + ": " + needs + " need ") + human(need) + " but only " + human(limit) + " are available";
  if (reserved > 0) msg += ", of which " + human(reserved) + " are held by torchq calls running at the same time";
  throw MemoryError(msg + "." + kAdvice);
}

/// Adds `need` to the reserved total if it fits beside the others (a compare-and-swap loop, so
/// two callers can never both take the last free bytes).
MemoryReservation reserve_checked(std::uint64_t need, const std::string& what, const std::string& needs) {
  const std::uint64_t limit = limit_for(need);
  std::uint64_t reserved = g_reserved.load();
  for (;;) {
    if (need > limit || reserved > limit - need) refuse(what, needs, need, limit, reserved);
    if (g_reserved.compare_exchange_weak(reserved, reserved + need)) return MemoryReservation(need);
  }
}

std::string states_phrase(int num_qubits, std::uint64_t count) {
  return std::to_string(count) + " statevector(s) of " + std::to_string(num_qubits) + " qubits";
}

}  // namespace

MemoryReservation& MemoryReservation::operator=(MemoryReservation&& o) noexcept {
  if (this != &o) {
    if (bytes_ != 0) g_reserved.fetch_sub(bytes_);
    bytes_ = o.bytes_;
    o.bytes_ = 0;
  }
  return *this;
}

MemoryReservation::~MemoryReservation() {
  if (bytes_ != 0) g_reserved.fetch_sub(bytes_);
}

std::uint64_t reserved_bytes() { return g_reserved.load(); }

MemoryReservation reserve_memory(std::uint64_t bytes, const std::string& what) {
  if (bytes == 0) return MemoryReservation();
  return reserve_checked(bytes, what, "");
}

MemoryReservation reserve_state_memory(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                                       std::uint64_t extra_bytes, const std::string& what) {
  const std::uint64_t need = states_need(num_qubits, bytes_per_amplitude, count, extra_bytes, what);
  if (need == 0) return MemoryReservation();
  return reserve_checked(need, what, states_phrase(num_qubits, count));
}

void check_state_memory(int num_qubits, std::size_t bytes_per_amplitude, std::uint64_t count,
                        std::uint64_t extra_bytes, const std::string& what) {
  const std::uint64_t need = states_need(num_qubits, bytes_per_amplitude, count, extra_bytes, what);
  const std::uint64_t limit = limit_for(need);
  if (need > limit) refuse(what, states_phrase(num_qubits, count), need, limit, 0);
}

}  // namespace torchq
