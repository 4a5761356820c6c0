/**
 * @file sample_kernel.cpp
 * @brief Meta kernel of sample: shapes only, int64 [B, shots, m].
 */
#include <torch/library.h>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

at::Tensor sample_meta(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                       at::IntArrayRef wires, int64_t shots, int64_t seed) {
  check_program_meta(program);
  check_same_device({&program, &weights, &inputs}, "sample");
  check_weights_inputs_shapes(weights, inputs, "sample");
  TORCH_CHECK_VALUE(shots >= 1 && shots <= torchq::kMaxShots, "torchq.sample: shots must be >= 1 and at most 2^40, got ",
                    shots);
  return weights.new_empty_symint({inputs.sym_size(0), c10::SymInt(shots), c10::SymInt(static_cast<int64_t>(wires.size()))},
                                  weights.options().dtype(at::kLong));
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) { m.impl("sample", &sample_meta); }

}  // namespace torchq_ops
