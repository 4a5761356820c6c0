/**
 * @file observables_kernel.cpp
 * @brief CPU kernel of _observables_from_table: the table parsed and validated by the core, as
 * every measuring op parses it, then handed back as flat lists of terms.
 */
#include <torch/library.h>

#include <optional>

#include "ops/checks.h"
#include "ops/observables.h"

namespace torchq_ops {
namespace {

ObservableTerms observables_from_table_cpu(const at::Tensor& observables, std::optional<int64_t> num_qubits) {
  const char* name = "_observables_from_table";
  check_cpu(observables, "observables", name);
  return terms_of_observables(parse_observables(observables, qubit_count_or_max(num_qubits, name)));
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) { m.impl("_observables_from_table", &observables_from_table_cpu); }

}  // namespace torchq_ops
