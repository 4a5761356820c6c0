#!/usr/bin/env bash
# Sets up the peer frameworks that scripts/bench compares torchq with, one virtual environment
# each, under .venv-peers/<name> (git-ignored). Idempotent: a venv whose recipe is unchanged and
# whose imports work is left alone.
#
# Why one venv per peer: the peers pin conflicting versions. TorchQuantum 0.1.8 needs
# qiskit<1.0 (and imports qiskit.providers.aer, qiskit_ibm_runtime), while Qiskit Machine
# Learning 0.9 needs qiskit>=2.0.
#
# torch: every venv gets torch==2.13.0, the CPU wheel on local disk. pip never resolves torch on
# its own here: each pip command names torch==2.13.0 and runs under a constraints file that pins
# it, and each pip log is checked for a torch download afterwards.
#
#   scripts/setup_peers.sh              all peers
#   scripts/setup_peers.sh pennylane    only the named ones (pennylane torchquantum qiskit)
#   PYTHON=python3.11 ...               the interpreter the venvs are made from
#   TORCHQ_PEERS_DIR=...                where the venvs go (default .venv-peers)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
DIR=${TORCHQ_PEERS_DIR:-.venv-peers}
TORCH_PIN="torch==2.13.0"

log() { printf '\033[1m[setup_peers]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup_peers]\033[0m %s\n' "$*" >&2; exit 1; }

# The peers' versions. Changing a line here makes the next run update that venv.
PENNYLANE_PKGS=(pennylane==0.45.1 pennylane-lightning==0.45.0)
QISKIT_PKGS=(qiskit-machine-learning==0.9.1 qiskit==2.6.2)
# TorchQuantum 0.1.8 declares tensorflow, pyscf, nbsphinx, recommonmark and torchvision as
# requirements but does not import them to simulate (torchvision only in its dataset helpers).
# It does import qiskit_ibm_runtime and qiskit.providers.aer without declaring them. So it goes
# in with --no-deps, followed by what it imports. torchvision is left out on purpose: the only
# torchvision wheel that matches torch 2.13.0 on PyPI is a CUDA build that cannot load next to
# the CPU torch; the runner puts an empty stand-in module in its place (see
# benchmarks/peers/run_torchquantum.py).
TQ_NODEPS_PKGS=(torchquantum==0.1.8 torchpack==0.3.1)
TQ_DEPS_PKGS=(numpy scipy matplotlib "qiskit==0.46.3" "qiskit-aer==0.12.2"
              "qiskit-ibm-runtime==0.20.0" "setuptools<81" "dill==0.3.4" pathos opt-einsum
              pylatexenc tqdm torchdiffeq loguru multimethod pyyaml toml h5py)

# Runs pip in venv $1 with the remaining arguments; the output goes to $1/pip.log (appended)
# and is checked for a torch download.
vpip() {
  local venv=$1; shift
  local logf="$venv/pip.log" start=0
  [ -f "$logf" ] && start=$(wc -l <"$logf")
  echo "\$ pip install $*" >>"$logf"
  if ! "$venv/bin/python" -m pip install --progress-bar off -c "$venv/constraints.txt" "$@" >>"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    die "pip install failed in $venv (full log: $logf)"
  fi
  if tail -n +"$((start + 1))" "$logf" | grep -Eq 'Downloading (\S*/)?torch-[0-9]'; then
    die "pip downloaded a torch wheel in $venv (see $logf); only $TORCH_PIN from local disk is allowed"
  fi
}

# Creates or updates venv $DIR/$1. $2: a python statement that must run once it is ready.
# The remaining arguments are a recipe: steps separated by "--", each step a pip argument list.
ensure_venv() {
  local name=$1 check=$2; shift 2
  local venv="$DIR/$name" recipe="$*"
  if [ -f "$venv/.recipe" ] && [ "$(cat "$venv/.recipe")" = "$recipe" ] \
     && "$venv/bin/python" -c "$check" >/dev/null 2>&1; then
    log "$name: up to date ($venv)"
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    log "$name: creating $venv"
    "$PY" -m venv "$venv"
  fi
  echo "$TORCH_PIN" >"$venv/constraints.txt"
  log "$name: pip install $TORCH_PIN"
  vpip "$venv" "$TORCH_PIN"
  local step=()
  for a in "$@" --; do
    if [ "$a" = "--" ]; then
      if [ ${#step[@]} -gt 0 ]; then
        log "$name: pip install $TORCH_PIN ${step[*]}"
        vpip "$venv" "$TORCH_PIN" "${step[@]}"
      fi
      step=()
    else
      step+=("$a")
    fi
  done
  "$venv/bin/python" -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("2.13.0") else 1)' \
    || die "$name: torch in $venv is not 2.13.0"
  "$venv/bin/python" -c "$check" || die "$name: the import check failed in $venv"
  echo "$recipe" >"$venv/.recipe"
  log "$name: ready ($("$venv/bin/python" -m pip freeze 2>/dev/null | grep -Ei '^(torch|pennylane|pennylane.lightning|torchquantum|qiskit|qiskit.machine.learning)==' | tr '\n' ' '))"
}

mkdir -p "$DIR"
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(pennylane torchquantum qiskit)
for w in "${wanted[@]}"; do
  case "$w" in
    pennylane)
      ensure_venv pennylane 'import pennylane, pennylane_lightning.lightning_qubit' \
        "${PENNYLANE_PKGS[@]}" ;;
    torchquantum)
      ensure_venv torchquantum \
        'import sys; sys.path.insert(0, "benchmarks/peers"); import run_torchquantum as r; r.import_torchquantum()' \
        --no-deps "${TQ_NODEPS_PKGS[@]}" -- "${TQ_DEPS_PKGS[@]}" ;;
    qiskit)
      ensure_venv qiskit \
        'import qiskit_machine_learning.neural_networks, qiskit_machine_learning.connectors' \
        "${QISKIT_PKGS[@]}" ;;
    *) die "unknown peer '$w' (known: pennylane torchquantum qiskit)" ;;
  esac
done
log "peers ready under $DIR; scripts/bench runs the comparison"
