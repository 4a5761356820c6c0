/**
 * @file test_gates.cpp
 * @brief Every gate of kGateTable against the dense reference (dense_reference.h): on 1 to 5
 * qubits, every ordering of its wires, 0, 1 and 2 extra controls, random normalised states, in
 * float and double, through every kernel table the CPU supports. Then every kernel table
 * against the generic one, kernel by kernel (pennylane-lightning's CompareKernels test).
 */
#include <gtest/gtest.h>

#include <set>

#include "dense_reference.h"
#include "test_util.h"
#include "torchq/parallel_openmp.h"

namespace torchq_test {
namespace {

using torchq::GateId;
using torchq::ParamRef;

constexpr int kMaxTestQubits = 5;

// ---------------------------------------------------------------------------------------------
// The reference itself: a few facts fixed by hand, so a wrong convention in dense_reference.h
// cannot hide behind agreement with a torchq bug of the same kind.
// ---------------------------------------------------------------------------------------------

TEST(DenseReference, WireZeroIsTheMostSignificantBit) {
  // X on wire 0 of 3 qubits maps |000> (index 0) to |100> (index 4).
  const ref::Mat x0 = ref::embed(ref::PauliX(), {0}, 3);
  EXPECT_EQ(x0(4, 0), ref::Cd(1));
  // X on wire 2 maps |000> to |001> (index 1).
  EXPECT_EQ(ref::embed(ref::PauliX(), {2}, 3)(1, 0), ref::Cd(1));
  // CNOT(0, 1): |10> (index 2) -> |11> (index 3); CNOT(1, 0): |01> (index 1) -> |11>.
  EXPECT_EQ(ref::embed(ref::CNOTGate(), {0, 1}, 2)(3, 2), ref::Cd(1));
  EXPECT_EQ(ref::embed(ref::CNOTGate(), {1, 0}, 2)(3, 1), ref::Cd(1));
  // CNOT(2, 0) on 3 qubits: |001> (1) -> |101> (5).
  EXPECT_EQ(ref::embed(ref::CNOTGate(), {2, 0}, 3)(5, 1), ref::Cd(1));
  // An extra control: X on wire 1 controlled by wire 2 is CNOT(2, 1).
  torchq::Operation op;
  op.gate = GateId::X;
  op.wires = {1};
  op.controls = {2};
  EXPECT_TRUE(ref::full_matrix(op, 3, {}, {}).isApprox(ref::embed(ref::CNOTGate(), {2, 1}, 3)));
}

TEST(DenseReference, HandWrittenMatricesAgreeWithTheirDefinitions) {
  const double a = 0.731, b = -1.27, c = 2.05;
  const ref::Mat I = ref::Id2(), X = ref::PauliX(), Y = ref::PauliY(), Z = ref::PauliZ();
  const ref::Cd i = ref::kI;
  auto rot = [&](const ref::Mat& p, double t) -> ref::Mat {  // exp(-i t/2 P) for P^2 = 1
    return std::cos(t / 2) * ref::Mat::Identity(p.rows(), p.cols()) - i * std::sin(t / 2) * p;
  };
  EXPECT_TRUE(ref::RXGate(a).isApprox(rot(X, a)));
  EXPECT_TRUE(ref::RYGate(a).isApprox(rot(Y, a)));
  EXPECT_TRUE(ref::RZGate(a).isApprox(rot(Z, a)));
  EXPECT_TRUE(ref::IsingXXGate(a).isApprox(rot(ref::kron(X, X), a)));
  EXPECT_TRUE(ref::IsingYYGate(a).isApprox(rot(ref::kron(Y, Y), a)));
  EXPECT_TRUE(ref::IsingZZGate(a).isApprox(rot(ref::kron(Z, Z), a)));
  EXPECT_TRUE(ref::MultiRZGate(a, 3).isApprox(rot(ref::kron(Z, ref::kron(Z, Z)), a)));
  EXPECT_TRUE(ref::RotGate(a, b, c).isApprox(ref::RZGate(c) * ref::RYGate(b) * ref::RZGate(a)));
  EXPECT_TRUE(ref::U3Gate(a, b, c).isApprox(ref::PhaseShiftGate(b) * ref::RYGate(a) * ref::PhaseShiftGate(c)));
  EXPECT_TRUE((ref::SGate() * ref::SGate()).isApprox(Z));
  EXPECT_TRUE((ref::TGate() * ref::TGate()).isApprox(ref::SGate()));
  EXPECT_TRUE((ref::SXGate() * ref::SXGate()).isApprox(X));
  EXPECT_TRUE((ref::SdgGate() * ref::SGate()).isApprox(I));
  EXPECT_TRUE((ref::TdgGate() * ref::TGate()).isApprox(I));
  EXPECT_TRUE((ref::Hadamard() * Z * ref::Hadamard()).isApprox(X));
  EXPECT_TRUE(ref::CZGate().isApprox(ref::add_controls(Z, 1)));
  EXPECT_TRUE(ref::CYGate().isApprox(ref::add_controls(Y, 1)));
  EXPECT_TRUE(ref::CRZGate(a).isApprox(ref::add_controls(ref::RZGate(a), 1)));
  EXPECT_TRUE(ref::ControlledPhaseShiftGate(a).isApprox(ref::add_controls(ref::PhaseShiftGate(a), 1)));
  EXPECT_TRUE(ref::ToffoliGate().isApprox(ref::add_controls(X, 2)));
  EXPECT_TRUE(ref::CSWAPGate().isApprox(ref::add_controls(ref::SWAPGate(), 1)));
  // ISWAP = exp(i pi/4 M), M = XX + YY. M has eigenvalues 0, 0, +-2, so M^3 = 4M and
  // exp(i t M) = I + i sin(2t)/2 M + (cos(2t) - 1)/4 M^2, which at t = pi/4 is I + i M/2 - M^2/4.
  const ref::Mat xy = ref::kron(X, X) + ref::kron(Y, Y);
  EXPECT_TRUE(ref::ISWAPGate().isApprox(ref::Mat::Identity(4, 4) + i * xy / 2.0 - xy * xy / 4.0));
  // Swapping the wires of a two-qubit gate conjugates it by SWAP.
  const ref::Mat g = ref::CRYGate(a);
  EXPECT_TRUE(ref::embed(g, {1, 0}, 2).isApprox(ref::SWAPGate() * g * ref::SWAPGate()));
}

// ---------------------------------------------------------------------------------------------
// Every gate, every wire ordering, 0..2 extra controls, every kernel table, against the reference.
// ---------------------------------------------------------------------------------------------

template <class T>
class GateTest : public ::testing::Test {
 protected:
  static constexpr double kTol = Precision<T>::kState;

  /// Checks gate g on k wires in every placement on 1..5 qubits with 0, 1, 2 extra controls.
  /// Returns the number of placements checked (each through every supported kernel table).
  int check_everywhere(GateId g, int k) {
    std::mt19937_64 rng(1000 + 37 * static_cast<int>(g) + k);
    int cases = 0;
    for (int nc = 0; nc <= 2; ++nc) {
      for (int n = k + nc; n <= kMaxTestQubits; ++n) {
        for (const std::vector<int>& placed : ordered_subsets(n, k + nc)) {
          torchq::Operation op;
          op.gate = g;
          op.wires.assign(placed.begin(), placed.begin() + k);
          op.controls.assign(placed.begin() + k, placed.end());
          check_one(op, n, rng);
          ++cases;
          if (::testing::Test::HasFatalFailure() || failures_ > 3) return cases;
        }
      }
    }
    return cases;
  }

  /// Applies op's primitives to a random state with each kernel table, in every ApplyMode.
  void check_one(torchq::Operation op, int n, std::mt19937_64& rng) {
    // Angles: constants, weights and inputs with scales, so ParamRef resolution is checked too.
    const std::vector<double> w = uniform<T>(3, -3.2, 3.2, rng);
    const std::vector<double> x = uniform<T>(3, -3.2, 3.2, rng);
    const int np = torchq::gate_info(op.gate).num_params;
    for (int j = 0; j < np; ++j) {
      switch ((j + static_cast<int>(rng() % 3)) % 3) {
        case 0: op.params.push_back(ParamRef::constant(representable<T>({std::uniform_real_distribution<double>(-4, 4)(rng)})[0])); break;
        case 1: op.params.push_back(ParamRef::weight(j, j == 0 ? 1.0 : -0.75)); break;
        default: op.params.push_back(ParamRef::input(j, 1.5)); break;
      }
    }
    if (op.gate == GateId::QubitUnitary) {
      op.matrix = ref::row_major(ref::random_unitary(1 << op.wires.size(), rng));
    }
    torchq::Circuit c(n, 3, 3);
    c.add(op);
    const torchq::CompiledCircuit cc = torchq::compile(c);
    const ref::Vec psi = ref::random_state(n, rng);
    const ref::Vec expected = ref::full_matrix(op, n, w, x) * psi;
    const std::vector<T> wt = cast_to<T>(w), xt = cast_to<T>(x);

    for (torchq::kernels::Isa isa : torchq::kernels::supported_isas()) {
      const auto& table = torchq::kernels::kernel_table<T>(isa);
      torchq::StateVector<T> sv(n);
      for (Eigen::Index i = 0; i < psi.size(); ++i) {
        sv[i] = {static_cast<T>(psi(i).real()), static_cast<T>(psi(i).imag())};
      }
      for (const torchq::Primitive& p : cc.primitives) {
        torchq::apply_primitive<T>(sv.data(), cc, p, wt.data(), xt.data(), false, table, torchq::serial_executor());
      }
      const double fwd = max_diff<T>(expected, sv.data());
      // The inverse of every primitive, in reverse order, undoes the gate.
      for (auto it = cc.primitives.rbegin(); it != cc.primitives.rend(); ++it) {
        torchq::apply_primitive<T>(sv.data(), cc, *it, wt.data(), xt.data(), true, table, torchq::serial_executor());
      }
      const double inv = max_diff<T>(psi, sv.data());
      // The density matrix's column side: conj(U) = conj(U_last) ... conj(U_first) in circuit
      // order, U^T = U_first^T ... U_last^T in reverse order (apply.h's modes).
      auto load = [&] {
        for (Eigen::Index i = 0; i < psi.size(); ++i) sv[i] = {static_cast<T>(psi(i).real()), static_cast<T>(psi(i).imag())};
      };
      load();
      for (const torchq::Primitive& p : cc.primitives) {
        torchq::apply_primitive<T>(sv.data(), cc, p, wt.data(), xt.data(), torchq::ApplyMode::kConjugate, table,
                                   torchq::serial_executor());
      }
      const double conj = max_diff<T>(ref::full_matrix(op, n, w, x).conjugate() * psi, sv.data());
      load();
      for (auto it = cc.primitives.rbegin(); it != cc.primitives.rend(); ++it) {
        torchq::apply_primitive<T>(sv.data(), cc, *it, wt.data(), xt.data(), torchq::ApplyMode::kTranspose, table,
                                   torchq::serial_executor());
      }
      const double transp = max_diff<T>(ref::full_matrix(op, n, w, x).transpose() * psi, sv.data());
      if (fwd > kTol || inv > kTol || conj > kTol || transp > kTol) {
        ++failures_;
        ADD_FAILURE() << describe(op, n) << ", kernels " << torchq::kernels::isa_name(isa) << ": forward error "
                      << fwd << ", inverse error " << inv << ", conjugate error " << conj << ", transpose error "
                      << transp << " (tolerance " << kTol << ")";
      }
    }
  }

  int failures_ = 0;
};
TYPED_TEST_SUITE(GateTest, Precisions, PrecisionNames);

TYPED_TEST(GateTest, OneQubitGates) {
  for (GateId g : {GateId::I, GateId::X, GateId::Y, GateId::Z, GateId::H, GateId::S, GateId::Sdg, GateId::T,
                   GateId::Tdg, GateId::SX, GateId::RX, GateId::RY, GateId::RZ, GateId::PhaseShift, GateId::Rot,
                   GateId::U3}) {
    SCOPED_TRACE(torchq::gate_info(g).name);
    // 1..5 qubits: 15 placements without controls, 40 with one, 90 with two.
    EXPECT_EQ(this->check_everywhere(g, 1), 145);
  }
}

TYPED_TEST(GateTest, TwoQubitGates) {
  for (GateId g : {GateId::CNOT, GateId::CY, GateId::CZ, GateId::SWAP, GateId::ISWAP, GateId::CRX, GateId::CRY,
                   GateId::CRZ, GateId::CRot, GateId::ControlledPhaseShift, GateId::IsingXX, GateId::IsingYY,
                   GateId::IsingZZ}) {
    SCOPED_TRACE(torchq::gate_info(g).name);
    EXPECT_EQ(this->check_everywhere(g, 2), 40 + 90 + 144);
  }
}

TYPED_TEST(GateTest, ThreeQubitGates) {
  for (GateId g : {GateId::Toffoli, GateId::CSWAP}) {
    SCOPED_TRACE(torchq::gate_info(g).name);
    EXPECT_EQ(this->check_everywhere(g, 3), 90 + 144 + 120);
  }
}

TYPED_TEST(GateTest, MultiRZOnOneToFourWires) {
  for (int k = 1; k <= 4; ++k) {
    SCOPED_TRACE("MultiRZ on " + std::to_string(k) + " wires");
    EXPECT_GT(this->check_everywhere(GateId::MultiRZ, k), 0);
  }
}

TYPED_TEST(GateTest, QubitUnitaryOnOneToThreeWires) {
  for (int k = 1; k <= 3; ++k) {
    SCOPED_TRACE("QubitUnitary on " + std::to_string(k) + " wires");
    EXPECT_GT(this->check_everywhere(GateId::QubitUnitary, k), 0);
  }
}

TEST(GateCoverage, EveryUnitaryGateOfTheTableIsTestedAbove) {
  // The lists in the tests above, written once more: a gate added to kGateTable must be added there.
  const std::set<GateId> tested{
      GateId::I,     GateId::X,     GateId::Y,     GateId::Z,       GateId::H,       GateId::S,
      GateId::Sdg,   GateId::T,     GateId::Tdg,   GateId::SX,      GateId::RX,      GateId::RY,
      GateId::RZ,    GateId::PhaseShift, GateId::Rot, GateId::U3,   GateId::CNOT,    GateId::CY,
      GateId::CZ,    GateId::SWAP,  GateId::ISWAP, GateId::CRX,     GateId::CRY,     GateId::CRZ,
      GateId::CRot,  GateId::ControlledPhaseShift, GateId::IsingXX, GateId::IsingYY, GateId::IsingZZ,
      GateId::Toffoli, GateId::CSWAP, GateId::MultiRZ, GateId::QubitUnitary};
  for (const torchq::GateInfo& g : torchq::kGateTable) {
    if (g.embedding || g.channel) continue;  // channels: test_noise.cpp
    EXPECT_TRUE(tested.count(g.id)) << g.name << " is in kGateTable but not in test_gates.cpp";
  }
  EXPECT_EQ(tested.size(), unitary_gates().size());
}

TYPED_TEST(GateTest, RunCircuitMatchesReferenceOnRandomCircuits) {
  // The same gates chained, through the public run_circuit / final_state path.
  using T = TypeParam;
  std::mt19937_64 rng(77);
  for (int n = 1; n <= kMaxTestQubits; ++n) {
    RandomCircuitOptions o;
    o.num_qubits = n;
    o.depth = 30;
    o.max_unitary_wires = std::min(n, 3);
    const torchq::Circuit c = random_circuit(o, rng);
    const std::vector<double> w = uniform<T>(o.num_weights, -3, 3, rng), x = uniform<T>(o.num_inputs, -3, 3, rng);
    const torchq::CompiledCircuit cc = torchq::compile(c);
    std::vector<torchq::Complex<T>> out(std::size_t{1} << n);
    const std::vector<T> wt = cast_to<T>(w), xt = cast_to<T>(x);
    torchq::final_state<T>(cc, torchq::make_batch<T>(cc, wt.data(), false, xt.data(), 1), out.data(),
                           torchq::serial_executor());
    EXPECT_LE(max_diff<T>(ref::simulate(c, w, x), out.data()), Precision<T>::kDeep) << n << " qubits";
  }
}

// ---------------------------------------------------------------------------------------------
// Every kernel table against the generic one, kernel by kernel, on arbitrary (non-unitary) data.
// ---------------------------------------------------------------------------------------------

template <class T>
class KernelCompareTest : public ::testing::Test {};
TYPED_TEST_SUITE(KernelCompareTest, Precisions, PrecisionNames);

template <class T>
std::vector<torchq::Complex<T>> random_data(std::size_t count, std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  std::vector<torchq::Complex<T>> v(count);
  for (auto& z : v) z = {static_cast<T>(g(rng)), static_cast<T>(g(rng))};
  return v;
}

TYPED_TEST(KernelCompareTest, EverySupportedTableMatchesGeneric) {
  using T = TypeParam;
  using C = torchq::Complex<T>;
  namespace k = torchq::kernels;
  const auto& generic = k::kernel_table<T>(k::Isa::kGeneric);
  EXPECT_EQ(generic.isa, k::Isa::kGeneric);
  const torchq::OpenMPExecutor two(2);
  std::mt19937_64 rng(4242);
  const double tol = Precision<T>::kState * 8;  // FMA contraction may round differently
  int compared = 0;
  for (k::Isa isa : k::supported_isas()) {
    const auto& table = k::kernel_table<T>(isa);
    ASSERT_EQ(table.isa, isa);
    for (int trial = 0; trial < 180; ++trial) {
      // Mostly small states, some above the parallel grain, run on two threads for the table under
      // test; every kernel kind (trial % 9) meets every size ((trial / 9) % 9).
      const int n = trial % 16 == 0 ? 14 : 1 + (trial / 9) % 9;
      const torchq::Executor& ex = n >= 13 ? static_cast<const torchq::Executor&>(two) : torchq::serial_executor();
      const int kind = trial % 9;
      int targets = 1;
      if (kind == 3 || kind == 4) targets = 2;
      if (kind == 5) targets = 0;  // parity_phase: targets go to zmask, the layout has only controls
      if (kind == 6) targets = 1 + static_cast<int>(rng() % std::min(n, k::kMaxDenseTargets));
      if (targets > n) continue;
      const int free_bits = n - targets;
      const int controls = kind == 7 ? 0 : static_cast<int>(rng() % (std::min(free_bits, 3) + 1));
      std::vector<int> bits = random_wires(n, targets + controls, rng);  // distinct bit positions
      const torchq::GateLayout L =
          torchq::make_layout(n, bits.data(), targets, bits.data() + targets, controls);
      torchq::Index zmask = 0;
      if (kind == 5) {
        for (int b = 0; b < n; ++b) {
          if (std::find(bits.begin() + targets, bits.end(), b) == bits.end() && rng() % 2) zmask |= torchq::Index{1} << b;
        }
      }
      const std::size_t size = std::size_t{1} << n;
      const auto psi = random_data<T>(size, rng);
      const auto m = random_data<T>(std::size_t{1} << (2 * std::max(targets, 1)), rng);
      std::vector<C> a = psi, b = psi;
      auto run = [&](const k::KernelTable<T>& t, std::vector<C>& s, const torchq::Executor& e) {
        switch (kind) {
          case 0: t.dense1(s.data(), L, m.data(), e); break;
          case 1: t.diag1(s.data(), L, m.data(), e); break;
          case 2: t.antidiag1(s.data(), L, m.data(), e); break;
          case 3: t.dense2(s.data(), L, m.data(), e); break;
          case 4: t.swap2(s.data(), L, e); break;
          case 5: t.parity_phase(s.data(), L, zmask, m.data(), e); break;
          case 6: t.densek(s.data(), L, m.data(), e); break;
          case 8: t.flip1(s.data(), L, e); break;
          default: t.read_write_pass(s.data(), size, e); break;
        }
      };
      run(generic, a, torchq::serial_executor());
      run(table, b, ex);
      double worst = 0;
      for (std::size_t i = 0; i < size; ++i) worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
      EXPECT_LE(worst, tol) << k::isa_name(isa) << " kernel kind " << kind << " on " << n << " qubits, targets "
                            << targets << ", controls " << controls;
      // Amplitudes whose control bits are not all 1 are never touched.
      if (kind != 7 && controls > 0) {
        for (std::size_t i = 0; i < size; ++i) {
          if ((i & L.ctrl_mask) != L.ctrl_mask) {
            ASSERT_EQ(b[i], psi[i]) << "kernel kind " << kind << " touched index " << i;
          }
        }
      }
      ++compared;
    }
  }
  EXPECT_GE(compared, 100);
}

// ---------------------------------------------------------------------------------------------
// One-qubit kernels with a target or control on bit 0 or 1 (runs of 1 or 2 amplitudes: the
// kernels' in-vector paths), and on bits 2 and 3 next to them, against a per-amplitude formula,
// for every table, on states up to 2^14 run on one and two threads.
// ---------------------------------------------------------------------------------------------

TYPED_TEST(KernelCompareTest, FusedCnotIsTheTwoProductsThenTheCnot) {
  // fused_cnot(A, B) = CNOT (A on the control, B on the target), against the three kernels it
  // replaces (generic table, one thread), for every table, on every (control, target) placement
  // of small states and some of a state above the parallel grain, on one and two threads.
  using T = TypeParam;
  using C = torchq::Complex<T>;
  namespace k = torchq::kernels;
  std::mt19937_64 rng(99);
  const torchq::OpenMPExecutor two(2);
  const auto& generic = k::kernel_table<T>(k::Isa::kGeneric);
  int checked = 0;
  for (int n : {2, 3, 5, 7, 14}) {
    for (int c = 0; c < n; ++c) {
      for (int t = 0; t < n; ++t) {
        if (c == t || (n == 14 && (c + t) % 5 != 0)) continue;
        const torchq::GateLayout L = torchq::make_layout(n, &t, 1, &c, 1);
        const torchq::GateLayout Lc = torchq::make_layout(n, &c, 1, nullptr, 0);
        const torchq::GateLayout Lt = torchq::make_layout(n, &t, 1, nullptr, 0);
        const auto psi = random_data<T>(std::size_t{1} << n, rng);
        const auto m = random_data<T>(8, rng);
        std::vector<C> want = psi;
        generic.dense1(want.data(), Lc, m.data(), torchq::serial_executor());
        generic.dense1(want.data(), Lt, m.data() + 4, torchq::serial_executor());
        generic.flip1(want.data(), L, torchq::serial_executor());
        for (k::Isa isa : k::supported_isas()) {
          for (const torchq::Executor* ex : {&torchq::serial_executor(), static_cast<const torchq::Executor*>(&two)}) {
            std::vector<C> got = psi;
            k::kernel_table<T>(isa).fused_cnot(got.data(), L, m.data(), *ex);
            double worst = 0;
            for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, double(std::abs(got[i] - want[i])));
            EXPECT_LE(worst, Precision<T>::kState * 8) << k::isa_name(isa) << " control bit " << c << ", target bit "
                                                       << t << " on " << n << " qubits, " << ex->num_threads()
                                                       << " threads";
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TYPED_TEST(KernelCompareTest, OneQubitKernelsOnLowBitsMatchTheFormula) {
  using T = TypeParam;
  using C = torchq::Complex<T>;
  using Z = std::complex<double>;
  namespace k = torchq::kernels;
  std::mt19937_64 rng(777);
  const torchq::OpenMPExecutor two(2);
  const double tol = Precision<T>::kState * 8;
  // (target, controls) bit placements; -1 ends the control list.
  const std::vector<std::vector<int>> placements = {
      {0},       {1},       {2},       {3},          {0, 1},       {1, 0},    {0, 2},       {2, 0},
      {1, 2},    {2, 1},    {0, 3},    {3, 0},       {5, 0},       {5, 1},    {5, 0, 1},    {0, 1, 2},
      {1, 0, 2}, {2, 0, 1}, {0, 5},    {1, 5},       {1, 0, 5},    {6, 1, 3}, {0, 1, 6, 3}, {4, 2},
      {3, 1},    {6, 2, 0}, {2, 6},    {0, 2, 4, 6}, {1, 3, 5, 0}, {7, 0},    {7, 1},       {0, 7}};
  int checked = 0;
  for (int n : {1, 2, 3, 4, 5, 8, 14}) {
    for (const auto& pl : placements) {
      if (*std::max_element(pl.begin(), pl.end()) >= n) continue;
      const int target = pl[0];
      const std::vector<int> controls(pl.begin() + 1, pl.end());
      const torchq::GateLayout L =
          torchq::make_layout(n, &target, 1, controls.data(), static_cast<int>(controls.size()));
      const std::size_t size = std::size_t{1} << n;
      const auto psi = random_data<T>(size, rng);
      const auto m = random_data<T>(4, rng);
      for (int kind = 0; kind < 4; ++kind) {
        // Expected: the 2x2 matrix of the kernel on every pair whose controls are all 1.
        Z g[4];
        if (kind == 3) {  // flip1: X
          g[0] = 0, g[1] = 1, g[2] = 1, g[3] = 0;
        } else if (kind == 0) {
          for (int j = 0; j < 4; ++j) g[j] = Z(m[j].real(), m[j].imag());
        } else if (kind == 1) {
          g[0] = Z(m[0].real(), m[0].imag()), g[1] = 0, g[2] = 0, g[3] = Z(m[1].real(), m[1].imag());
        } else {
          g[0] = 0, g[1] = Z(m[0].real(), m[0].imag()), g[2] = Z(m[1].real(), m[1].imag()), g[3] = 0;
        }
        std::vector<Z> expected(size);
        const std::size_t tb = std::size_t{1} << target;
        for (std::size_t i = 0; i < size; ++i) {
          const Z v(psi[i].real(), psi[i].imag());
          if ((i & L.ctrl_mask) != L.ctrl_mask) {
            expected[i] = v;
            continue;
          }
          const Z other(psi[i ^ tb].real(), psi[i ^ tb].imag());
          expected[i] = (i & tb) ? g[2] * other + g[3] * v : g[0] * v + g[1] * other;
        }
        for (k::Isa isa : k::supported_isas()) {
          const auto& table = k::kernel_table<T>(isa);
          for (const torchq::Executor* ex : {&torchq::serial_executor(), static_cast<const torchq::Executor*>(&two)}) {
            std::vector<C> s = psi;
            switch (kind) {
              case 0: table.dense1(s.data(), L, m.data(), *ex); break;
              case 1: table.diag1(s.data(), L, m.data(), *ex); break;
              case 2: table.antidiag1(s.data(), L, m.data(), *ex); break;
              default: table.flip1(s.data(), L, *ex); break;
            }
            double worst = 0;
            for (std::size_t i = 0; i < size; ++i) {
              if ((i & L.ctrl_mask) != L.ctrl_mask) {
                ASSERT_EQ(s[i], psi[i]) << "touched index " << i;
              }
              worst = std::max(worst, std::abs(Z(s[i].real(), s[i].imag()) - expected[i]));
            }
            EXPECT_LE(worst, tol) << k::isa_name(isa) << " kernel " << kind << " on " << n << " qubits, target bit "
                                  << target << ", " << controls.size() << " controls, " << ex->num_threads()
                                  << " threads";
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GE(checked, 300);
}

TEST(KernelDispatch, ActiveTableIsTheBestSupportedOrTheForcedOne) {
  namespace k = torchq::kernels;
  const std::vector<k::Isa> all = k::supported_isas();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front(), k::Isa::kGeneric);
  const char* forced = std::getenv("TORCHQ_ISA");
  const k::Isa want = forced == nullptr || *forced == '\0' ? all.back()
                      : std::string(forced) == "avx2"      ? k::Isa::kAvx2
                      : std::string(forced) == "avx512"    ? k::Isa::kAvx512
                                                           : k::Isa::kGeneric;
  EXPECT_EQ(k::active_kernels<double>().isa, want);
  EXPECT_EQ(k::active_kernels<float>().isa, want);
  EXPECT_STREQ(k::isa_name(k::Isa::kAvx2), "avx2");
}

}  // namespace
}  // namespace torchq_test
