/**
 * @file fuzz_program.cpp
 * @brief libFuzzer target: the program parser and validator (Circuit::from_program), lowering
 * (compile), the drawing, and, for small circuits, every run mode on the serial executor, so the
 * kernels, the adjoint sweeps and the estimators are fuzzed with the programs that pass.
 *
 * Input: the bytes are float64 numbers in the machine's byte order, the raw data of a program
 * tensor (circuit.h); leftover bytes after the last whole number give the run options
 * (option_byte): bit 0 float32 instead of float64, bit 1 features of 0/1 (what BasisEmbedding
 * accepts) instead of smooth values, bit 2 weights per sample.
 *
 * Oracles, besides "no crash, no sanitizer report": a parsed program of the current format
 * version writes back to exactly the numbers it was read from (an older one is rewritten in the
 * current version, which must read back as the same circuit); every kernel table this CPU runs gives the same state (within
 * rounding); and, when every angle and the padding are of moderate size (so no overflow is
 * expected), outputs are finite, probabilities sum to one and expectation values of Pauli words
 * lie in [-1, 1].
 */
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <vector>

#include "fuzz_common.h"
#include "torchq/torchq.h"

namespace {

using torchq::Complex;
using torchq::Index;
using torchq_fuzz::all_finite;

// Circuits run only below these sizes: a fuzz input must take milliseconds, and larger sizes
// exercise no code the small ones miss (the blocked paths are left to the unit tests).
constexpr int kMaxRunQubits = 10;
constexpr int kMaxDensityQubits = 4;
constexpr std::size_t kMaxRunOps = 64;
constexpr int kMaxRunCount = 256;  // weights and input features
constexpr Index kBatch = 2;

/// No angle, scale or padding large enough to overflow: then results must be finite and normed.
bool moderate(const torchq::Circuit& c) {
  for (const torchq::Operation& op : c.operations()) {
    for (const torchq::ParamRef& p : op.params) {
      if (std::abs(p.value) > 1e6) return false;  // a product's value is its scale (format version 2)
    }
    if (op.gate == torchq::GateId::AmplitudeEmbedding && std::abs(op.amplitude.pad) > 1e6) return false;
  }
  return true;
}

/// Amplitudes of two kernel tables after up to kMaxRunOps gates.
template <class T>
double tolerance() {
  return sizeof(T) == sizeof(float) ? 1e-3 : 1e-8;
}

/// Sums and bounds of order one after a whole run (norm drift of kMaxRunOps rounded gates), and
/// gradients relative to their size.
template <class T>
double loose_tolerance() {
  return sizeof(T) == sizeof(float) ? 2e-3 : 1e-6;
}

template <class T>
void run_pure(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
              const torchq::BatchInputs<T>& in, bool check_values) {
  const torchq::Executor& ex = torchq::serial_executor();
  const int n = cc.circuit.num_qubits();
  const Index size = Index{1} << n;
  const Index K = obs.size();

  // The same circuit through every kernel table this CPU supports: the states must agree.
  std::vector<Complex<T>> reference;
  for (torchq::kernels::Isa isa : torchq::kernels::supported_isas()) {
    std::vector<Complex<T>> psi(size);
    torchq::run_circuit<T>(psi.data(), cc, in.weights_of(0), in.inputs_of(0), torchq::kernels::kernel_table<T>(isa),
                           ex);
    if (reference.empty()) {
      reference = psi;
      continue;
    }
    if (!check_values) continue;
    for (Index i = 0; i < size; ++i) {
      TORCHQ_FUZZ_CHECK(std::abs(std::complex<double>(psi[i]) - std::complex<double>(reference[i])) <= tolerance<T>(),
                        "kernel table %s disagrees with generic at amplitude %llu", torchq::kernels::isa_name(isa),
                        static_cast<unsigned long long>(i));
    }
  }

  std::vector<T> ev(kBatch * K);
  std::vector<Complex<T>> kept(kBatch * size);
  torchq::expval<T>(cc, obs, in, ev.data(), ex, kept.data());
  std::vector<T> var(kBatch * K);
  torchq::variance<T>(cc, obs, in, var.data(), ex);
  std::vector<int> wires;
  for (int w = n - 1; w >= 0 && wires.size() < 4; --w) wires.push_back(w);
  const Index num_outcomes = Index{1} << wires.size();
  std::vector<T> pr(kBatch * num_outcomes);
  torchq::probs<T>(cc, wires, in, pr.data(), ex);
  std::vector<std::int64_t> samples(kBatch * 8 * wires.size());
  torchq::sample<T>(cc, wires, in, 8, 7, samples.data(), ex);
  for (std::int64_t s : samples) TORCHQ_FUZZ_CHECK(s == 0 || s == 1, "sample returned %lld", static_cast<long long>(s));

  // Gradients: the adjoint sweep from the kept final states and from scratch, of expval, var,
  // probs and the state.
  const std::vector<T> g(kBatch * K, T(0.5));
  const Index P = in.weights_per_sample ? kBatch * in.num_weights : in.num_weights;
  std::vector<T> gw(P), gx(kBatch * in.num_inputs), gw2(P), gx2(kBatch * in.num_inputs);
  torchq::adjoint_expval_backward<T>(cc, obs, in, g.data(), gw.data(), gx.data(), ex, kept.data());
  torchq::adjoint_expval_backward<T>(cc, obs, in, g.data(), gw2.data(), gx2.data(), ex);
  std::vector<T> gv(P), gp(P), gs(P);
  torchq::adjoint_variance_backward<T>(cc, obs, in, g.data(), gv.data(), nullptr, ex);
  const std::vector<T> gpo(kBatch * num_outcomes, T(0.25));
  torchq::adjoint_probs_backward<T>(cc, wires, in, gpo.data(), gp.data(), nullptr, ex);
  std::vector<Complex<T>> gso(kBatch * size, Complex<T>(T(0.1), T(-0.2)));
  torchq::adjoint_state_backward<T>(cc, in, gso.data(), gs.data(), nullptr, ex);

  if (!check_values) return;
  TORCHQ_FUZZ_CHECK(all_finite(ev) && all_finite(var) && all_finite(pr), "non-finite expval, var or probs");
  TORCHQ_FUZZ_CHECK(all_finite(gw) && all_finite(gx) && all_finite(gv) && all_finite(gp) && all_finite(gs),
                    "non-finite gradient");
  for (Index b = 0; b < kBatch; ++b) {
    double total = 0;
    for (Index j = 0; j < num_outcomes; ++j) {
      const double p = pr[b * num_outcomes + j];
      TORCHQ_FUZZ_CHECK(p >= -tolerance<T>(), "negative probability %g", p);
      total += p;
    }
    TORCHQ_FUZZ_CHECK(std::abs(total - 1.0) <= loose_tolerance<T>(), "probabilities of sample %llu sum to %.17g",
                      static_cast<unsigned long long>(b), total);
    // Observable 0 is Z on wire 0: a Pauli word, so its value is in [-1, 1].
    TORCHQ_FUZZ_CHECK(std::abs(static_cast<double>(ev[b * K])) <= 1 + loose_tolerance<T>(), "<Z0> = %g",
                      static_cast<double>(ev[b * K]));
  }
  for (std::size_t i = 0; i < gw.size(); ++i) {
    const double scale = 1 + std::abs(static_cast<double>(gw[i]));
    TORCHQ_FUZZ_CHECK(std::abs(static_cast<double>(gw[i]) - static_cast<double>(gw2[i])) <= loose_tolerance<T>() * scale,
                      "adjoint from kept states %g != from scratch %g (weight %zu)", static_cast<double>(gw[i]),
                      static_cast<double>(gw2[i]), i);
  }
}

template <class T>
void run_noisy(const torchq::CompiledCircuit& cc, const std::vector<torchq::CompiledObservable>& obs,
               const torchq::BatchInputs<T>& in, bool check_values) {
  const torchq::Executor& ex = torchq::serial_executor();
  const Index K = obs.size();
  std::vector<T> out(kBatch * K), gw(in.weights_per_sample ? kBatch * in.num_weights : in.num_weights);
  const std::vector<T> g(kBatch * K, T(1));
  torchq::EstimatorOptions o;
  o.seed = 11;
  o.mode = torchq::EstimatorMode::kTrajectories;
  o.trajectories = 3;
  o.shots = 0;
  torchq::expval_estimated<T>(cc, obs, in, o, out.data(), ex);
  if (check_values) TORCHQ_FUZZ_CHECK(all_finite(out), "non-finite trajectory estimate");
  o.shots = 5;
  torchq::expval_estimated<T>(cc, obs, in, o, out.data(), ex);
  torchq::expval_estimated_backward<T>(cc, obs, in, o, g.data(), gw.data(), nullptr, ex);
  if (cc.circuit.num_qubits() <= kMaxDensityQubits) {
    o.mode = torchq::EstimatorMode::kDensityMatrix;
    o.shots = 0;
    torchq::expval_estimated<T>(cc, obs, in, o, out.data(), ex);
    torchq::expval_estimated_backward<T>(cc, obs, in, o, g.data(), gw.data(), nullptr, ex);
    if (check_values) TORCHQ_FUZZ_CHECK(all_finite(out) && all_finite(gw), "non-finite density-matrix result");
  }
}

template <class T>
void run(const torchq::CompiledCircuit& cc, std::uint8_t options) {
  const torchq::Circuit& c = cc.circuit;
  const int n = c.num_qubits();
  const bool per_sample = (options & 4) != 0;
  std::vector<T> weights((per_sample ? kBatch : 1) * c.num_weights());
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<T>(0.37 * static_cast<double>(i % 17) - 2.9);
  std::vector<T> inputs(kBatch * c.num_inputs());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    inputs[i] = (options & 2) ? static_cast<T>((i * 7 + i / 3) % 2) : static_cast<T>(0.45 * static_cast<double>(i % 13) - 2.7);
  }
  const auto in = torchq::make_batch<T>(cc, weights.empty() ? nullptr : weights.data(), per_sample,
                                        inputs.empty() ? nullptr : inputs.data(), kBatch);
  // Z on wire 0 (the [-1, 1] oracle), a two-word Hamiltonian and an identity term.
  std::vector<torchq::Observable> obs{torchq::Observable::z(0)};
  torchq::Observable h = torchq::Observable::pauli_word("X", {n - 1}, 0.5);
  if (n > 1) h.add_term(-1.25, "YZ", {0, n - 1});
  h.add_term(0.75, "", {});
  obs.push_back(h);
  const auto cobs = torchq::compile_observables(obs, n);
  const bool check_values = moderate(c);
  if (cc.num_channels > 0) {
    run_noisy<T>(cc, cobs, in, check_values);
  } else {
    run_pure<T>(cc, cobs, in, check_values);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<double> program = torchq_fuzz::read_doubles(data, size);
  const std::uint8_t options = torchq_fuzz::option_byte(data, size);
  torchq::Circuit c;
  try {
    c = torchq::Circuit::from_program(program);
  } catch (const std::invalid_argument&) {
    return 0;  // ProgramError: the parser refused the program, with a message. The expected outcome.
  }
  // Round trip: the program a circuit writes is exactly the one it was read from (== on doubles,
  // so -0 and 0 in integer fields compare equal). An older version (saved models hold version 1)
  // is written in the current one, which must read back as the same circuit.
  const std::vector<double> written = c.to_program();
  if (program[1] == torchq::kProgramVersion) {
    TORCHQ_FUZZ_CHECK(written.size() == program.size(), "to_program wrote %zu numbers, read %zu", written.size(),
                      program.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
      TORCHQ_FUZZ_CHECK(written[i] == program[i], "number %zu written back as %.17g, read %.17g", i, written[i],
                        program[i]);
    }
  } else {
    TORCHQ_FUZZ_CHECK(torchq::Circuit::from_program(written) == c,
                      "a version %g program, written as version %d, reads back as another circuit", program[1],
                      torchq::kProgramVersion);
  }
  (void)torchq::draw(c);
  // A program that parsed is valid: lowering it must not throw.
  const torchq::CompiledCircuit cc = torchq::compile(c);
  if (c.num_qubits() > kMaxRunQubits || c.operations().size() > kMaxRunOps || c.num_weights() > kMaxRunCount ||
      c.num_inputs() > kMaxRunCount) {
    return 0;
  }
  try {
    if (options & 1) {
      run<float>(cc, options);
    } else {
      run<double>(cc, options);
    }
  } catch (const std::exception&) {
    // Refused input data (features that are not 0/1 for BasisEmbedding, a zero amplitude vector,
    // ...): a clear error is the right outcome.
  }
  return 0;
}
