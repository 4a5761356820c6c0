/**
 * @file inspect.cpp
 * @brief Schemas and dispatcher wrappers of program_info, draw and _check. Kernels: ops/cpu and
 * ops/meta inspect_kernel.cpp (the Meta kernels refuse: the answers are the program's data).
 */
#include "ops/inspect.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  m.def("program_info(Tensor program) -> int[]");
  // The circuit as text, with its measurement: observables (expval, var) end their wires in
  // "┤ <k>" and add a line each; probs ends the measured wires (default all) in "┤ Probs".
  m.def("draw(Tensor program, Tensor? observables=None, str measure=\"expval\", int[]? wires=None) -> str");
  // The layers' buffer check: program, observables, estimator arguments and (optional) weights,
  // as the op the layer calls would check them; returns program_info.
  m.def("_check(Tensor program, Tensor observables, Tensor? weights, str mode, int shots, int trajectories) "
        "-> int[]");
}

namespace torchq_ops::detail {

std::vector<int64_t> program_info(const at::Tensor& program) {
  static auto op =
      c10::Dispatcher::singleton().findSchemaOrThrow("torchq::program_info", "").typed<decltype(program_info)>();
  return op.call(program);
}

std::string draw(const at::Tensor& program, const std::optional<at::Tensor>& observables, c10::string_view measure,
                 at::OptionalIntArrayRef wires) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::draw", "").typed<decltype(draw)>();
  return op.call(program, observables, measure, wires);
}

std::vector<int64_t> _check(const at::Tensor& program, const at::Tensor& observables,
                            const std::optional<at::Tensor>& weights, c10::string_view mode, int64_t shots,
                            int64_t trajectories) {
  static auto op = c10::Dispatcher::singleton().findSchemaOrThrow("torchq::_check", "").typed<decltype(_check)>();
  return op.call(program, observables, weights, mode, shots, trajectories);
}

}  // namespace torchq_ops::detail
