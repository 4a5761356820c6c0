/**
 * @file core_demo.cpp
 * @brief A tour of the torch-free core: build a layered circuit, run a batch, take exact
 * gradients by the adjoint method and compare them with finite differences.
 */
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "run_main.h"
#include "torchq/parallel_openmp.h"
#include "torchq/torchq.h"

using namespace torchq;

int main(int argc, char** argv) {
  // Any error (e.g. a qubit count out of range) is reported and exits 1, never aborts.
  return torchq_examples::run_main("core_demo", [&]() -> int {
    const int n = argc > 1 ? std::atoi(argv[1]) : 4;
    const int layers = argc > 2 ? std::atoi(argv[2]) : 3;
    const int batch = argc > 3 ? std::atoi(argv[3]) : 8;
    // Angle embedding of n features, then `layers` of RY/RZ rotations and a ring of CNOTs.
    Circuit c(n, 2 * n * layers, n);
    for (int q = 0; q < n; ++q) c.add(GateId::RY, {q}, {ParamRef::input(q)});
    int w = 0;
    for (int l = 0; l < layers; ++l) {
      for (int q = 0; q < n; ++q) {
        c.add(GateId::RY, {q}, {ParamRef::weight(w++)});
        c.add(GateId::RZ, {q}, {ParamRef::weight(w++)});
      }
      for (int q = 0; q < n; ++q) c.add(GateId::CNOT, {q, (q + 1) % n});
    }
    std::vector<Observable> obs;
    for (int q = 0; q < n; ++q) obs.push_back(Observable::z(q));
    const CompiledCircuit cc = compile(Circuit::from_program(c.to_program()));
    const auto cobs = compile_observables(obs, n);

    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-3.14, 3.14);
    std::vector<double> weights(c.num_weights()), inputs(batch * n);
    for (double& v : weights) v = u(rng);
    for (double& v : inputs) v = u(rng);
    const OpenMPExecutor ex;
    const auto in = make_batch<double>(cc, weights.data(), false, inputs.data(), batch);

    std::vector<double> out(batch * n), grad_out(batch * n, 1.0), gw(weights.size()), gx(inputs.size());
    const auto t0 = std::chrono::steady_clock::now();
    expval<double>(cc, cobs, in, out.data(), ex);
    const auto t1 = std::chrono::steady_clock::now();
    adjoint_expval_backward<double>(cc, cobs, in, grad_out.data(), gw.data(), gx.data(), ex);
    const auto t2 = std::chrono::steady_clock::now();

    std::printf("torchq core demo: %d qubits, %d layers, batch %d, %zu gates, %d threads (kernels: %s)\n", n, layers,
                batch, c.operations().size(), ex.num_threads(), kernels::isa_name(kernels::active_kernels<double>().isa));
    std::printf("<Z_q> of sample 0:");
    for (int q = 0; q < n; ++q) std::printf(" %+.6f", out[q]);
    std::printf("\nforward %.3f ms, adjoint backward %.3f ms\n",
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                std::chrono::duration<double, std::milli>(t2 - t1).count());

    // Central finite differences of sum_{b,q} <Z_q> for the first weights.
    double worst = 0;
    const double h = 1e-6;
    for (int p = 0; p < std::min<int>(4, weights.size()); ++p) {
      auto loss = [&](double delta) {
        std::vector<double> wp = weights;
        wp[p] += delta;
        std::vector<double> o(batch * n);
        expval<double>(cc, cobs, make_batch<double>(cc, wp.data(), false, inputs.data(), batch), o.data(), ex);
        double s = 0;
        for (double v : o) s += v;
        return s;
      };
      const double fd = (loss(h) - loss(-h)) / (2 * h);
      std::printf("d loss / d w[%d]: adjoint %+.9f  finite difference %+.9f\n", p, gw[p], fd);
      worst = std::max(worst, std::abs(fd - gw[p]));
    }
    std::printf("largest difference: %.2e\n", worst);
    return worst < 1e-5 ? 0 : 1;
  });
}
