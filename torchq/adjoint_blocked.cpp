/// @file adjoint_blocked.cpp
/// @brief The cache-blocked adjoint sweep (see adjoint_blocked.h).
#include "torchq/adjoint_blocked.h"

#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>

#include "torchq/apply.h"
#include "torchq/gradients.h"
#include "torchq/observables.h"
#include "torchq/statevector.h"

namespace torchq {
namespace {

/// One item of a group's sweep for one sample, on the group's buffers.
template <class T>
struct SweepItem {
  /// A block of uncontrolled one-qubit gates on one local bit (first) or one other gate.
  bool block = false;
  int local = 0;          ///< index into the group's localised primitives (a block: its first gate)
  std::size_t slot = 0;   ///< first of its sums: 4 (the cross density) for a block, 1 for a gate
  bool wanted = false;    ///< a gate: whether its derivative is taken
  std::size_t undo_first = 0, undo_last = 0;  ///< a gate: its un-apply, calls of the group's KernelCalls
  std::array<Complex<T>, 4> v{};  ///< a block: the product of its un-applies
  /// A block: (index into the localised primitives, W_g^dagger G_g W_g) of each wanted gate.
  std::vector<std::pair<int, Mat2>> derivatives;
};

/// The sweep items of a blocked step for one sample (sweep order), and the number of sums. The
/// gates' un-applies are resolved once into `undo` (pointing into `local`), not per outer index.
template <class T>
std::size_t plan_group(const BlockStep& st, const std::vector<Primitive>& local, const CompiledCircuit& c, const T* w,
                       const T* x, const SweepSink& sink, std::vector<SweepItem<T>>& items, KernelCalls<T>& undo) {
  items.clear();
  undo.clear();
  std::size_t slots = 0;
  std::array<std::vector<int>, 64> pending;  // per local bit: uncontrolled one-qubit gates waiting
  auto flush_bit = [&](int bit) {
    auto& list = pending[bit];
    if (list.empty()) return;
    SweepItem<T> it;
    it.block = true;
    it.local = list[0];
    it.slot = slots;
    slots += 4;
    const Mat2 W = detail::adjoint_block_matrices(
        static_cast<int>(list.size()), [&](int g) -> const Primitive& { return c.primitives[st.prims[list[g]]]; }, w,
        x, sink.wanted, [&](int g, const Mat2& M) { it.derivatives.emplace_back(list[g], M); });
    for (int e = 0; e < 4; ++e) it.v[e] = to_t<T>(W[e]);
    items.push_back(std::move(it));
    list.clear();
  };
  for (int j = 0; j < static_cast<int>(local.size()); ++j) {
    const Primitive& q = local[j];
    if (detail::is_uncontrolled_1q(q)) {
      pending[q.layout.target_bits[0]].push_back(j);
      continue;
    }
    for (Index rest = q.touched_bits(); rest != 0; rest &= rest - 1) flush_bit(std::countr_zero(rest));
    SweepItem<T> it;
    it.local = j;
    it.wanted = sink.wanted(c.primitives[st.prims[j]]);
    it.slot = slots;
    if (it.wanted) slots += 1;
    it.undo_first = undo.calls.size();
    resolve_primitive(c, q, w, x, ApplyMode::kInverse, undo);
    it.undo_last = undo.calls.size();
    items.push_back(std::move(it));
  }
  for (int bit = 0; bit < 64; ++bit) flush_bit(bit);
  return slots;
}

/// Runs a group's items on the buffers of one outer index, writing its sums to `sums`.
template <class T>
void sweep_buffers(Complex<T>* pb, Complex<T>* lb, const std::vector<Primitive>& local,
                   const std::vector<SweepItem<T>>& items, const KernelCalls<T>& undo, int m,
                   const kernels::KernelTable<T>& k, std::complex<double>* sums) {
  const Executor& serial = serial_executor();
  for (const SweepItem<T>& it : items) {
    const Primitive& q = local[it.local];
    if (it.block) {
      const kernels::CrossDensity S = k.adjoint_block1(pb, lb, q.layout, it.v.data(), serial);
      for (int e = 0; e < 4; ++e) sums[it.slot + e] = S.s[e];
      continue;
    }
    if (it.wanted) {
      const Generator& G = q.generator;
      sums[it.slot] = pauli_inner(lb, pb, m, G.xmask, G.zmask, G.num_y, G.proj_mask, serial);
    }
    undo.run(pb, k, serial, it.undo_first, it.undo_last);
    undo.run(lb, k, serial, it.undo_first, it.undo_last);
  }
}

}  // namespace

template <class T>
void adjoint_sweep_blocked(Complex<T>* psi, Complex<T>* lambda, const CompiledCircuit& c, const BlockSchedule& s,
                           const T* w, const T* x, SweepSink sink, const kernels::KernelTable<T>& k,
                           const Executor& ex, const Complex<T>* psi_source) {
  const int n = s.num_qubits;
  const int m = s.local_bits;
  const Index outer = Index{1} << (n - m);
  const Index workers = std::min<Index>(outer, static_cast<Index>(std::max(1, ex.num_threads())));
  std::vector<StateVector<T>> buffers;  // psi's and lambda's buffer per worker, for the whole sweep
  buffers.reserve(2 * workers);
  for (Index b = 0; b < 2 * workers; ++b) buffers.emplace_back(m);
  std::vector<SweepItem<T>> items;
  KernelCalls<T> undo;  // the un-applies of a group's gates (or of a direct step)
  std::vector<std::complex<double>> sums;
  std::vector<Primitive> local;  // the group's primitives on local bits
  if (psi_source != nullptr && (s.steps.empty() || !s.steps.front().blocked)) {
    throw std::logic_error("adjoint_sweep_blocked: psi_source needs a schedule that starts with a group");
  }
  for (const BlockStep& st : s.steps) {
    // psi's amplitudes come from psi_source in the first group only.
    const Complex<T>* src = &st == &s.steps.front() && psi_source != nullptr ? psi_source : psi;
    if (!st.blocked) {
      const Primitive& p = c.primitives[st.prims[0]];
      if (sink.wanted(p)) {
        const Generator& G = p.generator;
        const std::complex<double> z = pauli_inner(lambda, psi, n, G.xmask, G.zmask, G.num_y, G.proj_mask, ex);
        sink.accumulate(p, 2.0 * G.coeff * z.imag());
      }
      undo.clear();
      resolve_primitive(c, p, w, x, ApplyMode::kInverse, undo);
      undo.run(psi, k, ex);
      undo.run(lambda, k, ex);
      continue;
    }
    localise_group(st, c, m, local);
    const std::size_t slots = plan_group(st, local, c, w, x, sink, items, undo);
    if (items.empty()) continue;
    // One row of sums per outer index, added in index order below: the same for any thread count.
    sums.assign(outer * slots, std::complex<double>{});
    ex.parallel_for(workers, 1, [&](Index wlo, Index whi) {
      for (Index wk = wlo; wk < whi; ++wk) {
        const Index olo = outer * wk / workers, ohi = outer * (wk + 1) / workers;
        for (Index o = olo; o < ohi; ++o) {
          const Index off = st.outer_offset(o);
          std::complex<double>* row = sums.data() + o * slots;
          if (st.in_place) {
            if (src != psi) std::copy(src + off, src + off + (Index{1} << m), psi + off);
            sweep_buffers(psi + off, lambda + off, local, items, undo, m, k, row);
            continue;
          }
          Complex<T>* pb = buffers[2 * wk].data();
          Complex<T>* lb = buffers[2 * wk + 1].data();
          gather_group(pb, src + off, st);
          gather_group(lb, lambda + off, st);
          sweep_buffers(pb, lb, local, items, undo, m, k, row);
          scatter_group(psi + off, pb, st);
          scatter_group(lambda + off, lb, st);
        }
      }
    });
    std::vector<std::complex<double>> total(slots);
    for (Index o = 0; o < outer; ++o) {
      for (std::size_t j = 0; j < slots; ++j) total[j] += sums[o * slots + j];
    }
    for (const SweepItem<T>& it : items) {
      if (it.block) {
        for (const auto& [j, M] : it.derivatives) {
          std::complex<double> z = 0;
          for (int e = 0; e < 4; ++e) z += M[e] * total[it.slot + e];
          const Primitive& p = c.primitives[st.prims[j]];
          sink.accumulate(p, 2.0 * p.generator.coeff * z.imag());
        }
      } else if (it.wanted) {
        const Primitive& p = c.primitives[st.prims[it.local]];
        sink.accumulate(p, 2.0 * p.generator.coeff * total[it.slot].imag());
      }
    }
  }
}

#define TORCHQ_INSTANTIATE(T)                                                                                    \
  template void adjoint_sweep_blocked<T>(Complex<T>*, Complex<T>*, const CompiledCircuit&, const BlockSchedule&, \
                                         const T*, const T*, SweepSink, const kernels::KernelTable<T>&,          \
                                         const Executor&, const Complex<T>*);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
