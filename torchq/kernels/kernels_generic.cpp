/// @file kernels_generic.cpp
/// @brief The kernels compiled for the generic instruction set (flags set in CMakeLists.txt).
#define TORCHQ_KERNEL_NS isa_generic
#define TORCHQ_KERNEL_ISA ::torchq::kernels::Isa::kGeneric
#include "torchq/kernels/kernels_impl.h"
