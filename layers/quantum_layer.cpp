/// @file quantum_layer.cpp
#include "layers/quantum_layer.h"

#include <torch/nn/init.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <cmath>

#include "ops/inspect.h"
#include "ops/torchq_ops.h"
#include "torchq/draw.h"

namespace torchq::layers {

namespace {

const char* measure_name(Measurement m) {
  return m == Measurement::kExpval ? "expval" : m == Measurement::kVar ? "var" : "probs";
}

std::string join(const std::vector<int>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out + "]";
}

/// The observables of a table buffer (float64 [K, L], on any device).
std::vector<Observable> buffer_observables(const at::Tensor& table, int num_qubits) {
  const at::Tensor t = table.detach().to(at::kCPU).contiguous();
  return observables_from_table(t.data_ptr<double>(), t.size(0), t.size(1), num_qubits);
}

}  // namespace

// The checks follow Python's QuantumLayer.__init__ in order, so both refuse the same options first.
QuantumLayerImpl::QuantumLayerImpl(const Circuit& circuit, std::vector<Observable> obs, QuantumLayerOptions options)
    : circuit_(circuit), options_(std::move(options)), num_qubits_(circuit.num_qubits()), num_inputs_(circuit.num_inputs()) {
  TORCH_CHECK_VALUE(options_.dtype == at::kFloat || options_.dtype == at::kDouble,
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
    TORCH_CHECK_VALUE(obs.empty(), "QuantumLayer: Measurement::kProbs measures wires, not observables; give no "
                      "observables and set probs_wires");
    if (options_.probs_wires.empty()) {
      for (int w = 0; w < num_qubits_; ++w) options_.probs_wires.push_back(w);
    }
    std::vector<int> sorted = options_.probs_wires;
    std::sort(sorted.begin(), sorted.end());
    const bool distinct = std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
    TORCH_CHECK_VALUE(distinct && sorted.front() >= 0 && sorted.back() < num_qubits_, "QuantumLayer: wires must be "
                      "distinct wires in 0..", num_qubits_ - 1, ", at least one, got ", join(options_.probs_wires));
    obs.push_back(Observable::z(0));  // unused by probs; the placeholder Python stores too, so state_dicts match
  } else {
    TORCH_CHECK_VALUE(options_.probs_wires.empty(), "QuantumLayer: probs_wires is for Measurement::kProbs; ",
                      measure_name(options_.measure), " uses observables");
    TORCH_CHECK_VALUE(!obs.empty(), "QuantumLayer: measure=", measure_name(options_.measure),
                      " needs observables, e.g. Observable::z(0)");
  }
  if (options_.weight_init) {
    const at::Tensor& w = *options_.weight_init;
    TORCH_CHECK_VALUE(w.defined() && !w.is_complex(), "QuantumLayer: weight_init must be real numbers");
    TORCH_CHECK_VALUE(w.numel() == circuit.num_weights(), "QuantumLayer: weight_init has ", w.numel(),
                      " numbers but the circuit has ", circuit.num_weights(), " weights");
  }
  observable_list_ = std::move(obs);
  reset();
}

void QuantumLayerImpl::reset() {
  program = register_buffer("program", torchq_ops::program_tensor(circuit_));
  observables = register_buffer("observables", torchq_ops::observables_tensor(observable_list_));
  weights = register_parameter("weights", torch::empty({circuit_.num_weights()}, at::TensorOptions().dtype(options_.dtype)));
  reset_parameters();
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
  if (options_.weight_init) {
    weights.copy_(options_.weight_init->reshape({-1}).to(weights.options()));  // any shape, row-major
  } else {
    weights.uniform_(0.0, 2.0 * M_PI);
  }
}

std::vector<int64_t> QuantumLayerImpl::check_buffers() const {
  // The ops' own check of a layer's buffers (torch.ops.torchq._check, as Python's layer): the
  // program, the observable table against its qubits, and the mode, shots and trajectories
  // against the program (channels, the density-matrix qubit limit), without running anything.
  const std::vector<int64_t> info = torchq_ops::detail::_check(program, observables, std::nullopt, options_.mode,
                                                               options_.shots, options_.trajectories);
  TORCH_CHECK_VALUE(info[2] == weights.size(0), "QuantumLayer: the program has ", info[2],
                    " weights but the weight parameter has ", weights.size(0));
  return info;
}

void QuantumLayerImpl::load(torch::serialize::InputArchive& archive) {
  // Module::load copies into the existing tensors: keep copies, so a refused file leaves the
  // layer as it was (as Python's load_state_dict does), not holding the tampered program.
  torch::NoGradGuard no_grad;
  const at::Tensor saved_weights = weights.clone(), saved_program = program.clone(),
                   saved_observables = observables.clone();
  try {
    torch::nn::Module::load(archive);
    const std::vector<int64_t> info = check_buffers();  // [version, qubits, weights, inputs, operations]
    num_qubits_ = static_cast<int>(info[1]);  // as Python: the sizes follow the file
    num_inputs_ = static_cast<int>(info[3]);
  } catch (...) {
    weights.set_(saved_weights);
    program.set_(saved_program);
    observables.set_(saved_observables);
    throw;
  }
}

at::Tensor QuantumLayerImpl::forward(const at::Tensor& inputs) {
  // As Python's forward: inputs [..., F] are flattened to the ops' [B, F], and the leading
  // dimensions come back on the output. The ops check F against the circuit (one message for both).
  std::vector<int64_t> lead;
  at::Tensor x;
  if (!inputs.defined()) {
    x = at::zeros({1, 0}, weights.options());  // no inputs: one sample, no features
  } else {
    TORCH_CHECK_VALUE(inputs.dim() > 0, "QuantumLayer: inputs must be [B, F], [F] or [..., F], got a 0-d tensor");
    lead.assign(inputs.sizes().begin(), inputs.sizes().end() - 1);
    int64_t rows = 1;
    for (const int64_t d : lead) rows *= d;
    // Sizes given whole: reshape(-1, 0) of an empty [0] could not infer the -1.
    x = inputs.dim() == 2 ? inputs : inputs.reshape({rows, inputs.size(-1)});
    // Converting a complex tensor would drop the imaginary part without a word.
    TORCH_CHECK_VALUE(!x.is_complex(), "QuantumLayer: inputs must be real (features are rotation angles), got a "
                      "complex tensor");
    if (x.scalar_type() != weights.scalar_type()) x = x.to(weights.scalar_type());
  }
  at::Tensor out;
  switch (options_.measure) {
    case Measurement::kExpval:
      if (estimated()) {
        const int64_t seed = options_.seed + calls_;
        if (is_training()) ++calls_;  // fresh shot and trajectory noise for every training step
        out = torchq_ops::expval_estimated(program, observables, weights, x, options_.mode, options_.shots,
                                           options_.trajectories, seed);
      } else {
        out = torchq_ops::expval(program, observables, weights, x);
      }
      break;
    case Measurement::kVar: out = torchq_ops::var(program, observables, weights, x); break;
    case Measurement::kProbs:
      out = torchq_ops::probs(program, weights, x,
                              std::vector<int64_t>(options_.probs_wires.begin(), options_.probs_wires.end()));
      break;
  }
  if (!inputs.defined() || inputs.dim() != 2) {
    lead.push_back(out.size(-1));
    out = out.reshape(lead);
  }
  return out;
}

std::string QuantumLayerImpl::draw() const {
  const Circuit c = torchq_ops::circuit_from_tensor(program);  // the buffers: what a load brought
  if (options_.measure == Measurement::kProbs) return torchq::draw_probs(c, options_.probs_wires);
  return torchq::draw(c, buffer_observables(observables, c.num_qubits()), measure_name(options_.measure));
}

void QuantumLayerImpl::pretty_print(std::ostream& stream) const {
  // Python's extra_repr, then the drawing.
  stream << "torchq::QuantumLayer(num_qubits=" << num_qubits_ << ", num_weights=" << weights.size(0)
         << ", num_inputs=" << num_inputs_
         << ", dtype=" << (weights.scalar_type() == at::kDouble ? "torch.float64" : "torch.float32")
         << ", measure=" << measure_name(options_.measure);
  if (estimated()) {
    stream << ", mode=" << options_.mode << ", shots=" << options_.shots;
    if (options_.mode == "trajectories") stream << ", trajectories=" << options_.trajectories;
  }
  if (options_.measure == Measurement::kProbs) {
    stream << ", wires=" << join(options_.probs_wires);
  } else {
    const std::vector<Observable> obs = buffer_observables(observables, num_qubits_);
    stream << ", observables=[";
    for (std::size_t k = 0; k < obs.size(); ++k) stream << (k ? ", " : "") << observable_label(obs[k]);
    stream << "]";
  }
  stream << ")\n" << draw();
}

}  // namespace torchq::layers
