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
 *
 * torch's own archive reader (as of torch 2.13) is not safe on hostile bytes, and torchq cannot
 * check what it does before torchq sees the tensors. The target therefore skips, and counts, the
 * files that would trip its known upstream bugs, so that the fuzzer keeps exploring torchq:
 *  - a pickle string or bytes object whose declared length exceeds its record: the unpickler
 *    allocates and zero-fills the declared length first (4 GiB from four bytes);
 *  - a pickle memo index (LONG_BINPUT) far beyond the record's size: the unpickler grows its memo
 *    table to the index first (tens of GiB from four bytes);
 *  - a record whose declared size exceeds the whole file: read into a buffer of that size;
 *  - a storage that the pickle declares larger than its record: the tensor is made over the
 *    shorter buffer, and whoever reads it (torchq's program parser first) reads past the heap
 *    buffer. A c10::Storage does not know the size of its buffer; the sanitizer's allocator does.
 * docs/architecture.md ("Fuzzing and sanitizers") lists them.
 */
#include <caffe2/serialize/inline_container.h>
#include <sanitizer/allocator_interface.h>
#include <torch/serialize/input-archive.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
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

std::size_t g_skipped_for_torch = 0;

std::uint64_t little_endian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/**
 * Walks a pickle's opcodes (the protocol-2 subset torch writes, plus the length-prefixed ones of
 * later protocols) and returns false when a length-prefixed argument claims more bytes than the
 * record has left. Stops, returning true, at an opcode it does not know: torch refuses those.
 */
bool pickle_lengths_fit(const unsigned char* p, std::size_t n) {
  std::size_t i = 0;
  auto newline_arg = [&]() {  // GLOBAL and text opcodes: up to the next newline
    const void* nl = std::memchr(p + i, '\n', n - i);
    if (nl == nullptr) return false;
    i = static_cast<std::size_t>(static_cast<const unsigned char*>(nl) - p) + 1;
    return true;
  };
  while (i < n) {
    const unsigned char op = p[i++];
    int fixed = -1;    // bytes of a fixed-size argument
    int len_bytes = 0;  // bytes of a length prefix, then that many bytes of data
    switch (op) {
      case '.': return true;  // STOP
      case '(': case ')': case '}': case ']': case 't': case 'l': case 'd': case 'N': case 'R': case 'Q': case 'b':
      case 'u': case 's': case 'e': case 'a': case '0': case '1': case '2': case 0x81: case 0x85: case 0x86:
      case 0x87: case 0x88: case 0x89: case 0x94: case 0x8f: case 0x90: case 0x91: case 0x93:
        fixed = 0;
        break;
      case 0x80: case 'K': case 'q': case 'h': fixed = 1; break;      // PROTO, BININT1, BINPUT, BINGET
      case 'M': fixed = 2; break;                                     // BININT2
      case 'J': fixed = 4; break;                                     // BININT
      case 'r': case 'j':                                             // LONG_BINPUT, LONG_BINGET
        // The unpickler sizes its memo table by the index: a memo of more entries than the
        // record has bytes is a hostile one.
        if (n - i < 4) return true;
        if (little_endian(p + i, 4) > n) return false;
        i += 4;
        continue;
      case 'G': case 0x95: fixed = 8; break;                          // BINFLOAT, FRAME
      case 'c':                                                       // GLOBAL: module\nname\n
        if (!newline_arg() || !newline_arg()) return true;
        continue;
      case 'U': case 'C': case 0x8c: case 0x8a: len_bytes = 1; break;  // SHORT_BINSTRING/BINBYTES/UNICODE, LONG1
      case 'T': case 'B': case 'X': case 0x8b: len_bytes = 4; break;  // BINSTRING, BINBYTES, BINUNICODE, LONG4
      case 0x8d: case 0x8e: case 0x96: len_bytes = 8; break;         // BINUNICODE8, BINBYTES8, BYTEARRAY8
      default: return true;
    }
    if (fixed >= 0) {
      if (n - i < static_cast<std::size_t>(fixed)) return true;  // truncated: torch refuses it
      i += fixed;
      continue;
    }
    if (n - i < static_cast<std::size_t>(len_bytes)) return true;
    const std::uint64_t length = little_endian(p + i, len_bytes);
    i += len_bytes;
    if (length > n - i) return false;
    i += length;
  }
  return true;
}

/// The first two checks of the file comment, on the zip records before torch unpickles them.
bool records_fit(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  caffe2::serialize::PyTorchStreamReader reader(&in);
  for (const std::string& name : reader.getAllRecords()) {
    if (reader.getRecordSize(name) > size) return false;
    // data.pkl, constants.pkl, and code/*.debug_pkl (unpickled when an error message quotes the
    // TorchScript source).
    if (name.size() >= 3 && name.compare(name.size() - 3, 3, "pkl") == 0) {
      auto [record, length] = reader.getRecord(name);
      if (!pickle_lengths_fit(static_cast<const unsigned char*>(record.get()), length)) return false;
    }
  }
  return true;
}

/// The third check of the file comment, on the tensors as torch made them.
bool storages_hold_their_bytes(torch::serialize::InputArchive& archive) {
  for (const char* key : {"weights", "program", "observables"}) {
    at::Tensor t;
    if (!archive.try_read(key, t) || !t.defined() || !t.has_storage()) continue;
    const void* p = t.storage().data();
    if (p != nullptr && __sanitizer_get_ownership(p) != 0 && __sanitizer_get_allocated_size(p) < t.storage().nbytes()) {
      return false;
    }
  }
  return true;
}

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
  // A probs layer measures wires and takes no observables (its table is the placeholder Z(0)).
  std::vector<torchq::Observable> obs{torchq::Observable::z(0), torchq::Observable::pauli_word("XY", {0, 1})};
  if (variant == 1) obs.clear();
  return QuantumLayer(c, obs, o);
}

void load_and_run(torch::serialize::InputArchive& archive, int variant) {
  QuantumLayer layer = make_layer(variant);
  layer->load(archive);
  // The loaded program passed validation; build a batch of two rows for it.
  const torchq::Circuit c = torchq_ops::circuit_from_tensor(layer->program);
  if (c.num_inputs() > kMaxFeatures) return;
  const at::Tensor x = (at::arange(2 * c.num_inputs(), at::TensorOptions().dtype(layer->weights.scalar_type())) % 2)
                           .reshape({2, c.num_inputs()});
  const at::Tensor y = layer->forward(x);
  TORCHQ_FUZZ_CHECK(y.defined() && at::isfinite(y).all().item<bool>(), "forward of a loaded layer is not finite");
}

void report_skips() {
  std::fprintf(stderr, "fuzz_layer_load: %zu inputs skipped for known torch archive-reader bugs\n",
               g_skipped_for_torch);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Loaded programs may have up to 50 qubits: the memory guard (torchq/memory.h) must refuse
  // them quickly with MemoryError instead of simulating gigabytes. 2^20 bytes holds one state of
  // 16 qubits in float32, so every forward stays within milliseconds.
  setenv("TORCHQ_MEMORY_LIMIT_BYTES", "1048576", 1);
  at::set_num_threads(1);
  torchq_ops::ensure_loaded();
  std::atexit(report_skips);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  torch::serialize::InputArchive archive;
  try {
    if (!records_fit(data, size)) {
      ++g_skipped_for_torch;
      return 0;
    }
    archive.load_from(reinterpret_cast<const char*>(data), size);
  } catch (const std::exception&) {
    return 0;  // c10::Error from the zip or pickle reader: not an archive. The expected outcome.
  }
  if (!storages_hold_their_bytes(archive)) {
    ++g_skipped_for_torch;
    return 0;
  }
  for (int variant = 0; variant < 3; ++variant) {
    try {
      load_and_run(archive, variant);
    } catch (const std::exception&) {
      // c10::Error (a std::exception) from the layer's validation or the ops: a refused file, the
      // expected outcome for most inputs.
    }
  }
  return 0;
}
