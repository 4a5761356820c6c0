/**
 * @file fuzz_common.h
 * @brief Helpers shared by the libFuzzer targets: reading fuzz bytes as float64 numbers, and
 * oracle checks that abort with a message (libFuzzer then saves the input as a crash).
 *
 * The targets accept every exception the library throws for bad input (std::exception, which
 * includes ProgramError, ArgumentError, MemoryError and c10::Error). What they reject is a crash,
 * a sanitizer report, a hang, or a result that breaks an oracle (a silent NaN, probabilities
 * that do not sum to one, kernels that disagree).
 */
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace torchq_fuzz {

/// The first size / 8 * 8 bytes as float64 numbers, in the machine's byte order (the raw data
/// of a program tensor, as the seed files are written). memcpy: the bytes need not be aligned.
inline std::vector<double> read_doubles(const std::uint8_t* data, std::size_t size) {
  std::vector<double> out(size / sizeof(double));
  if (!out.empty()) std::memcpy(out.data(), data, out.size() * sizeof(double));
  return out;
}

/// The byte after the last whole float64, or 0: the targets read their run options from it, so
/// a seed that is a plain program (a multiple of 8 bytes) runs with the defaults.
inline std::uint8_t option_byte(const std::uint8_t* data, std::size_t size) {
  return size % sizeof(double) != 0 ? data[size / sizeof(double) * sizeof(double)] : 0;
}

/// Aborts with a message when an oracle fails (the fuzzer records the input as a crash).
#define TORCHQ_FUZZ_CHECK(cond, ...)                                          \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "fuzz oracle failed at %s:%d: %s\n  ", __FILE__,   \
                   __LINE__, #cond);                                          \
      std::fprintf(stderr, __VA_ARGS__);                                      \
      std::fprintf(stderr, "\n");                                             \
      std::abort();                                                           \
    }                                                                         \
  } while (0)

template <class T>
bool all_finite(const std::vector<T>& v) {
  for (const T& x : v) {
    if (!std::isfinite(static_cast<double>(x))) return false;
  }
  return true;
}

}  // namespace torchq_fuzz
