/**
 * @file cache_size.h
 * @brief The size of this machine's last-level cache, which decides whether a forward run is
 * cache-blocked (run.h): a state that fits comfortably in it is updated in place faster than it
 * is gathered into and scattered out of group buffers (benchmarks/README.md, "Where blocking
 * starts").
 */
#pragma once

#include <cstddef>

namespace torchq {

/**
 * @brief Bytes of the largest data cache the CPU reports (L3, else L2; sysconf, then sysfs), 8 MiB
 * when neither says. The environment variable TORCHQ_LLC_BYTES overrides it (tests and
 * benchmarks reach both paths with it); it is read on every call, the hardware value once.
 */
std::size_t last_level_cache_bytes();

}  // namespace torchq
