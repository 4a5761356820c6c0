/**
 * @file blocked.h
 * @brief Cache-blocked forward execution of a circuit's gate sequence: fewer passes over a state
 * that does not fit in cache.
 *
 * Why: on a state far larger than the caches every gate is one pass over DRAM, whatever its
 * arithmetic. Gates that act on few bits can instead be applied group by group: a group has a
 * set of at most m "local" bits, and for every combination of the other (outer) bits its 2^m
 * amplitudes are gathered into a buffer that stays in L2, all of the group's gates are applied to
 * the buffer with the ordinary kernels (as an m-qubit state), and the buffer is scattered back.
 * A group then costs about one read-and-write pass, however many gates it holds.
 *
 * The schedule (BlockSchedule) depends only on the circuit's structure, never on parameter
 * values: gates move past gates on disjoint bits (they commute), so each gate goes into the
 * earliest group at or after the last group that touched one of its bits, if the group's gate
 * bits stay within m - pad and, with the `low` lowest bits (local in every group), within m;
 * otherwise a new group starts. Gates sharing a bit keep their order.
 *
 * Local bit order (why the buffer is not simply the global bits in order): a kernel loops over
 * contiguous runs below the lowest bit its gate fixes, so a gate on bit 0 or 1, or controlled by
 * it, runs 3 to 10 times slower per amplitude than one on bit 5 (short runs, scalar code). Each
 * group therefore gets `pad` padding bits, the lowest global bits its gates do not touch, placed
 * at the lowest local positions, and its gate bits above them: every gate in the buffer runs on
 * runs of at least 2^pad amplitudes, whichever wires it acts on. The gather reads runs of the
 * lowest global bits (at least the `low` always-local ones, so DRAM sees 256-byte runs, not single
 * lines) and copies them with memcpy when they keep their order (the gates do not touch the
 * lowest bits), else transposes runs of 2^low amplitudes element by element through a small
 * table, taking the runs in buffer order so that buffer lines fill while in L1. A group whose
 * buffer is exactly the slice of bits 0..m-1, in order, is applied in place without a copy.
 *
 * Bit layout as everywhere in torchq (types.h): bits are amplitude-index bit positions, wire 0 is
 * the most significant bit. Results do not depend on the thread count: each amplitude group is
 * processed by one thread with the same arithmetic in the same order.
 */
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "torchq/kernels/kernel_table.h"
#include "torchq/lowering.h"
#include "torchq/parallel.h"
#include "torchq/types.h"

namespace torchq {

/**
 * @brief The range of local bits per group (m) tried for amplitudes of `amplitude_bytes` bytes:
 * group buffers of 256 KiB to 1 MiB (the L2 of one core). A smaller buffer runs its kernels
 * faster (it stays in L2 beside the state's lines in flight); a larger one may need fewer groups,
 * and a group costs about one pass over the state. Hence choose_local_bits: fewest groups, then
 * the smallest m (the measurements behind the range: benchmarks/README.md, "Tuning the blocked
 * runs").
 */
constexpr int block_min_local_bits(std::size_t amplitude_bytes) { return amplitude_bytes <= 8 ? 15 : 14; }
constexpr int block_max_local_bits(std::size_t amplitude_bytes) { return block_min_local_bits(amplitude_bytes) + 2; }

/// Padding bits per group: every gate in a buffer loops over runs of at least 2^pad amplitudes.
inline constexpr int kBlockPadBits = 2;

/// Low bits local in every group: a gather reads runs of at least 2^low amplitudes (256 bytes),
/// not scattered single cache lines.
constexpr int block_low_bits(std::size_t amplitude_bytes) { return amplitude_bytes <= 8 ? 5 : 4; }

/**
 * @brief Whether run_circuit blocks an n-qubit state of `amplitude_bytes` amplitudes: from 2 qubits
 * above the smallest group (a 1 MiB state, 16 qubits in double) up. There the state leaves L2,
 * and even while it sits in L3 the blocked layer is faster, because the buffer keeps every gate
 * on long runs (benchmarks/README.md, "Tuning the blocked runs").
 */
constexpr bool block_pays(int num_qubits, std::size_t amplitude_bytes) {
  return num_qubits >= block_min_local_bits(amplitude_bytes) + 2;
}

/// Gather tables of a blocked step. Groups with the same local bits in the same order share one
/// (a deep circuit cycles through a few bit sets; a copy per group grew with depth).
struct GatherTables {
  /// Local offset of element j of a run (only when the runs are not in order).
  std::vector<std::uint32_t> run_offsets;
  /// Global and local offsets of each run, 2^(m - run_bits) of them.
  std::vector<Index> run_global;
  std::vector<std::uint32_t> run_local;
};

/// One step of a schedule: a group of gates applied blocked, or one primitive applied directly.
struct BlockStep {
  bool blocked = false;
  /// Indices into CompiledCircuit::primitives, in execution order.
  std::vector<int> prims;
  // --- blocked steps only ---
  /// Bits that are local (gathered): the gate bits and the lowest m - |gate bits| others.
  Index local_mask = 0;
  /// The bits the group's gates touch (a subset of local_mask, at most m - pad of them).
  Index gate_mask = 0;
  /// Local position of each global bit (-1 if not local): padding bits ascending from 0, then
  /// the gate bits ascending.
  std::array<int, 64> local_pos{};
  /// Global bits 0..run_bits-1 are all local: a gather reads runs of 2^run_bits amplitudes.
  int run_bits = 0;
  /// The runs keep their order in the buffer (memcpy); otherwise run_offsets places each element.
  bool run_in_order = false;
  /// The buffer is the slice of bits 0..m-1 in order: applied in place.
  bool in_place = false;
  /// Where each run goes (shared between groups with the same local bits and order).
  std::shared_ptr<const GatherTables> tables;
  /// The non-local bits, ascending: bit j of the outer index goes to outer_bits[j].
  std::vector<int> outer_bits;

  /// Offset in the state of the group's amplitudes for outer index o (its bits on outer_bits).
  Index outer_offset(Index o) const;
};

/**
 * @brief The group's primitives with layouts, parity and generator masks remapped to the local
 * positions of an m-qubit buffer, into `out` (resized). Made per call, not kept in the schedule:
 * a kept copy of every primitive doubled the circuit's memory, which grows with depth.
 */
void localise_group(const BlockStep& st, const CompiledCircuit& c, int local_bits, std::vector<Primitive>& out);

/// Copies the 2^m amplitudes of a blocked step at `base` (state + outer_offset) into buf.
template <class T>
void gather_group(Complex<T>* buf, const Complex<T>* base, const BlockStep& st);
/// The inverse of gather_group.
template <class T>
void scatter_group(Complex<T>* base, const Complex<T>* buf, const BlockStep& st);

/// The order a schedule runs the primitives in: the circuit's, or reversed (the adjoint sweep).
enum class SweepOrder { kForward, kReverse };

struct BlockSchedule {
  int num_qubits = 0;
  int local_bits = 0;  ///< m
  std::vector<BlockStep> steps;
  /// Number of blocked steps (each costs about one pass over the state).
  int num_groups() const;
};

/**
 * @brief Partitions the circuit's primitives into groups of `local_bits` local bits, at most
 * local_bits - pad_bits of them touched by the group's gates. Primitives the group executor
 * cannot apply (noise channels, gates wider than that) become direct steps, which no gate
 * crosses. Requires num_qubits >= local_bits > pad_bits >= 0.
 */
BlockSchedule make_block_schedule(const CompiledCircuit& c, int local_bits, int pad_bits, int low_bits,
                                  SweepOrder order = SweepOrder::kForward);

/**
 * @brief The m in [block_min_local_bits, block_max_local_bits] (and below num_qubits) whose
 * schedule has the fewest groups, the smallest on ties. Only places the gates (no tables), so it
 * costs little beside one pass over a 2^16 state.
 * @return 0 if the state is too small to block.
 */
int choose_local_bits(const CompiledCircuit& c, std::size_t amplitude_bytes, int pad_bits, int low_bits,
                      SweepOrder order = SweepOrder::kForward);

/**
 * @brief Applies the circuit's gates (not the state preparation) to psi following `s`.
 * Uncontrolled one-qubit gates on one wire within a group are fused into one 2x2 matrix
 * (OneQubitFuser, apply.h), as in the unblocked run. Threads (from ex) split the outer index; each has its own buffer, allocated once.
 */
template <class T>
void apply_gates_blocked(Complex<T>* psi, const CompiledCircuit& c, const BlockSchedule& s, const T* weights,
                         const T* inputs, const kernels::KernelTable<T>& k, const Executor& ex);

}  // namespace torchq
