"""torchq against PennyLane (default.qubit, float64, backprop): random circuits over every gate,
random observables; values and gradients agree to 1e-10."""

import numpy as np
import pytest
import torch

import torchq
from helpers import pl_run, random_circuit, random_observables

F64 = torch.float64
TOL = 1e-10


def _compare(ours, theirs, w, x):
    """Values, then the gradients of a random projection of the outputs, in weights and inputs."""
    torch.testing.assert_close(ours, theirs, rtol=0, atol=TOL)
    cot = torch.randn(ours.shape, dtype=ours.dtype)
    if ours.is_complex():
        cot = torch.complex(torch.randn(ours.shape, dtype=F64), torch.randn(ours.shape, dtype=F64))
        g1 = torch.autograd.grad((ours * cot).real.sum(), (w, x))
        g2 = torch.autograd.grad((theirs * cot).real.sum(), (w, x), allow_unused=True)
    else:
        g1 = torch.autograd.grad((ours * cot).sum(), (w, x))
        g2 = torch.autograd.grad((theirs * cot).sum(), (w, x), allow_unused=True)
    for a, b, name in zip(g1, g2, ("weights", "inputs")):
        b = torch.zeros_like(a) if b is None else b
        torch.testing.assert_close(a, b, rtol=0, atol=TOL, msg=lambda m: f"gradient in {name}: {m}")


def _args(rng, c, batch, per_sample, features):
    shape = (batch, c.num_weights) if per_sample else (c.num_weights,)
    w = torch.tensor(rng.uniform(-np.pi, np.pi, size=shape), dtype=F64, requires_grad=True)
    x = torch.tensor(rng.uniform(-np.pi, np.pi, size=(batch, features)), dtype=F64, requires_grad=True)
    return w, x


@pytest.mark.parametrize("seed", range(8))
def test_random_circuits_expval(seed):
    rng = np.random.default_rng(1000 + seed)
    n = 1 + seed % 4
    c = random_circuit(rng, n, 18, num_inputs=3)
    obs = random_observables(rng, n, count=4)
    w, x = _args(rng, c, 3, per_sample=seed % 2 == 1, features=3)
    ours = torchq.expval(c, obs, w, x)
    theirs = pl_run(c, w, x, "expval", observables=obs)
    _compare(ours, theirs, w, x)


@pytest.mark.parametrize("seed", range(4))
def test_random_circuits_probs(seed):
    rng = np.random.default_rng(2000 + seed)
    n = 2 + seed % 3
    c = random_circuit(rng, n, 15, num_inputs=2)
    wires = [int(v) for v in rng.permutation(n)[: max(1, n - 1)]]
    w, x = _args(rng, c, 2, per_sample=seed % 2 == 0, features=2)
    _compare(torchq.probs(c, w, x, wires), pl_run(c, w, x, "probs", wires=wires), w, x)


@pytest.mark.parametrize("seed", range(4))
def test_random_circuits_state(seed):
    rng = np.random.default_rng(3000 + seed)
    n = 1 + seed % 4
    c = random_circuit(rng, n, 15, num_inputs=2)
    w, x = _args(rng, c, 2, per_sample=seed % 2 == 1, features=2)
    _compare(torchq.state(c, w, x), pl_run(c, w, x, "state"), w, x)


@pytest.mark.parametrize("seed", range(3))
def test_random_circuits_var(seed):
    rng = np.random.default_rng(4000 + seed)
    n = 2 + seed
    c = random_circuit(rng, n, 15, num_inputs=2)
    obs = random_observables(rng, n, count=3)
    w, x = _args(rng, c, 2, per_sample=False, features=2)
    with torch.no_grad():
        ours = torchq.var(c, obs, w, x)
        theirs = pl_run(c, w, x, "var", observables=obs)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_random_circuits_after_amplitude_embedding(seed):
    rng = np.random.default_rng(5000 + seed)
    n = 2 + seed
    feats = (1 << n) - 1
    c = torchq.Circuit(n, num_inputs=feats)
    c.amplitude_embedding(list(range(n)), num_features=feats, pad=0.5, normalize=True)
    random_circuit(rng, n, 12, num_inputs=feats, circuit=c)
    obs = random_observables(rng, n, count=3)
    w = torch.tensor(rng.uniform(-np.pi, np.pi, size=(c.num_weights,)), dtype=F64, requires_grad=True)
    x = torch.tensor(rng.uniform(0.1, 1.0, size=(2, feats)), dtype=F64, requires_grad=True)
    _compare(torchq.expval(c, obs, w, x), pl_run(c, w, x, "expval", observables=obs), w, x)


def test_basis_embedding_circuit():
    rng = np.random.default_rng(6000)
    c = torchq.Circuit(3, num_inputs=5)
    c.basis_embedding([0, 2, 1], feature_offset=0)
    for k in range(3):
        c.ry(k, c.input(3 + k % 2)).crx(k, (k + 1) % 3, c.weight())
    obs = random_observables(rng, 3, count=3)
    bits = torch.tensor([[1, 0, 1], [0, 1, 1], [1, 1, 0]], dtype=F64)
    x = torch.cat([bits, torch.rand(3, 2, dtype=F64)], dim=1)
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    ours = torchq.expval(c, obs, w, x)
    theirs = pl_run(c, w, x, "expval", observables=obs)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=TOL)
    (g1,) = torch.autograd.grad(ours.sum(), w)
    (g2,) = torch.autograd.grad(theirs.sum(), w)
    torch.testing.assert_close(g1, g2, rtol=0, atol=TOL)


def test_layer_weights_copy_from_pennylane():
    import pennylane as qml

    n, layers = 3, 2
    pl_weights = torch.rand(layers, n, 3, dtype=F64)
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    torchq.strongly_entangling_layers(c, layers, list(range(n)))
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(i) for i in range(n)], weight_init=pl_weights, dtype=F64)
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch")
    def run(x):
        qml.AngleEmbedding(x, wires=range(n))
        qml.StronglyEntanglingLayers(pl_weights, wires=range(n))
        return [qml.expval(qml.PauliZ(i)) for i in range(n)]

    x = torch.rand(n, dtype=F64)
    torch.testing.assert_close(layer(x), torch.stack(run(x)), rtol=0, atol=TOL)


def test_random_circuits_cover_every_gate_and_extra_controls():
    """The random circuits above are only a check if they use every gate, with and without controls."""
    from helpers import RANDOM_GATES

    used, controlled = set(), 0
    for seed in range(8):
        rng = np.random.default_rng(1000 + seed)
        c = random_circuit(rng, 1 + seed % 4, 18, num_inputs=3)
        used |= {op.info.method for op in c.operations}
        controlled += sum(bool(op.controls) for op in c.operations)
    for seed in range(4):
        for base, n in ((2000, 2 + seed % 3), (3000, 1 + seed % 4)):
            c = random_circuit(np.random.default_rng(base + seed), n, 15, num_inputs=2)
            used |= {op.info.method for op in c.operations}
    missing = {g[0] for g in RANDOM_GATES} - used
    assert not missing, f"random test circuits never use {sorted(missing)}"
    assert controlled >= 5
