/// @file estimators.cpp
#include "torchq/estimators.h"

#include "torchq/adjoint.h"
#include "torchq/density_matrix.h"
#include "torchq/parameter_shift.h"
#include "torchq/random.h"
#include "torchq/work_loop.h"

namespace torchq {

template <class T>
void expval_estimated(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs, const BatchInputs<T>& in,
                      const EstimatorOptions& options, T* out, const Executor& ex) {
  validate_estimator(c, options, "expval_estimated");
  const Estimator<T> est(c, obs, options);
  const Index K = obs.size(), B = in.batch_size, chunks = est.num_chunks();
  // Work items are (sample, chunk of trajectories), so one sample's trajectories run in parallel
  // too; the chunk sums are added in chunk order afterwards, as Estimator::evaluate does.
  std::vector<double> sums(B * chunks * K, 0.0);
  detail::for_each_item<T>(B * chunks, est.state_qubits(), static_cast<Index>(c.primitives.size()), 1, est.extra_bytes(), ex, "expval_estimated",
                           [&](Index item, const Executor& inner, auto& st) {
    const Index b = item / chunks;
    est.add_chunk(c, in.weights_of(b), in.inputs_of(b), derive_seed(options.seed, b), item % chunks, st[0].data(),
                  sums.data() + item * K, inner);
  });
  for (Index b = 0; b < B; ++b) {
    for (Index j = 0; j < K; ++j) {
      double s = 0;
      for (Index t = 0; t < chunks; ++t) s += sums[(b * chunks + t) * K + j];
      out[b * K + j] = static_cast<T>(s / est.denominator());
    }
  }
}

template <class T>
void expval_estimated_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                               const BatchInputs<T>& in, const EstimatorOptions& options, const T* grad_out,
                               T* grad_weights, T* grad_inputs, const Executor& ex) {
  validate_estimator(c, options, "expval_estimated backward");
  if (options.shots == 0 && options.mode == EstimatorMode::kDensityMatrix) {
    density_matrix_adjoint_backward(c, obs, in, grad_out, grad_weights, grad_inputs, ex);
    return;
  }
  if (options.shots == 0 && options.mode != EstimatorMode::kDensityMatrix && c.num_channels == 0) {
    adjoint_expval_backward(c, obs, in, grad_out, grad_weights, grad_inputs, ex);  // the exact pure state
    return;
  }
  const Estimator<T> est(c, obs, options);
  parameter_shift_backward(c, in, est, derive_seed(options.seed, kBackwardStream), grad_out, grad_weights, grad_inputs,
                           ex);
}

#define TORCHQ_INSTANTIATE(T)                                                                                     \
  template void expval_estimated<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,               \
                                    const BatchInputs<T>&, const EstimatorOptions&, T*, const Executor&);        \
  template void expval_estimated_backward<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,      \
                                             const BatchInputs<T>&, const EstimatorOptions&, const T*, T*, T*,    \
                                             const Executor&);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

}  // namespace torchq
