/// @file lane_kernels.cpp
/// @brief Picks the lane kernels of the gate kernels' instruction set.
#include "torchq/lanes/lane_kernels.h"

namespace torchq::lanes {

// Defined by the per-ISA translation units (lane_kernels_<isa>.cpp).
namespace isa_generic { const LaneKernels<float>& table_f(); const LaneKernels<double>& table_d(); }
namespace isa_avx2 { const LaneKernels<float>& table_f(); const LaneKernels<double>& table_d(); }
namespace isa_avx512 { const LaneKernels<float>& table_f(); const LaneKernels<double>& table_d(); }

namespace {

template <class T>
const LaneKernels<T>& table_of(kernels::Isa isa) {
  if constexpr (sizeof(T) == sizeof(float)) {
    switch (isa) {
      case kernels::Isa::kAvx512: return isa_avx512::table_f();
      case kernels::Isa::kAvx2: return isa_avx2::table_f();
      default: return isa_generic::table_f();
    }
  } else {
    switch (isa) {
      case kernels::Isa::kAvx512: return isa_avx512::table_d();
      case kernels::Isa::kAvx2: return isa_avx2::table_d();
      default: return isa_generic::table_d();
    }
  }
}

}  // namespace

template <class T>
const LaneKernels<T>& lane_kernels(kernels::Isa isa) {
  kernels::kernel_table<T>(isa);  // throws if the CPU does not support isa
  return table_of<T>(isa);
}

template <class T>
const LaneKernels<T>& lane_kernels() {
  static const LaneKernels<T>& t = table_of<T>(kernels::active_kernels<T>().isa);
  return t;
}

template const LaneKernels<float>& lane_kernels<float>(kernels::Isa);
template const LaneKernels<double>& lane_kernels<double>(kernels::Isa);
template const LaneKernels<float>& lane_kernels<float>();
template const LaneKernels<double>& lane_kernels<double>();

}  // namespace torchq::lanes
