/**
 * @file kernel_table.h
 * @brief The gate kernels, specialised by structure, and their run-time dispatch by CPU features.
 *
 * kernels_impl.h is compiled once per instruction set (generic x86-64, AVX2+FMA, AVX-512F)
 * into separate namespaces; each compilation fills a KernelTable. At first use we pick the best
 * table the CPU supports (never -march=native), so one binary runs on any x86-64. The
 * environment variable TORCHQ_ISA=generic|avx2|avx512 forces a table; tests reach every table
 * with kernel_table<T>(Isa) and check they agree.
 *
 * All kernels act in place on `psi` (2^n amplitudes), touch only amplitudes whose control
 * bits are all 1, and split their loop through the executor.
 */
#pragma once

#include <string>
#include <vector>

#include "torchq/bits.h"
#include "torchq/parallel.h"
#include "torchq/types.h"

namespace torchq::kernels {

enum class Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

const char* isa_name(Isa isa);

/// Largest number of targets of a dense k-qubit kernel (types.h).
using torchq::kMaxDenseTargets;

/// The 2x2 cross density of one adjoint block: s[2i+j] = sum_k conj(lambda_k,i) psi_k,j, where
/// k runs over the amplitude pairs of the block's wire and i, j are the wire's bit.
struct CrossDensity {
  std::complex<double> s[4] = {};
};

template <class T>
struct KernelTable {
  using C = Complex<T>;
  Isa isa;
  /// 1-qubit dense matrix m (row-major 2x2) on target 0.
  void (*dense1)(C* psi, const GateLayout& L, const C* m, const Executor& ex);
  /// 1-qubit diagonal diag(d[0], d[1]).
  void (*diag1)(C* psi, const GateLayout& L, const C* d, const Executor& ex);
  /// 1-qubit anti-diagonal [[0, a[0]], [a[1], 0]] (X, Y).
  void (*antidiag1)(C* psi, const GateLayout& L, const C* a, const Executor& ex);
  /// X on the target (under the controls): antidiag1 with both entries 1, as a pure exchange.
  /// CNOT ladders are a large share of a layered circuit's passes (apply.cpp resolves X to kFlip1).
  void (*flip1)(C* psi, const GateLayout& L, const Executor& ex);
  /**
   * CNOT(control, target) (A on the control, B on the target): m = {A row-major, B row-major}, L
   * the CNOT's layout (one target, one control). One pass where a one-qubit product on each wire
   * and the CNOT took three; in a layered ansatz every rotation folds into a CNOT this way.
   */
  void (*fused_cnot)(C* psi, const GateLayout& L, const C* m, const Executor& ex);
  /// 2-qubit dense matrix (row-major 4x4), local index = 2*bit(target0) + bit(target1).
  void (*dense2)(C* psi, const GateLayout& L, const C* m, const Executor& ex);
  /// Swaps the two targets.
  void (*swap2)(C* psi, const GateLayout& L, const Executor& ex);
  /// Multiplies by ph[parity(i & zmask)] (MultiRZ, IsingZZ). L has no targets, only controls.
  void (*parity_phase)(C* psi, const GateLayout& L, Index zmask, const C* ph, const Executor& ex);
  /// k-qubit dense matrix (row-major 2^k x 2^k), k <= kMaxDenseTargets.
  void (*densek)(C* psi, const GateLayout& L, const C* m, const Executor& ex);
  /**
   * One step of the adjoint sweep for a block of uncontrolled one-qubit gates on one wire: returns
   * the cross density of (lambda, psi) on the wire as they are, then applies the 2x2 matrix v (the
   * product of the block's un-applies) to both. One pass over both states whatever the block's
   * length: every <lambda_j|G_j|psi_j> of the block follows from the 2x2 result (see adjoint.cpp).
   * The sums run over fixed blocks, so they do not depend on the thread count.
   */
  CrossDensity (*adjoint_block1)(C* psi, C* lambda, const GateLayout& L, const C* v, const Executor& ex);
  /// Reads and writes every amplitude once (psi[i] = -psi[i]): the memory-bandwidth bound.
  void (*read_write_pass)(C* psi, Index size, const Executor& ex);
};

/// Instruction sets this CPU supports, best last.
std::vector<Isa> supported_isas();

/// The table for one instruction set. Throws ArgumentError if the CPU does not support it.
template <class T>
const KernelTable<T>& kernel_table(Isa isa);

/// The table in use: the best supported, or TORCHQ_ISA if set.
template <class T>
const KernelTable<T>& active_kernels();

}  // namespace torchq::kernels
