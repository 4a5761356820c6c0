/**
 * @file test_memory.cpp
 * @brief The memory guard (memory.h): requests that do not fit are refused with a MemoryError
 * naming both byte counts, BEFORE anything is allocated; the limit comes from
 * set_memory_limit_bytes(), then TORCHQ_MEMORY_LIMIT_BYTES, then /proc/meminfo.
 *
 * "Nothing was allocated" is checked directly: this test program replaces the global operator
 * new (plain and aligned; StateVector uses the aligned one) and records the largest request.
 */
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <optional>
#include <regex>

#include "test_util.h"
#include "torchq/parallel_openmp.h"

namespace {

std::atomic<std::size_t> g_largest_request{0};

void record(std::size_t n) {
  std::size_t seen = g_largest_request.load(std::memory_order_relaxed);
  while (n > seen && !g_largest_request.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
  }
}

}  // namespace

// Replacements of the global allocation functions (allowed in any one translation unit of a
// program). The array and nothrow forms call these by default. GCC cannot see that these
// replacements pair malloc with free, hence the pragma.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  record(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void* operator new(std::size_t n, std::align_val_t align) {
  record(n);
  const std::size_t a = static_cast<std::size_t>(align);
  const std::size_t rounded = (n + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace torchq_test {
namespace {

using torchq::Observable;

constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
constexpr const char* kEnv = "TORCHQ_MEMORY_LIMIT_BYTES";

/// Saves and restores the limit override and the environment variable around every test.
class MemoryGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* v = std::getenv(kEnv)) saved_env_ = v;
    unsetenv(kEnv);
    torchq::set_memory_limit_bytes(0);
  }
  void TearDown() override {
    torchq::set_memory_limit_bytes(0);
    if (saved_env_) {
      setenv(kEnv, saved_env_->c_str(), 1);
    } else {
      unsetenv(kEnv);
    }
  }
  /// Runs f, expects a MemoryError whose message holds every fragment, and returns the largest
  /// allocation requested meanwhile.
  template <class F>
  std::size_t expect_refused(F&& f, std::initializer_list<std::string> fragments) {
    g_largest_request = 0;
    try {
      f();
      ADD_FAILURE() << "no MemoryError";
    } catch (const torchq::MemoryError& e) {
      for (const std::string& s : fragments) {
        EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << "message \"" << e.what() << "\" lacks \"" << s << "\"";
      }
    }
    return g_largest_request.load();
  }
  std::optional<std::string> saved_env_;
};

TEST_F(MemoryGuardTest, AllocationTrackingWorks) {
  // Guards the checks below: a real statevector allocation is seen by the replaced operator new.
  torchq::set_memory_limit_bytes(64 * kMiB);
  g_largest_request = 0;
  { torchq::StateVector<double> sv(20); }
  EXPECT_GE(g_largest_request.load(), 16 * kMiB);
}

TEST_F(MemoryGuardTest, StateVectorOverTheLimitIsRefusedBeforeAllocating) {
  torchq::set_memory_limit_bytes(kMiB);
  EXPECT_EQ(torchq::memory_limit_bytes(), kMiB);
  // 17 qubits of complex<double>: 2^17 * 16 = 2097152 bytes > 1048576.
  const std::size_t largest = expect_refused([] { torchq::StateVector<double> sv(17); },
                                             {"StateVector", "2097152", "1048576", "17 qubits"});
  EXPECT_LT(largest, kMiB / 4);
  // complex<float>: exactly the limit is allowed, one qubit more is not.
  EXPECT_NO_THROW(torchq::StateVector<float> sv(17));
  expect_refused([] { torchq::StateVector<float> sv(18); }, {"2097152", "1048576"});
}

TEST_F(MemoryGuardTest, FortyQubitsAreRefusedInstantlyUnderTheDefaultLimit) {
  // No override and no variable: the limit is MemAvailable, far below 2^40 * 16 bytes = 16 TiB.
  const std::uint64_t limit = torchq::memory_limit_bytes();
  ASSERT_LT(limit, std::uint64_t{1} << 44);
  const auto t0 = std::chrono::steady_clock::now();
  g_largest_request = 0;
  std::string message;
  try {
    torchq::StateVector<double> sv(40);
    ADD_FAILURE() << "no MemoryError";
  } catch (const torchq::MemoryError& e) {
    message = e.what();
  }
  const std::size_t largest = g_largest_request.load();
  // Both numbers: what is needed (2^40 * 16 bytes) and what is available (MemAvailable moves, so
  // read it back from the message and check it is a plausible limit).
  EXPECT_NE(message.find("need 17592186044416 bytes"), std::string::npos) << message;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(message, m, std::regex("only ([0-9]+) bytes"))) << message;
  EXPECT_GT(std::stoull(m[1].str()), 0u);
  EXPECT_LT(std::stoull(m[1].str()), std::uint64_t{1} << 44);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(seconds, 0.5);  // touching even 1% of 16 TiB would take far longer
  EXPECT_LT(largest, kMiB);
  // float: 2^40 * 8 bytes.
  expect_refused([] { torchq::StateVector<float> sv(40); }, {"8796093022208"});
}

TEST_F(MemoryGuardTest, ForwardMeasurementsAndAdjointAreRefusedBeforeAllocating) {
  const int n = 20;  // 16 MiB per complex<double> state
  torchq::Circuit c(n, 1, 0);
  c.add(torchq::GateId::RX, {0}, {torchq::ParamRef::weight(0)});
  const auto cc = torchq::compile(c);
  const auto obs = torchq::compile_observables({Observable::z(0)}, n);
  const std::vector<double> w{0.3}, g{1.0};
  std::vector<double> out(4, 0.0), gw(1);
  const auto in = torchq::make_batch<double>(cc, w.data(), false, nullptr, 1);
  torchq::set_memory_limit_bytes(kMiB);
  const std::string limit = std::to_string(kMiB);
  EXPECT_LT(expect_refused([&] { torchq::expval<double>(cc, obs, in, out.data(), torchq::serial_executor()); },
                           {"expval", "16777216", limit}),
            kMiB);
  EXPECT_LT(expect_refused([&] { torchq::variance<double>(cc, obs, in, out.data(), torchq::serial_executor()); },
                           {"variance", "2 statevector(s)", "33554432", limit}),
            kMiB);
  EXPECT_LT(expect_refused([&] { torchq::probs<double>(cc, {0, 1}, in, out.data(), torchq::serial_executor()); },
                           {"probs", limit}),
            kMiB);
  std::vector<std::int64_t> samples(2);
  EXPECT_LT(expect_refused([&] { torchq::sample<double>(cc, {0}, in, 2, 1, samples.data(), torchq::serial_executor()); },
                           {"sample", limit}),
            kMiB);
  EXPECT_LT(expect_refused([&] {
              torchq::adjoint_expval_backward<double>(cc, obs, in, g.data(), gw.data(), nullptr, torchq::serial_executor());
            },
                           {"adjoint", "2 statevector(s)", "33554432", limit}),
            kMiB);
}

TEST_F(MemoryGuardTest, TheGuardCountsEveryWorkersStates) {
  // 12 qubits of complex<double>: 65536 bytes per state.
  const int n = 12;
  torchq::Circuit c(n, 0, 1);
  c.add(torchq::GateId::RY, {3}, {torchq::ParamRef::input(0)});
  const auto cc = torchq::compile(c);
  const auto obs = torchq::compile_observables({Observable::z(3)}, n);
  const std::vector<double> x{0.1, 0.2, 0.3, 0.4}, g{1, 1, 1, 1};
  const torchq::OpenMPExecutor two(2);
  torchq::set_memory_limit_bytes(100000);  // one state fits, two do not
  EXPECT_NO_THROW(run_expval<double>(cc, obs, {}, false, x, 4));
  // Four samples on two threads: two workers with one state each.
  expect_refused([&] { run_expval<double>(cc, obs, {}, false, x, 4, two); }, {"2 statevector(s)", "131072", "100000"});
  // The adjoint method holds two states per worker.
  expect_refused([&] { run_adjoint<double>(cc, obs, {}, false, x, 4, g); }, {"adjoint", "2 statevector(s)"});
  torchq::set_memory_limit_bytes(140000);
  EXPECT_NO_THROW(run_adjoint<double>(cc, obs, {}, false, x, 4, g));
  expect_refused([&] { run_adjoint<double>(cc, obs, {}, false, x, 4, g, two); }, {"4 statevector(s)", "262144"});
  // A batch of one on two threads splits amplitudes instead: one state.
  torchq::set_memory_limit_bytes(100000);
  EXPECT_NO_THROW(run_expval<double>(cc, obs, {}, false, {0.1}, 1, two));
}

TEST_F(MemoryGuardTest, EnvironmentVariableSetsTheLimitAndTheOverrideWins) {
  setenv(kEnv, "1048576", 1);
  EXPECT_EQ(torchq::memory_limit_bytes(), kMiB);
  expect_refused([] { torchq::StateVector<double> sv(17); }, {"2097152", "1048576"});
  EXPECT_NO_THROW(torchq::StateVector<double> sv(16));
  // set_memory_limit_bytes() takes precedence over the variable; 0 hands control back to it.
  torchq::set_memory_limit_bytes(4 * kMiB);
  EXPECT_EQ(torchq::memory_limit_bytes(), 4 * kMiB);
  EXPECT_NO_THROW(torchq::StateVector<double> sv(17));
  torchq::set_memory_limit_bytes(0);
  EXPECT_EQ(torchq::memory_limit_bytes(), kMiB);
  // Malformed values are refused, not read as 0 or as a prefix.
  for (const char* bad : {"12abc", "0", "-5", "+5", "lots", "1e9", "99999999999999999999999"}) {
    setenv(kEnv, bad, 1);
    EXPECT_THROW(torchq::memory_limit_bytes(), torchq::ArgumentError) << "TORCHQ_MEMORY_LIMIT_BYTES=" << bad;
  }
  // Unset: the machine's available memory, which is neither 0 nor the old value.
  unsetenv(kEnv);
  EXPECT_GT(torchq::memory_limit_bytes(), 0u);
  EXPECT_NE(torchq::memory_limit_bytes(), kMiB);
}

TEST_F(MemoryGuardTest, SizesSaturateInsteadOfOverflowing) {
  EXPECT_EQ(torchq::state_bytes(10, 16), 16384u);
  EXPECT_EQ(torchq::state_bytes(63, 16), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(torchq::state_bytes(62, 16), std::numeric_limits<std::uint64_t>::max());
  torchq::set_memory_limit_bytes(std::numeric_limits<std::uint64_t>::max() - 1);
  // 2^40 * 16 bytes times 2^30 states wraps around 2^64 if multiplied naively.
  EXPECT_THROW(torchq::check_state_memory(40, 16, std::uint64_t{1} << 30, 0, "test"), torchq::MemoryError);
  EXPECT_THROW(torchq::check_state_memory(10, 16, 1, std::numeric_limits<std::uint64_t>::max(), "test"),
               torchq::MemoryError);
}

TEST_F(MemoryGuardTest, QubitCountsOutsideTheSupportedRangeAreArgumentErrors) {
  EXPECT_THROW(torchq::StateVector<double> sv(0), torchq::ArgumentError);
  EXPECT_THROW(torchq::StateVector<double> sv(torchq::kMaxQubits + 1), torchq::ArgumentError);
  EXPECT_THROW(torchq::StateVector<double> sv(-3), torchq::ArgumentError);
}

}  // namespace
}  // namespace torchq_test
