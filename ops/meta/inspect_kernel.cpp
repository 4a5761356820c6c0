/**
 * @file inspect_kernel.cpp
 * @brief Meta kernels of program_info, draw and _check: their answers are the program's data,
 * which a meta tensor does not have, so they refuse and say how to get real buffers.
 */
#include <torch/library.h>

#include <optional>

#include "ops/checks.h"

namespace torchq_ops {
namespace {

std::vector<int64_t> program_info_meta(const at::Tensor& program) {
  check_program_meta(program);
  refuse_meta_data("program_info", "the version, qubit, weight, input and operation counts are");
}

std::string draw_meta(const at::Tensor& program, const std::optional<at::Tensor>& observables,
                      c10::string_view measure, at::OptionalIntArrayRef wires) {
  check_draw_measurement(measure, observables.has_value(), wires, "draw");
  check_program_meta(program);
  if (observables.has_value()) {
    TORCH_CHECK_VALUE(observables->dim() == 2, "torchq: observables must be 2-D [num_observables, row_length]");
    check_same_device({&program, &*observables}, "draw");
  }
  refuse_meta_data("draw", "a drawing shows");
}

std::vector<int64_t> check_meta(const at::Tensor& program, const at::Tensor& observables,
                                const std::optional<at::Tensor>& weights, c10::string_view mode, int64_t shots,
                                int64_t trajectories) {
  estimator_options(mode, shots, trajectories, 0, "_check");
  check_program_meta(program);
  refuse_meta_data("_check", "checking the observables, weights and mode against the program reads");
}

}  // namespace

TORCH_LIBRARY_IMPL(torchq, Meta, m) {
  m.impl("program_info", &program_info_meta);
  m.impl("draw", &draw_meta);
  m.impl("_check", &check_meta);
}

}  // namespace torchq_ops
