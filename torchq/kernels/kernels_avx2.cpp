/// @file kernels_avx2.cpp
/// @brief The kernels compiled for the avx2 instruction set (flags set in CMakeLists.txt).
#define TORCHQ_KERNEL_NS isa_avx2
#define TORCHQ_KERNEL_ISA ::torchq::kernels::Isa::kAvx2
#include "torchq/kernels/kernels_impl.h"
