/// @file lane_kernels_avx512.cpp
/// @brief The lane kernels compiled for the avx512 instruction set (flags set in CMakeLists.txt).
#define TORCHQ_LANE_NS isa_avx512
#include "torchq/lanes/lane_kernels_impl.h"
