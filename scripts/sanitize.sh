#!/usr/bin/env bash
# Sanitizers and fuzzing (clang; docs/architecture.md, "Fuzzing and sanitizers"). scripts/test.sh
# runs this, so CI does. Incremental: the two build directories are reused when present.
#   build-asan  ASan + UBSan (+ libFuzzer coverage): the core tests (tests/cpp), the LibTorch-side
#               tests (tests/cpp_torch), the fuzz targets (tests/fuzz), replay of their corpora
#               and regressions, then each target fuzzed for TORCHQ_FUZZ_SECONDS (default 60)
#   build-tsan  TSan: tests/sanitize/tsan_driver over the torch-free core with std::thread
# Prints the executions per fuzz target and the number of sanitizer reports; exits non-zero on
# any failure or report.
#   TORCHQ_SKIP_SANITIZERS=1  skip all of it (quick local runs; CI never sets it)
#   TORCHQ_FUZZ_SECONDS=N     fuzzing time per target (0: replay only, no fuzzing)
#   TORCHQ_FUZZ_SEED=N        libFuzzer's seed (default 1, so a CI failure reproduces; 0 = random)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${TORCHQ_SKIP_SANITIZERS:-0}" = "1" ]; then
  echo "== sanitizers and fuzzing: skipped (TORCHQ_SKIP_SANITIZERS=1) =="
  exit 0
fi
PY=${PYTHON:-python3}
JOBS=$(nproc)
FUZZ_SECONDS=${TORCHQ_FUZZ_SECONDS:-60}
FUZZ_SEED=${TORCHQ_FUZZ_SEED:-1}
FUZZ_TARGETS=(fuzz_program fuzz_observables fuzz_layer_load)
LOGS=build-asan/sanitize-logs
start=$(date +%s)
log() { printf '\033[1m[sanitize]\033[0m %s (%ds)\n' "$*" "$(( $(date +%s) - start ))"; }

# Sanitizer settings, for every process below (ctest passes the environment on).
#  - LeakSanitizer stays on: torch's static state is reachable from globals, which LSan does not report.
#  - strict init order and stack-use-after-return catch the bugs ASan's defaults let through.
#  - UBSan aborts on the first report (the build adds -fno-sanitize-recover=undefined too).
export ASAN_OPTIONS="detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=1:strict_string_checks=1:abort_on_error=1"
# LSan suppressions: only leaks inside third-party code, each with its reason in the file.
export LSAN_OPTIONS="suppressions=$(pwd)/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
# The sanitized suites run on few threads: the machine is shared with the other CI steps, and
# threads do not change results (the TSan driver checks the threaded paths).
export OMP_NUM_THREADS=2

TORCH_PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
if [ ! -f build-asan/build.ninja ]; then
  log "configuring build-asan (clang, address;undefined, fuzzers)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
        "-DTORCHQ_SANITIZE=address;undefined" -DTORCHQ_BUILD_FUZZERS=ON -DTORCHQ_BUILD_OPS=ON \
        -DTORCHQ_BUILD_BENCHMARKS=OFF -DTORCHQ_BUILD_EXAMPLES=OFF -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" \
        -DPython3_EXECUTABLE="$(command -v "$PY")" >/dev/null
fi
if [ ! -f build-tsan/build.ninja ]; then
  log "configuring build-tsan (clang, thread; the torch-free core only)"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
        -DTORCHQ_SANITIZE=thread -DTORCHQ_BUILD_TESTS=OFF -DTORCHQ_BUILD_BENCHMARKS=OFF -DTORCHQ_BUILD_EXAMPLES=OFF \
        -DTORCHQ_BUILD_OPS=OFF >/dev/null
fi
log "building build-asan (incremental)"
cmake --build build-asan -j "$JOBS"
log "building build-tsan (incremental)"
cmake --build build-tsan -j "$JOBS" --target tsan_driver
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log

status=0
run_logged() {  # run_logged NAME CMD...: output to the terminal and to $LOGS/NAME.log
  local name=$1; shift
  if ! "$@" 2>&1 | tee "$LOGS/$name.log"; then status=1; echo "FAILED: $name"; fi
}

log "ASan+UBSan: core tests (tests/cpp)"
run_logged ctest_core ctest --test-dir build-asan/tests/cpp --output-on-failure -j "$JOBS"
log "ASan+UBSan: LibTorch-side tests (tests/cpp_torch: ops, layers, deployment)"
# Left out: AtenExecutor.UsesAsManyThreadsAsItIsGiven asserts that at::parallel_for starts threads,
# and in this build it runs serially by design (no OpenMP in the clang build: ops/CMakeLists.txt).
run_logged ctest_torch ctest --test-dir build-asan/tests/cpp_torch --output-on-failure -j "$JOBS" \
    -E '^AtenExecutor\.UsesAsManyThreadsAsItIsGiven$'

log "ASan+UBSan: fuzz targets replay their seeds and every regression input once (tests/fuzz)"
run_logged ctest_fuzz ctest --test-dir build-asan/tests/fuzz --output-on-failure -j "$JOBS"
log "TSan: concurrent driver of the threaded paths"
run_logged tsan build-tsan/tests/sanitize/tsan_driver

declare -A executed
if [ "$FUZZ_SECONDS" -gt 0 ]; then
  log "fuzzing ${FUZZ_TARGETS[*]} for ${FUZZ_SECONDS}s each, side by side"
  pids=()
  for t in "${FUZZ_TARGETS[@]}"; do
    # New inputs go to a scratch corpus under build-asan (the committed seeds stay as they are);
    # crashes go to build-asan/fuzz/<target>/crash-* (see docs/architecture.md to reproduce).
    work=build-asan/fuzz/$t
    mkdir -p "$work/corpus"
    build-asan/tests/fuzz/$t -max_total_time="$FUZZ_SECONDS" -seed="$FUZZ_SEED" -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "tests/fuzz/corpus/$t" \
        >"$LOGS/fuzz_$t.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!FUZZ_TARGETS[@]}"; do
    t=${FUZZ_TARGETS[$i]}
    if ! wait "${pids[$i]}"; then
      status=1
      echo "FAILED: fuzzing $t found a crash; the end of its log ($LOGS/fuzz_$t.log):"
      tail -n 60 "$LOGS/fuzz_$t.log"
      ls build-asan/fuzz/"$t"/crash-* build-asan/fuzz/"$t"/timeout-* build-asan/fuzz/"$t"/oom-* 2>/dev/null || true
    fi
    executed[$t]=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$LOGS/fuzz_$t.log" | grep -o '[0-9]*$' || echo 0)
  done
fi

# Every report any sanitizer printed, in every log (the suites also fail on them).
reports=$(cat "$LOGS"/*.log | grep -cE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|WARNING: ThreadSanitizer|ERROR: libFuzzer' || true)
echo "== sanitizers and fuzzing: summary =="
for t in "${FUZZ_TARGETS[@]}"; do
  echo "  $t: ${executed[$t]:-0} inputs executed in ${FUZZ_SECONDS}s"
done
echo "  sanitizer reports: $reports"
echo "  time: $(( $(date +%s) - start ))s"
if [ "$status" -ne 0 ] || [ "$reports" -ne 0 ]; then
  echo "sanitizers/fuzzing FAILED (logs in $LOGS)"
  exit 1
fi
