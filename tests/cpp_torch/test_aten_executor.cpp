/**
 * @file test_aten_executor.cpp
 * @brief The ops' executor really runs on torch's threads.
 *
 * at::parallel_for is a header template whose OpenMP body is compiled into libtorchq_ops.so: a
 * build without OpenMP flags silently runs every loop on one thread. These tests see the threads.
 */
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "ops/threads.h"

namespace {

// Thread ids that ran a chunk. Each chunk waits (bounded) until every chunk has started, so a
// serial executor is caught by the count, not by timing.
std::set<std::thread::id> threads_used(const torchq::Executor& ex, torchq::Index n) {
  std::mutex m;
  std::set<std::thread::id> ids;
  std::atomic<int> started{0};
  const int expected = ex.num_threads();
  ex.parallel_for(n, 1, [&](torchq::Index, torchq::Index) {
    {
      std::lock_guard<std::mutex> g(m);
      ids.insert(std::this_thread::get_id());
    }
    started.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (started.load() < expected && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  });
  return ids;
}

}  // namespace

TEST(AtenExecutor, UsesAsManyThreadsAsItIsGiven) {
  at::set_num_threads(2);
  const torchq_ops::AtenExecutor ex(2);
  EXPECT_EQ(threads_used(ex, 64).size(), 2u) << "at::parallel_for ran serially: was ops/threads.cpp built with OpenMP?";
}

TEST(AtenExecutor, OneThreadRunsOnTheCaller) {
  const torchq_ops::AtenExecutor ex(1);
  const auto ids = threads_used(ex, 64);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(*ids.begin(), std::this_thread::get_id());
}

TEST(AtenExecutor, ChunksCoverTheRangeOnce) {
  at::set_num_threads(2);
  const torchq_ops::AtenExecutor ex(2);
  std::vector<std::atomic<int>> hits(1000);
  ex.parallel_for(1000, 7, [&](torchq::Index b, torchq::Index e) {
    for (torchq::Index i = b; i < e; ++i) hits[i].fetch_add(1);
  });
  for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadShare, FollowsTorchAndSplitsAmongConcurrentCalls) {
  torchq_ops::set_thread_override(0);
  at::set_num_threads(2);
  torchq_ops::ThreadShare first;
  EXPECT_EQ(first.executor().num_threads(), 2);
  torchq_ops::ThreadShare second;  // a second call running at the same time gets half
  EXPECT_EQ(second.executor().num_threads(), 1);
}
