/**
 * @file gradients.h
 * @brief Helpers shared by every backward pass (adjoint.cpp, density_matrix.h,
 * parameter_shift.h): the chain rule from an angle to the weight or features it came from, the
 * gradient of an amplitude embedding's features, and the reduction of per-sample gradient rows.
 *
 * Per-sample rows are accumulated in double and reduced over the batch in sample order, so the result does not
 * depend on the thread count.
 */
#pragma once

#include <cmath>
#include <complex>
#include <vector>

#include "torchq/bits.h"
#include "torchq/circuit.h"
#include "torchq/numerics.h"
#include "torchq/apply.h"
#include "torchq/run.h"
#include "torchq/small_matrix.h"

namespace torchq::detail {

/// Adds d_angle, scaled into the weight or input feature(s) of angle `p`, to one sample's rows
/// (either row may be null: that gradient is not wanted).
template <class T>
void add_angle_gradient(const ParamRef& p, double d_angle, const T* inputs, double* gw_row, double* gx_row) {
  switch (p.kind) {
    case ParamRef::Kind::kWeight:
      if (gw_row != nullptr) gw_row[p.index] += d_angle * p.value;
      return;
    case ParamRef::Kind::kInput:
      if (gx_row != nullptr) gx_row[p.index] += d_angle * p.value;
      return;
    case ParamRef::Kind::kInputProduct:  // angle = s x_i x_j: d/dx_i = s x_j, d/dx_j = s x_i
      if (gx_row != nullptr) {
        const double d = d_angle * p.value;
        gx_row[p.index] += d * static_cast<double>(inputs[p.second]);
        gx_row[p.second] += d * static_cast<double>(inputs[p.index]);
      }
      return;
    default: return;
  }
}

/**
 * @brief Gradient of f = <psi0|A|psi0> with respect to the features of amplitude embedding `emb`,
 * given u = A psi0 (n-qubit vector; A Hermitian) and the sample's inputs: a real change d of psi0
 * changes f by 2 Re<u|d>, then the chain rule through padding and normalisation.
 */
inline void amplitude_embedding_gradient(const Operation& emb, int n, const std::complex<double>* u,
                                         const std::vector<double>& features, double* gx_row) {
  const AmplitudeSpec& a = emb.amplitude;
  const int k = static_cast<int>(emb.wires.size());
  const Index dim = Index{1} << k;
  std::vector<int> bits;
  for (int w : emb.wires) bits.push_back(wire_to_bit(n, w));
  const GateLayout L = make_layout(n, bits.data(), k, nullptr, 0);
  std::vector<double> g(dim);
  for (Index j = 0; j < dim; ++j) g[j] = 2.0 * u[L.scatter(j)].real();
  if (a.normalize) {  // psi0 = v / |v|: d psi0 / dv = (I - psi0 psi0^T) / |v|
    const ScaledNorm norm = stable_norm(features.data(), dim);  // no overflow for huge features
    double ug = 0;
    for (Index j = 0; j < dim; ++j) ug += norm.unit(features[j]) * g[j];
    for (Index j = 0; j < dim; ++j) g[j] = norm.unit(g[j] - norm.unit(features[j]) * ug);
  }
  for (int j = 0; j < a.num_features; ++j) gx_row[a.feature_offset + j] += g[j];
}

/// The padded feature vector v of an amplitude embedding for one sample (2^k entries).
template <class T>
std::vector<double> embedding_features(const Operation& emb, const T* inputs) {
  const AmplitudeSpec& a = emb.amplitude;
  std::vector<double> v(Index{1} << emb.wires.size(), a.pad);
  for (int j = 0; j < a.num_features; ++j) v[j] = static_cast<double>(inputs[a.feature_offset + j]);
  return v;
}

/// Writes per-sample rows gw [B, P] and gx [B, F] (double) to the outputs: shared weights summed
/// over the batch in sample order. Null outputs are skipped.
template <class T>
void write_gradients(const BatchInputs<T>& in, const std::vector<double>& gw, const std::vector<double>& gx,
                     T* grad_weights, T* grad_inputs) {
  const Index B = in.batch_size, P = static_cast<Index>(in.num_weights), F = static_cast<Index>(in.num_inputs);
  if (grad_weights != nullptr) {
    if (in.weights_per_sample) {
      for (Index i = 0; i < B * P; ++i) grad_weights[i] = static_cast<T>(gw[i]);
    } else {
      for (Index p = 0; p < P; ++p) {
        double s = 0;
        for (Index b = 0; b < B; ++b) s += gw[b * P + p];
        grad_weights[p] = static_cast<T>(s);
      }
    }
  }
  if (grad_inputs != nullptr) {
    for (Index i = 0; i < B * F; ++i) grad_inputs[i] = static_cast<T>(gx[i]);
  }
}

/// The generator of an uncontrolled one-qubit primitive as a 2x2 matrix on its target.
inline Mat2 generator_matrix(const Generator& G) {
  const std::complex<double> i1(0, 1);
  if (G.proj_mask != 0) return {0.0, 0.0, 0.0, 1.0};
  if (G.num_y != 0) return {0.0, -i1, i1, 0.0};
  if (G.xmask != 0) return {0.0, 1.0, 1.0, 0.0};
  return {1.0, 0.0, 0.0, -1.0};
}

/**
 * @brief The matrices of an adjoint block: uncontrolled one-qubit primitives on one wire, in
 * sweep order g = 0 .. count-1 (the circuit's last gate first). With W_0 = I and
 * W_{g+1} = U_g^dagger W_g, gate g sees psi_g = W_g psi and lambda_g = W_g lambda, so
 * <lambda_g|G_g|psi_g> = sum_ij (W_g^dagger G_g W_g)_ij S_ij with S the cross density of
 * (lambda, psi) on the wire (kernels' adjoint_block1). Calls on_wanted(g, W_g^dagger G_g W_g) for
 * each g with wanted(prim_at(g)), and returns W_count, the block's un-apply. A sweep that already
 * has W_first (the lane batch makes the shared gates' part once per call) passes `first` and it.
 */
template <class T, class PrimAt, class Wanted, class OnWanted>
Mat2 adjoint_block_matrices(int count, PrimAt&& prim_at, const T* weights, const T* inputs, Wanted&& wanted,
                            OnWanted&& on_wanted, int first = 0, Mat2 W = {1.0, 0.0, 0.0, 1.0}) {
  for (int g = first; g < count; ++g) {
    const Primitive& p = prim_at(g);
    if (wanted(p)) on_wanted(g, mat2_mul(mat2_adjoint(W), mat2_mul(generator_matrix(p.generator), W)));
    W = mat2_mul(mat2_adjoint(matrix_1q(p, weights, inputs)), W);
  }
  return W;
}

}  // namespace torchq::detail
