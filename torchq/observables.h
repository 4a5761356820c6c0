/**
 * @file observables.h
 * @brief Observables: Pauli words and Hamiltonians (weighted sums of Pauli words), their
 * serialised form, and the Pauli kernels used by measurements and the adjoint method.
 *
 * Observable set format, version 1 (flat float64 array):
 *   [kObservableMagic, version, num_observables,
 *    per observable: num_terms, per term: coeff, num_factors, (wire, pauli) per factor]
 * pauli: 0 = I, 1 = X, 2 = Y, 3 = Z. A term with no factors is coeff * identity. An I factor
 * changes nothing in the value (the term stays coeff times its other factors); it records that
 * the observable acts on that wire, as PennyLane's Identity(wire) does, so the wire is checked
 * against the circuit's qubit count and drawn like any other. Code 0 is a later addition to
 * version 1: a build from before it refuses a table that holds one ("pauli code ... got 0").
 */
#pragma once

#include <complex>
#include <span>
#include <string>
#include <vector>

#include "torchq/parallel.h"
#include "torchq/types.h"

namespace torchq {

inline constexpr double kObservableMagic = 20817.0;  // "QQ" as 0x5151
inline constexpr int kObservableVersion = 1;

enum class Pauli : std::uint8_t { I = 0, X = 1, Y = 2, Z = 3 };

struct PauliFactor {
  int wire;
  Pauli pauli;
  friend bool operator==(const PauliFactor&, const PauliFactor&) = default;
};

struct PauliTerm {
  double coeff = 1.0;
  std::vector<PauliFactor> factors;
  friend bool operator==(const PauliTerm&, const PauliTerm&) = default;
};

/// A Hermitian observable: sum of real-weighted Pauli words.
struct Observable {
  std::vector<PauliTerm> terms;

  /// A single Pauli word from a string like "XZ" on the given wires; an 'I' letter keeps its
  /// wire as an identity factor (see the file comment).
  static Observable pauli_word(const std::string& paulis, const std::vector<int>& wires, double coeff = 1.0);
  /// Z on one wire.
  static Observable z(int wire) { return pauli_word("Z", {wire}); }
  /// coeff * identity, on `wire`: its value is coeff, and the wire is validated and drawn.
  static Observable identity(int wire, double coeff = 1.0) { return pauli_word("I", {wire}, coeff); }
  Observable& add_term(double coeff, const std::string& paulis, const std::vector<int>& wires);
  /// The wires of every factor (identity factors included), sorted, each once.
  std::vector<int> wires() const;
  friend bool operator==(const Observable&, const Observable&) = default;
};

/// Serialises observables (see file comment).
std::vector<double> observables_to_array(const std::vector<Observable>& obs);
/// Parses and validates against a qubit count; throws ProgramError saying what and where.
std::vector<Observable> observables_from_array(std::span<const double> data, int num_qubits);
/**
 * @brief The table form used by the LibTorch ops: K rows of equal length L, so that K is a
 * tensor dimension. Row k = [kObservableMagic, version, num_terms, terms..., zero padding],
 * terms encoded as in the flat array.
 */
std::vector<double> observables_to_table(const std::vector<Observable>& obs, std::size_t* row_length);
/// Parses and validates a [num_rows, row_length] table (see observables_to_table).
std::vector<Observable> observables_from_table(const double* data, std::size_t num_rows, std::size_t row_length,
                                               int num_qubits);

/// Checks wires in range and distinct within each term (identity factors included), coefficients finite.
void validate_observables(const std::vector<Observable>& obs, int num_qubits);

/// Text as Python's Observable.label(): "Z(0)", "X(0) @ Z(1)", "0.5*Z(0) - X(2) + 2*I", "I(3)".
std::string observable_label(const Observable& o);

/// A Pauli word as bit masks: P|i> = i^num_y (-1)^popcount(i & zmask) |i ^ xmask>.
/// zmask includes the Y bits; xmask the X and Y bits.
struct PauliMasks {
  Index xmask = 0;
  Index zmask = 0;
  int num_y = 0;
  double coeff = 1.0;
};

/// An observable compiled to masks for an n-qubit register.
struct CompiledObservable {
  std::vector<PauliMasks> terms;
};

std::vector<CompiledObservable> compile_observables(const std::vector<Observable>& obs, int num_qubits);

/// i^k for k mod 4.
inline std::complex<double> i_power(int k) {
  switch (k & 3) {
    case 0: return {1, 0};
    case 1: return {0, 1};
    case 2: return {-1, 0};
    default: return {0, -1};
  }
}

/**
 * @brief <a| Proj(proj_mask) P |b> for the Pauli word (xmask, zmask, num_y), without copies.
 * The sum runs over fixed blocks, so it is identical for any executor.
 */
template <class T>
std::complex<double> pauli_inner(const Complex<T>* a, const Complex<T>* b, int num_qubits, Index xmask,
                                 Index zmask, int num_y, Index proj_mask, const Executor& ex);

/// <psi|O|psi> (real: O is Hermitian).
template <class T>
double expectation(const Complex<T>* psi, int num_qubits, const CompiledObservable& obs, const Executor& ex);

/// out += coeff * O|psi>, for each term of O scaled by `scale`. out must not alias psi.
template <class T>
void apply_observable_add(Complex<T>* out, const Complex<T>* psi, int num_qubits,
                          const CompiledObservable& obs, double scale, const Executor& ex);

/**
 * @brief <psi|O_k|psi> for every observable into out[k], in as few passes as possible: all the
 * diagonal terms (Z and I only, e.g. Z on each wire) of all observables share one pass.
 */
template <class T>
void expectations(const Complex<T>* psi, int num_qubits, const std::vector<CompiledObservable>& obs, double* out,
                  const Executor& ex);

/// out += sum_k scales[k] O_k |psi> (zero scales skipped); the diagonal terms share one pass.
/// With `overwrite`, out = sum_k ... instead, without a pass to zero it first.
template <class T>
void apply_observables_add(Complex<T>* out, const Complex<T>* psi, int num_qubits,
                           const std::vector<CompiledObservable>& obs, const double* scales, const Executor& ex,
                           bool overwrite = false);

}  // namespace torchq
