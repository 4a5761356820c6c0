#!/usr/bin/env bash
# Runs every torchq test: C++ (GoogleTest via ctest) and Python (pytest). Sets the machine up
# first when needed (scripts/setup.sh is idempotent and incremental). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
bash scripts/setup.sh

echo "== C++ tests (ctest) =="
ctest --test-dir build --output-on-failure -j "$(nproc)"

echo "== Python tests (pytest) =="
# The installed package is tested, as a user gets it (not the build tree).
unset TORCHQ_OPS_LIBRARY
"$PY" -m pytest -q tests/python
bash scripts/sanitize.sh  # ASan+UBSan, TSan and fuzzing (docs/architecture.md); TORCHQ_SKIP_SANITIZERS=1 skips
