/**
 * @file error_of.h
 * @brief error_of(f): the message of the exception f throws, "" if none. For tests that assert
 * what an error says (C++ core tests and LibTorch-side tests alike).
 */
#pragma once

#include <exception>
#include <string>

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
