/**
 * @file torchq.h
 * @brief Everything of the torch-free core in one include.
 */
#pragma once

#include "torchq/adjoint.h"
#include "torchq/apply.h"
#include "torchq/blocked.h"
#include "torchq/build/algorithms.h"
#include "torchq/build/circuit_builder.h"
#include "torchq/build/templates.h"
#include "torchq/cache_size.h"
#include "torchq/circuit.h"
#include "torchq/density_matrix.h"
#include "torchq/draw.h"
#include "torchq/errors.h"
#include "torchq/estimator.h"
#include "torchq/estimators.h"
#include "torchq/gate_table.h"
#include "torchq/lanes/lane_batch.h"
#include "torchq/lowering.h"
#include "torchq/memory.h"
#include "torchq/noise.h"
#include "torchq/observables.h"
#include "torchq/parallel.h"
#include "torchq/parameter_shift.h"
#include "torchq/random.h"
#include "torchq/run.h"
#include "torchq/simulator.h"
#include "torchq/small_matrix.h"
#include "torchq/statevector.h"
#include "torchq/trajectories.h"
#include "torchq/work_loop.h"
