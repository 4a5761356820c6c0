/// @file kernels_avx512.cpp
/// @brief The kernels compiled for the avx512 instruction set (flags set in CMakeLists.txt).
#define TORCHQ_KERNEL_NS isa_avx512
#define TORCHQ_KERNEL_ISA ::torchq::kernels::Isa::kAvx512
#include "torchq/kernels/kernels_impl.h"
