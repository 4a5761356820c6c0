"""fastqml runner (run_fastqml.py --mode gates | fused).

fastqml 0.2.1 is a set of PyTorch primitives, not a layer: the state is a pair of real tensors
(re, im), each [B, 2, ..., 2] (axis i + 1 is wire i), and functions apply gates to it. The
runner composes the model from them; gradients are torch autograd through the state.

    --mode gates   (key `fastqml`) one primitive per gate, fastqml.torch_sim_real:
                   apply_ry(x[:, i]) per sample, apply_rot(w0, w1, w2) (RZ(w0), RY(w1), RZ(w2),
                   PennyLane's Rot), apply_cnot(i, (i + r) mod n).
    --mode fused   (key `fastqml-fused`) its "Kronecker-product layer fusion and edge coloring",
                   fastqml.gate_fusion: the embedding as apply_per_batch_su2_chain(build_ry_per_batch),
                   each layer's Rot gates fused into one 2^n x 2^n matrix (build_rot_gates +
                   apply_su2_layer), and the CNOT ring split by compute_two_qubit_plans (greedy
                   edge colouring that keeps the order of non-commuting CNOTs) into layers of
                   disjoint CNOTs, each applied as one dense 2^n x 2^n matrix
                   (apply_disjoint_two_qubit_layer). Its memory is O(4^n): meant for few qubits.

<Z_i> is computed by the runner from the probabilities re^2 + im^2 (fastqml has no
measurement helper): [B, n]. The weights are one [L, n, 3] tensor in torchq's order.
Precision: float64 (fastqml follows the dtype of the tensors it is given).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
from fastqml import gate_fusion as gf  # noqa: E402
from fastqml import torch_sim_real as tsr  # noqa: E402

NAME = "fastqml"
ARGS = None


def describe():
    return {
        "name": NAME,
        "versions": common.versions("fastqml", "torch"),
        "precision": "float64 (real and imaginary float64 tensors)",
        "method": ("torch autograd; one torch_sim_real primitive per gate" if ARGS.mode == "gates" else
                   "torch autograd; gate_fusion: Kronecker-fused Rot layers, edge-coloured CNOT layers (dense 2^n)"),
    }


def z_expectations(re, im, n):
    p = re * re + im * im  # [B, 2, ..., 2]
    out = []
    for i in range(n):
        q = p.movedim(i + 1, -1).reshape(p.shape[0], -1, 2).sum(1)
        out.append(q[:, 0] - q[:, 1])
    return torch.stack(out, dim=-1)


class Model(torch.nn.Module):
    def __init__(self, n, layers, weights):
        super().__init__()
        self.n, self.layers = n, layers
        self.weights = torch.nn.Parameter(torch.tensor(weights, dtype=torch.float64).reshape(layers, n, 3))
        self.rings = [[(i, (i + common.ring_range(n, l)) % n) for i in range(n)] for l in range(layers)]
        if ARGS.mode == "fused":
            self.plans = [gf.compute_two_qubit_plans(edges, n, torch.device("cpu"), torch.float64,
                                                     commute_fn=gf.cry_commute) for edges in self.rings]

    def forward(self, x):
        n, B = self.n, x.shape[0]
        x = x.to(torch.float64)
        re = torch.zeros((B,) + (2,) * n, dtype=torch.float64)
        re.view(B, -1)[:, 0] = 1.0
        im = torch.zeros_like(re)
        w = self.weights
        if ARGS.mode == "gates":
            for i in range(n):
                re, im = tsr.apply_ry(re, im, x[:, i], i, n)
            for layer in range(self.layers):
                for i in range(n):
                    re, im = tsr.apply_rot(re, im, w[layer, i, 0], w[layer, i, 1], w[layer, i, 2], i, n)
                for c, t in self.rings[layer]:
                    re, im = tsr.apply_cnot(re, im, c, t, n)
        else:
            g_re, g_im = gf.build_ry_per_batch(x)  # [B, n, 2, 2]
            re, im = gf.apply_per_batch_su2_chain(re, im, g_re, g_im)
            for layer in range(self.layers):
                g_re, g_im = gf.build_rot_gates(w[layer, :, 0], w[layer, :, 1], w[layer, :, 2])
                re, im = gf.apply_su2_layer(re, im, g_re, g_im)
                for plan in self.plans[layer]:
                    c_re, c_im = gf.build_cnot_4x4(plan["n_pairs"], re.device, re.dtype)
                    re, im = gf.apply_disjoint_two_qubit_layer(re, im, plan, c_re, c_im)
        return z_expectations(re, im, n)


def make(n, layers, weights, batch):
    return Model(n, layers, weights)


def weight_grad(module):
    return module.weights.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["gates", "fused"], default="gates")
    ARGS = ap.parse_args()
    common.serve(sys.modules[__name__])
