"""Templates: gate structure and weight order, and agreement with PennyLane's templates."""

import pennylane as qml
import pytest
import torch

import torchq

F64 = torch.float64


def names(c):
    return [(op.name, op.wires) for op in c.operations]


def test_angle_embedding_structure():
    c = torchq.Circuit(3, num_inputs=4)
    torchq.angle_embedding(c, [2, 0], feature_offset=1, rotation="Y", scale=0.5)
    assert names(c) == [("RY", (2,)), ("RY", (0,))]
    assert [(p.index, p.value) for op in c.operations for p in op.params] == [(1, 0.5), (2, 0.5)]


@pytest.mark.parametrize("n,want", [(1, []), (2, [(0, 1)]), (3, [(0, 1), (1, 2), (2, 0)])])
def test_basic_entangler_layers_structure(n, want):
    c = torchq.Circuit(n)
    r = torchq.basic_entangler_layers(c, 2, list(range(n)))
    assert r == range(0, 2 * n)
    cnots = [op.wires for op in c.operations if op.name == "CNOT"]
    assert cnots == want * 2
    rx = [op.params[0].index for op in c.operations if op.name == "RX"]
    assert rx == list(range(2 * n))


def test_strongly_entangling_layers_structure_and_weight_order():
    c = torchq.Circuit(4)
    c.rx(0, c.weight())  # the template's weights start after this one
    r = torchq.strongly_entangling_layers(c, 3, [0, 1, 2, 3])
    assert r == range(1, 1 + 3 * 4 * 3)
    rots = [op for op in c.operations if op.name == "Rot"]
    assert [p.index for p in rots[5].params] == [1 + (1 * 4 + 1) * 3 + k for k in range(3)]
    cnots = [op.wires for op in c.operations if op.name == "CNOT"]
    # ranges (l % 3) + 1 = 1, 2, 3
    assert cnots[:4] == [(0, 1), (1, 2), (2, 3), (3, 0)]
    assert cnots[4:8] == [(0, 2), (1, 3), (2, 0), (3, 1)]
    assert cnots[8:] == [(0, 3), (1, 0), (2, 1), (3, 2)]


def test_rejects_bad_range():
    with pytest.raises(ValueError, match="range 3 must be in \\[1, 2\\]"):
        torchq.strongly_entangling_layers(torchq.Circuit(3), 1, [0, 1, 2], ranges=[3])


def test_rejects_wrong_number_of_ranges():
    with pytest.raises(ValueError, match="one entry per layer"):
        torchq.strongly_entangling_layers(torchq.Circuit(3), 2, [0, 1, 2], ranges=[1])


def test_rejects_zero_layers():
    with pytest.raises(ValueError, match="num_layers must be >= 1"):
        torchq.basic_entangler_layers(torchq.Circuit(2), 0, [0, 1])


def test_rejects_unknown_rotation():
    with pytest.raises(ValueError, match='rotation must be "X", "Y" or "Z"'):
        torchq.angle_embedding(torchq.Circuit(1, num_inputs=1), [0], rotation="W")


def _pl_expvals(template, n, shape, weights, x, **kw):
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def run(w, x):
        qml.AngleEmbedding(x, wires=range(n))
        template(w.reshape(shape), wires=range(n), **kw)
        return [qml.expval(qml.PauliZ(i)) for i in range(n)]

    return torch.stack([torch.stack(run(weights, x[b])) for b in range(x.shape[0])])


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_strongly_entangling_layers_match_pennylane(n):
    layers = 3
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    torchq.strongly_entangling_layers(c, layers, list(range(n)))
    w = torch.rand(layers * n * 3, dtype=F64, requires_grad=True)
    x = torch.rand(2, n, dtype=F64)
    obs = [torchq.PauliZ(i) for i in range(n)]
    got = torchq.expval(c, obs, w, x)
    want = _pl_expvals(qml.StronglyEntanglingLayers, n, (layers, n, 3), w, x)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    (g1,) = torch.autograd.grad(got.sum(), w)
    (g2,) = torch.autograd.grad(want.sum(), w)
    torch.testing.assert_close(g1, g2, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("rotation", ["X", "Y", "Z"])
def test_basic_entangler_layers_match_pennylane(n, rotation):
    layers = 2
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    torchq.basic_entangler_layers(c, layers, list(range(n)), rotation=rotation)
    w = torch.rand(layers * n, dtype=F64)
    x = torch.rand(2, n, dtype=F64)
    got = torchq.expval(c, [torchq.PauliZ(i) for i in range(n)], w, x)
    rot = {"X": qml.RX, "Y": qml.RY, "Z": qml.RZ}[rotation]
    want = _pl_expvals(qml.BasicEntanglerLayers, n, (layers, n), w, x, rotation=rot)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)


def test_strongly_entangling_layers_with_ranges_match_pennylane():
    n, layers, ranges = 4, 2, [3, 2]
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    torchq.strongly_entangling_layers(c, layers, list(range(n)), ranges=ranges)
    w = torch.rand(layers * n * 3, dtype=F64)
    x = torch.rand(2, n, dtype=F64)
    got = torchq.expval(c, [torchq.PauliZ(i) for i in range(n)], w, x)
    want = _pl_expvals(qml.StronglyEntanglingLayers, n, (layers, n, 3), w, x, ranges=ranges)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)


def test_embeddings_match_pennylane():
    n = 3
    c = torchq.Circuit(n, num_inputs=7)
    torchq.amplitude_embedding(c, [0, 1, 2], feature_offset=0, num_features=6, pad=0.25)  # float32-exact: PennyLane pads in float32
    c.cnot(0, 1)
    torchq.angle_embedding(c, [0], feature_offset=6, rotation="Z")
    c.h(2)
    x = torch.rand(3, 7, dtype=F64) + 0.1
    got = torchq.expval(c, [torchq.PauliX(2), torchq.PauliWord("ZY", [0, 1])], torch.zeros(0, dtype=F64), x)
    dev = qml.device("default.qubit", wires=n)

    @qml.qnode(dev, interface="torch")
    def run(f):
        qml.AmplitudeEmbedding(f[:6], wires=range(3), pad_with=0.25, normalize=True)
        qml.CNOT([0, 1])
        qml.AngleEmbedding(f[6:7], wires=[0], rotation="Z")
        qml.H(2)
        return qml.expval(qml.PauliX(2)), qml.expval(qml.PauliZ(0) @ qml.PauliY(1))

    want = torch.stack([torch.stack(run(x[b])) for b in range(3)])
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    b = torchq.Circuit(3, num_inputs=3)
    torchq.basis_embedding(b, [0, 1, 2])
    bits = torch.tensor([[1.0, 0.0, 1.0]], dtype=F64)
    assert torchq.probs(b, torch.zeros(0, dtype=F64), bits)[0].argmax().item() == 0b101
