/// @file parameter_shift.cpp
#include "torchq/parameter_shift.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "torchq/gradients.h"
#include "torchq/random.h"
#include "torchq/work_loop.h"

namespace torchq {
namespace {

/// The circuit with every angle (and basis-embedding bit) read from its own slot of the weights
/// array, so that one primitive can be shifted alone. slot[j] is primitive j's slot, or -1.
struct AngleForm {
  CompiledCircuit circuit;
  std::vector<int> slot;
  int num_slots = 0;
};

AngleForm angle_form(const CompiledCircuit& c) {
  AngleForm a;
  a.circuit = c;
  a.slot.assign(c.primitives.size(), -1);
  for (std::size_t j = 0; j < c.primitives.size(); ++j) {
    Primitive& p = a.circuit.primitives[j];
    if (!p.has_param || p.structure == Structure::kChannel) continue;  // a channel's probability stays
    a.slot[j] = a.num_slots++;
    p.param = ParamRef::weight(a.slot[j], 1.0);
  }
  return a;
}

/// The circuit with its amplitude embedding normalising (the feature estimates evaluate shifted,
/// unnormalised feature vectors).
CompiledCircuit normalizing_embedding(const CompiledCircuit& c) {
  const Circuit& in = c.circuit;
  Circuit out(in.num_qubits(), in.num_weights(), in.num_inputs());
  for (Operation op : in.operations()) {
    if (op.gate == GateId::AmplitudeEmbedding) op.amplitude.normalize = true;
    out.add(std::move(op));
  }
  return compile(out);
}

/// One estimate of a sample: the angle of `slot` shifted (slot >= 0), or embedded feature
/// `feature` moved by sign * h (feature >= 0), or neither (the unshifted estimate).
struct Shifted {
  int slot = -1;
  double shift = 0;
  int feature = -1;
  int sign = 0;
};

/// d f / d angle_j = sum of coeff * estimate over a primitive's rule.
struct RuleUse {
  std::size_t primitive;
  std::size_t estimate;
  double coeff;
};

}  // namespace

std::vector<ShiftTerm> shift_rule(const Primitive& p) {
  const Generator& G = p.generator;
  constexpr double h = std::numbers::pi / 2;
  const bool pauli = G.xmask != 0 || G.zmask != 0;
  if (!pauli || G.proj_mask == 0) {
    // coeff G has eigenvalues +-1/2 (a Pauli word, coeff 1/2) or 0 and -1 (a projector, coeff -1).
    if (std::abs(G.coeff) != (pauli ? 0.5 : 1.0)) throw std::logic_error("shift_rule: unexpected generator scale");
    return {{h, 0.5}, {-h, -0.5}};
  }
  // A controlled Pauli rotation: eigenvalues 0 (controls off) and +-1/2.
  if (std::abs(G.coeff) != 0.5) throw std::logic_error("shift_rule: unexpected generator scale");
  const double r2 = std::numbers::sqrt2;
  const double dp = (r2 + 1) / (4 * r2), dm = (r2 - 1) / (4 * r2);
  return {{h, dp}, {-h, -dp}, {3 * h, -dm}, {-3 * h, dm}};
}

template <class T>
void parameter_shift_backward(const CompiledCircuit& c, const BatchInputs<T>& in, const Estimator<T>& estimator,
                              std::uint64_t seed, const T* grad_out, T* grad_weights, T* grad_inputs,
                              const Executor& ex) {
  const Index B = in.batch_size, P = static_cast<Index>(in.num_weights), F = static_cast<Index>(in.num_inputs);
  const Index K = estimator.num_outputs();
  const AngleForm form = angle_form(c);
  const auto& prims = c.primitives;

  // The estimates every sample needs, and how they combine.
  std::vector<Shifted> estimates;
  std::vector<RuleUse> uses;
  for (std::size_t j = 0; j < prims.size(); ++j) {
    const Primitive& p = prims[j];
    if (!p.has_param || !p.param.differentiable() || p.structure == Structure::kBasisFlip ||
        p.structure == Structure::kChannel) {
      continue;
    }
    if (p.param.kind == ParamRef::Kind::kWeight ? grad_weights == nullptr : grad_inputs == nullptr) continue;
    for (const ShiftTerm& t : shift_rule(p)) {
      uses.push_back({j, estimates.size(), t.coeff});
      estimates.push_back({form.slot[j], t.shift, -1, 0});
    }
  }
  const Operation* emb = c.amplitude_embedding();
  const bool embedding_grad = emb != nullptr && grad_inputs != nullptr;
  std::size_t first_feature = estimates.size(), unshifted = 0;
  CompiledCircuit norm_circuit;
  AngleForm norm_form;
  if (embedding_grad) {
    for (int f = 0; f < emb->amplitude.num_features; ++f) {
      estimates.push_back({-1, 0, f, +1});
      estimates.push_back({-1, 0, f, -1});
    }
    if (emb->amplitude.normalize) {
      unshifted = estimates.size();
      estimates.push_back({});
    } else {
      norm_circuit = normalizing_embedding(c);
      norm_form = angle_form(norm_circuit);
    }
  }
  const AngleForm& feature_form = embedding_grad && !emb->amplitude.normalize ? norm_form : form;
  const Index E = estimates.size();

  // r[b * E + e] = sum_k grad_out[b, k] * estimate e of sample b.
  std::vector<double> r(B * E, 0.0);
  auto zero_row = [&](Index b) {
    const T* g = grad_out + b * K;
    return std::all_of(g, g + K, [](T v) { return v == T(0); });
  };
  detail::for_each_item<T>(B * E, estimator.state_qubits(), static_cast<Index>(c.primitives.size()), 1, estimator.extra_bytes(), ex, "parameter shift",
                           [&](Index item, const Executor& inner, auto& st) {
    const Index b = item / E, e = item % E;
    if (zero_row(b)) return;
    const T* w = in.weights_of(b);
    const T* x = in.inputs_of(b);
    const Shifted& s = estimates[e];
    std::vector<T> angles(form.num_slots);
    for (std::size_t j = 0; j < prims.size(); ++j) {
      if (form.slot[j] < 0) continue;
      double a = prims[j].param.resolve(w, x);
      if (form.slot[j] == s.slot) a += s.shift;
      angles[form.slot[j]] = static_cast<T>(a);
    }
    std::vector<T> moved;
    const T* xs = x;
    if (s.feature >= 0) {
      const int i = emb->amplitude.feature_offset + s.feature;
      const double v = static_cast<double>(x[i]);
      const double h = std::sqrt([&] {
        double n2 = 0;
        for (double f : detail::embedding_features(*emb, x)) n2 += f * f;
        return n2;
      }()) / 2;
      moved.assign(x, x + F);
      moved[i] = static_cast<T>(v + s.sign * h);
      xs = moved.data();
    }
    const CompiledCircuit& run = s.feature >= 0 ? feature_form.circuit : form.circuit;
    std::vector<double> out(K);
    estimator.evaluate(run, angles.data(), xs, derive_seed(derive_seed(seed, b), e), st[0].data(), out.data(), inner);
    const T* g = grad_out + b * K;
    double acc = 0;
    for (Index k = 0; k < K; ++k) acc += static_cast<double>(g[k]) * out[k];
    r[item] = acc;
  });

  // Combine per sample: the rules, the chain rule, the embedding's quadratic-form differences.
  std::vector<double> gw(grad_weights != nullptr ? B * P : 0);
  std::vector<double> gx(grad_inputs != nullptr ? B * F : 0);
  std::vector<double> d_angle(prims.size());
  for (Index b = 0; b < B; ++b) {
    if (zero_row(b)) continue;
    const T* x = in.inputs_of(b);
    double* gw_row = gw.empty() ? nullptr : gw.data() + b * P;
    double* gx_row = gx.empty() ? nullptr : gx.data() + b * F;
    const double* rb = r.data() + b * E;
    std::fill(d_angle.begin(), d_angle.end(), 0.0);
    for (const RuleUse& u : uses) d_angle[u.primitive] += u.coeff * rb[u.estimate];
    for (const RuleUse& u : uses) {
      if (d_angle[u.primitive] == 0.0) continue;
      detail::add_angle_gradient(prims[u.primitive].param, d_angle[u.primitive], x, gw_row, gx_row);
      d_angle[u.primitive] = 0.0;  // each primitive once
    }
    if (!embedding_grad) continue;
    const std::vector<double> v = detail::embedding_features(*emb, x);
    // Everything is relative to |v| (stable_norm), so huge or tiny features neither overflow nor
    // underflow: q(v) = |v|^2 <O>(v / |v|) is quadratic in each feature, its exact difference
    // quotient over the shift is its derivative.
    const ScaledNorm norm = stable_norm(v.data(), static_cast<Index>(v.size()));
    const double h = norm.value() / 2;
    for (int f = 0; f < emb->amplitude.num_features; ++f) {
      const double vf = v[f];
      // The shifted features as the estimates saw them (rounded to T).
      const double up = static_cast<double>(static_cast<T>(vf + h));
      const double down = static_cast<double>(static_cast<T>(vf - h));
      const double rf = norm.unit(vf), ru = norm.unit(up), rd = norm.unit(down);
      const double q_up = (1 - rf * rf + ru * ru) * rb[first_feature + 2 * f];      // q / |v|^2
      const double q_down = (1 - rf * rf + rd * rd) * rb[first_feature + 2 * f + 1];
      const double dq = (q_up - q_down) / (up - down);                               // dq/dv_f / |v|^2
      gx_row[emb->amplitude.feature_offset + f] +=
          emb->amplitude.normalize ? dq - 2 * norm.unit(rf) * rb[unshifted] : dq * norm.value() * norm.value();
    }
  }
  detail::write_gradients(in, gw, gx, grad_weights, grad_inputs);
}

template void parameter_shift_backward<float>(const CompiledCircuit&, const BatchInputs<float>&, const Estimator<float>&,
                                              std::uint64_t, const float*, float*, float*, const Executor&);
template void parameter_shift_backward<double>(const CompiledCircuit&, const BatchInputs<double>&,
                                               const Estimator<double>&, std::uint64_t, const double*, double*,
                                               double*, const Executor&);

}  // namespace torchq
