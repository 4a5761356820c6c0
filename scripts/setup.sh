#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for torchq and builds it. Idempotent: run it as often as you
# like; what is already there is left alone, and the build is incremental.
#   scripts/setup.sh            install what is missing, then build (C++ and the Python package)
#   TORCHQ_SKIP_BUILD=1 ...     install only
#   scripts/setup.sh --peers    also the benchmark's peers (PennyLane, lightning.kokkos, TorchQuantum,
#                               Qiskit ML, FlagQuantum, pyqtorch, fastqml, qsimcirq, Qulacs), one venv each
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages.
# clang, libclang-rt-14-dev (the sanitizer runtimes and libFuzzer) and libomp-14-dev (OpenMP for
# the clang-built core tests): scripts/sanitize.sh.
APT_PKGS=(g++ cmake ninja-build libeigen3-dev libgtest-dev libbenchmark-dev clang libclang-rt-14-dev libomp-14-dev)
missing=()
for p in "${APT_PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# 2. Python packages. torch is pinned to the CPU wheel on local disk: an unpinned torch would
# pull a CUDA build of several GB. Everything else must accept that torch as it is.
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.0") else 1)' 2>/dev/null; then
  log "pip install torch==2.13.0"
  "$PY" -m pip install -q torch==2.13.0
fi
PIP_PKGS=(numpy pytest scikit-build-core pennylane matplotlib tqdm scikit-learn)
PIP_MODS=(numpy pytest scikit_build_core pennylane matplotlib tqdm sklearn)
pip_missing=()
for i in "${!PIP_PKGS[@]}"; do
  "$PY" -c "import ${PIP_MODS[$i]}" 2>/dev/null || pip_missing+=("${PIP_PKGS[$i]}")
done
if [ ${#pip_missing[@]} -gt 0 ]; then
  log "pip install ${pip_missing[*]}"
  "$PY" -m pip install -q "${pip_missing[@]}" torch==2.13.0
fi

log "exporting the breast-cancer data set to build/data (idempotent)"
"$PY" scripts/export_dataset.py --out build/data

[ "${TORCHQ_SKIP_BUILD:-0}" = "1" ] && exit 0

# 3. Build: the core, the ops, layers, tests, examples (build/), then the Python package.
TORCH_PREFIX=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
if [ ! -f build/build.ninja ]; then
  log "configuring build/"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTORCHQ_BUILD_OPS=ON \
        -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" -DPython3_EXECUTABLE="$(command -v "$PY")" >/dev/null
fi
log "building build/ (incremental)"
cmake --build build -j "$(nproc)"

# The Python package: only reinstalled when a source file is newer than the last install.
stamp=build/.python-installed
if [ ! -f "$stamp" ] || [ -n "$(find torchq ops python pyproject.toml CMakeLists.txt -newer "$stamp" -print -quit 2>/dev/null)" ] \
   || ! "$PY" -c 'import torchq' 2>/dev/null; then
  log "pip install --no-build-isolation . (builds libtorchq_ops.so into the package)"
  "$PY" -m pip install -q --no-build-isolation .
  touch "$stamp"
fi
if [ "${1:-}" = "--peers" ]; then
  log "the benchmark's peers: one virtual environment each under .venv-peers/"
  bash scripts/setup_peers.sh
fi
log "ready: scripts/run.sh runs the main job, scripts/test.sh runs every test"
