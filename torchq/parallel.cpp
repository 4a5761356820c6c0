/// @file parallel.cpp
#include "torchq/parallel.h"

namespace torchq {

const Executor& serial_executor() {
  static const SerialExecutor instance;
  return instance;
}

}  // namespace torchq
