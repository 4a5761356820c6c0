/**
 * @file apply.h
 * @brief The one path from a primitive (lowering.h) to a kernel call, and the one fuser of
 * consecutive one-qubit gates. Every run mode goes through it: the unblocked and blocked forward
 * runs (run.h, blocked.h), the adjoint sweeps (adjoint.cpp, adjoint_blocked.cpp), trajectories
 * and the density matrix (density_matrix.cpp).
 *
 * Resolving and running are separate steps: resolve_primitive turns a primitive, for one sample's
 * weights and inputs, into KernelCalls (which kernel, on which layout, with which coefficients in
 * T), and KernelCalls::run makes the calls. A blocked group resolves its gates once per sample
 * and runs the calls on every gathered buffer; a single gate is resolved and run at once
 * (apply_primitive).
 *
 * Modes: what a primitive's matrix U becomes.
 *   kForward    U         (a run)
 *   kInverse    U^dagger  (the adjoint sweep un-applies gates; the density matrix's adjoint map)
 *   kConjugate  conj(U)   (the column side of U rho U^dagger on a vectorised density matrix)
 *   kTranspose  U^T       (the column side of U^dagger rho U)
 * SWAP and a basis flip (X) are real and symmetric: the same in every mode. Parity phases are
 * diagonal: conj = inverse and transpose = forward.
 *
 * Lifetimes: a KernelCall points to the layout of the primitive (or of the fuser's first gate) it
 * came from, which must outlive the call.
 */
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"
#include "torchq/small_matrix.h"
#include "torchq/types.h"

namespace torchq {

/// What apply_primitive applies of a primitive's matrix U (see the file comment).
enum class ApplyMode : std::uint8_t { kForward, kInverse, kConjugate, kTranspose };

/// One kernel call: `kernel` is the structure whose kernel runs (kDense1, kDiag1, kAntiDiag1, kFlip1,
/// kFusedCnot,
/// kDense2, kSwap2, kParity or kDenseK); its coefficients start at `coeff` in KernelCalls::coeffs.
struct KernelCall {
  Structure kernel = Structure::kSkip;
  const GateLayout* layout = nullptr;
  Index zmask = 0;  ///< kParity: the target bits
  std::size_t coeff = 0;
};

/// A list of resolved kernel calls and their coefficients, applied in order.
template <class T>
struct KernelCalls {
  std::vector<KernelCall> calls;
  std::vector<Complex<T>> coeffs;

  void clear() {
    calls.clear();
    coeffs.clear();
  }
  bool empty() const { return calls.empty(); }
  /// Appends a call whose coefficients are then pushed to `coeffs` by the caller.
  void begin_call(Structure kernel, const GateLayout* layout, Index zmask = 0) {
    calls.push_back({kernel, layout, zmask, coeffs.size()});
  }
  /// Runs calls [first, last) on psi.
  void run(Complex<T>* psi, const kernels::KernelTable<T>& k, const Executor& ex, std::size_t first,
           std::size_t last) const;
  /// Runs every call on psi.
  void run(Complex<T>* psi, const kernels::KernelTable<T>& k, const Executor& ex) const {
    run(psi, k, ex, 0, calls.size());
  }
};

/**
 * @brief Appends the kernel call of primitive p (of circuit c) for one sample, in `mode`. Appends
 * nothing for an identity (kSkip, a basis flip of a 0 feature). Throws ArgumentError for a basis
 * flip whose feature is not 0 or 1, std::logic_error for a noise channel (not a unitary).
 */
template <class T>
void resolve_primitive(const CompiledCircuit& c, const Primitive& p, const T* weights, const T* inputs,
                       ApplyMode mode, KernelCalls<T>& out);

/// Appends the cheapest call for a one-qubit matrix on layout L: diagonal, anti-diagonal or dense
/// (nothing for the identity).
template <class T>
void resolve_matrix_1q(const GateLayout& L, const Mat2& m, KernelCalls<T>& out);

/// Applies one primitive for one sample: resolve_primitive, then the call.
template <class T>
void apply_primitive(Complex<T>* psi, const CompiledCircuit& c, const Primitive& p, const T* weights,
                     const T* inputs, ApplyMode mode, const kernels::KernelTable<T>& k, const Executor& ex);

/// apply_primitive in kForward, or kInverse when `inverse` (the historical signature).
template <class T>
void apply_primitive(Complex<T>* psi, const CompiledCircuit& c, const Primitive& p, const T* weights,
                     const T* inputs, bool inverse, const kernels::KernelTable<T>& k, const Executor& ex) {
  apply_primitive(psi, c, p, weights, inputs, inverse ? ApplyMode::kInverse : ApplyMode::kForward, k, ex);
}

namespace detail {

/// A one-qubit primitive without controls: these fuse (forward) and sweep as blocks (adjoint).
bool is_uncontrolled_1q(const Primitive& p);

/// The 2x2 matrix of an uncontrolled one-qubit primitive for one sample (forward mode).
template <class T>
Mat2 matrix_1q(const Primitive& p, const T* weights, const T* inputs);

}  // namespace detail

/**
 * @brief Fusion of consecutive uncontrolled one-qubit gates: per bit, the product (in double) of
 * the gates taken since the bit was last flushed. A Rot after an angle embedding then costs one
 * kernel pass instead of four. The caller flushes a gate's bits before applying any gate that is
 * not taken, and every bit at the end; gates on other bits commute with the pending products.
 */
class OneQubitFuser {
 public:
  OneQubitFuser() { layout_.fill(nullptr); }

  /// Takes p into its bit's pending product if it is an uncontrolled one-qubit primitive (true);
  /// false otherwise (then flush p.touched_bits() and apply p).
  template <class T>
  bool add(const Primitive& p, const T* weights, const T* inputs) {
    if (!detail::is_uncontrolled_1q(p)) return false;
    const int b = p.layout.target_bits[0];
    const Mat2 m = detail::matrix_1q(p, weights, inputs);
    if (layout_[b] == nullptr) {
      pending_[b] = m;
      layout_[b] = &p.layout;  // the first gate's layout (every gate of the product has the same)
    } else {
      pending_[b] = mat2_mul(m, pending_[b]);  // the pending product was applied first
    }
    return true;
  }

  /**
   * Folds the pending products of a CNOT's two wires into it: for p a CNOT (one control, one
   * target) with a product pending on either wire, both wires at bit 2 or above (vector runs),
   * appends one kFusedCnot call (the products, identity where none is pending, then the CNOT) and
   * clears them: one pass instead of up to three. Returns false, appending nothing, otherwise.
   */
  template <class T>
  bool fuse_cnot(const Primitive& p, KernelCalls<T>& out) {
    if (p.structure != Structure::kAntiDiag1 || p.base != GateId::X || p.layout.num_targets != 1 ||
        std::popcount(p.layout.ctrl_mask) != 1) {
      return false;
    }
    const int c = std::countr_zero(p.layout.ctrl_mask);
    const int t = p.layout.target_bits[0];
    if (std::min(c, t) < 2 || (layout_[c] == nullptr && layout_[t] == nullptr)) return false;
    const Mat2 identity = {1.0, 0.0, 0.0, 1.0};
    const Mat2& A = layout_[c] != nullptr ? pending_[c] : identity;
    const Mat2& B = layout_[t] != nullptr ? pending_[t] : identity;
    out.begin_call(Structure::kFusedCnot, &p.layout);
    for (const auto& z : A) out.coeffs.push_back(to_t<T>(z));
    for (const auto& z : B) out.coeffs.push_back(to_t<T>(z));
    layout_[c] = layout_[t] = nullptr;
    return true;
  }

  /// Appends the pending products of `bits` to `out` (lowest bit first) and clears them.
  template <class T>
  void flush(Index bits, KernelCalls<T>& out) {
    for (Index rest = bits; rest != 0; rest &= rest - 1) {
      const int b = std::countr_zero(rest);
      if (layout_[b] == nullptr) continue;
      resolve_matrix_1q(*layout_[b], pending_[b], out);
      layout_[b] = nullptr;
    }
  }

 private:
  std::array<Mat2, 64> pending_;
  std::array<const GateLayout*, 64> layout_;
};

}  // namespace torchq
