#!/usr/bin/env python3
"""Exports scikit-learn's bundled breast-cancer data set (Wisconsin diagnostic, 569 samples,
30 features, no download) as two CSV files for the C++ classifier examples.

    python3 scripts/export_dataset.py [--out build/data] [--seed 0] [--test-size 0.25]

Writes OUT/breast_cancer_train.csv and OUT/breast_cancer_test.csv: a header row with the 30
feature names and "label", then one sample per row. The split is stratified and fixed by the
seed; every feature is standardised with the mean and standard deviation of the *training*
rows only (so nothing about the test rows leaks into training). Labels: 0 = malignant,
1 = benign (scikit-learn's coding). OUT/breast_cancer_meta.json records the seed, the sizes and
the training statistics.

Idempotent: a file is rewritten only when its content would change, so running this from
scripts/setup.sh costs nothing after the first time and leaves timestamps alone.
"""
import argparse
import csv
import io
import json
import os
import sys

import numpy as np

try:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("export_dataset.py needs scikit-learn: python3 -m pip install scikit-learn")


def to_csv(columns, x: np.ndarray, y: np.ndarray) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(columns) + ["label"])
    for row, label in zip(x, y):
        # repr-exact floats: the C++ reader gets the very same doubles.
        w.writerow([repr(float(v)) for v in row] + [int(label)])
    return buf.getvalue()


def write_if_changed(path: str, text: str) -> bool:
    """Writes text to path unless the file already holds exactly that. Returns True if written."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)  # atomic: a reader never sees half a file
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="build/data", help="output folder (default build/data, git-ignored)")
    ap.add_argument("--seed", type=int, default=0, help="random state of the split (default 0)")
    ap.add_argument("--test-size", type=float, default=0.25, help="fraction held out for testing (default 0.25)")
    args = ap.parse_args()

    data = load_breast_cancer()
    x = data.data.astype(np.float64)
    y = data.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=args.test_size, stratify=y, random_state=args.seed
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0
    x_train = (x_train - mean) / std
    x_test = (x_test - mean) / std

    columns = [name.replace(" ", "_") for name in data.feature_names]
    os.makedirs(args.out, exist_ok=True)
    files = {
        "breast_cancer_train.csv": to_csv(columns, x_train, y_train),
        "breast_cancer_test.csv": to_csv(columns, x_test, y_test),
        "breast_cancer_meta.json": json.dumps(
            {
                "source": "sklearn.datasets.load_breast_cancer",
                "seed": args.seed,
                "test_size": args.test_size,
                "num_features": int(x.shape[1]),
                "train_rows": int(len(y_train)),
                "test_rows": int(len(y_test)),
                "labels": {"0": "malignant", "1": "benign"},
                "train_mean": mean.tolist(),
                "train_std": std.tolist(),
            },
            indent=1,
        )
        + "\n",
    }
    written = [name for name, text in files.items() if write_if_changed(os.path.join(args.out, name), text)]
    state = f"wrote {', '.join(written)}" if written else "up to date"
    print(
        f"breast cancer data: {len(y_train)} train / {len(y_test)} test rows, {x.shape[1]} features, "
        f"seed {args.seed} -> {args.out}/ ({state})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
