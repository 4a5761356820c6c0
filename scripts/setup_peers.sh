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
#   scripts/setup_peers.sh pennylane    only the named ones (pennylane torchquantum qiskit
#                                       flagquantum lightning-kokkos pyqtorch fastqml qsimcirq qulacs)
#   PYTHON=python3.11 ...               the interpreter the venvs are made from
#   TORCHQ_PEERS_DIR=...                where the venvs go (default .venv-peers)
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
DIR=${TORCHQ_PEERS_DIR:-.venv-peers}
TORCH_PIN="torch==2.13.0"

log() { printf '\033[1m[setup_peers]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup_peers]\033[0m %s\n' "$*" >&2; exit 1; }

# The peers' versions. Changing a line here makes the next run update that venv.
PENNYLANE_PKGS=(pennylane==0.45.1 pennylane-lightning==0.45.0)
QISKIT_PKGS=(qiskit-machine-learning==0.9.1 qiskit==2.6.2)
# Issue #11's peers. lightning.kokkos: PyPI's wheel is Kokkos' OpenMP backend (it bundles
# libgomp); 0.45.0 is the newest and needs pennylane-lightning==0.45.0, as in the pennylane venv.
FLAGQUANTUM_PKGS=(flagquantum==0.3.1 numpy)
KOKKOS_PKGS=(pennylane==0.45.1 pennylane-lightning==0.45.0 pennylane-lightning-kokkos==0.45.0)
PYQTORCH_PKGS=(pyqtorch==1.7.8)
FASTQML_PKGS=(fastqml==0.2.1)
# Forward-only peers of the pure-simulation table (scripts/bench --sim); cirq-core is the part of
# cirq that qsimcirq needs (the cirq meta-package adds the hardware vendors' modules).
QSIM_PKGS=(qsimcirq==0.22.1 cirq-core==1.7.0)
QULACS_PKGS=(qulacs==0.6.14)
ALL_PEERS=(pennylane torchquantum qiskit flagquantum lightning-kokkos pyqtorch fastqml qsimcirq qulacs)
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
  log "$name: ready ($("$venv/bin/python" -m pip freeze 2>/dev/null | grep -Ei '^(torch|pennylane|pennylane.lightning|pennylane.lightning.kokkos|torchquantum|qiskit|qiskit.machine.learning|flagquantum|pyqtorch|fastqml|qsimcirq|cirq.core|qulacs)==' | tr '\n' ' '))"
}

mkdir -p "$DIR"
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${ALL_PEERS[@]}")
for w in "${wanted[@]}"; do
  case " ${ALL_PEERS[*]} " in
    *" $w "*) ;;
    *) die "unknown peer '$w' (known: ${ALL_PEERS[*]})" ;;
  esac
done
if [ ${#wanted[@]} -gt 1 ]; then
  # Several peers: each in a script of its own, so that one that fails to install leaves the
  # others working; the failures are listed at the end (exit status 1).
  failed=()
  for w in "${wanted[@]}"; do
    "$BASH" "$SELF" "$w" || failed+=("$w")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    die "not set up: ${failed[*]} (see the messages above, and $DIR/<name>/pip.log)"
  fi
  log "peers ready under $DIR; scripts/bench runs the comparison"
  exit 0
fi
w=${wanted[0]}
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
  flagquantum)
    ensure_venv flagquantum 'import numpy, flagquantum, flagquantum.gradients' "${FLAGQUANTUM_PKGS[@]}" ;;
  lightning-kokkos)
    ensure_venv lightning-kokkos \
      'import pennylane as qml; qml.device("lightning.kokkos", wires=2)' "${KOKKOS_PKGS[@]}" ;;
  pyqtorch)
    ensure_venv pyqtorch 'import pyqtorch' "${PYQTORCH_PKGS[@]}" ;;
  fastqml)
    ensure_venv fastqml 'import fastqml' "${FASTQML_PKGS[@]}" ;;
  qsimcirq)
    ensure_venv qsimcirq 'import cirq, qsimcirq; qsimcirq.QSimSimulator()' "${QSIM_PKGS[@]}" ;;
  qulacs)
    ensure_venv qulacs 'import qulacs; qulacs.QuantumState(2)' "${QULACS_PKGS[@]}" ;;
esac
