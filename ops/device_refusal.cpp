/**
 * @file device_refusal.cpp
 * @brief torchq simulates on the CPU. Tensors on another device (CUDA, MPS, XPU) get this clear
 * error instead of the dispatcher's generic "could not run with arguments from the backend".
 */
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/library.h>

namespace torchq_ops {
namespace {

void refuse_device(const c10::OperatorHandle& op, torch::jit::Stack* stack) {
  std::string device = "a non-CPU device";
  for (const c10::IValue& v : *stack) {
    if (v.isTensor() && v.toTensor().defined() && !v.toTensor().device().is_cpu()) {
      device = v.toTensor().device().str();
      break;
    }
  }
  TORCH_CHECK(false, op.schema().name(), ": torchq simulates on the CPU, but got tensors on ", device,
              ". Move the program, observables, weights and inputs with .cpu() (and the result back with .to(device)).");
}

// Every torchq op that takes a tensor (library.cpp's and gate_table.cpp's take none, and neither
// do _observables_table and _observable_labels).
// tests/python/test_op_registry.py walks the registered schemas and fails, naming this file, when
// an op taking tensors is missing here.
constexpr const char* kTensorOps[] = {
    "expval",           "_expval_backward", "_expval_keep_states", "_expval_backward_from_states",
    "var",              "_var_backward",    "probs",               "_probs_backward",
    "state",            "_state_backward",  "sample",              "expval_estimated",
    "_expval_estimated_backward",           "program_info",        "draw",
    "_check",           "_observables_from_table"};

}  // namespace

TORCH_LIBRARY_IMPL(torchq, CUDA, m) {
  for (const char* name : kTensorOps) m.impl(name, torch::CppFunction::makeFromBoxedFunction<&refuse_device>());
}
TORCH_LIBRARY_IMPL(torchq, MPS, m) {
  for (const char* name : kTensorOps) m.impl(name, torch::CppFunction::makeFromBoxedFunction<&refuse_device>());
}
TORCH_LIBRARY_IMPL(torchq, XPU, m) {
  for (const char* name : kTensorOps) m.impl(name, torch::CppFunction::makeFromBoxedFunction<&refuse_device>());
}

}  // namespace torchq_ops
