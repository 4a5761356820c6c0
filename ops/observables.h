/**
 * @file observables.h
 * @brief The observable ops (schemas in observables.cpp): the core's observable table, its
 * validation and its labels for callers that hold observables as flat lists of terms (the Python
 * package). A list of K observables crosses the op boundary as five flat lists:
 *   term_counts [K]   the number of terms of observable k
 *   coeffs      [T]   each term's real coefficient (T = sum of term_counts)
 *   words       [T]   each term's Pauli word, letters I, X, Y, Z ("" is coeff * identity)
 *   wire_counts [T]   each term's number of wires (one per letter)
 *   wires       [W]   the wires of all terms, term after term (W = sum of wire_counts)
 * An I letter keeps its wire (Identity(3) is the word "I" on wire 3), as torchq/observables.h says.
 */
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "torchq/observables.h"

namespace torchq_ops {

/// Observables as flat lists of terms (see the file comment): the outputs of _observables_from_table.
using ObservableTerms = std::tuple<std::vector<int64_t>, std::vector<double>, std::vector<std::string>,
                                   std::vector<int64_t>, std::vector<int64_t>>;

/**
 * @brief Builds the core's observables from flat lists of terms; the lists must agree in length,
 * and each word is read by torchq::Observable::add_term (letters, one wire per letter). Errors
 * name the observable and term and say "torchq.<op>: ...". Does not validate wires or
 * coefficients: torchq::validate_observables does.
 */
std::vector<torchq::Observable> observables_from_terms(at::IntArrayRef term_counts, at::ArrayRef<double> coeffs,
                                                       const c10::List<std::string>& words,
                                                       at::IntArrayRef wire_counts, at::IntArrayRef wires,
                                                       const char* op);

/// The flat lists of terms of the core's observables (an I factor is the letter I on its wire).
ObservableTerms terms_of_observables(const std::vector<torchq::Observable>& observables);

/**
 * @brief The float64 [K, L] table of observables (torchq::observables_to_table), after the core's
 * validation against `num_qubits` (kMaxQubits when not given); at least one observable.
 */
at::Tensor observables_table_tensor(const std::vector<torchq::Observable>& observables,
                                    std::optional<int64_t> num_qubits, const char* op);

/// A qubit count argument: the given one, in [1, kMaxQubits], or kMaxQubits.
int qubit_count_or_max(std::optional<int64_t> num_qubits, const char* op);

namespace detail {

/// The observables of a [K, L] table as flat lists of terms, validated against num_qubits.
ObservableTerms _observables_from_table(const at::Tensor& observables, std::optional<int64_t> num_qubits);

}  // namespace detail
}  // namespace torchq_ops
