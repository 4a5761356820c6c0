/// @file lane_batch.cpp
/// @brief The lane path's driver (lane_batch.h): plans the circuit once per call, then runs lane
/// blocks of kLanes samples through the lane kernels.
#include "torchq/lanes/lane_batch.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <tuple>

#include "torchq/apply.h"
#include "torchq/gradients.h"
#include "torchq/small_matrix.h"
#include "torchq/work_loop.h"

namespace torchq::lanes {
namespace {

constexpr int W = kLanes;
constexpr int W2 = 2 * kLanes;
using LaneMat2 = std::array<Mat2, W>;

/// -1: TORCHQ_LANES unset (decide by size), 0: off, 1: on wherever supported.
int lanes_override() {
  static const int v = [] {
    const char* e = std::getenv("TORCHQ_LANES");
    if (e == nullptr || *e == '\0') return -1;
    return std::string(e) == "0" ? 0 : 1;
  }();
  return v;
}

/// Whether primitive p's matrix differs between samples of one batch.
bool varies_per_sample(const Primitive& p, bool weights_per_sample) {
  if (p.structure == Structure::kBasisFlip) return true;
  if (!p.has_param) return false;
  switch (p.param.kind) {
    case ParamRef::Kind::kInput: case ParamRef::Kind::kInputProduct: return true;
    case ParamRef::Kind::kWeight: return weights_per_sample;
    default: return false;
  }
}

/// Where a primitive's amplitudes are, precomputed once per call (indices of a lane block).
struct PrimIndex {
  std::uint32_t at = 0;     ///< first entry in Plan::idx
  std::uint32_t count = 0;  ///< entries: pairs (one-target gates, SWAP), bases (dense), amplitudes (parity)
  std::uint32_t offs = 0;   ///< dense gates: the d local offsets start here in Plan::idx
  int step = 0;             ///< pairs: the partner's distance
};

/// What a call's lane blocks share: the circuit's index lists and the matrices of the gates whose
/// angles are the same for every sample.
template <class T>
struct Plan {
  const CompiledCircuit& c;
  const BatchInputs<T>& in;
  int n = 0;
  int dim = 0;
  std::vector<std::uint8_t> per_lane;  ///< per primitive: its matrix differs between samples
  std::vector<Mat2> uniform_1q;        ///< uncontrolled one-qubit primitives that do not vary
  std::vector<PrimIndex> index;
  std::vector<std::uint16_t> idx;
  std::vector<std::uint8_t> which;  ///< parity gates: the phase of each amplitude (0 or 1)
  std::size_t max_entries = 4;      ///< coefficients of the widest gate (d * d)
  const LaneKernels<T>& lk = lane_kernels<T>();

  /// A block of the adjoint sweep: uncontrolled one-qubit primitives on one wire, in sweep order
  /// (adjoint.cpp). Its first `uniform` gates do not vary between samples, so their derivative
  /// matrices and their un-apply product (detail::adjoint_block_matrices) are made once per call.
  struct SweepBlock {
    std::vector<int> prims;
    int uniform = 0;
    Mat2 undo_uniform = {1.0, 0.0, 0.0, 1.0};  ///< W after the uniform gates
    std::vector<Mat2> derivative;              ///< W_g^dagger G_g W_g for g < uniform
  };
  /// A step of the adjoint sweep: a block, or one other primitive (`block` < 0).
  struct SweepStep {
    int prim = -1;
    int block = -1;
  };
  std::vector<SweepBlock> blocks;
  std::vector<SweepStep> sweep;

  /// The adjoint sweep's steps, in order: what the gate-by-gate sweep of adjoint.cpp does, with
  /// the blocks found once for the call instead of once per lane block.
  void plan_sweep() {
    std::array<std::vector<int>, kLaneMaxQubits> pending;
    auto flush = [&](int bit) {
      auto& list = pending[bit];
      if (list.empty()) return;
      SweepBlock blk;
      blk.prims = list;
      const T* w0 = in.weights_of(0);
      const T* x0 = in.inputs_of(0);
      while (blk.uniform < static_cast<int>(list.size()) && !per_lane[list[blk.uniform]]) ++blk.uniform;
      blk.derivative.resize(blk.uniform);
      blk.undo_uniform = detail::adjoint_block_matrices(
          blk.uniform, [&](int g) -> const Primitive& { return c.primitives[list[g]]; }, w0, x0,
          [](const Primitive& p) { return p.has_param && p.param.differentiable(); },
          [&](int g, const Mat2& M) { blk.derivative[g] = M; });
      sweep.push_back({list[0], static_cast<int>(blocks.size())});
      blocks.push_back(std::move(blk));
      list.clear();
    };
    for (std::size_t j = c.primitives.size(); j-- > 0;) {
      const Primitive& p = c.primitives[j];
      if (detail::is_uncontrolled_1q(p)) {
        pending[p.layout.target_bits[0]].push_back(static_cast<int>(j));
        continue;
      }
      for (Index rest = p.touched_bits(); rest != 0; rest &= rest - 1) flush(std::countr_zero(rest));
      sweep.push_back({static_cast<int>(j), -1});
    }
    for (int bit = 0; bit < n; ++bit) flush(bit);
  }

  Plan(const CompiledCircuit& circuit, const BatchInputs<T>& batch) : c(circuit), in(batch) {
    n = c.circuit.num_qubits();
    dim = 1 << n;
    const std::size_t np = c.primitives.size();
    per_lane.resize(np);
    uniform_1q.resize(np);
    index.resize(np);
    const T* w0 = in.weights_of(0);
    const T* x0 = in.inputs_of(0);
    for (std::size_t j = 0; j < np; ++j) {
      const Primitive& p = c.primitives[j];
      per_lane[j] = varies_per_sample(p, in.weights_per_sample);
      if (!per_lane[j] && detail::is_uncontrolled_1q(p)) uniform_1q[j] = detail::matrix_1q(p, w0, x0);
      // Index lists depend on the layout's bits only, and a Rot's three primitives (or a layer's
      // repeated gates) share a layout: make each list once per call.
      const IndexKey key = index_key(p);
      const auto found = made.find(key);
      index[j] = found != made.end() ? found->second : made.emplace(key, make_index(p)).first->second;
      if (p.structure == Structure::kDense2 || p.structure == Structure::kDenseK) {
        max_entries = std::max<std::size_t>(max_entries, std::size_t{1} << (2 * p.layout.num_targets));
      }
    }
  }

  /// What an index list depends on: the kind of list, the controls, the targets in order, the
  /// parity mask.
  using IndexKey = std::tuple<int, Index, Index, std::uint64_t>;
  static IndexKey index_key(const Primitive& p) {
    int kind = 0;  // pairs
    switch (p.structure) {
      case Structure::kParity: kind = 1; break;
      case Structure::kDense2: case Structure::kDenseK: kind = 2; break;
      case Structure::kSwap2: kind = 3; break;
      case Structure::kSkip: case Structure::kChannel: kind = 4; break;
      default: break;
    }
    std::uint64_t targets = static_cast<std::uint64_t>(p.layout.num_targets);
    for (int t = 0; t < p.layout.num_targets; ++t) targets = (targets << 8) | p.layout.target_bits[t];
    return {kind, p.layout.ctrl_mask, p.zmask, targets};
  }
  std::map<IndexKey, PrimIndex> made;

  PrimIndex make_index(const Primitive& p) {
    const GateLayout& L = p.layout;
    PrimIndex r;
    r.at = static_cast<std::uint32_t>(idx.size());
    switch (p.structure) {
      case Structure::kSkip: case Structure::kChannel: return r;
      case Structure::kParity: {
        for (int i = 0; i < dim; ++i) {
          if ((static_cast<Index>(i) & L.ctrl_mask) != L.ctrl_mask) continue;
          idx.push_back(static_cast<std::uint16_t>(i));
          which.push_back(static_cast<std::uint8_t>(std::popcount(static_cast<Index>(i) & p.zmask) & 1));
        }
        break;
      }
      case Structure::kDense2: case Structure::kDenseK: {
        for (Index k = 0; k < L.loop_count(); ++k) idx.push_back(static_cast<std::uint16_t>(L.base(k)));
        r.offs = static_cast<std::uint32_t>(idx.size());
        for (Index j = 0; j < (Index{1} << L.num_targets); ++j) idx.push_back(static_cast<std::uint16_t>(L.scatter(j)));
        break;
      }
      case Structure::kSwap2: {
        const Index a = L.scatter(1), b = L.scatter(2);  // |01> <-> |10>
        for (Index k = 0; k < L.loop_count(); ++k) idx.push_back(static_cast<std::uint16_t>(L.base(k) + std::min(a, b)));
        r.step = static_cast<int>(std::max(a, b) - std::min(a, b));
        break;
      }
      default: {  // one target: the pairs (target bit 0, target bit 1)
        for (Index k = 0; k < L.loop_count(); ++k) idx.push_back(static_cast<std::uint16_t>(L.base(k)));
        r.step = 1 << L.target_bits[0];
        break;
      }
    }
    r.count = static_cast<std::uint32_t>((r.offs != 0 ? r.offs : idx.size()) - r.at);
    while (which.size() < idx.size()) which.push_back(0);
    return r;
  }
};

/// Entry e of lane l of a per-lane coefficient block (lane_kernels.h layout).
template <class T, class Z>
void put(T* m, int e, int l, const Z& z) {
  m[e * W2 + l] = static_cast<T>(z.real());
  m[e * W2 + W + l] = static_cast<T>(z.imag());
}

/// Scratch of one worker, kept between calls (resized, never shrunk below a lane block).
template <class T>
std::vector<T>& worker_buffer(int which) {
  thread_local std::array<std::vector<T>, 4> buffers;
  return buffers[which];
}

/// One lane block: samples b0 .. b0 + kLanes - 1 (lanes past the batch repeat its last sample
/// and are never written out), with its scratch.
template <class T>
class Block {
 public:
  Block(const Plan<T>& plan, Index b0) : P_(plan) {
    coef_.resize(std::max<std::size_t>(4, plan.max_entries) * W2);
    for (int l = 0; l < W; ++l) {
      const Index b = std::min<Index>(b0 + l, plan.in.batch_size - 1);
      w_[l] = plan.in.weights_of(b);
      x_[l] = plan.in.inputs_of(b);
    }
    active_ = static_cast<int>(std::min<Index>(W, plan.in.batch_size - b0));
  }

  int active() const { return active_; }
  const T* weights(int l) const { return w_[l]; }
  const T* inputs(int l) const { return x_[l]; }

  /// The forward run into s (|0..0> first).
  void run(T* s) {
    std::fill(s, s + static_cast<std::size_t>(P_.dim) * W2, T(0));
    for (int l = 0; l < W; ++l) s[l] = T(1);
    for (auto& f : fused_) f.prim = -1;
    const auto& prims = P_.c.primitives;
    for (std::size_t j = 0; j < prims.size(); ++j) {
      const Primitive& p = prims[j];
      if (detail::is_uncontrolled_1q(p)) {
        fuse(static_cast<int>(j));
        continue;
      }
      for (Index rest = p.touched_bits(); rest != 0; rest &= rest - 1) flush(s, std::countr_zero(rest));
      apply(s, static_cast<int>(j), ApplyMode::kForward);
    }
    for (int b = 0; b < P_.n; ++b) flush(s, b);
  }

  /// Applies primitive j (not a fused one-qubit gate) to s in `mode`.
  void apply(T* s, int j, ApplyMode mode) {
    const Primitive& p = P_.c.primitives[j];
    const PrimIndex& ix = P_.index[j];
    if (p.structure == Structure::kSkip) return;
    // Uncontrolled one-qubit gates never get here: the forward run fuses them, the sweep takes them
    // as blocks. Resolve: once for a gate every sample shares, else once per lane.
    const int lanes = P_.per_lane[j] ? W : 1;
    Structure kernel = Structure::kSkip;
    for (int l = 0; l < lanes; ++l) {
      calls_.clear();
      resolve_primitive(P_.c, p, w_[l], x_[l], mode, calls_);
      if (calls_.calls.empty()) return;  // the identity
      if (l > 0 && calls_.calls[0].kernel != kernel) {
        throw std::logic_error("lane batch: a primitive resolved to different kernels in different lanes");
      }
      kernel = calls_.calls[0].kernel;
      const std::size_t ne = calls_.coeffs.size();
      for (std::size_t e = 0; e < ne; ++e) {
        if (lanes == 1) {
          for (int m = 0; m < W; ++m) put(coef_.data(), static_cast<int>(e), m, calls_.coeffs[e]);
        } else {
          put(coef_.data(), static_cast<int>(e), l, calls_.coeffs[e]);
        }
      }
    }
    const std::uint16_t* I = P_.idx.data() + ix.at;
    switch (kernel) {
      case Structure::kDense1: P_.lk.mat2(s, I, ix.count, ix.step, coef_.data()); return;
      case Structure::kFlip1: P_.lk.swap_pairs(s, I, ix.count, ix.step); return;  // CNOT, Toffoli
      case Structure::kDiag1: case Structure::kAntiDiag1: {
        const bool diag = kernel == Structure::kDiag1;
        // Expand to the 2x2 matrix in place: entries 0,1 hold (d0, d1) or (a0, a1).
        std::array<T, 2 * W2> two;
        std::copy(coef_.begin(), coef_.begin() + 2 * W2, two.begin());
        std::fill(coef_.begin(), coef_.begin() + 4 * W2, T(0));
        std::copy(two.begin(), two.begin() + W2, coef_.begin() + (diag ? 0 : 1) * W2);
        std::copy(two.begin() + W2, two.end(), coef_.begin() + (diag ? 3 : 2) * W2);
        P_.lk.mat2(s, I, ix.count, ix.step, coef_.data());
        return;
      }
      case Structure::kSwap2: P_.lk.swap_pairs(s, I, ix.count, ix.step); return;
      case Structure::kParity: P_.lk.phase(s, I, P_.which.data() + ix.at, ix.count, coef_.data()); return;
      case Structure::kDense2: case Structure::kDenseK: {
        const int d = 1 << p.layout.num_targets;
        scratch_.resize(static_cast<std::size_t>(2 * d) * W);
        P_.lk.matd(s, I, ix.count, P_.idx.data() + ix.offs, d, coef_.data(), scratch_.data());
        return;
      }
      default: throw std::logic_error("lane batch: no lane kernel for this structure");
    }
  }

  /// The forward matrix of uncontrolled one-qubit primitive j in lane l (double).
  Mat2 matrix_1q(int j, int l) const {
    return P_.per_lane[j] ? detail::matrix_1q(P_.c.primitives[j], w_[l], x_[l]) : P_.uniform_1q[j];
  }

 private:
  struct Fused {
    int prim = -1;  ///< the first gate (its index list); -1: nothing pending
    bool uniform = true;
    Mat2 one;
    LaneMat2 lanes;
  };

  void fuse(int j) {
    const Primitive& p = P_.c.primitives[j];
    Fused& f = fused_[p.layout.target_bits[0]];
    if (!P_.per_lane[j]) {
      const Mat2& m = P_.uniform_1q[j];
      if (f.prim < 0) {
        f.prim = j;
        f.uniform = true;
        f.one = m;
      } else if (f.uniform) {
        f.one = mat2_mul(m, f.one);
      } else {
        for (int l = 0; l < W; ++l) f.lanes[l] = mat2_mul(m, f.lanes[l]);
      }
      return;
    }
    if (f.prim < 0) {
      f.prim = j;
      f.uniform = false;
      for (int l = 0; l < W; ++l) f.lanes[l] = matrix_1q(j, l);
    } else {
      for (int l = 0; l < W; ++l) f.lanes[l] = mat2_mul(matrix_1q(j, l), f.uniform ? f.one : f.lanes[l]);
      f.uniform = false;
    }
  }

  void flush(T* s, int bit) {
    Fused& f = fused_[bit];
    if (f.prim < 0) return;
    for (int l = 0; l < W; ++l) {
      const Mat2& m = f.uniform ? f.one : f.lanes[l];
      for (int e = 0; e < 4; ++e) put(coef_.data(), e, l, m[e]);
    }
    const PrimIndex& ix = P_.index[f.prim];
    P_.lk.mat2(s, P_.idx.data() + ix.at, ix.count, ix.step, coef_.data());
    f.prim = -1;
  }

  const Plan<T>& P_;
  int active_ = 0;
  std::array<const T*, W> w_{};
  std::array<const T*, W> x_{};
  std::array<Fused, kLaneMaxQubits> fused_{};
  std::vector<T>& coef_ = worker_buffer<T>(2);  // entries of the widest gate, per lane
  std::vector<T>& scratch_ = worker_buffer<T>(3);
  KernelCalls<T> calls_;
};

/// Lane l of amplitude i of a block <-> row b of a [B, 2^n] state array.
template <class T>
void store_states(const T* s, int dim, Index b0, int active, Complex<T>* out) {
  for (int l = 0; l < active; ++l) {
    Complex<T>* row = out + (b0 + l) * static_cast<Index>(dim);
    for (int i = 0; i < dim; ++i) row[i] = Complex<T>(s[i * W2 + l], s[i * W2 + W + l]);
  }
}
template <class T>
void load_states(T* s, int dim, Index b0, int active, const Complex<T>* in) {
  for (int l = 0; l < W; ++l) {
    const Complex<T>* row = in + (b0 + std::min(l, active - 1)) * static_cast<Index>(dim);
    for (int i = 0; i < dim; ++i) {
      s[i * W2 + l] = row[i].real();
      s[i * W2 + W + l] = row[i].imag();
    }
  }
}

/// The Z masks of the diagonal terms (no X or Y) of all observables, in order.
std::vector<Index> diagonal_masks(const std::vector<CompiledObservable>& obs) {
  std::vector<Index> out;
  for (const auto& o : obs) {
    for (const PauliMasks& t : o.terms) {
      if (t.xmask == 0) out.push_back(t.zmask);
    }
  }
  return out;
}

/// The number of lane blocks of a batch.
Index num_blocks(Index batch_size) { return (batch_size + W - 1) / W; }

}  // namespace

bool lane_batch_supports(const CompiledCircuit& c) {
  if (c.circuit.num_qubits() > kLaneMaxQubits || c.amplitude_embedding() != nullptr || c.num_channels != 0) {
    return false;
  }
  // A basis flip is X in some lanes and nothing in others: the fused one-qubit path handles that,
  // a controlled one (no builder makes one) would not.
  for (const Primitive& p : c.primitives) {
    if (p.structure == Structure::kBasisFlip && p.layout.ctrl_mask != 0) return false;
  }
  return true;
}

bool lane_batch_pays(const CompiledCircuit& c, Index batch_size) {
  const int o = lanes_override();
  if (o == 0 || !lane_batch_supports(c)) return false;
  if (o == 1) return true;
  // Measured (benchmarks/README.md, "Small circuits"): with a full lane block the lane path is
  // 3-30x faster per sample than one sample at a time up to 10 qubits; a batch that fills few
  // lanes pays only while the per-gate fixed costs dominate (up to 4 qubits), above that its empty
  // lanes cost more than the ordinary path.
  const int n = c.circuit.num_qubits();
  return n <= 4 || batch_size >= static_cast<Index>(kLanes);
}

template <class T>
void lane_expval(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
                 T* out, const Executor& ex, Complex<T>* final_states) {
  require_no_channels(c, "expval");
  if (in.batch_size == 0) return;
  const Plan<T> plan(c, in);
  const Index K = obs.size();
  const int dim = plan.dim;
  const std::size_t block_numbers = static_cast<std::size_t>(dim) * W2;
  const std::vector<Index> diag_masks = diagonal_masks(obs);
  detail::for_each_item<T>(num_blocks(in.batch_size), plan.n + 3, static_cast<Index>(c.primitives.size()), 0,
                           2 * block_numbers * sizeof(T), ex, "expval", [&](Index blk, const Executor&, auto&) {
    std::vector<T>& s = worker_buffer<T>(0);
    thread_local std::vector<double> diag_values;
    s.resize(block_numbers);
    Block<T> block(plan, blk * W);
    block.run(s.data());
    // The diagonal terms of every observable (Z on each wire, say) in one pass, the others one
    // pass each.
    diag_values.resize(diag_masks.size() * W);
    if (!diag_masks.empty()) {
      plan.lk.diagonal_terms(s.data(), dim, diag_masks.data(), static_cast<int>(diag_masks.size()), diag_values.data());
    }
    double inner[2 * W];
    std::size_t next_diag = 0;
    for (Index k = 0; k < K; ++k) {
      double value[W] = {};
      for (const PauliMasks& t : obs[k].terms) {
        if (t.xmask == 0) {
          const double* d = diag_values.data() + (next_diag++) * W;
          for (int l = 0; l < W; ++l) value[l] += t.coeff * d[l];
          continue;
        }
        plan.lk.pauli_inner(s.data(), s.data(), dim, t.xmask, t.zmask, 0, inner);
        // Re(i^num_y * inner) * coeff
        const std::complex<double> ph = i_power(t.num_y);
        for (int l = 0; l < W; ++l) value[l] += t.coeff * (ph.real() * inner[l] - ph.imag() * inner[W + l]);
      }
      for (int l = 0; l < block.active(); ++l) out[(blk * W + l) * K + k] = static_cast<T>(value[l]);
    }
    if (final_states != nullptr) store_states(s.data(), dim, blk * W, block.active(), final_states);
  });
}

template <class T>
void lane_expval_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                          const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                          const Executor& ex, const Complex<T>* final_states) {
  require_no_channels(c, "adjoint backward");
  if (in.batch_size == 0) return;
  Plan<T> plan(c, in);
  plan.plan_sweep();
  const Index B = in.batch_size;
  const Index K = obs.size();
  const Index P = static_cast<Index>(in.num_weights);
  const Index F = static_cast<Index>(in.num_inputs);
  const int n = plan.n;
  const int dim = plan.dim;
  const std::size_t block_numbers = static_cast<std::size_t>(dim) * W2;
  std::vector<double> gw(grad_weights != nullptr ? B * P : 0);
  std::vector<double> gx(grad_inputs != nullptr ? B * F : 0);
  const std::vector<Index> diag_masks = diagonal_masks(obs);
  detail::for_each_item<T>(num_blocks(B), n + 3, static_cast<Index>(c.primitives.size()), 0,
                           3 * block_numbers * sizeof(T), ex, "adjoint backward", [&](Index blk, const Executor&, auto&) {
    std::vector<T>& psi_buf = worker_buffer<T>(0);
    std::vector<T>& lambda_buf = worker_buffer<T>(1);
    psi_buf.resize(block_numbers);
    lambda_buf.assign(block_numbers, T(0));
    thread_local std::vector<T> diag_scales;
    T* psi = psi_buf.data();
    T* lambda = lambda_buf.data();
    Block<T> block(plan, blk * W);
    const int active = block.active();
    if (final_states != nullptr) {
      load_states(psi, dim, blk * W, active, final_states);
    } else {
      block.run(psi);
    }
    // lambda = sum_k g_k O_k psi, per lane (lanes past the batch get zero): the diagonal terms of
    // every observable in one pass, the others one pass each.
    diag_scales.assign(diag_masks.size() * W, T(0));
    std::size_t next_diag = 0;
    std::array<T, W2> scale{};
    for (Index k = 0; k < K; ++k) {
      for (const PauliMasks& t : obs[k].terms) {
        const std::complex<double> ph = i_power(t.num_y) * t.coeff;
        T* diag = t.xmask == 0 ? diag_scales.data() + (next_diag++) * W : nullptr;
        bool any = false;
        for (int l = 0; l < W; ++l) {
          const double g = l < active ? static_cast<double>(grad_out[(blk * W + l) * K + k]) : 0.0;
          if (diag != nullptr) {
            diag[l] = static_cast<T>(g * t.coeff);
            continue;
          }
          scale[l] = static_cast<T>(g * ph.real());
          scale[W + l] = static_cast<T>(g * ph.imag());
          any = any || g != 0.0;
        }
        if (any) plan.lk.pauli_add(lambda, psi, dim, t.xmask, t.zmask, scale.data());
      }
    }
    if (!diag_masks.empty()) {
      plan.lk.diagonal_add(lambda, psi, dim, diag_masks.data(), diag_scales.data(), static_cast<int>(diag_masks.size()));
    }
    std::array<double*, W> gw_row{}, gx_row{};
    for (int l = 0; l < active; ++l) {
      gw_row[l] = gw.empty() ? nullptr : gw.data() + (blk * W + l) * P;
      gx_row[l] = gx.empty() ? nullptr : gx.data() + (blk * W + l) * F;
    }
    auto wanted = [&](const Primitive& p) {
      return p.has_param && p.param.differentiable() && p.structure != Structure::kBasisFlip &&
             (p.param.kind == ParamRef::Kind::kWeight ? !gw.empty() : !gx.empty());
    };
    // The sweep of adjoint.cpp (gate by gate), per lane, along the plan's steps: a block of
    // one-qubit gates on a wire gives the cross density S of (lambda, psi) and is un-applied in one
    // pass; every other gate gives <lambda|G|psi> and is un-applied.
    std::array<T, 4 * W2> v{};
    double S[8 * W];
    double inner[2 * W];
    std::vector<Mat2> derivative;  // [gate][lane] past the block's uniform gates
    for (const auto& step : plan.sweep) {
      if (step.block < 0) {
        const Primitive& p = c.primitives[step.prim];
        if (wanted(p)) {
          const Generator& G = p.generator;
          plan.lk.pauli_inner(lambda, psi, dim, G.xmask, G.zmask, G.proj_mask, inner);
          const std::complex<double> ph = i_power(G.num_y);
          for (int l = 0; l < active; ++l) {
            const std::complex<double> z = ph * std::complex<double>(inner[l], inner[W + l]);
            detail::add_angle_gradient(p.param, 2.0 * G.coeff * z.imag(), block.inputs(l), gw_row[l], gx_row[l]);
          }
        }
        block.apply(psi, step.prim, ApplyMode::kInverse);
        block.apply(lambda, step.prim, ApplyMode::kInverse);
        continue;
      }
      const auto& blk = plan.blocks[step.block];
      const int count = static_cast<int>(blk.prims.size());
      const int varying = count - blk.uniform;
      derivative.resize(static_cast<std::size_t>(varying) * W);
      for (int l = 0; l < W; ++l) {
        // The block's gates past its shared prefix, per lane, from the prefix's product on.
        const Mat2 Wm = varying == 0 ? blk.undo_uniform
                                     : detail::adjoint_block_matrices(
                                           count, [&](int g) -> const Primitive& { return c.primitives[blk.prims[g]]; },
                                           block.weights(l), block.inputs(l), wanted,
                                           [&](int g, const Mat2& M) {
                                             derivative[static_cast<std::size_t>(g - blk.uniform) * W + l] = M;
                                           },
                                           blk.uniform, blk.undo_uniform);
        for (int e = 0; e < 4; ++e) put(v.data(), e, l, Wm[e]);
      }
      const PrimIndex& ix = plan.index[blk.prims[0]];
      plan.lk.block1(psi, lambda, plan.idx.data() + ix.at, ix.count, ix.step, v.data(), S);
      for (int g = 0; g < count; ++g) {
        const Primitive& p = c.primitives[blk.prims[g]];
        if (!wanted(p)) continue;
        for (int l = 0; l < active; ++l) {
          const Mat2& D = g < blk.uniform ? blk.derivative[g]
                                          : derivative[static_cast<std::size_t>(g - blk.uniform) * W + l];
          double z_imag = 0;  // Im sum_e D[e] S[e]
          for (int e = 0; e < 4; ++e) {
            z_imag += D[e].real() * S[(2 * e + 1) * W + l] + D[e].imag() * S[2 * e * W + l];
          }
          detail::add_angle_gradient(p.param, 2.0 * p.generator.coeff * z_imag, block.inputs(l), gw_row[l],
                                     gx_row[l]);
        }
      }
    }
  });
  detail::write_gradients(in, gw, gx, grad_weights, grad_inputs);
}

#define TORCHQ_INSTANTIATE(T)                                                                                  \
  template void lane_expval<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,                 \
                               const BatchInputs<T>&, T*, const Executor&, Complex<T>*);                       \
  template void lane_expval_backward<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,        \
                                        const BatchInputs<T>&, const T*, T*, T*, const Executor&,              \
                                        const Complex<T>*);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq::lanes
