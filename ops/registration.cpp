/**
 * @file registration.cpp
 * @brief Every torchq operator schema, in one TORCH_LIBRARY block (kernels register per backend
 * in ops/cpu, ops/meta and ops/autograd). Schemas are documented in the README.
 */
#include <torch/library.h>

#include "ops/common.h"

namespace torchq_ops {
namespace {

void set_num_threads(int64_t n) { set_thread_override(n); }
int64_t get_num_threads() { return configured_threads(); }
std::vector<int64_t> program_cache_info() { return program_cache_usage(); }

}  // namespace
}  // namespace torchq_ops

TORCH_LIBRARY(torchq, m) {
  m.def("expval(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> Tensor");
  m.def("_expval_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, Tensor inputs, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  // expval's training pair: the forward also returns the final states [B, 2^n] (complex), which
  // the backward starts its sweep from (used by expval's autograd kernel when they fit).
  m.def("_expval_keep_states(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> (Tensor, Tensor)");
  m.def("_expval_backward_from_states(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, "
        "Tensor inputs, Tensor final_states, bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  m.def("var(Tensor program, Tensor observables, Tensor weights, Tensor inputs) -> Tensor");
  m.def("_var_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, Tensor inputs, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  m.def("probs(Tensor program, Tensor weights, Tensor inputs, int[] wires) -> Tensor");
  m.def("_probs_backward(Tensor grad_out, Tensor program, Tensor weights, Tensor inputs, int[] wires, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  m.def("state(Tensor program, Tensor weights, Tensor inputs, int num_qubits) -> Tensor");
  m.def("_state_backward(Tensor grad_out, Tensor program, Tensor weights, Tensor inputs, int num_qubits, "
        "bool need_weights, bool need_inputs) -> (Tensor, Tensor)");
  m.def("sample(Tensor program, Tensor weights, Tensor inputs, int[] wires, int shots, int seed) -> Tensor");
  m.def("expval_estimated(Tensor program, Tensor observables, Tensor weights, Tensor inputs, str mode, int shots, "
        "int trajectories, int seed) -> Tensor");
  m.def("_expval_estimated_backward(Tensor grad_out, Tensor program, Tensor observables, Tensor weights, "
        "Tensor inputs, str mode, int shots, int trajectories, int seed, bool need_weights, bool need_inputs) "
        "-> (Tensor, Tensor)");
  m.def("program_info(Tensor program) -> int[]");
  m.def("draw(Tensor program) -> str");
  m.def("set_num_threads(int num_threads) -> ()", &torchq_ops::set_num_threads);
  m.def("get_num_threads() -> int", &torchq_ops::get_num_threads);
  // [entries, bytes, entry limit, byte limit] of the compiled-program cache (tests, diagnostics).
  m.def("_program_cache_info() -> int[]", &torchq_ops::program_cache_info);
}
