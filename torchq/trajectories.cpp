/// @file trajectories.cpp
#include "torchq/trajectories.h"

#include "torchq/noise.h"
#include "torchq/apply.h"
#include "torchq/run.h"

namespace torchq {

template <class T>
void run_trajectory(Complex<T>* psi, const CompiledCircuit& c, const T* weights, const T* inputs,
                    std::mt19937_64& rng, const kernels::KernelTable<T>& k, const Executor& ex) {
  if (c.num_channels == 0) {  // a noiseless circuit has one trajectory: the exact (fused) run
    run_circuit(psi, c, weights, inputs, k, ex);
    return;
  }
  const int n = c.circuit.num_qubits();
  prepare_state(psi, c, inputs, ex);
  for (const Primitive& p : c.primitives) {
    if (p.structure == Structure::kChannel) {
      apply_channel_trajectory(psi, n, p, rng, ex);
    } else {
      apply_primitive(psi, c, p, weights, inputs, ApplyMode::kForward, k, ex);
    }
  }
}

template void run_trajectory<float>(Complex<float>*, const CompiledCircuit&, const float*, const float*,
                                    std::mt19937_64&, const kernels::KernelTable<float>&, const Executor&);
template void run_trajectory<double>(Complex<double>*, const CompiledCircuit&, const double*, const double*,
                                     std::mt19937_64&, const kernels::KernelTable<double>&, const Executor&);

}  // namespace torchq
