/// @file random.cpp
#include "torchq/random.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace torchq {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t parent, std::uint64_t index) {
  return splitmix64(splitmix64(parent) ^ (index * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
}

namespace {

/// Uniform in [0, 1) with 53 random bits.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2]: Stirling's correction, from a table
/// for small k and from its series otherwise (Hörmann 1993, eq. for f_c).
double stirling_correction(double k) {
  static constexpr double kTable[10] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                                        0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                                        0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
                                        0.008330563433362871};
  if (k < 10) return kTable[static_cast<int>(k)];
  const double r = 1.0 / (k + 1), r2 = r * r;
  return (1.0 / 12 - (1.0 / 360 - r2 / 1260) * r2) * r;
}

/// Inversion (sequential search from 0): for means below ~14 it needs a few steps on average.
std::int64_t binomial_inversion(std::int64_t n, double p, std::mt19937_64& rng) {
  const double q = 1 - p, s = p / q, a = (static_cast<double>(n) + 1) * s;
  const double r0 = std::pow(q, static_cast<double>(n));
  for (;;) {
    double r = r0, u = uniform01(rng);
    std::int64_t x = 0;
    while (u > r) {
      u -= r;
      ++x;
      if (x > n) break;  // rounding left a sliver of u: draw again
      r *= a / static_cast<double>(x) - s;
    }
    if (x <= n) return x;
  }
}

/// BTRD for n p >= 10 and p <= 1/2.
std::int64_t binomial_btrd(std::int64_t n_int, double p, std::mt19937_64& rng) {
  const double n = static_cast<double>(n_int);
  const double q = 1 - p, spq = std::sqrt(n * p * q), npq = n * p * q;
  const double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5;
  const double alpha = (2.83 + 5.1 / b) * spq, vr = 0.92 - 4.2 / b, urvr = 0.86 * vr;
  const double m = std::floor((n + 1) * p), r = p / q, nr = (n + 1) * r;
  for (;;) {
    double v = uniform01(rng), u;
    if (v <= urvr) {  // the box in the centre: accepted at once (86% of draws)
      u = v / vr - 0.43;
      return static_cast<std::int64_t>(std::floor((2 * a / (0.5 - std::abs(u)) + b) * u + c));
    }
    if (v >= vr) {
      u = uniform01(rng) - 0.5;
    } else {
      u = v / vr - 0.93;
      u = (u < 0 ? -0.5 : 0.5) - u;
      v = uniform01(rng) * vr;
    }
    const double us = 0.5 - std::abs(u);
    const double k = std::floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    v = v * alpha / (a / (us * us) + b);
    const double km = std::abs(k - m);
    if (km <= 15) {  // recursive evaluation of f(k) / f(m)
      double f = 1;
      if (m < k) {
        for (double i = m + 1; i <= k; ++i) f *= nr / i - r;
      } else if (m > k) {
        for (double i = k + 1; i <= m; ++i) v *= nr / i - r;
      }
      if (v <= f) return static_cast<std::int64_t>(k);
      continue;
    }
    // Squeeze, then the final acceptance test with Stirling's formula.
    v = std::log(v);
    const double rho = (km / npq) * (((km / 3 + 0.625) * km + 1.0 / 6) / npq + 0.5);
    const double t = -km * km / (2 * npq);
    if (v < t - rho) return static_cast<std::int64_t>(k);
    if (v > t + rho) continue;
    const double nm = n - m + 1;
    const double h = (m + 0.5) * std::log((m + 1) / (r * nm)) + stirling_correction(m) + stirling_correction(n - m);
    const double nk = n - k + 1;
    if (v <= h + (n + 1) * std::log(nm / nk) + (k + 0.5) * std::log(nk * r / (k + 1)) - stirling_correction(k) -
                 stirling_correction(n - k)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

}  // namespace

std::int64_t binomial(std::int64_t n, double p, std::mt19937_64& rng) {
  if (n < 0) throw std::invalid_argument("binomial: the number of trials must be >= 0, got " + std::to_string(n));
  if (!(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("binomial: the probability must be in [0, 1], got " + std::to_string(p));
  }
  if (n == 0 || p == 0.0) return 0;
  if (p == 1.0) return n;
  if (p > 0.5) return n - binomial(n, 1.0 - p, rng);
  if (static_cast<double>(n) * p < 10) return binomial_inversion(n, p, rng);
  return binomial_btrd(n, p, rng);
}

}  // namespace torchq
