/// @file adjoint.cpp
#include "torchq/adjoint.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include "torchq/adjoint_blocked.h"
#include "torchq/apply.h"
#include "torchq/gradients.h"
#include "torchq/lanes/lane_batch.h"
#include "torchq/simulator.h"
#include "torchq/work_loop.h"

namespace torchq {

template <class T>
void adjoint_backward(const CompiledCircuit& c, const BatchInputs<T>& in, AdjointSeed<T> seed, T* grad_weights,
                      T* grad_inputs, const Executor& ex, bool seed_needs_scratch,
                      const Complex<T>* final_states) {
  require_no_channels(c, "adjoint backward");  // noise channels: see estimators.h
  const auto& k = kernels::active_kernels<T>();
  const int n = c.circuit.num_qubits();
  const Index B = in.batch_size;
  const Index P = static_cast<Index>(in.num_weights);
  const Index F = static_cast<Index>(in.num_inputs);
  const Index size = Index{1} << n;
  // Per-sample rows in double, reduced in sample order afterwards: the sum over the batch is
  // then the same for any thread count.
  std::vector<double> gw(grad_weights != nullptr ? B * P : 0);
  std::vector<double> gx(grad_inputs != nullptr ? B * F : 0);
  const Operation* emb = c.amplitude_embedding();
  // Past L2 the sweep goes group by group (adjoint_blocked.h); the schedule depends on the
  // circuit only, so it is made once for the batch.
  BlockSchedule schedule;
  const int low_bits = block_low_bits(sizeof(Complex<T>));
  if (block_pays(n, sizeof(Complex<T>))) {
    // A fixed group size: the sweep holds two buffers (psi's and lambda's) per worker, which
    // together fill L2 at one above the smallest size (benchmarks/README.md, "Tuning the blocked
    // runs"), and the buffers' memory then does not depend on the circuit (choose_local_bits
    // picks larger groups for some circuits than for others).
    const int m = std::min(n - 1, block_min_local_bits(sizeof(Complex<T>)) + 1);
    schedule = make_block_schedule(c, m, kBlockPadBits, low_bits, SweepOrder::kReverse);
  }

  // Without kept final states each sample runs the circuit first: its schedule, once for the batch.
  const BlockSchedule forward = final_states == nullptr ? forward_schedule<T>(c) : BlockSchedule{};

  detail::for_each_item<T>(B, n, static_cast<Index>(c.primitives.size()), seed_needs_scratch ? 3 : 2, 0, ex, "adjoint backward",
                             [&](Index b, const Executor& inner, auto& st) {
    const T* w = in.weights_of(b);
    const T* x = in.inputs_of(b);
    Complex<T>* psi = st[0].data();
    Complex<T>* lambda = st[1].data();
    // The sweep un-applies gates to psi in place, so a kept final state is not swept itself: the
    // blocked sweep's first group reads it and writes psi (no separate copy pass), otherwise psi
    // starts as a copy.
    const Complex<T>* kept = final_states != nullptr ? final_states + b * size : nullptr;
    const bool first_group_reads_kept = kept != nullptr && !schedule.steps.empty() && schedule.steps.front().blocked;
    if (kept != nullptr && !first_group_reads_kept) {
      inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::copy(kept + lo, kept + hi, psi + lo); });
    } else if (kept == nullptr) {
      run_circuit(psi, c, w, x, k, inner, &forward);
    }
    const Complex<T>* final_psi = first_group_reads_kept ? kept : psi;
    if (!seed(b, final_psi, lambda, seed_needs_scratch ? st[2].data() : nullptr, inner)) return;  // zero upstream gradient: zero gradient
    double* gw_row = gw.empty() ? nullptr : gw.data() + b * P;
    double* gx_row = gx.empty() ? nullptr : gx.data() + b * F;
    // d/dangle, scaled into the weight or input feature(s) the angle came from.
    auto accumulate = [&](const Primitive& p, double d_angle) {
      detail::add_angle_gradient(p.param, d_angle, x, gw_row, gx_row);
    };
    auto wanted = [&](const Primitive& p) {
      return p.has_param && p.param.differentiable() && p.structure != Structure::kBasisFlip &&
             (p.param.kind == ParamRef::Kind::kWeight ? gw_row != nullptr : gx_row != nullptr);
    };
    // Gate by gate (states that fit in cache): the sweep of adjoint.h.
    auto sweep_gate_by_gate = [&] {
      const auto& prims = c.primitives;
      // Uncontrolled one-qubit primitives wait per wire and sweep as one block (one pass over psi and
      // lambda for all of them) when a gate on that wire comes, or at the end. Gates on other wires
      // commute with the block's generators, so the inner products are unchanged.
      std::array<std::vector<const Primitive*>, kMaxQubits> pending;
      std::vector<Mat2> derivative_ops;  // W_g^dagger G_g W_g of a block (reused, not per block)
      KernelCalls<T> undo;  // a gate's inverse, resolved once for both states
      // The block on a wire (detail::adjoint_block_matrices): one kernel pass gives the cross
      // density S of (lambda, psi) and applies the block's un-apply to both states.
      auto flush_bit = [&](int bit) {
        auto& list = pending[bit];
        if (list.empty()) return;
        derivative_ops.resize(list.size());
        const Mat2 W = detail::adjoint_block_matrices(
            static_cast<int>(list.size()), [&](int g) -> const Primitive& { return *list[g]; }, w, x, wanted,
            [&](int g, const Mat2& M) { derivative_ops[g] = M; });
        const std::array<Complex<T>, 4> v = {to_t<T>(W[0]), to_t<T>(W[1]), to_t<T>(W[2]), to_t<T>(W[3])};
        const kernels::CrossDensity S = k.adjoint_block1(psi, lambda, list[0]->layout, v.data(), inner);
        for (std::size_t g = 0; g < list.size(); ++g) {
          const Primitive& p = *list[g];
          if (!wanted(p)) continue;
          std::complex<double> z = 0;
          for (int e = 0; e < 4; ++e) z += derivative_ops[g][e] * S.s[e];
          accumulate(p, 2.0 * p.generator.coeff * z.imag());
        }
        list.clear();
      };
      for (std::size_t j = prims.size(); j-- > 0;) {
        const Primitive& p = prims[j];
        if (detail::is_uncontrolled_1q(p)) {
          pending[p.layout.target_bits[0]].push_back(&p);
          continue;
        }
        for (Index rest = p.touched_bits(); rest != 0; rest &= rest - 1) flush_bit(std::countr_zero(rest));
        if (wanted(p)) {
          const Generator& G = p.generator;
          const std::complex<double> z = pauli_inner(lambda, psi, n, G.xmask, G.zmask, G.num_y, G.proj_mask, inner);
          accumulate(p, 2.0 * G.coeff * z.imag());
        }
        undo.clear();
        resolve_primitive(c, p, w, x, ApplyMode::kInverse, undo);
        undo.run(psi, k, inner);
        undo.run(lambda, k, inner);
      }
      for (int bit = 0; bit < n; ++bit) flush_bit(bit);
    };
    if (!schedule.steps.empty()) {
      adjoint_sweep_blocked(psi, lambda, c, schedule, w, x, SweepSink{wanted, accumulate}, k, inner,
                            first_group_reads_kept ? kept : nullptr);
    } else {
      sweep_gate_by_gate();
    }
    if (emb != nullptr && gx_row != nullptr) {
      std::vector<std::complex<double>> u(lambda, lambda + size);
      detail::amplitude_embedding_gradient(*emb, n, u.data(), detail::embedding_features(*emb, x), gx_row);
    }
  });

  detail::write_gradients(in, gw, gx, grad_weights, grad_inputs);
}

template <class T>
void adjoint_expval_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                             const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                             const Executor& ex, const Complex<T>* final_states) {
  if (lanes::lane_batch_pays(c, in.batch_size)) {
    return lanes::lane_expval_backward(c, obs, in, grad_out, grad_weights, grad_inputs, ex, final_states);
  }
  const int n = c.circuit.num_qubits();
  const Index K = obs.size();
  auto seed = [&](Index b, const Complex<T>* psi, Complex<T>* lambda, Complex<T>*, const Executor& inner) {
    const T* g = grad_out + b * K;
    std::vector<double> scales(g, g + K);
    if (std::all_of(scales.begin(), scales.end(), [](double v) { return v == 0.0; })) return false;
    apply_observables_add(lambda, psi, n, obs, scales.data(), inner, /*overwrite=*/true);
    return true;
  };
  adjoint_backward<T>(c, in, seed, grad_weights, grad_inputs, ex, false, final_states);
}

template <class T>
void adjoint_probs_backward(const CompiledCircuit& c, const std::vector<int>& wires, const BatchInputs<T>& in,
                            const T* grad_out, T* grad_weights, T* grad_inputs, const Executor& ex) {
  const int n = c.circuit.num_qubits();
  validate_wires(wires, n, "probs backward");
  const int m = static_cast<int>(wires.size());
  const Index bins = Index{1} << m;
  std::vector<int> bits;
  for (int w : wires) bits.push_back(wire_to_bit(n, w));
  // sum_j g_j p_j = <psi|D|psi> with D diagonal: D_ii = g[bin(i)], bin(i) = the measured bits of i.
  auto seed = [&](Index b, const Complex<T>* psi, Complex<T>* lambda, Complex<T>*, const Executor& inner) {
    const T* g = grad_out + b * bins;
    if (std::all_of(g, g + bins, [](T v) { return v == T(0); })) return false;
    inner.parallel_for(Index{1} << n, kAmplitudeGrain, [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) {
        Index bin = 0;
        for (int j = 0; j < m; ++j) bin = (bin << 1) | ((i >> bits[j]) & 1U);
        lambda[i] = psi[i] * g[bin];
      }
    });
    return true;
  };
  adjoint_backward<T>(c, in, seed, grad_weights, grad_inputs, ex);
}

template <class T>
void adjoint_state_backward(const CompiledCircuit& c, const BatchInputs<T>& in, const Complex<T>* grad_out,
                            T* grad_weights, T* grad_inputs, const Executor& ex) {
  const Index size = Index{1} << c.circuit.num_qubits();
  // dL = Re<g|dpsi> = 2 Re<g/2|dpsi>: the sweep's lambda is g/2 (no operator is applied to psi).
  auto seed = [&](Index b, const Complex<T>*, Complex<T>* lambda, Complex<T>*, const Executor& inner) {
    const Complex<T>* g = grad_out + b * size;
    inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) {
      for (Index i = lo; i < hi; ++i) lambda[i] = g[i] * T(0.5);
    });
    return true;
  };
  adjoint_backward<T>(c, in, seed, grad_weights, grad_inputs, ex);
}

template <class T>
void adjoint_variance_backward(const CompiledCircuit& c, const std::vector<CompiledObservable>& obs,
                               const BatchInputs<T>& in, const T* grad_out, T* grad_weights, T* grad_inputs,
                               const Executor& ex) {
  const int n = c.circuit.num_qubits();
  const Index K = obs.size();
  const Index size = Index{1} << n;
  // Var = <O^2> - <O>^2, so dVar = 2 Re<O^2 psi - 2 <O> O psi | dpsi>.
  auto seed = [&](Index b, const Complex<T>* psi, Complex<T>* lambda, Complex<T>* o_psi, const Executor& inner) {
    const T* g = grad_out + b * K;
    bool any = false;
    inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(lambda + lo, lambda + hi, Complex<T>{0}); });
    for (Index j = 0; j < K; ++j) {
      if (g[j] == T(0)) continue;
      any = true;
      inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) { std::fill(o_psi + lo, o_psi + hi, Complex<T>{0}); });
      apply_observable_add(o_psi, psi, n, obs[j], 1.0, inner);
      const double mean = pauli_inner(psi, o_psi, n, 0, 0, 0, 0, inner).real();
      apply_observable_add(lambda, o_psi, n, obs[j], static_cast<double>(g[j]), inner);
      const T f = static_cast<T>(-2.0 * mean * static_cast<double>(g[j]));
      inner.parallel_for(size, kAmplitudeGrain, [&](Index lo, Index hi) {
        for (Index i = lo; i < hi; ++i) lambda[i] += o_psi[i] * f;
      });
    }
    return any;
  };
  adjoint_backward<T>(c, in, seed, grad_weights, grad_inputs, ex, true);
}

#define TORCHQ_INSTANTIATE(T)                                                                              \
  template void adjoint_backward<T>(const CompiledCircuit&, const BatchInputs<T>&, AdjointSeed<T>, T*, T*,         \
                                    const Executor&, bool, const Complex<T>*);                                 \
  template void adjoint_variance_backward<T>(const CompiledCircuit&, const std::vector<CompiledObservable>&,     \
                                             const BatchInputs<T>&, const T*, T*, T*, const Executor&);         \
  template void adjoint_probs_backward<T>(const CompiledCircuit&, const std::vector<int>&, const BatchInputs<T>&, \
                                          const T*, T*, T*, const Executor&);                                   \
  template void adjoint_state_backward<T>(const CompiledCircuit&, const BatchInputs<T>&, const Complex<T>*, T*, T*, \
                                          const Executor&);
TORCHQ_INSTANTIATE(float)
TORCHQ_INSTANTIATE(double)
#undef TORCHQ_INSTANTIATE

template void adjoint_expval_backward<float>(const CompiledCircuit&, const std::vector<CompiledObservable>&,
                                             const BatchInputs<float>&, const float*, float*, float*,
                                             const Executor&, const Complex<float>*);
template void adjoint_expval_backward<double>(const CompiledCircuit&, const std::vector<CompiledObservable>&,
                                              const BatchInputs<double>&, const double*, double*, double*,
                                              const Executor&, const Complex<double>*);

}  // namespace torchq
