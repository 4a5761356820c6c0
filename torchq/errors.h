/**
 * @file errors.h
 * @brief Exception types thrown by the core. Every message says what was wrong and what is allowed.
 */
#pragma once

#include <stdexcept>
#include <string>

namespace torchq {

/// A malformed circuit program or observable set (unknown opcode, bad wire, ...).
class ProgramError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// An argument that does not fit the call (shape, count, value range).
class ArgumentError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A request that would need more memory than the machine allows. Thrown before allocating.
class MemoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace torchq
