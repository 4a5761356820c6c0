/// @file lane_kernels_generic.cpp
/// @brief The lane kernels compiled for the generic instruction set (flags set in CMakeLists.txt).
#define TORCHQ_LANE_NS isa_generic
#include "torchq/lanes/lane_kernels_impl.h"
