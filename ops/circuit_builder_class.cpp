/**
 * @file circuit_builder_class.cpp
 * @brief torch.classes.torchq.CircuitBuilder: the core's circuit builder, templates and
 * algorithms (torchq/build/) as a TorchScript custom class, so Python builds circuits with the
 * same code as C++ and holds no second implementation (docs/architecture.md, "Circuit building").
 *
 * Why a custom class and not ops that append to a program tensor: a builder has state (the weight
 * counter, the operations so far) and about forty entry points; a class keeps that state in C++
 * and re-encodes nothing per call, while ops would parse and re-serialise the whole program on
 * every gate. The class lives in libtorchq_ops.so, which stays free of libpython.
 *
 * Angles cross as 4 numbers (kind, index, second_index, value), the program format's encoding of
 * a parameter (torchq/circuit.h), so Python's Param is a plain record. Every method validates what
 * it adds at once and throws ValueError naming "op #k (Gate)", as the Python API always did.
 */
#include <torch/custom_class.h>
#include <torch/library.h>

#include <complex>
#include <string>
#include <tuple>
#include <vector>

#include "ops/checks.h"
#include "ops/program_cache.h"
#include "torchq/build/algorithms.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "torchq/noise.h"

namespace torchq_ops {
namespace {

using IntList = std::vector<int64_t>;
using FloatList = std::vector<double>;

std::vector<int> to_ints(const IntList& v, const char* what) {
  std::vector<int> out;
  out.reserve(v.size());
  for (int64_t x : v) {
    TORCH_CHECK_VALUE(x >= INT32_MIN && x <= INT32_MAX, "torchq.Circuit: ", what, " ", x, " is out of range");
    out.push_back(static_cast<int>(x));
  }
  return out;
}

int to_int(int64_t x, const char* what) {
  TORCH_CHECK_VALUE(x >= INT32_MIN && x <= INT32_MAX, "torchq.Circuit: ", what, " ", x, " is out of range");
  return static_cast<int>(x);
}

/// (kind, index, second_index, value) per parameter, as in the program format.
std::vector<torchq::Param> to_params(const FloatList& flat) {
  TORCH_CHECK_VALUE(flat.size() % 4 == 0, "torchq.Circuit: parameters travel as 4 numbers each (kind, index, "
                    "second_index, value), got ", flat.size(), " numbers");
  std::vector<torchq::Param> out;
  for (std::size_t i = 0; i < flat.size(); i += 4) {
    const double kind = flat[i];
    TORCH_CHECK_VALUE(kind == 0 || kind == 1 || kind == 2 || kind == 3,
                      "torchq.Circuit: a parameter kind is 0 (constant), 1 (weight), 2 (input) or 3 (input product), got ",
                      kind);
    torchq::ParamRef r;
    r.kind = static_cast<torchq::ParamRef::Kind>(static_cast<int>(kind));
    r.index = to_int(static_cast<int64_t>(flat[i + 1]), "parameter index");
    r.second = to_int(static_cast<int64_t>(flat[i + 2]), "parameter second index");
    r.value = flat[i + 3];
    out.emplace_back(r);
  }
  return out;
}

FloatList from_param(const torchq::Param& p) {
  return {static_cast<double>(p.ref.kind), static_cast<double>(p.ref.index), static_cast<double>(p.ref.second),
          p.ref.value};
}

/// A row-major matrix given as (real, imaginary) pairs.
std::vector<std::complex<double>> to_matrix(const FloatList& flat) {
  TORCH_CHECK_VALUE(flat.size() % 2 == 0, "torchq.Circuit: a matrix travels as (real, imaginary) pairs, got ",
                    flat.size(), " numbers");
  std::vector<std::complex<double>> out(flat.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = {flat[2 * i], flat[2 * i + 1]};
  return out;
}

IntList weight_range(const torchq::WeightRange& r) { return {r.first, r.count}; }

}  // namespace

/// The custom class: one core builder. Methods throw ValueError (bad arguments) through call_core.
struct CircuitBuilderClass : torch::CustomClassHolder {
  torchq::CircuitBuilder b;

  CircuitBuilderClass(int64_t num_qubits, int64_t num_inputs)
      : b(make(num_qubits, num_inputs)) {}
  explicit CircuitBuilderClass(torchq::CircuitBuilder builder) : b(std::move(builder)) {}

  static torchq::CircuitBuilder make(int64_t num_qubits, int64_t num_inputs) {
    std::optional<torchq::CircuitBuilder> built;
    call_core("Circuit", [&] { built.emplace(to_int(num_qubits, "num_qubits"), to_int(num_inputs, "num_inputs")); });
    return std::move(*built);
  }

  /// Runs `fn` on the builder; a core error becomes ValueError prefixed "torchq.Circuit: ".
  template <class F>
  auto with(F&& fn) {
    using R = decltype(fn(b));
    if constexpr (std::is_void_v<R>) {
      call_core("Circuit", [&] { fn(b); });
    } else {
      std::optional<R> out;
      call_core("Circuit", [&] { out.emplace(fn(b)); });
      return std::move(*out);
    }
  }
};

namespace {

using Self = c10::intrusive_ptr<CircuitBuilderClass>;

std::tuple<int64_t, IntList, IntList, FloatList, FloatList, FloatList> operation(const Self& self, int64_t i) {
  return self->with([&](torchq::CircuitBuilder& b) {
    const auto& ops = b.operations();
    if (i < 0 || i >= static_cast<int64_t>(ops.size()))
      throw torchq::ArgumentError("operation index " + std::to_string(i) + " is out of range: the circuit has " +
                                  std::to_string(ops.size()) + " operations");
    const torchq::Operation& op = ops[static_cast<std::size_t>(i)];
    FloatList params, matrix, amplitude;
    for (const auto& p : op.params) {
      const auto flat = from_param(torchq::Param(p));
      params.insert(params.end(), flat.begin(), flat.end());
    }
    for (const auto& z : op.matrix) {
      matrix.push_back(z.real());
      matrix.push_back(z.imag());
    }
    if (op.gate == torchq::GateId::AmplitudeEmbedding) {
      amplitude = {static_cast<double>(op.amplitude.feature_offset), static_cast<double>(op.amplitude.num_features),
                   op.amplitude.normalize ? 1.0 : 0.0, op.amplitude.pad};
    }
    return std::make_tuple(static_cast<int64_t>(op.gate), IntList(op.wires.begin(), op.wires.end()),
                           IntList(op.controls.begin(), op.controls.end()), params, matrix, amplitude);
  });
}

}  // namespace
}  // namespace torchq_ops

TORCH_LIBRARY_FRAGMENT(torchq, m) {
  using torchq_ops::CircuitBuilderClass;
  using torchq_ops::FloatList;
  using torchq_ops::IntList;
  using torchq_ops::Self;
  using namespace torchq_ops;  // NOLINT: the helpers above
  namespace tq = torchq;

  m.class_<CircuitBuilderClass>("CircuitBuilder")
      .def(torch::init<int64_t, int64_t>())
      .def("num_qubits", [](const Self& s) -> int64_t { return s->b.num_qubits(); })
      .def("num_inputs", [](const Self& s) -> int64_t { return s->b.num_inputs(); })
      .def("num_weights", [](const Self& s) -> int64_t { return s->b.num_weights(); })
      .def("num_operations", [](const Self& s) -> int64_t { return static_cast<int64_t>(s->b.operations().size()); })
      .def("operation", &operation)
      // Parameters: (kind, index, second_index, value).
      .def("weight", [](const Self& s, double scale) { return s->with([&](tq::CircuitBuilder& b) { return from_param(b.weight(scale)); }); })
      .def("input", [](const Self& s, int64_t i, double scale) {
        return s->with([&](tq::CircuitBuilder& b) { return from_param(b.input(to_int(i, "input index"), scale)); });
      })
      .def("input_product", [](const Self& s, int64_t i, int64_t j, double scale) {
        return s->with([&](tq::CircuitBuilder& b) {
          return from_param(b.input_product(to_int(i, "input index"), to_int(j, "input index"), scale));
        });
      })
      // Gates by name (table name or method name), with QubitUnitary's matrix and
      // AmplitudeEmbedding's [feature_offset, num_features, normalize, pad] when given.
      .def("gate", [](const Self& s, const std::string& name, const IntList& wires, const FloatList& params,
                      const IntList& controls, const FloatList& matrix, const FloatList& amplitude) {
        s->with([&](tq::CircuitBuilder& b) {
          tq::GatePayload payload;
          payload.matrix = to_matrix(matrix);
          if (!amplitude.empty()) {
            if (amplitude.size() != 4)
              throw tq::ArgumentError("AmplitudeEmbedding options are [feature_offset, num_features, normalize, pad], got " +
                                      std::to_string(amplitude.size()) + " numbers");
            payload.amplitude = tq::AmplitudeOptions{to_int(static_cast<int64_t>(amplitude[0]), "feature_offset"),
                                                     to_int(static_cast<int64_t>(amplitude[1]), "num_features"),
                                                     amplitude[2] != 0.0, amplitude[3]};
          }
          b.gate(name, to_ints(wires, "wire"), to_params(params), to_ints(controls, "control wire"), std::move(payload));
        });
      })
      .def("basis_embedding", [](const Self& s, const IntList& wires, int64_t offset) {
        s->with([&](tq::CircuitBuilder& b) { b.basis_embedding(to_ints(wires, "wire"), to_int(offset, "feature_offset")); });
      })
      // Templates: each returns [first weight, number of weights] it allocated.
      .def("angle_embedding", [](const Self& s, const IntList& wires, int64_t offset, const std::string& rotation,
                                 double scale, int64_t num_features) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::angle_embedding(b, to_ints(wires, "wire"), to_int(offset, "feature_offset"), rotation,
                                                  scale, to_int(num_features, "num_features")));
        });
      })
      .def("amplitude_embedding", [](const Self& s, const IntList& wires, int64_t offset, int64_t num_features,
                                     bool normalize, double pad) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::amplitude_embedding(b, to_ints(wires, "wire"), to_int(offset, "feature_offset"),
                                                      to_int(num_features, "num_features"), normalize, pad));
        });
      })
      .def("basic_entangler_layers", [](const Self& s, int64_t layers, const IntList& wires, const std::string& rotation) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::basic_entangler_layers(b, to_int(layers, "num_layers"), to_ints(wires, "wire"), rotation));
        });
      })
      .def("strongly_entangling_layers", [](const Self& s, int64_t layers, const IntList& wires, const IntList& ranges,
                                            const std::string& imprimitive) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::strongly_entangling_layers(b, to_int(layers, "num_layers"), to_ints(wires, "wire"),
                                                             to_ints(ranges, "range"), imprimitive));
        });
      })
      .def("iqp_embedding", [](const Self& s, const IntList& wires, int64_t offset, int64_t repeats, const IntList& pattern) {
        return s->with([&](tq::CircuitBuilder& b) {
          if (pattern.size() % 2 != 0)
            throw tq::ArgumentError("iqp_embedding: the pattern travels as wire pairs, got " +
                                    std::to_string(pattern.size()) + " numbers");
          std::vector<std::pair<int, int>> pairs;
          for (std::size_t i = 0; i < pattern.size(); i += 2)
            pairs.emplace_back(to_int(pattern[i], "wire"), to_int(pattern[i + 1], "wire"));
          return weight_range(tq::iqp_embedding(b, to_ints(wires, "wire"), to_int(offset, "feature_offset"),
                                                to_int(repeats, "n_repeats"), pairs));
        });
      })
      .def("data_reuploading", [](const Self& s, int64_t layers, const IntList& wires, int64_t offset,
                                  const std::string& rotation, double scale) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::data_reuploading(b, to_int(layers, "num_layers"), to_ints(wires, "wire"),
                                                   to_int(offset, "feature_offset"), rotation, scale));
        });
      })
      .def("hardware_efficient_ansatz", [](const Self& s, int64_t layers, const IntList& wires) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::hardware_efficient_ansatz(b, to_int(layers, "num_layers"), to_ints(wires, "wire")));
        });
      })
      .def("random_layers", [](const Self& s, int64_t layers, int64_t rotations, const IntList& wires, double ratio,
                               const std::string& imprimitive, const std::vector<std::string>& rotation_set, int64_t seed) {
        return s->with([&](tq::CircuitBuilder& b) {
          return weight_range(tq::random_layers(b, to_int(layers, "num_layers"), to_int(rotations, "num_rotations"),
                                                to_ints(wires, "wire"), ratio, imprimitive, rotation_set,
                                                static_cast<std::uint64_t>(seed)));
        });
      })
      // Algorithms (constant gates only).
      .def("qft", [](const Self& s, const IntList& wires) { s->with([&](tq::CircuitBuilder& b) { tq::qft(b, to_ints(wires, "wire")); }); })
      .def("inverse_qft", [](const Self& s, const IntList& wires) {
        s->with([&](tq::CircuitBuilder& b) { tq::inverse_qft(b, to_ints(wires, "wire")); });
      })
      .def("phase_estimation", [](const Self& s, const FloatList& matrix, const IntList& target, const IntList& estimation) {
        s->with([&](tq::CircuitBuilder& b) {
          tq::phase_estimation(b, to_matrix(matrix), to_ints(target, "target wire"), to_ints(estimation, "estimation wire"));
        });
      })
      .def("grover_oracle", [](const Self& s, const IntList& wires, const IntList& bits) {
        s->with([&](tq::CircuitBuilder& b) { tq::grover_oracle(b, to_ints(wires, "wire"), to_ints(bits, "bit")); });
      })
      .def("grover_diffusion", [](const Self& s, const IntList& wires) {
        s->with([&](tq::CircuitBuilder& b) { tq::grover_diffusion(b, to_ints(wires, "wire")); });
      })
      .def("grover_search", [](const Self& s, const IntList& wires, const std::vector<std::vector<int64_t>>& marked,
                               int64_t iterations) -> int64_t {
        return s->with([&](tq::CircuitBuilder& b) {
          std::vector<std::vector<int>> m;
          for (const auto& bits : marked) m.push_back(to_ints(bits, "bit"));
          return tq::grover_search(b, to_ints(wires, "wire"), m, to_int(iterations, "iterations"));
        });
      })
      .def_static("grover_iterations", [](int64_t num_wires, int64_t num_marked) -> int64_t {
        std::optional<int64_t> out;
        call_core("grover_iterations", [&] { out = tq::grover_iterations(to_int(num_wires, "num_wires"), to_int(num_marked, "num_marked")); });
        return *out;
      })
      // The program, and circuits made from programs.
      .def("to_program", [](const Self& s) {
        return s->with([&](tq::CircuitBuilder& b) {
          const std::vector<double> p = b.build().to_program();
          return at::tensor(p, at::TensorOptions().dtype(at::kDouble));
        });
      })
      .def_static("from_program", [](const at::Tensor& program) {
        // The ops' own reading of a program tensor (checked, cached): the same verdict as every op.
        const auto compiled = program_from_tensor(program);
        std::optional<tq::CircuitBuilder> out;
        call_core("Circuit.from_program", [&] { out.emplace(tq::CircuitBuilder::from_circuit(compiled->circuit)); });
        return c10::make_intrusive<CircuitBuilderClass>(std::move(*out));
      })
      .def("with_noise_after_each_gate", [](const Self& s, const std::string& channel, double p) {
        auto out = s->with([&](tq::CircuitBuilder& b) {
          return tq::CircuitBuilder::from_circuit(tq::add_noise_after_each_gate(b.build(), channel, p));
        });
        return c10::make_intrusive<CircuitBuilderClass>(std::move(out));
      })
      .def("copy", [](const Self& s) { return c10::make_intrusive<CircuitBuilderClass>(s->b); });
}
