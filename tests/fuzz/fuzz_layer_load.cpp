/**
 * @file fuzz_layer_load.cpp
 * @brief libFuzzer target: loading a saved torchq::layers::QuantumLayer from arbitrary bytes
 * (torch::serialize::InputArchive::load_from, then QuantumLayerImpl::load, which validates the
 * loaded program and observables), then one forward pass.
 *
 * Input: the bytes of a file written by torch::save(layer, ...). The seeds are real files and
 * tampered ones (tests/fuzz/make_seeds.cpp). Each input is loaded into three freshly built layers
 * (expval in float32, probs in float64, and expval estimated from shots and trajectories), since
 * the layer's options decide which op the loaded buffers reach.
 *
 * Every c10::Error or std::exception is an accepted outcome (a refused file); crashes, sanitizer
 * reports and hangs are bugs. A forward that succeeds must give finite numbers.
 */
#include <torch/serialize/input-archive.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <vector>

#include "fuzz_common.h"
#include "layers/quantum_layer.h"
#include "ops/torchq_ops.h"

namespace {

using torchq::layers::Measurement;
using torchq::layers::QuantumLayer;
using torchq::layers::QuantumLayerOptions;

// Loaded programs may declare any size: a forward runs only up to this many input features
// (the input tensor is made here), and the memory guard refuses large registers (see below).
constexpr int64_t kMaxFeatures = 1024;

QuantumLayer make_layer(int variant) {
  torchq::Circuit c(2, 2, 2);
  c.add(torchq::GateId::RY, {0}, {torchq::ParamRef::input(0)});
  c.add(torchq::GateId::RX, {1}, {torchq::ParamRef::weight(0)});
  c.add(torchq::GateId::CNOT, {0, 1});
  c.add(torchq::GateId::RZ, {1}, {torchq::ParamRef::weight(1, 0.5)});
  QuantumLayerOptions o;
  switch (variant) {
    case 0: break;
    case 1:
      o.measure = Measurement::kProbs;
      o.dtype = at::kDouble;
      break;
    default:
      o.mode = "trajectories";
      o.trajectories = 2;
      o.shots = 4;
      o.seed = 3;
      break;
  }
  std::vector<torchq::Observable> obs{torchq::Observable::z(0), torchq::Observable::pauli_word("XY", {0, 1})};
  return QuantumLayer(c, obs, o);
}

void load_and_run(const std::uint8_t* data, std::size_t size, int variant) {
  QuantumLayer layer = make_layer(variant);
  torch::serialize::InputArchive archive;
  archive.load_from(reinterpret_cast<const char*>(data), size);
  layer->load(archive);
  // The loaded program passed validation; build a batch of two rows for it.
  const torchq::Circuit c = torchq_ops::circuit_from_tensor(layer->program);
  if (c.num_inputs() > kMaxFeatures) return;
  const at::Tensor x = (at::arange(2 * c.num_inputs(), at::TensorOptions().dtype(layer->weights.scalar_type())) % 2)
                           .reshape({2, c.num_inputs()});
  const at::Tensor y = layer->forward(x);
  TORCHQ_FUZZ_CHECK(y.defined() && at::isfinite(y).all().item<bool>(), "forward of a loaded layer is not finite");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Loaded programs may have up to 50 qubits: the memory guard (torchq/memory.h) must refuse
  // them quickly with MemoryError instead of simulating gigabytes. 2^20 bytes holds one state of
  // 16 qubits in float32, so every forward stays within milliseconds.
  setenv("TORCHQ_MEMORY_LIMIT_BYTES", "1048576", 1);
  at::set_num_threads(1);
  torchq_ops::ensure_loaded();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  for (int variant = 0; variant < 3; ++variant) {
    try {
      load_and_run(data, size, variant);
    } catch (const std::exception&) {
      // c10::Error (a std::exception) from the archive reader or from the layer's validation: a
      // refused file, the expected outcome for most inputs.
    }
  }
  return 0;
}
