/// @file lane_kernels_avx2.cpp
/// @brief The lane kernels compiled for the avx2 instruction set (flags set in CMakeLists.txt).
#define TORCHQ_LANE_NS isa_avx2
#include "torchq/lanes/lane_kernels_impl.h"
