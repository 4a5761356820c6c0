/**
 * @file test_deploy_api.cpp
 * @brief torchq_ops::ensure_loaded(), the call a deploying C++ program makes before loading a
 * TorchScript model or an AOTInductor package: it must report what the dispatcher really holds.
 * Also the thread setting a deployed program may make. (That every op is registered completely
 * is tests/python/test_op_registry.py's job.)
 */
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/csrc/jit/runtime/operator.h>

#include "ops/torchq_ops.h"

namespace {

TEST(DeployApi, EnsureLoadedCountsTheRegisteredSchemas) {
  const int count = torchq_ops::ensure_loaded();
  // Counted another way than the dispatcher walk inside ensure_loaded(): TorchScript's operator
  // registry mirrors every schema the dispatcher registers.
  int jit_count = 0;
  for (const auto& op : torch::jit::getAllOperators()) {
    if (op->schema().name().rfind("torchq::", 0) == 0) ++jit_count;
  }
  EXPECT_EQ(count, jit_count);
  EXPECT_GE(count, 17);  // the schemas of ops/registration.cpp when this test was written
  EXPECT_EQ(torchq_ops::ensure_loaded(), count);  // safe to call again
  // The operator an exported QuantumLayer calls is among them.
  EXPECT_TRUE(c10::Dispatcher::singleton().findSchema({"torchq::expval", ""}).has_value());
}

TEST(DeployApi, ThreadBudgetFromCpp) {
  torchq_ops::set_num_threads(3);
  EXPECT_EQ(torchq_ops::get_num_threads(), 3);
  torchq_ops::set_num_threads(0);  // back to following torch
  EXPECT_EQ(torchq_ops::get_num_threads(), at::get_num_threads());
  EXPECT_THROW(torchq_ops::set_num_threads(-1), c10::Error);
  EXPECT_EQ(torchq_ops::get_num_threads(), at::get_num_threads());
}

}  // namespace
