"""Qiskit Machine Learning runner: EstimatorQNN wrapped in TorchConnector, with the library's
defaults: its exact statevector estimator (qiskit_machine_learning.primitives.QMLEstimator, a
qiskit.primitives.StatevectorEstimator) and its default gradient, ParamShiftEstimatorGradient
(2 circuits per weight per sample). Input gradients are off (input_gradients=False), as in the
other frameworks' runs, where only the weights are trained.

The circuit: ry(x[i], i); per layer rz(w0), ry(w1), rz(w2) on each wire, which is PennyLane's
Rot(w0, w1, w2) = RZ(w2) RY(w1) RZ(w0) exactly, then cx(i, (i + r) mod n). Observables: one
SparsePauliOp Z on qubit i per wire. The weight ParameterVector is laid out in torchq's order,
so weights and gradients need no mapping. Precision: float64 (complex128 statevector).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
from qiskit.circuit import ParameterVector, QuantumCircuit  # noqa: E402
from qiskit.quantum_info import SparsePauliOp  # noqa: E402
from qiskit_machine_learning.connectors import TorchConnector  # noqa: E402
from qiskit_machine_learning.neural_networks import EstimatorQNN  # noqa: E402

NAME = "qiskit"


def describe():
    return {
        "name": NAME,
        "versions": common.versions("qiskit-machine-learning", "qiskit", "torch"),
        "precision": "float64 (complex128 state)",
        "method": "EstimatorQNN (exact statevector estimator) + TorchConnector, parameter shift",
    }


def make(n, layers, weights, batch):
    x = ParameterVector("x", n)
    w = ParameterVector("w", layers * n * 3)
    qc = QuantumCircuit(n)
    for i in range(n):
        qc.ry(x[i], i)
    for layer in range(layers):
        for i in range(n):
            k = (layer * n + i) * 3
            qc.rz(w[k], i)
            qc.ry(w[k + 1], i)
            qc.rz(w[k + 2], i)
        r = common.ring_range(n, layer)
        for i in range(n):
            qc.cx(i, (i + r) % n)
    obs = [SparsePauliOp.from_sparse_list([("Z", [i], 1.0)], num_qubits=n) for i in range(n)]
    qnn = EstimatorQNN(circuit=qc, observables=obs, input_params=list(x), weight_params=list(w))
    return TorchConnector(qnn, initial_weights=torch.tensor(weights, dtype=torch.float64))


def weight_grad(module):
    return module.weight.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    common.serve(sys.modules[__name__])
