/**
 * @file statevector.h
 * @brief StateVector<T>: owns 64-byte aligned amplitudes of an n-qubit state.
 *
 * Kernels never own memory; they take a pointer from here (or from a torch tensor).
 * The constructor checks the memory guard before allocating.
 */
#pragma once

#include <algorithm>
#include <memory>
#include <new>
#include <span>

#include "torchq/memory.h"
#include "torchq/types.h"

namespace torchq {

template <class T>
class StateVector {
 public:
  using value_type = Complex<T>;

  /// Allocates an n-qubit state set to |0...0>. Throws MemoryError before allocating if it cannot fit.
  explicit StateVector(int num_qubits) : num_qubits_(num_qubits) {
    check_state_memory(num_qubits, sizeof(value_type), 1, 0, "StateVector");
    size_ = Index{1} << num_qubits;
    data_.reset(static_cast<value_type*>(
        ::operator new(size_ * sizeof(value_type), std::align_val_t{kAlignment})));
    reset();
  }

  int num_qubits() const { return num_qubits_; }
  Index size() const { return size_; }
  value_type* data() { return data_.get(); }
  const value_type* data() const { return data_.get(); }
  std::span<value_type> amplitudes() { return {data(), size_}; }
  std::span<const value_type> amplitudes() const { return {data(), size_}; }
  value_type& operator[](Index i) { return data_[i]; }
  const value_type& operator[](Index i) const { return data_[i]; }

  /// Sets the state to |0...0>.
  void reset() {
    std::fill(data(), data() + size_, value_type{0});
    data_[0] = value_type{1};
  }

 private:
  static constexpr std::size_t kAlignment = 64;
  struct AlignedDelete {
    void operator()(value_type* p) const { ::operator delete(p, std::align_val_t{kAlignment}); }
  };
  int num_qubits_;
  Index size_ = 0;
  std::unique_ptr<value_type[], AlignedDelete> data_;
};

}  // namespace torchq
