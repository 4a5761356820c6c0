"""The main job's model in Python: a hybrid quantum-classical classifier for the breast-cancer
data set, with torch.nn.Sequential, a DataLoader, Adam and a torchq.QuantumLayer.

    python3 scripts/export_dataset.py                 # once: writes build/data/*.csv
    python3 examples/train_classifier.py [--epochs 30] [--qubits 4] [--layers 2] [--out out/classifier_py]

Model: Linear(30 -> n) -> tanh -> n-qubit circuit (RY(pi/2 * x) angle embedding, strongly
entangling layers, <Z> on each wire) -> Linear(n -> 2). The same model, data split and
hyper-parameters as examples/train_classifier.cpp, next to the same classical baseline
(Linear(30 -> n) -> tanh -> Linear(n -> n) -> tanh -> Linear(n -> 2)). Writes
OUT/training_curves.csv (scripts/plot_training.py draws it) and OUT/model.pt, the quantum
model scripted with torch.jit.script (examples/evaluate_classifier loads it from C++).
"""
import argparse
import csv
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tqdm import tqdm

import torchq


def load_csv(path: str):
    if not os.path.exists(path):
        sys.exit(f"{path} not found: run python3 scripts/export_dataset.py first")
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return torch.tensor(data[:, :-1], dtype=torch.float64), torch.tensor(data[:, -1], dtype=torch.int64)


def quantum_model(num_features: int, num_qubits: int, num_layers: int, num_classes: int) -> nn.Module:
    wires = list(range(num_qubits))
    c = torchq.Circuit(num_qubits, num_inputs=num_qubits)
    # tanh outputs in (-1, 1) become angles in (-pi/2, pi/2): RY(pi) and RY(-pi) would coincide.
    torchq.angle_embedding(c, wires, rotation="Y", scale=math.pi / 2)
    torchq.strongly_entangling_layers(c, num_layers, wires)
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(w) for w in wires], dtype=torch.float64)
    return nn.Sequential(
        nn.Linear(num_features, num_qubits), nn.Tanh(), layer, nn.Linear(num_qubits, num_classes)
    ).double()


def classical_model(num_features: int, hidden: int, num_classes: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(num_features, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, num_classes)
    ).double()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return (model(x).argmax(1) == y).double().mean().item()


def train(name, model, train_set, x_test, y_test, args):
    """Adam on shuffled mini-batches; a tqdm bar per epoch. Returns [(loss, train acc, test acc)]."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loader = DataLoader(train_set, batch_size=args.batch, shuffle=True, generator=torch.Generator().manual_seed(args.seed))
    history = []
    for epoch in range(1, args.epochs + 1):
        loss_sum, correct, seen = 0.0, 0, 0
        bar = tqdm(loader, desc=f"{name:9s} epoch {epoch:2d}/{args.epochs}", leave=True, ncols=100,
                   file=sys.stdout, disable=args.quiet)
        for x, y in bar:
            opt.zero_grad()
            logits = model(x)
            loss = nn.functional.cross_entropy(logits, y)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            seen += len(y)
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.3f}", refresh=False)
        test_acc = accuracy(model, x_test, y_test)
        bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.3f}", test=f"{test_acc:.3f}")
        bar.close()
        history.append((loss_sum / seen, correct / seen, test_acc))
    return history


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="build/data")
    ap.add_argument("--out", default="out/classifier_py")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--qubits", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: batches are tiny, more threads only add synchronisation; 0 = torch's default)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    x_train, y_train = load_csv(os.path.join(args.data, "breast_cancer_train.csv"))
    x_test, y_test = load_csv(os.path.join(args.data, "breast_cancer_test.csv"))
    num_features, num_classes = x_train.shape[1], int(y_train.max()) + 1
    train_set = TensorDataset(x_train, y_train)
    start = time.time()

    torch.manual_seed(args.seed)
    quantum = quantum_model(num_features, args.qubits, args.layers, num_classes)
    print(quantum[2].draw())
    q_hist = train("quantum", quantum, train_set, x_test, y_test, args)
    torch.manual_seed(args.seed)
    classical = classical_model(num_features, args.qubits, num_classes)
    c_hist = train("classical", classical, train_set, x_test, y_test, args)

    os.makedirs(args.out, exist_ok=True)
    curves = os.path.join(args.out, "training_curves.csv")
    with open(curves, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["epoch"] + [f"{m}_{k}" for m in ("quantum", "classical") for k in ("loss", "train_acc", "test_acc")])
        for e, (q, c) in enumerate(zip(q_hist, c_hist), 1):
            w.writerow([e] + [f"{v:.6f}" for v in q + c])
    model_path = os.path.join(args.out, "model.pt")
    torch.jit.script(quantum).save(model_path)

    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    q_test, c_test = accuracy(quantum, x_test, y_test), accuracy(classical, x_test, y_test)
    print(f"\n{'model':34s} {'parameters':>10s} {'train acc':>10s} {'test acc':>10s}")
    print(f"{'quantum (Linear-circuit-Linear)':34s} {count(quantum):10d} {accuracy(quantum, x_train, y_train):10.4f} {q_test:10.4f}")
    print(f"{'classical baseline (MLP)':34s} {count(classical):10d} {accuracy(classical, x_train, y_train):10.4f} {c_test:10.4f}")
    print(f"saved {model_path} and {curves} ({time.time() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
