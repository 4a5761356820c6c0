"""pyqtorch runner (run_pyqtorch.py --diff ad | adjoint).

The circuit is a pyq.QuantumCircuit of named-parameter gates: RY(i, "x{i}") (the angle
embedding; the inputs are per-sample values [B]), then per layer RZ(i, "w{k}"), RY(i, "w{k+1}"),
RZ(i, "w{k+2}") with k = (l*n + i)*3 (PennyLane's Rot(w0, w1, w2) = RZ(w2) RY(w1) RZ(w0)), and
CNOT(i, (i + r) mod n). The parameter names carry torchq's flat order, so the weights are one
[L*n*3] tensor and nothing is permuted. The state is pyqtorch's [2]*n + [B] complex128 tensor.

    --diff ad        (key `pyqtorch`) pyq.run, then Observable(Z(i)).expectation on the final
                     state for each wire: [B, n]; gradients by torch autograd.
    --diff adjoint   (key `pyqtorch-adj`) pyq.expectation(..., diff_mode=DiffMode.ADJOINT), its
                     adjoint method (a torch.autograd.Function). It takes one observable, so the
                     runner passes Observable(Add([Z(i) for i])) and the module returns [B, 1],
                     each sample's sum_i <Z_i> (what the loss needs; the gradient check compares
                     per-sample sums). pyqtorch 1.7.8's adjoint gets the gradient wrong when a
                     CNOT's control is above its target (the ring's wrap-around CNOTs): the
                     check in scripts/bench reports it and the key is not timed.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
import pyqtorch as pyq  # noqa: E402

NAME = "pyqtorch"
ARGS = None


def describe():
    return {
        "name": NAME,
        "versions": common.versions("pyqtorch", "torch"),
        "precision": "float64 (complex128 state)",
        "method": ("torch autograd (DiffMode.AD), per-wire Z observables" if ARGS.diff == "ad" else
                   "DiffMode.ADJOINT, one observable sum_i Z_i"),
    }


class Model(torch.nn.Module):
    def __init__(self, n, layers, weights):
        super().__init__()
        self.n = n
        self.weights = torch.nn.Parameter(torch.tensor(weights, dtype=torch.float64))
        ops = [pyq.RY(i, f"x{i}") for i in range(n)]
        for layer in range(layers):
            for i in range(n):
                k = (layer * n + i) * 3
                ops += [pyq.RZ(i, f"w{k}"), pyq.RY(i, f"w{k + 1}"), pyq.RZ(i, f"w{k + 2}")]
            r = common.ring_range(n, layer)
            ops += [pyq.CNOT(i, (i + r) % n) for i in range(n)]
        self.circuit = pyq.QuantumCircuit(n, ops)
        if ARGS.diff == "ad":
            self.observables = [pyq.Observable(pyq.Z(i)) for i in range(n)]
        else:
            self.observable = pyq.Observable(pyq.Add([pyq.Z(i) for i in range(n)]))

    def forward(self, x):
        n, B = self.n, x.shape[0]
        values = {f"x{i}": x[:, i] for i in range(n)}
        values.update({f"w{k}": self.weights[k] for k in range(self.weights.shape[0])})
        state = self.circuit.init_state(batch_size=B)
        if ARGS.diff == "ad":
            final = pyq.run(self.circuit, state, values)
            return torch.stack([o.expectation(final) for o in self.observables], dim=-1).reshape(B, n)
        out = pyq.expectation(self.circuit, state, values, self.observable, diff_mode=pyq.DiffMode.ADJOINT)
        return out.reshape(B, 1)


def make(n, layers, weights, batch):
    return Model(n, layers, weights)


def weight_grad(module):
    return module.weights.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--diff", choices=["ad", "adjoint"], default="ad")
    ARGS = ap.parse_args()
    common.serve(sys.modules[__name__])
