/**
 * @file run_main.h
 * @brief run_main(name, body): how every example's main ends. An exception that escapes main
 * calls std::terminate, so a tampered model file or a bad argument would end the program with
 * SIGABRT and a core dump instead of a message. run_main prints what went wrong (a c10::Error
 * without its C++ backtrace) as "<name>: error: <what>" on stderr and returns exit status 1.
 *
 *   int main(int argc, char** argv) {
 *     return torchq_examples::run_main("deploy_torchscript", [&] { ...; return ok ? 0 : 1; });
 *   }
 *
 * Header-only and usable without LibTorch (core_demo links only the torch-free core): the
 * c10::Error branch is compiled when c10's header is on the include path.
 */
#pragma once

#include <cstdio>
#include <exception>

#if __has_include(<c10/util/Exception.h>)
#include <c10/util/Exception.h>
#define TORCHQ_EXAMPLES_HAVE_C10 1
#endif

namespace torchq_examples {

/// Runs body() (which returns main's exit status) and turns any exception into a message on
/// stderr and exit status 1.
template <class Body>
int run_main(const char* name, Body&& body) noexcept {
  try {
    return body();
#ifdef TORCHQ_EXAMPLES_HAVE_C10
  } catch (const c10::Error& e) {
    // what() would append a C++ backtrace that says nothing to a user of the program.
    std::fprintf(stderr, "%s: error: %s\n", name, e.what_without_backtrace());
#endif
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", name, e.what());
  } catch (...) {
    std::fprintf(stderr, "%s: error: an unknown exception\n", name);
  }
  return 1;
}

}  // namespace torchq_examples
