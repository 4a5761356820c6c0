/**
 * @file random.h
 * @brief torchq's random streams, in one place: seeds derived from (seed, index) chains, and the
 * binomial draw of the shot estimators.
 *
 * Every random stream in torchq is a chain of derive_seed calls, e.g. derive_seed(derive_seed(seed,
 * sample), trajectory), so results depend on (seed, sample, trajectory), never on threads or
 * scheduling.
 */
#pragma once

#include <cstdint>
#include <random>

namespace torchq {

/// One step of the splitmix64 generator (Steele, Lea & Flood 2014): a 64-bit bijection that mixes well.
std::uint64_t splitmix64(std::uint64_t x);

/// An independent 64-bit seed from a parent seed and an index (splitmix64 of both).
std::uint64_t derive_seed(std::uint64_t parent, std::uint64_t index);

/**
 * @brief A draw from Binomial(n, p), exact, for n up to 2^62 and p in [0, 1].
 *
 * Not std::binomial_distribution: libstdc++'s calls lgamma, which writes glibc's global `signgam`
 * and so races between threads. This is inversion for small means and Hörmann's BTRD
 * (transformed rejection with decomposition, "The generation of binomial random variates",
 * J. Statist. Comput. Simul. 46, 1993) otherwise; neither touches global state.
 * Throws std::invalid_argument for n < 0 or p outside [0, 1] (NaN included).
 */
std::int64_t binomial(std::int64_t n, double p, std::mt19937_64& rng);

}  // namespace torchq
