"""Exports a hybrid model with a torchq layer for inference without Python: torch.export with a
dynamic batch dimension, then AOTInductor compiles it into a package that
examples/aoti_infer.cpp runs from C++.

    python examples/export_aoti.py OUT_DIR

Writes OUT_DIR/model.pt2 (the AOTInductor package) and OUT_DIR/reference.pt (torch.save of
{"inputs": [...], "outputs": [...]}: eager outputs for several batch sizes, none of them the
batch size the model was exported with, so the C++ side checks the dynamic batch too).

The torchq op is not compiled into the package: the graph keeps torch.ops.torchq.expval as an
extern call, and the package's runtime dispatches it by name, so the program that loads the
package must have loaded libtorchq_ops.so (torchq_ops::ensure_loaded() in C++).
"""
import os
import sys
import time

import torch

import torchq  # noqa: F401 - loads the op library the export traces

# The same hybrid model as the TorchScript example (Linear -> tanh -> circuit -> Linear): kept
# tiny, since AOTInductor compiles the classical part to C++ at export time.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_torchscript import build_model  # noqa: E402

# Batch sizes checked in C++; the export traces with EXPORT_BATCH, which is not among them.
EXPORT_BATCH = 5
CHECK_BATCHES = (1, 3, 8, 33)


def main(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1)
    model = build_model().eval()
    example = torch.randn(EXPORT_BATCH, 4, dtype=torch.float64)
    # Dim min=1: batch 1 is a valid input too (by default export assumes sizes >= 2).
    batch = torch.export.Dim("batch", min=1, max=4096)
    start = time.perf_counter()
    exported = torch.export.export(model, (example,), dynamic_shapes=({0: batch},))
    package = torch._inductor.aoti_compile_and_package(exported, package_path=os.path.join(out_dir, "model.pt2"))
    print(f"exported and compiled {package} in {time.perf_counter() - start:.1f} s")

    inputs = [torch.randn(b, 4, dtype=torch.float64) for b in CHECK_BATCHES]
    with torch.no_grad():
        outputs = [model(x) for x in inputs]
    torch.save({"inputs": inputs, "outputs": outputs}, os.path.join(out_dir, "reference.pt"))
    print(f"saved {out_dir}/reference.pt (batch sizes {', '.join(map(str, CHECK_BATCHES))})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/aoti")
