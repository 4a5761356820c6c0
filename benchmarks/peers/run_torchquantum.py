"""TorchQuantum runner: a tq.QuantumModule that applies tqf.ry (angle embedding), then per
layer tqf.rot on each wire and the CNOT ring of StronglyEntanglingLayers, and measures
tq.MeasureAll(tq.PauliZ). Gradients by torch autograd through the statevector (TorchQuantum's
way: it has no adjoint method).

TorchQuantum simulates in complex64 (its C_DTYPE is fixed to torch.complex64 across the
package), so its weights are float32; weights are passed in and gradients come back in
torchq's order, reshaped [L, n, 3] (tq's Rot(phi, theta, omega) has PennyLane's matrix).

torchvision: TorchQuantum 0.1.8 imports it for its dataset helpers (MNIST, CIFAR, vowel) when
the package is imported. The torchvision wheel on PyPI that matches torch 2.13.0 is a CUDA
build that cannot load next to the CPU torch, so scripts/setup_peers.sh does not install it
and import_torchquantum() puts an inert stand-in module in its place. The simulator does not
use it.
"""

import os
import sys
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import torch  # noqa: E402

NAME = "torchquantum"


class _InertType(type):
    """Classes whose every attribute is another inert class (e.g. InterpolationMode.BILINEAR)."""

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _InertType(name, (), {"__init__": lambda self, *a, **k: None})


class _Inert(types.ModuleType):
    """A module whose every attribute is an inert class (enough for `import`s and base classes)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        cls = _InertType(name, (), {"__init__": lambda self, *a, **k: None})
        setattr(self, name, cls)
        return cls


def import_torchquantum():
    """Imports torchquantum, standing in for torchvision when the real one cannot load."""
    try:
        import torchvision  # noqa: F401
    except Exception:  # noqa: BLE001 - missing, or a build that does not fit this torch
        for k in [k for k in sys.modules if k == "torchvision" or k.startswith("torchvision.")]:
            del sys.modules[k]
        for name in ("torchvision", "torchvision.datasets", "torchvision.datasets.utils",
                     "torchvision.transforms"):
            sys.modules[name] = _Inert(name)
        sys.modules["torchvision"].datasets = sys.modules["torchvision.datasets"]
        sys.modules["torchvision"].transforms = sys.modules["torchvision.transforms"]
        sys.modules["torchvision.datasets"].utils = sys.modules["torchvision.datasets.utils"]
    import torchquantum

    return torchquantum


tq = None
tqf = None


class Model(torch.nn.Module):
    def __init__(self, n, layers, weights):
        super().__init__()
        self.n, self.layers = n, layers
        self.weights = torch.nn.Parameter(torch.tensor(weights, dtype=torch.float32).reshape(layers, n, 3))
        self.measure = tq.MeasureAll(tq.PauliZ)

    def forward(self, x):
        n = self.n
        x = x.to(torch.float32)
        qdev = tq.QuantumDevice(n_wires=n, bsz=x.shape[0], device=x.device)
        for i in range(n):
            tqf.ry(qdev, wires=i, params=x[:, i])
        for layer in range(self.layers):
            for i in range(n):
                tqf.rot(qdev, wires=i, params=self.weights[layer, i].unsqueeze(0))
            r = common.ring_range(n, layer)
            for i in range(n):
                tqf.cnot(qdev, wires=[i, (i + r) % n])
        return self.measure(qdev)


def describe():
    return {
        "name": NAME,
        "versions": common.versions("torchquantum", "qiskit", "torch"),
        "precision": "float32 (complex64 state, fixed by TorchQuantum)",
        "method": "torch autograd through the statevector",
    }


def make(n, layers, weights, batch):
    return Model(n, layers, weights)


def weight_grad(module):
    return module.weights.grad.detach().to(torch.float64).reshape(-1).numpy()


if __name__ == "__main__":
    tq = import_torchquantum()
    import torchquantum.functional as tqf  # noqa: E402

    common.serve(sys.modules[__name__])
