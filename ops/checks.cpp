/// @file checks.cpp
#include "ops/checks.h"

#include <ATen/Dispatch.h>
#include <c10/util/Exception.h>

#include <cmath>
#include <exception>
#include <sstream>
#include <string>

namespace torchq_ops {

void call_core(const char* op, const std::function<void()>& fn) {
  try {
    fn();
  } catch (const c10::Error&) {
    throw;
  } catch (const torchq::MemoryError& e) {
    TORCH_CHECK(false, "torchq.", op, ": ", e.what());
  } catch (const std::invalid_argument& e) {
    TORCH_CHECK_VALUE(false, "torchq.", op, ": ", e.what());
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "torchq.", op, ": ", e.what());
  }
}

void check_cpu(const at::Tensor& t, const char* name, const char* op) {
  TORCH_CHECK(t.device().is_cpu(), "torchq.", op, ": ", name, " must be a CPU tensor like the other arguments, got one on ",
              t.device(), "; move it with .cpu()");
  TORCH_CHECK(t.has_storage(), "torchq.", op, ": ", name, " has no data (a tensor subclass or transform wrapper "
              "reached the CPU kernel); call the op on plain tensors");
}

void check_finite(const at::Tensor& t, const char* name, const char* op) {
  if (t.numel() == 0) return;
  AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "torchq_check_finite", [&] {
    const scalar_t* p = t.data_ptr<scalar_t>();
    const int64_t n = t.numel();
    // x - x is 0 for finite x and NaN for NaN and inf: one branch-free pass, vectorised.
    scalar_t acc = 0;
    for (int64_t i = 0; i < n; ++i) acc += p[i] - p[i];
    if (acc == scalar_t(0)) return;
    for (int64_t i = 0; i < n; ++i) {
      if (!std::isfinite(p[i])) {
        std::vector<int64_t> index(t.dim());
        for (int64_t d = t.dim() - 1, rest = i; d >= 0; --d) {
          index[d] = rest % t.size(d);
          rest /= t.size(d);
        }
        TORCH_CHECK_VALUE(false, "torchq.", op, ": ", name, " hold a non-finite value (", p[i], " at index ",
                          at::IntArrayRef(index), "). torchq refuses NaN and inf weights and inputs in every op: "
                          "a NaN there usually means training diverged; lower the learning rate, clip gradients, or "
                          "find the step with torch.autograd.set_detect_anomaly(True)");
      }
    }
  });
}

void check_weights_inputs_shapes(const at::Tensor& weights, const at::Tensor& inputs, const char* op) {
  TORCH_CHECK_TYPE(weights.scalar_type() == at::kFloat || weights.scalar_type() == at::kDouble, "torchq.", op,
                   ": weights must be float32 or float64, got ", weights.scalar_type());
  TORCH_CHECK_TYPE(inputs.scalar_type() == weights.scalar_type(), "torchq.", op, ": inputs dtype ",
                   inputs.scalar_type(), " differs from weights dtype ", weights.scalar_type(),
                   "; convert one of them, e.g. inputs.to(weights.dtype)");
  TORCH_CHECK_VALUE(weights.dim() == 1 || weights.dim() == 2, "torchq.", op,
                    ": weights must be 1-D [P] (shared) or 2-D [B, P] (one set per sample), got shape ",
                    weights.sizes());
  TORCH_CHECK_VALUE(inputs.dim() == 2, "torchq.", op, ": inputs must be 2-D [B, F] (batch, features), got shape ",
                    inputs.sizes());
  if (weights.dim() == 2) {
    TORCH_CHECK_VALUE(weights.sym_size(0) == inputs.sym_size(0), "torchq.", op,
                      ": per-sample weights have batch size ", weights.sym_size(0), " but inputs have ",
                      inputs.sym_size(0));
  }
}

Batch check_batch(const torchq::CompiledCircuit& c, const at::Tensor& weights, const at::Tensor& inputs,
                  const char* op) {
  check_weights_inputs_shapes(weights, inputs, op);
  check_cpu(weights, "weights", op);
  check_cpu(inputs, "inputs", op);
  const int64_t P = c.circuit.num_weights();
  const int64_t F = c.circuit.num_inputs();
  TORCH_CHECK_VALUE(weights.size(-1) == P, "torchq.", op, ": the circuit has ", P,
                    " weights but the weights tensor has ", weights.size(-1), " (shape ", weights.sizes(), ")");
  TORCH_CHECK_VALUE(inputs.size(1) == F, "torchq.", op, ": the circuit reads ", F,
                    " input features but inputs have ", inputs.size(1), " (shape ", inputs.sizes(), ")");
  Batch b;
  b.weights = weights.contiguous();
  b.inputs = inputs.contiguous();
  check_finite(b.weights, "weights", op);
  check_finite(b.inputs, "inputs", op);
  b.batch_size = inputs.size(0);
  b.weights_per_sample = weights.dim() == 2;
  return b;
}

std::vector<torchq::Observable> parse_observables(const at::Tensor& observables, int num_qubits) {
  TORCH_CHECK_TYPE(observables.scalar_type() == at::kDouble,
                   "torchq: the observables tensor must be float64 (made by torchq observables_to_table), got ",
                   observables.scalar_type());
  TORCH_CHECK_VALUE(observables.dim() == 2,
                    "torchq: the observables tensor must be 2-D [num_observables, row_length], got shape ",
                    observables.sizes());
  TORCH_CHECK(observables.device().is_cpu(), "torchq: the observables tensor must be on the CPU, got ",
              observables.device());
  TORCH_CHECK(observables.has_storage(), "torchq: the observables tensor has no data (a tensor subclass or "
              "transform wrapper); pass the plain float64 observables table");
  const at::Tensor o = observables.contiguous();
  std::vector<torchq::Observable> out;
  call_core("observables", [&] {
    out = torchq::observables_from_table(o.data_ptr<double>(), o.size(0), o.size(1), num_qubits);
  });
  return out;
}

std::vector<torchq::CompiledObservable> observables_from_tensor(const at::Tensor& observables, int num_qubits) {
  const std::vector<torchq::Observable> obs = parse_observables(observables, num_qubits);
  std::vector<torchq::CompiledObservable> out;
  call_core("observables", [&] { out = torchq::compile_observables(obs, num_qubits); });
  return out;
}

std::vector<int> wires_from_list(at::IntArrayRef wires, int num_qubits, const char* op) {
  std::vector<int> out;
  for (int64_t w : wires) {
    TORCH_CHECK_VALUE(w >= 0 && w < num_qubits, "torchq.", op, ": wire ", w, " is out of range: the circuit has ",
                      num_qubits, " qubits, so wires are 0..", num_qubits - 1);
    out.push_back(static_cast<int>(w));
  }
  call_core(op, [&] { torchq::validate_wires(out, num_qubits, op); });
  return out;
}

void check_draw_measurement(c10::string_view measure, bool has_observables, at::OptionalIntArrayRef wires,
                            const char* op) {
  const std::string m(measure);
  TORCH_CHECK_VALUE(m == "expval" || m == "var" || m == "probs", "torchq.", op,
                    ": measure must be \"expval\", \"var\" or \"probs\", got \"", m, "\"");
  if (m == "probs") {
    TORCH_CHECK_VALUE(!has_observables, "torchq.", op,
                      ": measure=\"probs\" measures wires, not observables; pass wires (or none for all)");
  } else {
    TORCH_CHECK_VALUE(!wires.has_value() || wires->empty(), "torchq.", op, ": wires are for measure=\"probs\"; ",
                      m, " measures the observables");
  }
}

void check_num_qubits(const torchq::CompiledCircuit& c, int64_t num_qubits, const char* op) {
  TORCH_CHECK_VALUE(num_qubits == c.circuit.num_qubits(), "torchq.", op, ": num_qubits=", num_qubits,
                    " but the program has ", c.circuit.num_qubits(), " qubits; pass the program's qubit count");
}

torchq::EstimatorOptions estimator_options(c10::string_view mode, int64_t shots, int64_t trajectories, int64_t seed,
                                           const char* op) {
  torchq::EstimatorOptions o;
  const std::string name(mode);
  TORCH_CHECK_VALUE(name == "statevector" || name == "trajectories" || name == "density_matrix", "torchq.", op,
                    ": mode must be \"statevector\", \"trajectories\" or \"density_matrix\", got \"", name, "\"");
  o.mode = torchq::estimator_mode_from_name(name);
  TORCH_CHECK_VALUE(shots >= 0 && shots <= torchq::kMaxShots, "torchq.", op,
                    ": shots must be >= 0 (0 = the exact expectation value of the mode) and at most 2^40, got ", shots);
  TORCH_CHECK_VALUE(trajectories >= 1 && trajectories <= torchq::kMaxTrajectories, "torchq.", op,
                    ": trajectories must be >= 1 and at most 2^30 (it is used by mode \"trajectories\"), got ",
                    trajectories);
  o.shots = shots;
  o.trajectories = trajectories;
  o.seed = static_cast<std::uint64_t>(seed);
  return o;
}

at::ScalarType complex_dtype(at::ScalarType real) { return real == at::kFloat ? at::kComplexFloat : at::kComplexDouble; }

at::Tensor Outputs::empty(at::IntArrayRef sizes, const at::TensorOptions& options) {
  std::uint64_t count = 1;
  for (int64_t s : sizes) count = torchq::saturating_mul(count, static_cast<std::uint64_t>(s));
  const std::uint64_t bytes = torchq::saturating_mul(count, at::elementSize(at::typeMetaToScalarType(options.dtype())));
  call_core(op_, [&] {
    std::ostringstream what;
    what << "the output " << sizes << " " << options.dtype();
    held_.push_back(torchq::reserve_memory(bytes, what.str()));
  });
  return at::empty(sizes, options);
}

BackwardOutputs::BackwardOutputs(const at::Tensor& grad_out, at::IntArrayRef shape, at::ScalarType dtype,
                                 const Batch& b, bool need_weights, bool need_inputs, const char* op)
    : outputs_(op), need_weights_(need_weights), need_inputs_(need_inputs) {
  check_cpu(grad_out, "grad_out", op);
  TORCH_CHECK_VALUE(grad_out.sizes() == shape, "torchq.", op, ": grad_out must have shape ", shape, ", got ",
                    grad_out.sizes());
  grad_out_ = grad_out.to(dtype).contiguous();
  grad_weights_ = outputs_.grad_for(b.weights, need_weights);
  grad_inputs_ = outputs_.grad_for(b.inputs, need_inputs);
}

// ---- Meta ----

void check_program_meta(const at::Tensor& program) {
  TORCH_CHECK_TYPE(program.scalar_type() == at::kDouble, "torchq: the program tensor must be float64, got ",
                   program.scalar_type());
  TORCH_CHECK_VALUE(program.dim() == 1, "torchq: the program tensor must be 1-D, got ", program.dim(), "-D");
}

void check_same_device(std::initializer_list<const at::Tensor*> tensors, const char* op) {
  const at::Device d = (*tensors.begin())->device();
  for (const at::Tensor* t : tensors) {
    TORCH_CHECK(t->device() == d, "torchq.", op, ": all tensors must be on one device, got ", d, " and ", t->device());
  }
}

void check_observable_call_meta(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                const at::Tensor& inputs, const char* op) {
  check_program_meta(program);
  TORCH_CHECK_VALUE(observables.dim() == 2, "torchq: observables must be 2-D [num_observables, row_length]");
  check_same_device({&program, &observables, &weights, &inputs}, op);
  check_weights_inputs_shapes(weights, inputs, op);
}

at::Tensor meta_observable_values(const at::Tensor& program, const at::Tensor& observables, const at::Tensor& weights,
                                  const at::Tensor& inputs, const char* op) {
  check_observable_call_meta(program, observables, weights, inputs, op);
  return weights.new_empty_symint({inputs.sym_size(0), observables.sym_size(0)});
}

std::tuple<at::Tensor, at::Tensor> meta_backward_outputs(const at::Tensor& weights, const at::Tensor& inputs,
                                                         bool need_weights, bool need_inputs) {
  auto grad_like = [&](const at::Tensor& t, bool needed) {
    return needed ? t.new_empty_symint(t.sym_sizes()) : weights.new_empty({0});
  };
  return {grad_like(weights, need_weights), grad_like(inputs, need_inputs)};
}

void refuse_meta_data(const char* op, const char* needs, const char* source) {
  TORCH_CHECK(false, "torchq.", op, ": ", needs, " ", source, " values, and a meta tensor has none. Build the "
              "layer on the CPU, or, after creating it under torch.device('meta'), load real buffers with "
              "load_state_dict(..., assign=True) (or module.to_empty(device='cpu') and a state dict) before calling it");
}

}  // namespace torchq_ops
