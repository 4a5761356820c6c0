/**
 * @file aoti_infer.cpp
 * @brief Runs an AOTInductor package of a model with a torchq layer (made by
 * examples/export_aoti.py: torch.export with a dynamic batch, then
 * torch._inductor.aoti_compile_and_package) from C++, with no Python, and checks its outputs
 * against the eager outputs Python saved, for several batch sizes.
 *
 *   aoti_infer model.pt2 reference.pt [--tolerance T]
 *
 * reference.pt is torch.save({"inputs": [x...], "outputs": [y...]}) from Python. Exits 0 when
 * every output matches within T (default 1e-12, float64), 1 when one does not or on any error
 * (the message says what failed), 2 on a bad command line.
 */
#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/inductor/aoti_package/model_package_loader.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/torchq_ops.h"

namespace {

std::vector<at::Tensor> tensor_list(const c10::Dict<c10::IValue, c10::IValue>& dict, const char* key) {
  if (!dict.contains(key)) throw std::runtime_error(std::string("reference file has no entry \"") + key + "\"");
  std::vector<at::Tensor> out;
  for (const c10::IValue& v : dict.at(key).toListRef()) out.push_back(v.toTensor());
  return out;
}

int run(const std::string& model_path, const std::string& reference_path, double tolerance) {
  // The package calls torch.ops.torchq.* by name through the dispatcher (AOTInductor's proxy
  // executor resolves each extern op when the package loads), so the op library must be loaded
  // and registered before the loader is built: this is the one call that does it.
  const int num_ops = torchq_ops::ensure_loaded();
  std::printf("torchq: %d operator schemas registered\n", num_ops);

  std::ifstream file(reference_path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + reference_path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const c10::Dict<c10::IValue, c10::IValue> reference = torch::jit::pickle_load(bytes).toGenericDict();
  const std::vector<at::Tensor> inputs = tensor_list(reference, "inputs");
  const std::vector<at::Tensor> expected = tensor_list(reference, "outputs");
  if (inputs.empty() || inputs.size() != expected.size())
    throw std::runtime_error("reference file holds " + std::to_string(inputs.size()) + " inputs and " +
                             std::to_string(expected.size()) + " outputs; expected the same positive number");

  torch::inductor::AOTIModelPackageLoader loader(model_path);
  c10::InferenceMode inference;
  bool ok = true;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<at::Tensor> out = loader.run({inputs[i]});
    if (out.size() != 1 || !out[0].sizes().equals(expected[i].sizes())) {
      std::printf("batch %lld: the package returned %zu outputs, the first of shape %s; expected shape %s\n",
                  static_cast<long long>(inputs[i].size(0)), out.size(),
                  out.empty() ? "-" : c10::str(out[0].sizes()).c_str(), c10::str(expected[i].sizes()).c_str());
      ok = false;
      continue;
    }
    const double diff = (out[0] - expected[i]).abs().max().item<double>();
    const bool good = diff <= tolerance;  // false for NaN too
    std::printf("batch %3lld: max |C++ AOTI - Python eager| = %.3e%s\n", static_cast<long long>(inputs[i].size(0)),
                diff, good ? "" : "  <- exceeds the tolerance");
    ok &= good;
  }
  std::printf(ok ? "aoti_infer: OK\n" : "aoti_infer: FAILED\n");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  double tolerance = 1e-12;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tolerance" && i + 1 < argc) tolerance = std::atof(argv[++i]);
    else positional.push_back(arg);
  }
  if (positional.size() != 2) {
    std::fprintf(stderr, "usage: %s model.pt2 reference.pt [--tolerance T]\n", argv[0]);
    return 2;
  }
  // Every failure (a missing file, an op library that is not loaded, a shape the package
  // refuses) is reported and turned into exit status 1, never an abort.
  try {
    return run(positional[0], positional[1], tolerance);
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "aoti_infer: %s\n", e.what_without_backtrace());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aoti_infer: %s\n", e.what());
  }
  return 1;
}
