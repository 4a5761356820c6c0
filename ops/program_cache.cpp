/**
 * @file program_cache.cpp
 * @brief program_from_tensor and its cache of compiled programs (at most 16 entries and 64 MiB).
 */
#include "ops/program_cache.h"

#include <c10/util/Exception.h>

#include <cstring>
#include <list>
#include <mutex>
#include <utility>

#include "ops/checks.h"
#include "torchq/circuit.h"

namespace torchq_ops {
namespace {

/// Approximate bytes a compiled program keeps: its key (the program) plus what compile() built.
std::size_t approx_bytes(std::size_t program_length, const torchq::CompiledCircuit& c) {
  std::size_t bytes = program_length * sizeof(double) + sizeof(torchq::CompiledCircuit);
  bytes += c.primitives.capacity() * sizeof(torchq::Primitive);
  for (const torchq::Operation& op : c.circuit.operations()) {
    bytes += sizeof(torchq::Operation) + (op.wires.capacity() + op.controls.capacity()) * sizeof(int) + op.params.capacity() * sizeof(torchq::ParamRef) +
             op.matrix.capacity() * sizeof(std::complex<double>);
  }
  for (const auto& u : c.unitaries) bytes += u.capacity() * sizeof(std::complex<double>) + sizeof(u);
  return bytes;
}

/**
 * The most recently used compiled programs, by content, bounded by bytes (a compiled program of
 * a million numbers keeps tens of MiB): at most kEntries programs and kMaxBytes in all; the least
 * recently used go first, and a program bigger than the whole budget is not kept.
 */
class ProgramCache {
 public:
  static constexpr std::size_t kEntries = 16;
  static constexpr std::size_t kMaxBytes = std::size_t{64} << 20;

  std::shared_ptr<const torchq::CompiledCircuit> find(const double* data, std::size_t length) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->program.size() == length && std::memcmp(it->program.data(), data, length * sizeof(double)) == 0) {
        entries_.splice(entries_.begin(), entries_, it);  // most recent first
        return entries_.front().compiled;
      }
    }
    return nullptr;
  }

  void insert(const double* data, std::size_t length, std::shared_ptr<const torchq::CompiledCircuit> compiled) {
    const std::size_t bytes = approx_bytes(length, *compiled);
    if (bytes > kMaxBytes) return;
    std::lock_guard<std::mutex> guard(mutex_);
    entries_.push_front({std::vector<double>(data, data + length), std::move(compiled), bytes});
    bytes_ += bytes;
    while (entries_.size() > kEntries || bytes_ > kMaxBytes) {
      bytes_ -= entries_.back().bytes;
      entries_.pop_back();
    }
  }

  /// Entries and bytes kept now (torch.ops.torchq._program_cache_info).
  std::pair<std::size_t, std::size_t> usage() {
    std::lock_guard<std::mutex> guard(mutex_);
    return {entries_.size(), bytes_};
  }

 private:
  struct Entry {
    std::vector<double> program;
    std::shared_ptr<const torchq::CompiledCircuit> compiled;
    std::size_t bytes = 0;
  };
  std::mutex mutex_;
  std::list<Entry> entries_;
  std::size_t bytes_ = 0;
};

ProgramCache& program_cache() {
  static ProgramCache cache;
  return cache;
}

}  // namespace

std::vector<int64_t> program_cache_usage() {
  const auto [entries, bytes] = program_cache().usage();
  return {static_cast<int64_t>(entries), static_cast<int64_t>(bytes), static_cast<int64_t>(ProgramCache::kEntries),
          static_cast<int64_t>(ProgramCache::kMaxBytes)};
}

std::shared_ptr<const torchq::CompiledCircuit> program_from_tensor(const at::Tensor& program) {
  TORCH_CHECK_TYPE(program.scalar_type() == at::kDouble,
                   "torchq: the program tensor must be float64 (made by Circuit.to_program / the layer's buffer), got ",
                   program.scalar_type());
  TORCH_CHECK_VALUE(program.dim() == 1, "torchq: the program tensor must be 1-D, got shape ", program.sizes());
  TORCH_CHECK(program.device().is_cpu(), "torchq: the program tensor must be on the CPU, got ", program.device());
  TORCH_CHECK(program.has_storage(), "torchq: the program tensor has no data (a tensor subclass or transform "
              "wrapper); pass the plain float64 program tensor");
  const at::Tensor p = program.contiguous();
  const double* data = p.data_ptr<double>();
  const auto length = static_cast<std::size_t>(p.numel());
  if (auto cached = program_cache().find(data, length)) return cached;
  std::shared_ptr<const torchq::CompiledCircuit> out;
  call_core("program", [&] {
    out = std::make_shared<const torchq::CompiledCircuit>(torchq::compile(torchq::Circuit::from_program({data, length})));
  });
  program_cache().insert(data, length, out);
  return out;
}

}  // namespace torchq_ops
