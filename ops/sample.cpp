/**
 * @file sample.cpp
 * @brief The sample op's schema and its dispatcher wrapper (declared in ops/torchq_ops.h).
 * Kernels: ops/cpu and ops/meta sample_kernel.cpp (not differentiable: integer outcomes).
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

#include "ops/torchq_ops.h"

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("sample(Tensor program, Tensor weights, Tensor inputs, int[] wires, int shots, int seed) -> Tensor");
}

namespace torchq_ops {

at::Tensor sample(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                  at::IntArrayRef wires, int64_t shots, int64_t seed) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::sample", "").typed<decltype(sample)>();
  return op.call(program, weights, inputs, wires, shots, seed);
}

}  // namespace torchq_ops
