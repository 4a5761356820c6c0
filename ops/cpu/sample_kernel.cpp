/**
 * @file sample_kernel.cpp
 * @brief CPU kernel of sample: check, then call the core (seeded per sample, so the outcomes do
 * not depend on the thread count).
 */
#include <torch/library.h>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "ops/threads.h"

namespace torchq_ops {
namespace {

at::Tensor sample_cpu(const at::Tensor& program, const at::Tensor& weights, const at::Tensor& inputs,
                      at::IntArrayRef wires, int64_t shots, int64_t seed) {
  const auto compiled = program_from_tensor(program);
  const torchq::CompiledCircuit& c = *compiled;
  const auto w = wires_from_list(wires, c.circuit.num_qubits(), "sample");
  TORCH_CHECK_VALUE(shots >= 1 && shots <= torchq::kMaxShots, "torchq.sample: shots must be >= 1 and at most 2^40, got ",
                    shots);
  const Batch b = check_batch(c, weights, inputs, "sample");
  Outputs outputs("sample");
  at::Tensor out = outputs.empty({b.batch_size, shots, static_cast<int64_t>(w.size())}, b.weights.options().dtype(at::kLong));
  ThreadShare share;
  AT_DISPATCH_FLOATING_TYPES(b.weights.scalar_type(), "torchq_sample", [&] {
    call_core("sample", [&] {
      torchq::sample<scalar_t>(c, w, batch_view<scalar_t>(c, b), shots, static_cast<std::uint64_t>(seed),
                               out.data_ptr<int64_t>(), share.executor());
    });
  });
  return out;
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CPU, m) { m.impl("sample", &sample_cpu); }

}  // namespace torchq_ops
