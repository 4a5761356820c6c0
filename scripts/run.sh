#!/usr/bin/env bash
# The main job: a hybrid quantum-classical classifier for the breast-cancer data set, trained in
# C++ (build/examples/train_classifier) next to a classical baseline, saved as TorchScript, then
# evaluated by a separate C++ program that loads the saved model (no Python), and plotted.
# Sets the machine up first when needed. Arguments go to the trainer, e.g. scripts/run.sh --epochs 10
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
bash scripts/setup.sh

DATA=build/data
OUT=out/classifier
bold() { printf '\033[1m%s\033[0m\n' "$*"; }

bold "== data: scikit-learn's breast-cancer set, stratified split, standardised =="
"$PY" scripts/export_dataset.py --out "$DATA"

bold "== training (C++): quantum model and classical baseline =="
./build/examples/train_classifier --data "$DATA" --out "$OUT" "$@"

bold "== plotting the training curves =="
"$PY" scripts/plot_training.py "$OUT/training_curves.csv" -o "$OUT/training_curves.png"

bold "== evaluating the saved TorchScript model (C++, torch::jit::load, no Python) =="
./build/examples/evaluate_classifier --model "$OUT/model.pt" --data "$DATA/breast_cancer_test.csv"

echo
bold "model:  $OUT/model.pt  (TorchScript; torch.jit.load / torch::jit::load after loading torchq)"
bold "curves: $OUT/training_curves.csv"
bold "plot:   $OUT/training_curves.png"
