#!/usr/bin/env bash
# The main job. For now: a tour of the simulator core (exact gradients of a layered circuit on a
# batch, checked against finite differences). Sets the machine up first when needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./build/examples/core_demo "$@"
