/// @file quantum_layer.cpp
#include "layers/quantum_layer.h"

#include <torch/nn/init.h>
#include <torch/serialize/archive.h>

#include <cmath>

#include "ops/torchq_ops.h"
#include "torchq/draw.h"

namespace torchq::layers {

QuantumLayerImpl::QuantumLayerImpl(const Circuit& circuit, std::vector<Observable> obs, QuantumLayerOptions options)
    : circuit_(circuit), options_(std::move(options)), num_qubits_(circuit.num_qubits()), num_inputs_(circuit.num_inputs()) {
  TORCH_CHECK_TYPE(options_.dtype == at::kFloat || options_.dtype == at::kDouble,
                   "QuantumLayer: dtype must be float32 or float64, got ", options_.dtype);
  TORCH_CHECK_VALUE(options_.mode == "statevector" || options_.mode == "trajectories" ||
                        options_.mode == "density_matrix",
                    "QuantumLayer: mode must be \"statevector\", \"trajectories\" or \"density_matrix\", got \"",
                    options_.mode, "\"");
  TORCH_CHECK_VALUE(options_.shots >= 0 && options_.trajectories >= 1, "QuantumLayer: shots must be >= 0 and "
                    "trajectories >= 1, got ", options_.shots, " and ", options_.trajectories);
  TORCH_CHECK_VALUE(!estimated() || options_.measure == Measurement::kExpval, "QuantumLayer: mode \"",
                    options_.mode, "\" and shots=", options_.shots, " estimate expectation values: use "
                    "Measurement::kExpval (var and probs are exact statevector measurements)");
  for (std::size_t i = 0; i < circuit.operations().size(); ++i) {
    const Operation& op = circuit.operations()[i];
    TORCH_CHECK_VALUE(!gate_info(op.gate).channel || options_.mode != "statevector", "QuantumLayer: ",
                      describe_op(op, i), " is a noise channel; set the option mode to \"density_matrix\" "
                      "(exact, up to 12 qubits) or \"trajectories\"");
  }
  if (options_.measure == Measurement::kProbs) {
    if (options_.probs_wires.empty()) {
      for (int w = 0; w < num_qubits_; ++w) options_.probs_wires.push_back(w);
    }
    if (obs.empty()) obs.push_back(Observable::z(0));  // unused by probs; keeps the table non-empty
  }
  TORCH_CHECK_VALUE(!obs.empty(), "QuantumLayer: give at least one observable (e.g. Observable::z(0))");
  observable_list_ = std::move(obs);
  reset();
}

void QuantumLayerImpl::reset() {
  program = register_buffer("program", torchq_ops::program_tensor(circuit_));
  observables = register_buffer("observables", torchq_ops::observables_tensor(observable_list_));
  weights = register_parameter("weights", torch::empty({circuit_.num_weights()}, at::TensorOptions().dtype(options_.dtype)));
  reset_parameters();  // before the check: the ops refuse the non-finite garbage of torch::empty
  check_buffers();
}

void QuantumLayerImpl::to(torch::Dtype dtype, bool non_blocking) {
  TORCH_CHECK_TYPE(dtype == at::kFloat || dtype == at::kDouble, "QuantumLayer: the weights can be float32 or float64, "
                   "got ", dtype, " (the program and observables stay float64 whatever the layer's dtype)");
  torch::NoGradGuard no_grad;
  weights.set_data(weights.to(dtype, non_blocking));
  options_.dtype = dtype;
}

void QuantumLayerImpl::to(torch::Device device, torch::Dtype dtype, bool non_blocking) {
  to(device, non_blocking);
  to(dtype, non_blocking);
}

void QuantumLayerImpl::to(torch::Device device, bool non_blocking) {
  // Moves the parameter and buffers as any module does (the ops refuse devices they do not run on).
  torch::nn::Module::to(device, non_blocking);
}

void QuantumLayerImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  weights.uniform_(0.0, 2.0 * M_PI);
}

void QuantumLayerImpl::check_buffers() const {
  const Circuit c = torchq_ops::circuit_from_tensor(program);  // throws with the reason
  TORCH_CHECK_VALUE(c.num_weights() == weights.size(0), "QuantumLayer: the program has ", c.num_weights(),
                    " weights but the weight parameter has ", weights.size(0));
  // The ops validate the observable table against the circuit on every call; check it now too
  // (and the mode against the program: channels, the density-matrix qubit limit).
  const at::Tensor x0 = at::zeros({0, c.num_inputs()}, weights.options());
  if (estimated()) {
    torchq_ops::expval_estimated(program, observables, weights.detach(), x0, options_.mode, options_.shots,
                                 options_.trajectories, 0);
  } else {
    torchq_ops::expval(program, observables, weights.detach(), x0);
  }
}

void QuantumLayerImpl::load(torch::serialize::InputArchive& archive) {
  // Module::load copies into the existing tensors: keep copies, so a refused file leaves the
  // layer as it was (as Python's load_state_dict does), not holding the tampered program.
  torch::NoGradGuard no_grad;
  const at::Tensor saved_weights = weights.clone(), saved_program = program.clone(),
                   saved_observables = observables.clone();
  try {
    torch::nn::Module::load(archive);
    check_buffers();
  } catch (...) {
    weights.set_(saved_weights);
    program.set_(saved_program);
    observables.set_(saved_observables);
    throw;
  }
}

at::Tensor QuantumLayerImpl::forward(const at::Tensor& inputs_in) {
  // Converting a complex tensor would drop the imaginary part without a word.
  TORCH_CHECK_TYPE(!inputs_in.is_complex(), "QuantumLayer: inputs must be real (features are rotation angles), got ",
                   inputs_in.scalar_type());
  const bool single = inputs_in.dim() == 1;
  at::Tensor inputs = single ? inputs_in.unsqueeze(0) : inputs_in;
  if (inputs.scalar_type() != weights.scalar_type()) inputs = inputs.to(weights.scalar_type());  // as in Python
  if (num_inputs_ == 0 && inputs.numel() == 0 && inputs.dim() != 2) inputs = at::zeros({1, 0}, weights.options());
  at::Tensor out;
  switch (options_.measure) {
    case Measurement::kExpval:
      if (estimated()) {
        const int64_t seed = options_.seed + calls_;
        if (is_training()) ++calls_;  // fresh shot and trajectory noise for every training step
        out = torchq_ops::expval_estimated(program, observables, weights, inputs, options_.mode, options_.shots,
                                           options_.trajectories, seed);
      } else {
        out = torchq_ops::expval(program, observables, weights, inputs);
      }
      break;
    case Measurement::kVar: out = torchq_ops::var(program, observables, weights, inputs); break;
    case Measurement::kProbs:
      out = torchq_ops::probs(program, weights, inputs,
                              std::vector<int64_t>(options_.probs_wires.begin(), options_.probs_wires.end()));
      break;
  }
  return single ? out.squeeze(0) : out;
}

std::string QuantumLayerImpl::draw() const { return torchq::draw(torchq_ops::circuit_from_tensor(program)); }

void QuantumLayerImpl::pretty_print(std::ostream& stream) const {
  const char* m = options_.measure == Measurement::kExpval ? "expval" : options_.measure == Measurement::kVar ? "var" : "probs";
  stream << "torchq::QuantumLayer(qubits=" << num_qubits_ << ", weights=" << weights.size(0)
         << ", inputs=" << num_inputs_ << ", observables=" << observables.size(0) << ", measure=" << m;
  if (estimated()) {
    stream << ", mode=" << options_.mode << ", shots=" << options_.shots;
    if (options_.mode == "trajectories") stream << ", trajectories=" << options_.trajectories;
  }
  stream << ")\n"
         << draw();
}

}  // namespace torchq::layers
