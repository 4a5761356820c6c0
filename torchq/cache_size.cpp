/// @file cache_size.cpp
#include "torchq/cache_size.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace torchq {
namespace {

/// "32768K", "32M" or a byte count, as sysfs writes cache sizes; 0 if unreadable.
std::size_t parse_size(const std::string& text) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (end == text.c_str()) return 0;
  switch (*end) {
    case 'K': case 'k': return static_cast<std::size_t>(v) << 10;
    case 'M': case 'm': return static_cast<std::size_t>(v) << 20;
    case 'G': case 'g': return static_cast<std::size_t>(v) << 30;
    default: return static_cast<std::size_t>(v);
  }
}

std::size_t hardware_llc_bytes() {
  std::size_t best = 0;
#if defined(_SC_LEVEL3_CACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
  for (int name : {_SC_LEVEL3_CACHE_SIZE, _SC_LEVEL2_CACHE_SIZE}) {
    const long v = sysconf(name);
    if (v > 0) best = std::max(best, static_cast<std::size_t>(v));
  }
#endif
  if (best == 0) {  // some libcs and VMs answer 0: read the kernel's cache description instead
    for (int index = 0; index < 8; ++index) {
      const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
      std::ifstream type(dir + "type"), size(dir + "size");
      std::string t, s;
      if (!(type >> t) || !(size >> s) || t == "Instruction") continue;
      best = std::max(best, parse_size(s));
    }
  }
  return best > 0 ? best : std::size_t{8} << 20;
}

}  // namespace

std::size_t last_level_cache_bytes() {
  if (const char* env = std::getenv("TORCHQ_LLC_BYTES"); env != nullptr && *env != '\0') {
    const std::size_t v = parse_size(env);
    if (v > 0) return v;
  }
  static const std::size_t hardware = hardware_llc_bytes();
  return hardware;
}

}  // namespace torchq
