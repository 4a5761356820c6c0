"""Qulacs runner, for the pure-simulation section only (scripts/bench --sim): forward, the
final state of one sample, no gradient.

The circuit is a qulacs.QuantumCircuit built once: add_RotY_gate(i, x[i]), then per layer
add_RotZ_gate(w0), add_RotY_gate(w1), add_RotZ_gate(w2) on each wire (PennyLane's Rot) and
add_CNOT_gate(i, (i + r) mod n). Qulacs' add_RX/RY/RZ_gate rotate the other way
(exp(+i theta P / 2)); add_RotX/RotY/RotZ_gate are the standard exp(-i theta P / 2).
No circuit optimizer (QuantumCircuitOptimizer) is applied: the gates run one by one.

Timed: state.set_zero_state() and circuit.update_quantum_state(state) on a QuantumState
allocated once (complex128, qulacs' only precision). Threads: qulacs' OpenMP follows
OMP_NUM_THREADS, which the driver sets for the runner.
Qulacs numbers qubit i as bit i (wire 0 the least significant bit); state() reverses the axes
to torchq's order (wire 0 the most significant).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import numpy as np  # noqa: E402
import qulacs  # noqa: E402

NAME = "qulacs"


def describe():
    return {
        "name": NAME,
        "versions": common.versions("qulacs"),
        "precision": "complex128 (float64)",
        "method": "QuantumCircuit.update_quantum_state, gate by gate, no circuit optimizer",
    }


class Sim:
    def __init__(self, n, layers, weights, inputs):
        self.n = n
        c = qulacs.QuantumCircuit(n)
        for i in range(n):
            c.add_RotY_gate(i, float(inputs[i]))
        for layer in range(layers):
            for i in range(n):
                k = (layer * n + i) * 3
                c.add_RotZ_gate(i, float(weights[k]))
                c.add_RotY_gate(i, float(weights[k + 1]))
                c.add_RotZ_gate(i, float(weights[k + 2]))
            r = common.ring_range(n, layer)
            for i in range(n):
                c.add_CNOT_gate(i, (i + r) % n)
        self.circuit = c
        self.psi = qulacs.QuantumState(n)

    def run(self):
        self.psi.set_zero_state()
        self.circuit.update_quantum_state(self.psi)

    def state(self):
        v = self.psi.get_vector().reshape((2,) * self.n)
        return v.transpose(tuple(range(self.n))[::-1]).reshape(-1)


def sim_make(n, layers, weights, inputs, opts):
    return Sim(n, layers, weights, inputs)


if __name__ == "__main__":
    common.serve(sys.modules[__name__])
