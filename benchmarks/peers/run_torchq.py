"""torchq runner: QuantumLayer (float64, or float32 with --dtype float32), gradients by torchq's
adjoint method. Also the torchq side of the pure-simulation section (sim_make: torchq.state).

Runs in the main python3, where scripts/setup.sh installed torchq. The circuit is built with
torchq.angle_embedding(rotation="Y") and torchq.strongly_entangling_layers, whose weight order
is the benchmark's, so weights and gradients need no mapping.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402
import torchq  # noqa: E402

NAME = "torchq"
DTYPE = torch.float64  # set from --dtype in __main__


def describe():
    return {
        "name": NAME,
        "versions": common.versions("torchq", "torch"),
        "precision": "float32 (complex64 state)" if DTYPE == torch.float32 else "float64 (complex128 state)",
        "method": "adjoint (torchq)",
        "library": torchq.library_path() if callable(getattr(torchq, "library_path", None)) else "",
    }


def make(n, layers, weights, batch):
    torchq.set_num_threads(0)  # follow torch.get_num_threads(), set by the harness
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)), feature_offset=0, rotation="Y")
    torchq.strongly_entangling_layers(c, layers, list(range(n)))
    return torchq.QuantumLayer(c, [torchq.PauliZ(i) for i in range(n)], weight_init=weights, dtype=DTYPE)


def weight_grad(module):
    return module.weights.grad.detach().to(torch.float64).numpy()


class Sim:
    """Pure simulation (scripts/bench --sim): torchq.state, the final state of one sample,
    complex [1, 2^n] with wire 0 the most significant bit; no autograd (the weights do not
    require a gradient)."""

    def __init__(self, n, layers, weights, inputs):
        torchq.set_num_threads(0)
        c = torchq.Circuit(n, num_inputs=n)
        torchq.angle_embedding(c, list(range(n)), feature_offset=0, rotation="Y")
        torchq.strongly_entangling_layers(c, layers, list(range(n)))
        self.program = c.to_program()
        self.weights = torch.tensor(weights, dtype=DTYPE)
        self.inputs = torch.tensor(inputs, dtype=DTYPE).reshape(1, n)
        self.psi = None

    def run(self):
        with torch.no_grad():
            self.psi = torchq.state(self.program, self.weights, self.inputs)

    def state(self):
        return self.psi[0].numpy()


def sim_make(n, layers, weights, inputs, opts):
    return Sim(n, layers, weights, inputs)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    DTYPE = getattr(torch, ap.parse_args().dtype)
    common.serve(sys.modules[__name__])
