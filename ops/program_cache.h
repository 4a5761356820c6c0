/**
 * @file program_cache.h
 * @brief The program tensor to a compiled circuit, checked and cached: a training step parses the
 * same program twice (forward, backward) and every step again, so the last compiled programs are
 * kept, keyed by their full content (a changed or tampered program is a different key, parsed and
 * validated afresh).
 */
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "torchq/lowering.h"

namespace torchq_ops {

/**
 * @brief Checks and parses the program tensor (float64 [L] on the CPU, a serialised
 * torchq::Circuit); errors name the problem and what is allowed. Reads the tensor's data: callers
 * pass real CPU tensors only (the CPU kernels, after their device checks).
 */
std::shared_ptr<const torchq::CompiledCircuit> program_from_tensor(const at::Tensor& program);

/// The program cache now: [entries, bytes, entry limit, byte limit].
std::vector<int64_t> program_cache_usage();

}  // namespace torchq_ops
