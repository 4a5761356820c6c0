# Sanitizer and fuzzer builds (clang only); scripts/sanitize.sh makes build-asan and build-tsan.
#
#   -DTORCHQ_SANITIZE="address;undefined"  every target built with ASan + UBSan (UBSan fatal)
#   -DTORCHQ_SANITIZE=thread               every target built with TSan (tests/sanitize driver)
#   -DTORCHQ_BUILD_FUZZERS=ON              the libFuzzer targets in tests/fuzz; every target is
#                                          also built with -fsanitize=fuzzer-no-link, so one build
#                                          serves the sanitized tests and the fuzzers
#
# Both default to off, and then this file changes nothing: the normal gcc build is untouched.

set(TORCHQ_SANITIZE "" CACHE STRING "Sanitizers for every target (clang): address;undefined or thread")
option(TORCHQ_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (clang)" OFF)

if(TORCHQ_SANITIZE OR TORCHQ_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TORCHQ_SANITIZE and TORCHQ_BUILD_FUZZERS need clang (libFuzzer and the "
                        "sanitizer runtimes ship with it): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Readable stacks in reports at a modest cost; -O1 (the build type's flags come first, these
  # after) keeps the sanitized suites fast enough for CI.
  add_compile_options(-O1 -gline-tables-only -fno-omit-frame-pointer)
endif()

if(TORCHQ_SANITIZE)
  if("thread" IN_LIST TORCHQ_SANITIZE AND ("address" IN_LIST TORCHQ_SANITIZE OR TORCHQ_BUILD_FUZZERS))
    message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer or the fuzzers: "
                        "use a separate build directory")
  endif()
  list(JOIN TORCHQ_SANITIZE "," _torchq_sanitizers)
  add_compile_options(-fsanitize=${_torchq_sanitizers})
  add_link_options(-fsanitize=${_torchq_sanitizers})
  if("address" IN_LIST TORCHQ_SANITIZE)
    # The shared ASan runtime (found through the rpath), not a static copy per executable: tests
    # that run Python load the instrumented libtorchq_ops.so into an uninstrumented interpreter,
    # which needs the runtime preloaded (torchq_sanitize_python_tests below), and the C++
    # programs those tests start inherit the preload, which only a shared runtime tolerates.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so
                    OUTPUT_VARIABLE TORCHQ_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(_torchq_asan_dir "${TORCHQ_ASAN_RUNTIME}" DIRECTORY)
    # The runtime is also named first on each executable's link line: the loader wants it first
    # among the needed libraries, and clang's own placement comes after libstdc++ when
    # -fsanitize=fuzzer links libFuzzer.
    add_link_options(-shared-libasan "LINKER:-rpath,${_torchq_asan_dir}"
                     "$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${TORCHQ_ASAN_RUNTIME}>")
  endif()
  if("undefined" IN_LIST TORCHQ_SANITIZE)
    # Undefined behaviour aborts the test instead of printing and carrying on, so ctest and the
    # fuzzers fail on the first report.
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  message(STATUS "torchq: sanitizers ${_torchq_sanitizers}")
endif()

if(TORCHQ_BUILD_FUZZERS)
  # Coverage instrumentation for libFuzzer in every library; only the fuzz targets link libFuzzer's
  # main (-fsanitize=fuzzer in tests/fuzz), so the GoogleTest programs keep their own main.
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()

# True in a clang sanitizer or fuzzer build (ops/CMakeLists.txt compiles without OpenMP there).
if(TORCHQ_SANITIZE OR TORCHQ_BUILD_FUZZERS)
  set(TORCHQ_INSTRUMENTED_BUILD ON)
else()
  set(TORCHQ_INSTRUMENTED_BUILD OFF)
endif()

# Called at the end of a test directory's CMakeLists.txt: the tests of that directory that run
# Python with the op library just built (ENVIRONMENT TORCHQ_OPS_LIBRARY=...) get the ASan runtime
# preloaded, so the uninstrumented interpreter can load the instrumented library. LeakSanitizer is
# off in those processes only: CPython frees little at exit, and LSan would report the
# interpreter's own allocations. (CMake 3.25 sets test properties only from the directory that
# made the tests, hence a function to call there.)
function(torchq_sanitize_python_tests)
  if(NOT "address" IN_LIST TORCHQ_SANITIZE)
    return()
  endif()
  get_property(_tests DIRECTORY PROPERTY TESTS)
  foreach(_test IN LISTS _tests)
    get_test_property(${_test} ENVIRONMENT _env)
    if(_env MATCHES "TORCHQ_OPS_LIBRARY=")
      set_property(TEST ${_test} APPEND PROPERTY ENVIRONMENT
                   "LD_PRELOAD=${TORCHQ_ASAN_RUNTIME}" "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
    endif()
  endforeach()
endfunction()
