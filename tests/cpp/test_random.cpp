/**
 * @file test_random.cpp
 * @brief torchq's random streams (random.h): the binomial sampler against the exact
 * distribution, its argument checks, and the seed chains.
 */
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

#include "torchq/random.h"
#include "torchq/work_loop.h"

namespace torchq_test {
namespace {

/// log P(X = k) for X ~ Binomial(n, p), from lgamma (single-threaded test: no race).
double log_pmf(std::int64_t n, double p, std::int64_t k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
         (n - k) * std::log1p(-p);
}

/**
 * Draws many samples and compares the histogram with the exact probabilities by a chi-square
 * statistic over bins with an expected count of at least 20. For a correct sampler the statistic
 * is about the degrees of freedom; 1.6 x dof + 40 is far out in the tail (a fixed seed keeps it
 * repeatable). Also checks mean and variance to within five standard errors.
 */
void expect_binomial(std::int64_t n, double p, int draws, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::map<std::int64_t, int> counts;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < draws; ++i) {
    const std::int64_t k = torchq::binomial(n, p, rng);
    ASSERT_GE(k, 0);
    ASSERT_LE(k, n);
    ++counts[k];
    sum += static_cast<double>(k);
    sum2 += static_cast<double>(k) * static_cast<double>(k);
  }
  const double mean = sum / draws, var = sum2 / draws - mean * mean;
  const double true_mean = n * p, true_var = n * p * (1 - p);
  EXPECT_NEAR(mean, true_mean, 5 * std::sqrt(true_var / draws) + 1e-12) << "n=" << n << " p=" << p;
  EXPECT_NEAR(var / true_var, 1.0, 5 * std::sqrt(2.0 / draws) + 1e-12) << "n=" << n << " p=" << p;
  if (n > 100000) return;  // the pmf bins are too wide to enumerate cheaply; moments suffice
  double chi2 = 0, rest_expected = 0;
  int rest_observed = 0, dof = 0;
  for (std::int64_t k = 0; k <= n; ++k) {
    const double expected = draws * std::exp(log_pmf(n, p, k));
    const int observed = counts.count(k) ? counts[k] : 0;
    if (expected >= 20) {
      chi2 += (observed - expected) * (observed - expected) / expected;
      ++dof;
    } else {
      rest_expected += expected;
      rest_observed += observed;
    }
  }
  if (rest_expected >= 20) {
    chi2 += (rest_observed - rest_expected) * (rest_observed - rest_expected) / rest_expected;
    ++dof;
  }
  EXPECT_LT(chi2, 1.6 * dof + 40) << "n=" << n << " p=" << p << " dof=" << dof;
}

TEST(Binomial, MatchesTheExactDistributionInBothAlgorithms) {
  // Inversion (n p < 10) and BTRD (n p >= 10, including |k - mode| > 15 for the squeeze), both sides of 1/2.
  expect_binomial(5, 0.3, 200000, 1);
  expect_binomial(40, 0.1, 200000, 2);
  expect_binomial(100, 0.3, 200000, 3);
  expect_binomial(1000, 0.5, 200000, 4);
  expect_binomial(1000, 0.93, 200000, 5);
  expect_binomial(20000, 0.02, 200000, 6);
  expect_binomial(std::int64_t{1} << 40, 0.37, 20000, 7);
}

TEST(Binomial, EdgesAndRefusals) {
  std::mt19937_64 rng(0);
  EXPECT_EQ(torchq::binomial(0, 0.4, rng), 0);
  EXPECT_EQ(torchq::binomial(17, 0.0, rng), 0);
  EXPECT_EQ(torchq::binomial(17, 1.0, rng), 17);
  EXPECT_THROW(torchq::binomial(-1, 0.5, rng), std::invalid_argument);
  EXPECT_THROW(torchq::binomial(10, std::nan(""), rng), std::invalid_argument);
  EXPECT_THROW(torchq::binomial(10, 1.5, rng), std::invalid_argument);
  EXPECT_THROW(torchq::binomial(10, -0.1, rng), std::invalid_argument);
}

TEST(DeriveSeed, StreamsDifferByParentAndIndex) {
  EXPECT_NE(torchq::derive_seed(1, 0), torchq::derive_seed(1, 1));
  EXPECT_NE(torchq::derive_seed(1, 0), torchq::derive_seed(2, 0));
  EXPECT_EQ(torchq::derive_seed(7, 3), torchq::derive_seed(7, 3));
}

TEST(ItemWorkers, ThreadsStartOnlyWhenTheWorkPaysForThem) {
  // Regression: a batch of 2 went parallel whatever the work (14-20 ms stalls under load).
  EXPECT_EQ(torchq::detail::item_workers(2, 2, 8, 2), 1);      // two tiny samples
  EXPECT_EQ(torchq::detail::item_workers(32, 3, 10, 2), 1);    // 32 x (8 + 64) x 10 amplitude updates
  EXPECT_EQ(torchq::detail::item_workers(1024, 2, 8, 2), 2);   // a big batch of small circuits pays
  EXPECT_EQ(torchq::detail::item_workers(32, 8, 32, 2), 2);    // 8 qubits, batch 32
  EXPECT_EQ(torchq::detail::item_workers(32, 8, 32, 1), 1);    // one thread
  EXPECT_EQ(torchq::detail::item_workers(3, 20, 50, 4), 1);    // few large states: threads over amplitudes
  EXPECT_EQ(torchq::detail::item_workers(8, 20, 50, 4), 4);
  EXPECT_EQ(torchq::detail::item_workers(3, 12, 50, 8), 3);    // never more workers than items
}

}  // namespace
}  // namespace torchq_test
