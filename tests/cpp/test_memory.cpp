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
#include <fstream>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
  // 12 qubits of complex<double>: 65536 bytes per state. 48 gates: enough work per sample that
  // four samples go over two threads (detail::item_workers).
  const int n = 12;
  torchq::Circuit c(n, 0, 1);
  for (int layer = 0; layer < 4; ++layer) {
    for (int q = 0; q < n; ++q) c.add(torchq::GateId::RY, {q}, {torchq::ParamRef::input(0)});
  }
  const auto cc = torchq::compile(c);
  ASSERT_GT(torchq::detail::item_workers(4, n, static_cast<torchq::Index>(cc.primitives.size()), 2), 1);
  const auto obs = torchq::compile_observables({Observable::z(3)}, n);
  const std::vector<double> x{0.1, 0.2, 0.3, 0.4}, g{1, 1, 1, 1};
  const torchq::OpenMPExecutor two(2);
  std::vector<double> serial(4), parallel(4);
  torchq::set_memory_limit_bytes(140000);  // two states fit
  run_expval<double>(cc, obs, {}, false, x, 4, two);
  // One state fits, two do not: the loop runs on one worker rather than refusing.
  torchq::set_memory_limit_bytes(100000);
  EXPECT_NO_THROW(run_expval<double>(cc, obs, {}, false, x, 4, two));
  torchq::set_memory_limit_bytes(60000);  // not even one state
  expect_refused([&] { run_expval<double>(cc, obs, {}, false, x, 4, two); }, {"1 statevector(s)", "65536", "60000"});
  // The adjoint method holds two states per worker.
  torchq::set_memory_limit_bytes(100000);
  expect_refused([&] { run_adjoint<double>(cc, obs, {}, false, x, 4, g, two); }, {"adjoint", "2 statevector(s)"});
  torchq::set_memory_limit_bytes(140000);
  EXPECT_NO_THROW(run_adjoint<double>(cc, obs, {}, false, x, 4, g, two));
  // A batch of one on two threads splits amplitudes instead: one state.
  torchq::set_memory_limit_bytes(100000);
  EXPECT_NO_THROW(run_expval<double>(cc, obs, {}, false, {0.1}, 1, two));
}

TEST_F(MemoryGuardTest, ConcurrentCallsShareTheLimit) {
  // A call running elsewhere holds 128 MiB of a 160 MiB limit: a 64 MiB request that fits alone
  // is refused while it runs, with both figures named, and fits once it has finished.
  torchq::set_memory_limit_bytes(160 * kMiB);
  {
    const torchq::MemoryReservation running = torchq::reserve_memory(128 * kMiB, "another call");
    EXPECT_EQ(torchq::reserved_bytes(), 128 * kMiB);
    expect_refused([] { (void)torchq::reserve_state_memory(22, 16, 1, 0, "expval"); },
                   {"1 statevector(s) of 22 qubits", "67108864", "held by torchq calls running at the same time"});
    expect_refused([] { (void)torchq::reserve_memory(64 * kMiB, "probs output"); }, {"probs output"});
    // A check of a single allocation inside a call does not count the other calls.
    EXPECT_NO_THROW(torchq::check_state_memory(22, 16, 1, 0, "StateVector"));
  }
  EXPECT_EQ(torchq::reserved_bytes(), 0u);
  const torchq::MemoryReservation now_fits = torchq::reserve_state_memory(22, 16, 1, 0, "expval");
  EXPECT_EQ(now_fits.bytes(), 64 * kMiB);
}

TEST_F(MemoryGuardTest, ConcurrentCallsNeverTogetherExceedTheLimit) {
  // Eight threads race to reserve 128 MiB each under a 160 MiB limit: at any moment at most one
  // holds it; the largest total ever reserved is 128 MiB.
  torchq::set_memory_limit_bytes(160 * kMiB);
  std::atomic<std::uint64_t> peak{0};
  std::atomic<int> granted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        try {
          const torchq::MemoryReservation r = torchq::reserve_memory(128 * kMiB, "race");
          ++granted;
          std::uint64_t seen = peak.load();
          const std::uint64_t now = torchq::reserved_bytes();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
        } catch (const torchq::MemoryError&) {
          ++refused;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted + refused, 1600);
  EXPECT_GT(granted.load(), 0);
  EXPECT_LE(peak.load(), 128 * kMiB);
  EXPECT_EQ(torchq::reserved_bytes(), 0u);
}

TEST_F(MemoryGuardTest, AddressSpaceLimitIsHonoured) {
  // Under `ulimit -v` (RLIMIT_AS) a 30-qubit state must be refused by the guard, not end in
  // std::bad_alloc. setrlimit changes the whole process, so a child process checks it.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    statm >> pages;
    const std::uint64_t used = pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    rlimit rl{};
    rl.rlim_cur = rl.rlim_max = used + 256 * kMiB;
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(10);
    if (torchq::memory_limit_bytes() > 256 * kMiB) _exit(11);
    try {
      torchq::StateVector<double> psi(30);  // 16 GiB
      _exit(12);
    } catch (const torchq::MemoryError& e) {
      _exit(std::string(e.what()).find("16 GiB") != std::string::npos ? 0 : 13);
    } catch (...) {
      _exit(14);  // std::bad_alloc: the guard missed the limit
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setrlimit failed, 11 limit not read, 12 allocated, 13 message, 14 bad_alloc";
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
