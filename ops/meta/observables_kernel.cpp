/**
 * @file observables_kernel.cpp
 * @brief Meta kernel of _observables_from_table: the terms are the table's values, which a meta
 * tensor does not have, so it refuses and says how to get real buffers.
 */
#include <torch/library.h>

#include <optional>

#include "ops/checks.h"
#include "ops/observables.h"

namespace torchq_ops {
namespace {

ObservableTerms observables_from_table_meta(const at::Tensor& observables, std::optional<int64_t> num_qubits) {
  const char* name = "_observables_from_table";
  qubit_count_or_max(num_qubits, name);
  TORCH_CHECK_TYPE(observables.scalar_type() == at::kDouble, "torchq.", name,
                   ": the observables tensor must be float64, got ", observables.scalar_type());
  TORCH_CHECK_VALUE(observables.dim() == 2, "torchq.", name,
                    ": the observables tensor must be 2-D [num_observables, row_length], got shape ",
                    observables.sizes());
  refuse_meta_data(name, "the terms are", "the observables table's");
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) { m.impl("_observables_from_table", &observables_from_table_meta); }

}  // namespace torchq_ops
