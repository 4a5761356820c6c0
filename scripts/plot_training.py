#!/usr/bin/env python3
"""Draws the training curves written by examples/train_classifier (or train_classifier.py).

    python3 scripts/plot_training.py [CURVES_CSV] [-o PNG]

CURVES_CSV defaults to out/classifier/training_curves.csv; the PNG to training_curves.png
beside it. Columns: epoch, then <model>_loss, <model>_train_acc, <model>_test_acc for each
model (quantum, classical). Left panel: training loss; right: train (dashed) and test (solid)
accuracy. Uses matplotlib's Agg backend, so no display is needed.
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"quantum": "tab:purple", "classical": "tab:gray"}
LABELS = {"quantum": "quantum (Linear + circuit + Linear)", "classical": "classical baseline (MLP)"}


def read_curves(path: str):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "epoch" not in rows[0]:
        raise SystemExit(f"{path}: no curves (expected a header starting with 'epoch')")
    models = [c[: -len("_loss")] for c in rows[0] if c.endswith("_loss")]
    epochs = [int(r["epoch"]) for r in rows]
    series = {
        m: {k: [float(r[f"{m}_{k}"]) for r in rows] for k in ("loss", "train_acc", "test_acc")} for m in models
    }
    return epochs, series


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("curves", nargs="?", default="out/classifier/training_curves.csv")
    ap.add_argument("-o", "--output", help="PNG path (default: training_curves.png beside the CSV)")
    args = ap.parse_args()
    out = args.output or os.path.join(os.path.dirname(args.curves) or ".", "training_curves.png")

    epochs, series = read_curves(args.curves)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
    for m, s in series.items():
        color = COLORS.get(m)
        label = LABELS.get(m, m)
        ax_loss.plot(epochs, s["loss"], color=color, label=label)
        ax_acc.plot(epochs, s["test_acc"], color=color, label=f"{m} test")
        ax_acc.plot(epochs, s["train_acc"], color=color, linestyle="--", alpha=0.6, label=f"{m} train")
    ax_loss.set(title="training loss (cross entropy)", xlabel="epoch", ylabel="loss", yscale="log")
    ax_acc.set(title="accuracy", xlabel="epoch", ylabel="accuracy")
    lo = min(min(s["test_acc"] + s["train_acc"]) for s in series.values())
    ax_acc.set_ylim(max(0.0, min(lo, 0.9) - 0.02), 1.005)
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    final = ", ".join(f"{m} test {s['test_acc'][-1]:.3f}" for m, s in series.items())
    fig.suptitle(f"torchq hybrid classifier, breast cancer data ({final})", fontsize=11)
    fig.tight_layout()
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    fig.savefig(out, dpi=120)
    print(f"saved the plot to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
