"""PennyLane runner: qml.qnn.TorchLayer around a QNode with qml.AngleEmbedding(rotation="Y")
and qml.StronglyEntanglingLayers, measuring qml.expval(qml.PauliZ(i)) on each wire.

    run_pennylane.py --device lightning.qubit --diff adjoint     (the main peer)
    run_pennylane.py --device default.qubit --diff backprop      (torch autograd through the state)
    run_pennylane.py --device lightning.kokkos --diff adjoint    (key pl-kokkos, in the venv
        .venv-peers/lightning-kokkos: PyPI's pennylane-lightning-kokkos wheel, Kokkos' OpenMP
        backend, threads from OMP_NUM_THREADS)

PennyLane's StronglyEntanglingLayers weights have shape [L, n, 3] and row-major order
(l*n + i)*3 + k, torchq's order: the flat weights are reshaped, nothing is permuted.
Precision: float64 throughout (lightning.qubit and lightning.kokkos simulate complex128;
default.qubit follows the float64 weights and inputs). The runner sets torch's default dtype to
float64: PennyLane 0.45 hands lightning's expectation values to torch in the default dtype, so
with float32 the outputs would be rounded to float32 (the gradients would not).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import pennylane as qml  # noqa: E402
import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
ARGS = None
NAME = "pennylane"


def describe():
    return {
        "name": NAME,
        "versions": common.versions("pennylane", "pennylane_lightning", "pennylane_lightning_kokkos", "torch"),
        "precision": "float64 (complex128 state)",
        "method": f"{ARGS.device}, diff_method={ARGS.diff}",
    }


def make(n, layers, weights, batch):
    dev = qml.device(ARGS.device, wires=n)

    @qml.qnode(dev, interface="torch", diff_method=ARGS.diff)
    def circuit(inputs, weights):
        qml.AngleEmbedding(inputs, wires=range(n), rotation="Y")
        qml.StronglyEntanglingLayers(weights, wires=range(n))
        return [qml.expval(qml.PauliZ(i)) for i in range(n)]

    layer = qml.qnn.TorchLayer(circuit, {"weights": (layers, n, 3)})
    with torch.no_grad():
        layer.weights.data = torch.tensor(weights, dtype=torch.float64).reshape(layers, n, 3)
    return layer


def weight_grad(module):
    return module.weights.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="lightning.qubit")
    ap.add_argument("--diff", default="adjoint")
    ARGS = ap.parse_args()
    common.serve(sys.modules[__name__])
