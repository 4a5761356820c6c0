/// @file blocked.cpp
/// @brief The block schedule and the group executor (see blocked.h for the design).
#include "torchq/blocked.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "torchq/apply.h"
#include "torchq/statevector.h"

namespace torchq {
namespace {

/// Structures the group executor applies to a local buffer. Anything else (a noise channel, a
/// controlled basis flip, which lowering never emits) is applied directly and ends the groups.
bool blockable(const Primitive& p) {
  switch (p.structure) {
    case Structure::kDense1: case Structure::kDiag1: case Structure::kAntiDiag1: case Structure::kDense2:
    case Structure::kSwap2: case Structure::kParity: case Structure::kDenseK:
      return true;
    case Structure::kBasisFlip: return p.layout.ctrl_mask == 0;
    default: return false;
  }
}

/// p with its layout (and parity mask) rebuilt for the m-qubit buffer of a group.
Primitive localise(const Primitive& p, const std::array<int, 64>& pos, int m) {
  Primitive q = p;
  std::array<int, GateLayout::kMaxBits> targets{}, controls{};
  for (int t = 0; t < p.layout.num_targets; ++t) targets[t] = pos[p.layout.target_bits[t]];
  int nc = 0;
  for (Index rest = p.layout.ctrl_mask; rest != 0; rest &= rest - 1) controls[nc++] = pos[std::countr_zero(rest)];
  q.layout = make_layout(m, targets.data(), p.layout.num_targets, controls.data(), nc);
  auto remap = [&](Index global) {
    Index local = 0;
    for (Index rest = global; rest != 0; rest &= rest - 1) local |= Index{1} << pos[std::countr_zero(rest)];
    return local;
  };
  q.zmask = remap(p.zmask);
  // The generator too, for the adjoint sweep's inner products on the buffers.
  q.generator.xmask = remap(p.generator.xmask);
  q.generator.zmask = remap(p.generator.zmask);
  q.generator.proj_mask = remap(p.generator.proj_mask);
  return q;
}

/// Local offset of global offset `global` (made of local bits only).
std::uint32_t to_local(const std::array<int, 64>& pos, Index global) {
  std::uint32_t out = 0;
  for (Index rest = global; rest != 0; rest &= rest - 1) out |= std::uint32_t{1} << pos[std::countr_zero(rest)];
  return out;
}

/// Gather tables already made in this schedule, by (local bits and their order, run length).
using TableCache = std::map<std::pair<std::array<int, 64>, int>, std::shared_ptr<const GatherTables>>;

/// Chooses the group's local bits and their order, and finds or fills its gather tables (blocked.h).
void finish_step(BlockStep& st, int n, int m, Index low, TableCache& cache) {
  // Local bits: the gate bits, the always-local low bits, then the lowest others up to m.
  // Padding (local bits no gate touches) takes the lowest local positions, ascending.
  st.local_pos.fill(-1);
  st.local_mask = st.gate_mask | low;
  for (int b = 0; b < n && std::popcount(st.local_mask) < m; ++b) st.local_mask |= Index{1} << b;
  int next = 0;
  for (Index rest = st.local_mask & ~st.gate_mask; rest != 0; rest &= rest - 1) {
    st.local_pos[std::countr_zero(rest)] = next++;
  }
  for (Index rest = st.gate_mask; rest != 0; rest &= rest - 1) st.local_pos[std::countr_zero(rest)] = next++;
  const int contiguous = std::min(m, std::countr_one(st.local_mask));
  st.run_in_order = true;
  for (int b = 0; b < contiguous; ++b) st.run_in_order &= st.local_pos[b] == b;
  st.in_place = st.run_in_order && contiguous == m;
  // In order: runs of all the contiguous low bits, copied with memcpy. Otherwise the gates touch
  // some of the lowest bits, which the buffer holds above the padding: the gather transposes runs
  // of only the always-local low bits (a 16- or 32-entry table that stays in L1).
  st.run_bits = st.run_in_order ? contiguous : std::min(contiguous, std::max(1, std::countr_one(low)));
  std::vector<int> upper;  // local bits above the runs
  for (int b = st.run_bits; b < n; ++b) {
    if ((st.local_mask >> b) & 1U) {
      upper.push_back(b);
    } else {
      st.outer_bits.push_back(b);
    }
  }
  // local_pos says which bits are local and where; with run_bits it fixes the tables.
  auto& shared = cache[{st.local_pos, st.run_bits}];
  if (shared != nullptr) {
    st.tables = shared;
    return;
  }
  auto t = std::make_shared<GatherTables>();
  if (!st.run_in_order) {
    t->run_offsets.resize(Index{1} << st.run_bits);
    for (Index j = 0; j < t->run_offsets.size(); ++j) t->run_offsets[j] = to_local(st.local_pos, j);
  }
  // Runs in buffer order (upper bits by local position): runs that differ only in padding bits
  // interleave in the buffer, so a transposing gather fills each buffer line from consecutive runs
  // while the line is still in L1. For in-order runs it is plain ascending order.
  std::sort(upper.begin(), upper.end(), [&](int x, int y) { return st.local_pos[x] < st.local_pos[y]; });
  const Index runs = Index{1} << upper.size();
  t->run_global.resize(runs);
  t->run_local.resize(runs);
  for (Index r = 0; r < runs; ++r) {
    Index off = 0;
    for (std::size_t j = 0; j < upper.size(); ++j) {
      if ((r >> j) & 1U) off |= Index{1} << upper[j];
    }
    t->run_global[r] = off;
    t->run_local[r] = to_local(st.local_pos, off);
  }
  shared = t;
  st.tables = std::move(t);
}

/// The kernel calls of one blocked step for one sample: uncontrolled one-qubit gates fused per
/// local bit (as in the unblocked run, per group), every gate resolved once, not once per outer
/// index. The calls point into `local`.
template <class T>
void resolve_group(const std::vector<Primitive>& local, const CompiledCircuit& c, const T* weights, const T* inputs,
                   KernelCalls<T>& calls) {
  calls.clear();
  OneQubitFuser fuser;
  for (const Primitive& p : local) {
    if (fuser.add(p, weights, inputs) || fuser.fuse_cnot(p, calls)) continue;
    fuser.flush(p.touched_bits(), calls);
    resolve_primitive(c, p, weights, inputs, ApplyMode::kForward, calls);
  }
  fuser.flush(~Index{0}, calls);
}

}  // namespace

void localise_group(const BlockStep& st, const CompiledCircuit& c, int local_bits, std::vector<Primitive>& out) {
  out.clear();
  out.reserve(st.prims.size());
  for (int i : st.prims) out.push_back(localise(c.primitives[i], st.local_pos, local_bits));
}

Index BlockStep::outer_offset(Index o) const {
  Index base = 0;
  for (std::size_t j = 0; o != 0; ++j, o >>= 1) {
    if (o & 1U) base |= Index{1} << outer_bits[j];
  }
  return base;
}

template <class T>
void gather_group(Complex<T>* buf, const Complex<T>* base, const BlockStep& st) {
  const Index run = Index{1} << st.run_bits;
  const GatherTables& tb = *st.tables;
  const Index runs = tb.run_global.size();
  if (st.run_in_order) {
    for (Index r = 0; r < runs; ++r) {
      std::memcpy(static_cast<void*>(buf + tb.run_local[r]), base + tb.run_global[r], run * sizeof(Complex<T>));
    }
    return;
  }
  // The gates touch the lowest global bits, which sit high in the buffer: transpose.
  const std::uint32_t* to = tb.run_offsets.data();
  for (Index r = 0; r < runs; ++r) {
    const Complex<T>* __restrict src = base + tb.run_global[r];
    Complex<T>* __restrict dst = buf + tb.run_local[r];
    for (Index j = 0; j < run; ++j) dst[to[j]] = src[j];
  }
}

template <class T>
void scatter_group(Complex<T>* base, const Complex<T>* buf, const BlockStep& st) {
  const Index run = Index{1} << st.run_bits;
  const GatherTables& tb = *st.tables;
  const Index runs = tb.run_global.size();
  if (st.run_in_order) {
    for (Index r = 0; r < runs; ++r) {
      std::memcpy(static_cast<void*>(base + tb.run_global[r]), buf + tb.run_local[r], run * sizeof(Complex<T>));
    }
    return;
  }
  const std::uint32_t* to = tb.run_offsets.data();
  for (Index r = 0; r < runs; ++r) {
    const Complex<T>* __restrict src = buf + tb.run_local[r];
    Complex<T>* __restrict dst = base + tb.run_global[r];
    for (Index j = 0; j < run; ++j) dst[j] = src[to[j]];
  }
}

int BlockSchedule::num_groups() const {
  return static_cast<int>(std::count_if(steps.begin(), steps.end(), [](const BlockStep& s) { return s.blocked; }));
}

namespace {

/// Places every primitive into a group or a direct step (the greedy rule of blocked.h); the
/// blocked steps get their gate masks and primitives, not yet their local layout.
BlockSchedule place_gates(const CompiledCircuit& c, int local_bits, int pad_bits, int low_bits, SweepOrder order) {
  const int n = c.circuit.num_qubits();
  const int m = local_bits;
  if (m < 1 || m > n || pad_bits < 0 || pad_bits >= m || low_bits < 0 || low_bits >= m) {
    throw std::invalid_argument("make_block_schedule: need num_qubits >= local_bits > pad_bits, low_bits >= 0, got " +
                                std::to_string(n) + ", " + std::to_string(m) + ", " + std::to_string(pad_bits) + ", " +
                                std::to_string(low_bits));
  }
  const int capacity = m - pad_bits;  // gate bits per group
  const Index low = (Index{1} << low_bits) - 1;
  BlockSchedule s;
  s.num_qubits = n;
  s.local_bits = m;
  // last_group[b]: the latest step whose gates touch bit b. A gate goes into no earlier step, so
  // for every pair of gates sharing a bit the order is kept.
  std::array<int, 64> last_group;
  last_group.fill(-1);
  int first_open = 0;  // steps before this are closed (a direct step came after them)
  const int count = static_cast<int>(c.primitives.size());
  for (int step = 0; step < count; ++step) {
    const int i = order == SweepOrder::kForward ? step : count - 1 - step;
    const Primitive& p = c.primitives[i];
    if (p.structure == Structure::kSkip) continue;
    const Index bits = p.touched_bits();
    if (!blockable(p) || std::popcount(bits) > capacity || std::popcount(bits | low) > m) {
      BlockStep direct;
      direct.prims.push_back(i);
      s.steps.push_back(std::move(direct));
      first_open = static_cast<int>(s.steps.size());
      continue;
    }
    int start = first_open;
    for (Index rest = bits; rest != 0; rest &= rest - 1) start = std::max(start, last_group[std::countr_zero(rest)]);
    int placed = -1;
    for (int j = start; j < static_cast<int>(s.steps.size()); ++j) {
      const Index g = s.steps[j].gate_mask | bits;
      if (s.steps[j].blocked && std::popcount(g) <= capacity && std::popcount(g | low) <= m) {
        placed = j;
        break;
      }
    }
    if (placed < 0) {
      BlockStep g;
      g.blocked = true;
      s.steps.push_back(std::move(g));
      placed = static_cast<int>(s.steps.size()) - 1;
    }
    BlockStep& g = s.steps[placed];
    g.gate_mask |= bits;
    g.prims.push_back(i);
    for (Index rest = bits; rest != 0; rest &= rest - 1) last_group[std::countr_zero(rest)] = placed;
  }
  return s;
}

}  // namespace

BlockSchedule make_block_schedule(const CompiledCircuit& c, int local_bits, int pad_bits, int low_bits,
                                  SweepOrder order) {
  BlockSchedule s = place_gates(c, local_bits, pad_bits, low_bits, order);
  const Index low = (Index{1} << low_bits) - 1;
  TableCache tables;
  for (BlockStep& st : s.steps) {
    if (st.blocked) finish_step(st, s.num_qubits, s.local_bits, low, tables);
  }
  return s;
}

int choose_local_bits(const CompiledCircuit& c, std::size_t amplitude_bytes, int pad_bits, int low_bits,
                      SweepOrder order) {
  const int n = c.circuit.num_qubits();
  int best = 0, best_groups = 0;
  for (int m = block_min_local_bits(amplitude_bytes); m <= block_max_local_bits(amplitude_bytes) && m < n; ++m) {
    if (pad_bits >= m || low_bits >= m) continue;
    const int groups = place_gates(c, m, pad_bits, low_bits, order).num_groups();
    if (best == 0 || groups < best_groups) {
      best = m;
      best_groups = groups;
    }
  }
  return best;
}

template <class T>
void apply_gates_blocked(Complex<T>* psi, const CompiledCircuit& c, const BlockSchedule& s, const T* weights,
                         const T* inputs, const kernels::KernelTable<T>& k, const Executor& ex) {
  const int n = s.num_qubits;
  const int m = s.local_bits;
  const Index outer = Index{1} << (n - m);
  const Index workers = std::min<Index>(outer, static_cast<Index>(std::max(1, ex.num_threads())));
  bool needs_buffer = false;
  for (const BlockStep& st : s.steps) needs_buffer |= st.blocked && !st.in_place;
  // One buffer per worker for the whole call (StateVector: 64-byte aligned).
  std::vector<StateVector<T>> buffers;
  if (needs_buffer) {
    buffers.reserve(workers);
    for (Index w = 0; w < workers; ++w) buffers.emplace_back(m);
  }
  KernelCalls<T> calls;
  std::vector<Primitive> local;  // the group's primitives on local bits (the calls point into it)
  const Executor& serial = serial_executor();
  for (const BlockStep& st : s.steps) {
    if (!st.blocked) {
      apply_primitive(psi, c, c.primitives[st.prims[0]], weights, inputs, ApplyMode::kForward, k, ex);
      continue;
    }
    localise_group(st, c, m, local);
    resolve_group(local, c, weights, inputs, calls);
    if (calls.empty()) continue;
    // Worker w takes a fixed slice of the outer indices: the split, and so the arithmetic per
    // amplitude, is the same for any thread count.
    ex.parallel_for(workers, 1, [&](Index wlo, Index whi) {
      for (Index w = wlo; w < whi; ++w) {
        const Index olo = outer * w / workers, ohi = outer * (w + 1) / workers;
        for (Index o = olo; o < ohi; ++o) {
          Complex<T>* base = psi + st.outer_offset(o);
          if (st.in_place) {
            calls.run(base, k, serial);
            continue;
          }
          Complex<T>* buf = buffers[w].data();
          gather_group(buf, base, st);
          calls.run(buf, k, serial);
          scatter_group(base, buf, st);
        }
      }
    });
  }
}

#define TORCHQ_INSTANTIATE(T)                                                                                  \
  template void apply_gates_blocked<T>(Complex<T>*, const CompiledCircuit&, const BlockSchedule&, const T*,    \
                                       const T*, const kernels::KernelTable<T>&, const Executor&);            \
  template void gather_group<T>(Complex<T>*, const Complex<T>*, const BlockStep&);                               \
  template void scatter_group<T>(Complex<T>*, const Complex<T>*, const BlockStep&);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
