/**
 * @file fuzz_observables.cpp
 * @brief libFuzzer target: the observable parsers (observables_from_table, the form the ops read,
 * and observables_from_array), compile_observables, and, for small registers, the Pauli kernels
 * that measure them.
 *
 * Input: byte 0 gives the qubit count (1 + byte % 50), byte 1 the number of table rows
 * (byte % 9; 0 rows must be refused), bytes 2..7 are unused; from byte 8 on, float64 numbers in
 * the machine's byte order: the [rows, row_length] table (row_length = numbers / rows), which is
 * also parsed whole as one flat array.
 *
 * Oracles: what parses writes back to a table that parses to the same observables; for at most 10
 * qubits the one-pass expectations() agrees with expectation() per observable, and both, and
 * apply_observables_add, are finite when the coefficients are of moderate size.
 */
#include <cmath>
#include <complex>
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "torchq/errors.h"
#include "torchq/observables.h"

namespace {

using torchq::Complex;
using torchq::Index;

constexpr int kMaxRunQubits = 10;

void measure(const std::vector<torchq::Observable>& obs, int n) {
  const auto cobs = torchq::compile_observables(obs, n);
  const torchq::Executor& ex = torchq::serial_executor();
  const Index size = Index{1} << n;
  // A fixed normalised state with every amplitude non-zero, so every term contributes.
  std::vector<Complex<double>> psi(size);
  double norm2 = 0;
  for (Index i = 0; i < size; ++i) {
    psi[i] = {std::cos(0.7 * static_cast<double>(i) + 0.1), std::sin(1.3 * static_cast<double>(i) + 0.2)};
    norm2 += std::norm(psi[i]);
  }
  for (auto& a : psi) a /= std::sqrt(norm2);

  bool moderate = true;
  double weight = 0;  // sum of |coeff|: bounds every expectation value
  for (const auto& o : obs) {
    for (const auto& t : o.terms) {
      moderate = moderate && std::abs(t.coeff) <= 1e100;
      weight += std::abs(t.coeff);
    }
  }
  std::vector<double> all(cobs.size());
  torchq::expectations(psi.data(), n, cobs, all.data(), ex);
  std::vector<double> scales(cobs.size());
  for (std::size_t k = 0; k < cobs.size(); ++k) {
    const double one = torchq::expectation(psi.data(), n, cobs[k], ex);
    scales[k] = k % 2 ? 0.0 : 1.0 / static_cast<double>(k + 1);  // zero scales are skipped: cover both
    if (!moderate) continue;
    TORCHQ_FUZZ_CHECK(std::isfinite(one) && std::isfinite(all[k]), "non-finite expectation of observable %zu", k);
    TORCHQ_FUZZ_CHECK(std::abs(one) <= weight * (1 + 1e-9) + 1e-12, "|<O_%zu>| = %g exceeds sum |coeff| = %g", k,
                      one, weight);
    TORCHQ_FUZZ_CHECK(std::abs(one - all[k]) <= 1e-9 * (1 + weight), "expectations() %.17g != expectation() %.17g",
                      all[k], one);
  }
  std::vector<Complex<double>> out(size);
  torchq::apply_observables_add(out.data(), psi.data(), n, cobs, scales.data(), ex, /*overwrite=*/true);
  for (std::size_t k = 0; k < cobs.size(); ++k) {
    torchq::apply_observable_add(out.data(), psi.data(), n, cobs[k], -scales[k], ex);
  }
  if (!moderate) return;
  // sum_k s_k O_k psi - sum_k s_k O_k psi: zero up to rounding.
  for (Index i = 0; i < size; ++i) {
    TORCHQ_FUZZ_CHECK(std::abs(out[i]) <= 1e-9 * (1 + weight), "apply_observables_add and apply_observable_add "
                      "differ by %g at amplitude %llu", std::abs(out[i]), static_cast<unsigned long long>(i));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const int n = 1 + data[0] % 50;
  const std::size_t rows = data[1] % 9;
  const std::vector<double> numbers = torchq_fuzz::read_doubles(data + 8, size - 8);

  try {
    (void)torchq::observables_from_array(numbers, n);
  } catch (const torchq::ProgramError&) {
    // Refused with a message: expected for most inputs.
  }

  const std::size_t row_length = rows == 0 ? numbers.size() : numbers.size() / rows;
  std::vector<torchq::Observable> obs;
  try {
    obs = torchq::observables_from_table(numbers.data(), rows, row_length, n);
  } catch (const torchq::ProgramError&) {
    return 0;
  }
  TORCHQ_FUZZ_CHECK(rows > 0 && obs.size() == rows, "%zu rows parsed to %zu observables", rows, obs.size());
  // Round trip through the table form.
  std::size_t length = 0;
  const std::vector<double> table = torchq::observables_to_table(obs, &length);
  TORCHQ_FUZZ_CHECK(length > 0 && table.size() == length * obs.size(), "table of %zu numbers, rows of %zu",
                    table.size(), length);
  TORCHQ_FUZZ_CHECK(torchq::observables_from_table(table.data(), obs.size(), length, n) == obs,
                    "the written table parses to different observables");
  if (n <= kMaxRunQubits) {
    measure(obs, n);
  } else {
    (void)torchq::compile_observables(obs, n);
  }
  return 0;
}
