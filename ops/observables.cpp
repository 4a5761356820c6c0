/**
 * @file observables.cpp
 * @brief Schemas of the observable ops, the kernels of the two that take no tensor
 * (_observables_table, _observable_labels: plain functions, like library.cpp's ops), the
 * dispatcher wrapper of _observables_from_table (kernels: ops/cpu and ops/meta
 * observables_kernel.cpp), and the conversions between flat lists of terms and the core's
 * observables. Everything about observables (letters, table format, validation, labels) is the
 * core's, torchq/observables.h; this file only moves lists across.
 */
#include "ops/observables.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include <limits>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor observables_table_op(at::IntArrayRef term_counts, at::ArrayRef<double> coeffs,
                                const c10::List<std::string>& words, at::IntArrayRef wire_counts,
                                at::IntArrayRef wires, std::optional<int64_t> num_qubits) {
  const char* name = "_observables_table";
  return observables_table_tensor(observables_from_terms(term_counts, coeffs, words, wire_counts, wires, name),
                                  num_qubits, name);
}

std::vector<std::string> observable_labels_op(at::IntArrayRef term_counts, at::ArrayRef<double> coeffs,
                                              const c10::List<std::string>& words, at::IntArrayRef wire_counts,
                                              at::IntArrayRef wires) {
  std::vector<std::string> out;
  for (const torchq::Observable& o :
       observables_from_terms(term_counts, coeffs, words, wire_counts, wires, "_observable_labels")) {
    out.push_back(torchq::observable_label(o));
  }
  return out;
}

int64_t count_of(at::IntArrayRef counts, const char* what, const char* op) {
  int64_t total = 0;
  for (const int64_t c : counts) {
    TORCH_CHECK_VALUE(c >= 0 && c <= (int64_t{1} << 24), "torchq.", op, ": ", what, " must be in [0, 2^24], got ", c);
    total += c;
  }
  return total;
}

}  // namespace

std::vector<torchq::Observable> observables_from_terms(at::IntArrayRef term_counts, at::ArrayRef<double> coeffs,
                                                       const c10::List<std::string>& words,
                                                       at::IntArrayRef wire_counts, at::IntArrayRef wires,
                                                       const char* op) {
  const int64_t num_terms = count_of(term_counts, "term_counts", op);
  TORCH_CHECK_VALUE(static_cast<int64_t>(coeffs.size()) == num_terms &&
                        static_cast<int64_t>(words.size()) == num_terms &&
                        static_cast<int64_t>(wire_counts.size()) == num_terms,
                    "torchq.", op, ": term_counts add up to ", num_terms, " terms, but got ", coeffs.size(),
                    " coeffs, ", words.size(), " words and ", wire_counts.size(), " wire_counts (one each per term)");
  const int64_t num_wires = count_of(wire_counts, "wire_counts", op);
  TORCH_CHECK_VALUE(static_cast<int64_t>(wires.size()) == num_wires, "torchq.", op, ": wire_counts add up to ",
                    num_wires, " wires, but got ", wires.size(), " wires");
  std::vector<torchq::Observable> out(term_counts.size());
  std::size_t t = 0, w = 0;
  for (std::size_t k = 0; k < term_counts.size(); ++k) {
    for (int64_t j = 0; j < term_counts[k]; ++j, ++t) {
      std::vector<int> term_wires;
      for (int64_t i = 0; i < wire_counts[t]; ++i, ++w) {
        // The core takes int wires; a wider one cannot be a wire, and would wrap if narrowed.
        TORCH_CHECK_VALUE(wires[w] >= std::numeric_limits<int>::min() && wires[w] <= std::numeric_limits<int>::max(),
                          "torchq.", op, ": observable #", k, " term #", j, ": wire ", wires[w], " is out of range");
        term_wires.push_back(static_cast<int>(wires[w]));
      }
      call_core(op, [&] {
        try {
          out[k].add_term(coeffs[t], words.get(t), term_wires);
        } catch (const std::invalid_argument& e) {
          throw torchq::ArgumentError("observable #" + std::to_string(k) + " term #" + std::to_string(j) + ": " +
                                      e.what());
        }
      });
    }
  }
  return out;
}

ObservableTerms terms_of_observables(const std::vector<torchq::Observable>& observables) {
  ObservableTerms out;
  auto& [term_counts, coeffs, words, wire_counts, wires] = out;
  for (const torchq::Observable& o : observables) {
    term_counts.push_back(static_cast<int64_t>(o.terms.size()));
    for (const torchq::PauliTerm& t : o.terms) {
      coeffs.push_back(t.coeff);
      wire_counts.push_back(static_cast<int64_t>(t.factors.size()));
      std::string word;
      for (const torchq::PauliFactor& f : t.factors) {
        word += "IXYZ"[static_cast<int>(f.pauli) & 3];  // torchq::Pauli's codes: I = 0, X, Y, Z
        wires.push_back(f.wire);
      }
      words.push_back(std::move(word));
    }
  }
  return out;
}

int qubit_count_or_max(std::optional<int64_t> num_qubits, const char* op) {
  if (!num_qubits.has_value()) return torchq::kMaxQubits;
  TORCH_CHECK_VALUE(*num_qubits >= 1 && *num_qubits <= torchq::kMaxQubits, "torchq.", op,
                    ": num_qubits must be in [1, ", torchq::kMaxQubits, "], got ", *num_qubits);
  return static_cast<int>(*num_qubits);
}

at::Tensor observables_table_tensor(const std::vector<torchq::Observable>& observables,
                                    std::optional<int64_t> num_qubits, const char* op) {
  const int n = qubit_count_or_max(num_qubits, op);
  TORCH_CHECK_VALUE(!observables.empty(), "torchq.", op, ": give at least one observable");
  std::size_t width = 0;
  std::vector<double> table;
  call_core(op, [&] {
    torchq::validate_observables(observables, n);
    table = torchq::observables_to_table(observables, &width);
  });
  return at::tensor(at::ArrayRef<double>(table), at::TensorOptions().dtype(at::kDouble))
      .reshape({static_cast<int64_t>(observables.size()), static_cast<int64_t>(width)});
}

namespace detail {

ObservableTerms _observables_from_table(const at::Tensor& observables, std::optional<int64_t> num_qubits) {
  static auto op = c10::Dispatcher::singleton()
                       .findSchemaOrThrow("torchq::_observables_from_table", "")
                       .typed<decltype(_observables_from_table)>();
  return op.call(observables, num_qubits);
}

}  // namespace detail
}  // namespace torchq_ops

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  // Observables as flat lists of terms (ops/observables.h): the validated float64 [K, L] table,
  // checked against num_qubits when given (else against the most qubits torchq simulates).
  m.def("_observables_table(int[] term_counts, float[] coeffs, str[] words, int[] wire_counts, int[] wires, "
        "int? num_qubits=None) -> Tensor",
        &torchq_ops::observables_table_op);
  // A table back to flat lists of terms, validated as the ops validate it.
  m.def("_observables_from_table(Tensor observables, int? num_qubits=None) "
        "-> (int[] term_counts, float[] coeffs, str[] words, int[] wire_counts, int[] wires)");
  // The core's text of each observable: "Z(0)", "0.5*Z(0) @ Z(1) - X(2) + I", "I(3)".
  m.def("_observable_labels(int[] term_counts, float[] coeffs, str[] words, int[] wire_counts, int[] wires) -> str[]",
        &torchq_ops::observable_labels_op);
}
