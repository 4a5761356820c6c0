"""FlagQuantum runner, two ways (run_flagquantum.py --diff autograd | adjoint).

    --diff autograd   (key `flagquantum`) fq.Module, FlagQuantum's PyTorch layer: a builder
                      function returns an fq.Circuit(n, bsz=B, dtype=complex128) with per-sample
                      RY(x[:, i]) angles, fq.Module compiles it once (make_fx) and runs the
                      batched statevector; RuntimePolicy(observable_qubits=range(n)) gives
                      <Z_i> for every wire, [B, n]. Gradients: torch autograd through the
                      statevector (FlagQuantum's batched path).
    --diff adjoint    (key `flagquantum-adj`) FlagQuantum's adjoint mode:
                      Hamiltonian.expectation(circuit, differentiation="adjoint"), which runs
                      its native CPU adjoint kernels (flagquantum.simulation.native_cpu). That
                      entry point takes one circuit with bsz=1 and a Z/ZZ Hamiltonian, and
                      returns the Hamiltonian's expectation, one scalar. So the runner builds one
                      circuit per sample (RY(x[b, i]) as constants) and measures H = sum_i Z_i,
                      which is exactly what the loss needs: the module returns [B, 1], each
                      sample's sum_i <Z_i> (the per-wire values are not computed; the gradient
                      check compares per-sample sums).

Gates: FlagQuantum has no Rot gate; Rot(w0, w1, w2) = RZ(w2) RY(w1) RZ(w0) is applied as
rz(w0), ry(w1), rz(w2) (its rz is exp(-i theta Z / 2), the standard one), then
cx(i, (i + r) mod n). The weights are one [L, n, 3] tensor in torchq's order, so nothing is
permuted. Precision: float64 weights, complex128 state (--dtype float32 gives complex64).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
import flagquantum as fq  # noqa: E402
from flagquantum import algorithms as fqa  # noqa: E402

NAME = "flagquantum"
ARGS = None


def _dtypes():
    return (torch.float32, torch.complex64) if ARGS.dtype == "float32" else (torch.float64, torch.complex128)


def _layers(c, p, n, layers):
    for layer in range(layers):
        for i in range(n):
            c.rz(i, p[layer, i, 0])
            c.ry(i, p[layer, i, 1])
            c.rz(i, p[layer, i, 2])
        r = common.ring_range(n, layer)
        for i in range(n):
            c.cx(i, (i + r) % n)
    return c


def describe():
    real, cplx = _dtypes()
    return {
        "name": NAME,
        "versions": common.versions("flagquantum", "torch"),
        "precision": f"{str(real)[6:]} ({str(cplx)[6:]} state)",
        "method": ("fq.Module (batched statevector), torch autograd" if ARGS.diff == "autograd" else
                   "Hamiltonian.expectation(differentiation='adjoint'), native CPU adjoint, one circuit per sample"),
    }


class Adjoint(torch.nn.Module):
    def __init__(self, n, layers, weights):
        super().__init__()
        real, _ = _dtypes()
        self.n, self.layers = n, layers
        self.weights = torch.nn.Parameter(torch.tensor(weights, dtype=real).reshape(layers, n, 3))
        self.h = fqa.Hamiltonian([fqa.HamiltonianTerm(1.0, "z", i) for i in range(n)])

    def forward(self, x):
        _, cplx = _dtypes()
        n = self.n
        xs = x.detach().to(torch.float64).tolist()
        vals = []
        for row in xs:
            c = fq.Circuit(n, dtype=cplx)
            for i in range(n):
                c.ry(i, row[i])
            _layers(c, self.weights, n, self.layers)
            vals.append(self.h.expectation(c, differentiation="adjoint").reshape(1))
        return torch.stack(vals)  # [B, 1]: sum_i <Z_i> per sample


def make(n, layers, weights, batch):
    real, cplx = _dtypes()
    if ARGS.diff == "adjoint":
        return Adjoint(n, layers, weights)

    def build(p, inputs):
        c = fq.Circuit(n, bsz=inputs.shape[0], dtype=cplx)
        for i in range(n):
            c.ry(i, inputs[:, i])
        return _layers(c, p, n, layers)

    module = fq.Module(build, (layers, n, 3), init=torch.tensor(weights, dtype=real).reshape(layers, n, 3),
                       dtype=real, policy=fq.RuntimePolicy(observable_qubits=tuple(range(n))))

    class Batched(torch.nn.Module):  # fq.Module takes inputs in its own dtype; shape [B, n]
        def __init__(self):
            super().__init__()
            self.m = module

        def forward(self, x):
            out = self.m(x.to(real))
            return out.reshape(x.shape[0], n)

    return Batched()


def weight_grad(module):
    p = module.weights if ARGS.diff == "adjoint" else module.m.parameters_tensor
    return p.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--diff", choices=["autograd", "adjoint"], default="autograd")
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ARGS = ap.parse_args()
    common.serve(sys.modules[__name__])
