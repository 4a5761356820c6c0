"""Encodings, ansätze and algorithm blocks (issue #4): input products, IQP embedding, data
re-uploading, hardware-efficient ansatz, RandomLayers, QFT, phase estimation and Grover search.

Theory first (the QFT is the DFT matrix, QPE reads dyadic phases exactly, Grover's success
probability is sin^2((2k+1) theta)), then PennyLane (default.qubit, float64) for the templates'
values and gradients, weights and inputs both.
"""

import math

import numpy as np
import pennylane as qml
import pytest
import torch

import torchq
from torchq.circuit import INPUT_PRODUCT

F64 = torch.float64
NO_WEIGHTS = torch.zeros(0, dtype=F64)


def bits_of(j, n):
    """The n bits of j, most significant first (wire 0 is the most significant bit)."""
    return [(j >> (n - 1 - q)) & 1 for q in range(n)]


def basis_inputs(n):
    return torch.tensor([bits_of(j, n) for j in range(1 << n)], dtype=F64)


def unitary_of(block, n, width=None):
    """The matrix of a block on wires 0..n-1: column j is the state the block makes from |j>."""
    width = n if width is None else width
    c = torchq.Circuit(width, num_inputs=n)
    torchq.basis_embedding(c, list(range(n)))
    block(c)
    return torchq.state(c, NO_WEIGHTS, basis_inputs(n)).T  # [2^width, 2^n]


def dft(n):
    big_n = 1 << n
    j = np.arange(big_n)
    return torch.tensor(np.exp(2j * np.pi * np.outer(j, j) / big_n) / math.sqrt(big_n))


def random_unitary(rng, k):
    d = 1 << k
    z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


# ---- input products ----


def test_input_product_serialises_as_kind_3_and_round_trips():
    c = torchq.Circuit(2, num_inputs=3)
    c.rx(0, c.input_product(2, 0)).multi_rz([0, 1], 0.5 * c.input_product(1, 1))
    prog = c.to_program().tolist()
    # header 6, op header 5, one wire, then (kind, index, second_index, value): format version 2
    assert prog[6 + 5 + 1: 6 + 5 + 5] == [3.0, 2.0, 0.0, 1.0]
    assert prog[-4:] == [3.0, 1.0, 1.0, 0.5]
    again = torchq.Circuit.from_program(c.to_program())
    assert again == c
    assert again.operations[0].params[0] == torchq.Param(INPUT_PRODUCT, 2, 1.0, 0)
    assert repr(c.operations[1].params[0]) == "Param.input_product(1, 1, scale=0.5)"
    drawing = c.draw()
    assert "x2·x0" in drawing and "0.5x1·x1" in drawing


def test_input_product_values_and_gradients_are_analytic():
    # RX(x0 x1) on wire 0 and RY(x2^2) on wire 1: <Z0> = cos(x0 x1), <Z1> = cos(x2^2).
    c = torchq.Circuit(2, num_inputs=3)
    c.rx(0, c.input_product(0, 1)).ry(1, c.input_product(2, 2))
    x = torch.tensor([[0.3, -1.2, 0.7], [1.1, 0.4, -0.9]], dtype=F64, requires_grad=True)
    out = torchq.expval(c, [torchq.PauliZ(0), torchq.PauliZ(1)], NO_WEIGHTS, x)
    xd = x.detach()
    want = torch.stack([torch.cos(xd[:, 0] * xd[:, 1]), torch.cos(xd[:, 2] ** 2)], 1)
    torch.testing.assert_close(out, want, rtol=0, atol=1e-14)
    (g,) = torch.autograd.grad(out.sum(), x)
    s01, s22 = torch.sin(xd[:, 0] * xd[:, 1]), torch.sin(xd[:, 2] ** 2)
    want_g = torch.stack([-s01 * xd[:, 1], -s01 * xd[:, 0], -s22 * 2 * xd[:, 2]], 1)
    torch.testing.assert_close(g, want_g, rtol=0, atol=1e-13)


def test_scaled_input_products_have_analytic_values_and_gradients():
    # RX(0.5 x0 x1) then RY(-2 x2 x2): <Z0> = cos(0.5 x0 x1), <Z1> = cos(2 x2^2).
    c = torchq.Circuit(2, num_inputs=3)
    c.rx(0, 0.5 * c.input_product(0, 1)).ry(1, c.input_product(2, 2, scale=-2.0))
    x = torch.tensor([[0.3, -1.2, 0.7], [1.1, 0.4, -0.9]], dtype=F64, requires_grad=True)
    out = torchq.expval(c, [torchq.PauliZ(0), torchq.PauliZ(1)], NO_WEIGHTS, x)
    xd = x.detach()
    want = torch.stack([torch.cos(0.5 * xd[:, 0] * xd[:, 1]), torch.cos(2 * xd[:, 2] ** 2)], 1)
    torch.testing.assert_close(out, want, rtol=0, atol=1e-14)
    (g,) = torch.autograd.grad(out.sum(), x)
    s01, s22 = torch.sin(0.5 * xd[:, 0] * xd[:, 1]), torch.sin(2 * xd[:, 2] ** 2)
    want_g = torch.stack([-s01 * 0.5 * xd[:, 1], -s01 * 0.5 * xd[:, 0], -s22 * 4 * xd[:, 2]], 1)
    torch.testing.assert_close(g, want_g, rtol=0, atol=1e-13)
    assert torch.autograd.gradcheck(
        lambda x: torchq.expval(c, [torchq.PauliZ(0), torchq.PauliZ(1)], NO_WEIGHTS, x), (x,))


def test_input_product_refuses_bad_indices():
    c = torchq.Circuit(1, num_inputs=2)
    with pytest.raises(ValueError, match=r"input feature 2 is out of range|2 input features"):
        c.input_product(0, 2)
    with pytest.raises(ValueError, match="out of range"):
        c.rx(0, torchq.Param(INPUT_PRODUCT, 0, 1.0, 5))


# ---- QFT ----


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_qft_is_the_dft_matrix(n):
    got = unitary_of(lambda c: torchq.qft(c, list(range(n))), n)
    torch.testing.assert_close(got, dft(n), rtol=0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_inverse_qft_is_the_inverse_dft_and_composes_to_identity(n):
    wires = list(range(n))
    inv = unitary_of(lambda c: torchq.inverse_qft(c, wires), n)
    torch.testing.assert_close(inv, dft(n).conj().T, rtol=0, atol=1e-12)
    both = unitary_of(lambda c: (torchq.qft(c, wires), torchq.inverse_qft(c, wires)), n)
    torch.testing.assert_close(both, torch.eye(1 << n, dtype=both.dtype), rtol=0, atol=1e-12)


def test_qft_matches_pennylane_on_permuted_wires():
    # The register [2, 0, 3] inside 4 qubits: PennyLane's QFT on the same wires, gate for gate.
    wires = [2, 0, 3]
    got = unitary_of(lambda c: torchq.qft(c, wires), 4)
    want = torch.tensor(qml.matrix(qml.QFT(wires=wires), wire_order=range(4)), dtype=torch.complex128)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
    inv = unitary_of(lambda c: torchq.inverse_qft(c, wires), 4)
    torch.testing.assert_close(inv, want.conj().T, rtol=0, atol=1e-12)


# ---- phase estimation ----


def qpe_probs(phases, t, k, vector=0):
    """Estimation-register probabilities for U = V diag(exp(2 pi i phases)) V^dagger on k target
    wires (V random), the target prepared in eigenvector `vector`; estimation wires 0..t-1."""
    v = random_unitary(np.random.default_rng(7), k)
    u = v @ np.diag(np.exp(2j * np.pi * np.asarray(phases))) @ v.conj().T
    c = torchq.Circuit(t + k)
    target = list(range(t, t + k))
    order = [vector] + [i for i in range(1 << k) if i != vector]
    c.qubit_unitary(v[:, order], target)  # |0> -> the eigenvector
    torchq.phase_estimation(c, u, target, list(range(t)))
    return torchq.probs(c, NO_WEIGHTS, torch.zeros(1, 0, dtype=F64), list(range(t)))[0], c, u


@pytest.mark.parametrize("t,k,j", [(3, 1, 5), (4, 2, 11), (5, 1, 1), (4, 3, 0)])
def test_phase_estimation_reads_dyadic_phases_exactly(t, k, j):
    phases = [j / 2**t] + [0.123 + 0.2 * m for m in range(1, 1 << k)]
    p, _, _ = qpe_probs(phases, t, k)
    assert p[j].item() == pytest.approx(1.0, abs=1e-12)
    assert p.sum().item() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("phi,t", [(0.3, 4), (0.7123, 5), (1 / 3, 3)])
def test_phase_estimation_rounds_other_phases_to_the_nearest_t_bit_value(phi, t):
    p, _, _ = qpe_probs([phi, 0.5], t, 1)
    nearest = round(phi * 2**t) % 2**t
    assert int(p.argmax()) == nearest
    assert p[nearest].item() >= 4 / math.pi**2
    # The textbook amplitude: |sin(pi 2^t d) / (2^t sin(pi d))|^2, d = phi - nearest / 2^t.
    d = phi - nearest / 2**t
    want = (math.sin(math.pi * 2**t * d) / (2**t * math.sin(math.pi * d))) ** 2
    assert p[nearest].item() == pytest.approx(want, abs=1e-12)


def test_phase_estimation_matches_pennylane_state():
    t, k = 3, 2
    _, c, u = qpe_probs([0.3, 0.55, 0.1, 0.9], t, k, vector=1)
    got = torchq.state(c, NO_WEIGHTS, torch.zeros(1, 0, dtype=F64))[0]
    dev = qml.device("default.qubit", wires=t + k)
    prep = c.operations[0]
    d = 1 << k
    prep_m = np.asarray(prep.matrix).reshape(d, d)

    @qml.qnode(dev)
    def run():
        qml.QubitUnitary(prep_m, wires=range(t, t + k))
        qml.QuantumPhaseEstimation(qml.QubitUnitary(u, wires=range(t, t + k)), estimation_wires=range(t))
        return qml.state()

    torch.testing.assert_close(got, torch.tensor(run()), rtol=0, atol=1e-10)


def test_phase_estimation_powers_stay_unitary_through_many_squarings():
    # 12 estimation wires read phi = 2731 / 2^12 exactly; U^(2^11) is computed by 11 squarings.
    t, j = 12, 2731
    v = random_unitary(np.random.default_rng(3), 1)
    u = v @ np.diag([np.exp(2j * np.pi * j / 2**t), np.exp(0.77j)]) @ v.conj().T
    c = torchq.Circuit(t + 1)
    c.qubit_unitary(v, [t])  # |0> -> the eigenvector of phase j / 2^t
    torchq.phase_estimation(c, u, [t], list(range(t)))
    p = torchq.probs(c, NO_WEIGHTS, torch.zeros(1, 0, dtype=F64), list(range(t)))[0]
    assert p[j].item() == pytest.approx(1.0, abs=1e-9)
    # 40 estimation wires: 39 squarings, and every power still passes the QubitUnitary check.
    big = torchq.Circuit(41)
    torchq.phase_estimation(big, u, [40], list(range(40)))
    powers = [np.asarray(op.matrix).reshape(2, 2) for op in big.operations if op.name == "QubitUnitary"]
    assert len(powers) == 40
    assert max(np.abs(m.conj().T @ m - np.eye(2)).max() for m in powers) < 1e-13
    assert big.to_program().numel() > 0  # the C++ parser accepts every matrix


def test_phase_estimation_refuses_bad_arguments():
    c = torchq.Circuit(3)
    with pytest.raises(ValueError, match="not unitary"):
        torchq.phase_estimation(c, [[1, 1], [0, 1]], [2], [0, 1])
    with pytest.raises(ValueError, match="must have 4 entries for 1 target wire"):
        torchq.phase_estimation(c, np.eye(4), [2], [0, 1])
    with pytest.raises(ValueError, match="both a target and an estimation wire"):
        torchq.phase_estimation(c, np.eye(2), [1], [0, 1])


# ---- Grover ----


@pytest.mark.parametrize("n,marked", [(3, ["101"]), (4, ["0110"]), (4, ["0000", "1011"]), (5, ["11111", "00100", "10001"])])
def test_grover_success_probability_follows_theory(n, marked):
    big_n, m = 1 << n, len(marked)
    theta = math.asin(math.sqrt(m / big_n))
    idx = [int(s, 2) for s in marked]
    for k in range(6):
        c = torchq.Circuit(n)
        assert torchq.grover_search(c, list(range(n)), marked, iterations=k) == k
        p = torchq.probs(c, NO_WEIGHTS, torch.zeros(1, 0, dtype=F64))[0]
        assert p[idx].sum().item() == pytest.approx(math.sin((2 * k + 1) * theta) ** 2, abs=1e-12)
        # every marked state equally likely, every unmarked one too
        others = [i for i in range(big_n) if i not in idx]
        assert float(p[idx].max() - p[idx].min()) < 1e-12
        assert float(p[others].max() - p[others].min()) < 1e-12


def test_grover_optimal_iterations():
    assert [torchq.grover_iterations(n) for n in range(1, 9)] == [
        math.floor(math.pi / 4 * math.sqrt(2**n)) for n in range(1, 9)
    ]
    assert torchq.grover_iterations(4, 3) == 1  # floor(pi/4 * sqrt(16/3)) = 1
    c = torchq.Circuit(4)
    k = torchq.grover_search(c, [3, 2, 1, 0], [1, 0, 0, 1])  # a bit list; wires[0] = 3 is the MSB of the mark
    assert k == 3
    p = torchq.probs(c, NO_WEIGHTS, torch.zeros(1, 0, dtype=F64), [3, 2, 1, 0])[0]
    assert int(p.argmax()) == 0b1001 and p[0b1001].item() == pytest.approx(math.sin(7 * math.asin(0.25)) ** 2, abs=1e-12)


def test_grover_blocks_match_pennylane_operators():
    n = 3
    wires = list(range(n))
    oracle = unitary_of(lambda c: torchq.grover_oracle(c, wires, "011"), n)
    want = torch.tensor(qml.matrix(qml.FlipSign([0, 1, 1], wires=wires), wire_order=wires), dtype=torch.complex128)
    torch.testing.assert_close(oracle, want, rtol=0, atol=1e-12)
    diffusion = unitary_of(lambda c: torchq.grover_diffusion(c, wires), n)
    want = torch.tensor(qml.matrix(qml.GroverOperator(wires=wires), wire_order=wires), dtype=torch.complex128)
    torch.testing.assert_close(diffusion, want, rtol=0, atol=1e-12)  # global phase included
    one = unitary_of(lambda c: torchq.grover_diffusion(c, [0]), 1)
    torch.testing.assert_close(one, torch.tensor([[0, 1], [1, 0]], dtype=one.dtype), rtol=0, atol=1e-12)


def test_grover_refuses_bad_marks():
    c = torchq.Circuit(3)
    with pytest.raises(ValueError, match="one bit per wire \\(3\\), got 2"):
        torchq.grover_oracle(c, [0, 1, 2], "01")
    with pytest.raises(ValueError, match="bits must be 0 or 1"):
        torchq.grover_oracle(c, [0, 1, 2], [0, 2, 1])
    with pytest.raises(ValueError, match="must be distinct"):
        torchq.grover_search(c, [0, 1, 2], ["010", "010"])
    with pytest.raises(ValueError, match="iterations must be >= 0"):
        torchq.grover_search(c, [0, 1, 2], "010", iterations=-2)


def test_algorithm_blocks_inside_a_quantum_layer():
    # A trainable layer whose readout is a QFT: gradients flow through the constant block, and
    # training moves the probability of one QFT output to near 1.
    n = 3
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)), rotation="Y")
    torchq.hardware_efficient_ansatz(c, 2, list(range(n)))
    torchq.qft(c, list(range(n)))
    layer = torchq.QuantumLayer(c, measure="probs", dtype=F64)
    x = torch.full((1, n), 0.2, dtype=F64)
    opt = torch.optim.Adam(layer.parameters(), lr=0.1)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = 1 - layer(x)[0, 5]
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 < losses[0]
    g = torchq.Circuit(2)
    torchq.grover_search(g, [0, 1], "10")
    p = torchq.QuantumLayer(g, measure="probs", dtype=F64)()
    torch.testing.assert_close(p, torch.tensor([0.0, 0.0, 1.0, 0.0], dtype=F64), rtol=0, atol=1e-12)


# ---- templates against PennyLane ----


def compare_with_pennylane(c, pl_body, num_weights, num_inputs, observables, pl_observables, batch=3):
    """Values and gradients (weights and inputs) of torchq vs PennyLane, float64, 1e-10."""
    w = (torch.rand(num_weights, dtype=F64) * 2 * math.pi).requires_grad_(True)
    x = (torch.rand(batch, num_inputs, dtype=F64) * 2 - 1).requires_grad_(True)
    cot = torch.randn(batch, len(observables), dtype=F64)
    got = torchq.expval(c, observables, w, x)
    gw, gx = torch.autograd.grad((got * cot).sum(), (w, x))

    dev = qml.device("default.qubit", wires=c.num_qubits)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def run(wv, xv):
        pl_body(wv, xv)
        return [qml.expval(o) for o in pl_observables]

    w2, x2 = w.detach().clone().requires_grad_(True), x.detach().clone().requires_grad_(True)
    want = torch.stack([torch.stack(run(w2, x2[b])) for b in range(batch)])
    pw, px = torch.autograd.grad((want * cot).sum(), (w2, x2))
    torch.testing.assert_close(got.detach(), want.detach(), rtol=0, atol=1e-10)
    torch.testing.assert_close(gw, pw, rtol=0, atol=1e-10)
    torch.testing.assert_close(gx, px, rtol=0, atol=1e-10)
    assert gx.abs().max() > 1e-3  # the input gradients are not trivially zero


OBS4 = [torchq.PauliZ(0), torchq.PauliWord("XY", [1, 2]), torchq.Hamiltonian([(0.5, "ZZ", [0, 3]), (-1.1, "X", [2])])]


def pl_obs4():
    return [qml.PauliZ(0), qml.PauliX(1) @ qml.PauliY(2), 0.5 * qml.PauliZ(0) @ qml.PauliZ(3) - 1.1 * qml.PauliX(2)]


@pytest.mark.parametrize("n_repeats,pattern", [(1, None), (2, None), (2, [(3, 0), (1, 2), (0, 2)])])
def test_iqp_embedding_matches_pennylane(n_repeats, pattern):
    n, layers = 4, 1
    c = torchq.Circuit(n, num_inputs=n + 1)
    torchq.iqp_embedding(c, list(range(n)), feature_offset=1, n_repeats=n_repeats, pattern=pattern)
    torchq.basic_entangler_layers(c, layers, list(range(n)), rotation="Y")
    kinds = [p.kind for op in c.operations if op.name == "MultiRZ" for p in op.params]
    assert kinds and set(kinds) == {INPUT_PRODUCT}

    def body(w, x):
        qml.IQPEmbedding(x[1:], wires=range(n), n_repeats=n_repeats, pattern=pattern)
        qml.BasicEntanglerLayers(w.reshape(layers, n), wires=range(n), rotation=qml.RY)

    compare_with_pennylane(c, body, c.num_weights, n + 1, OBS4, pl_obs4())


def test_iqp_embedding_structure_follows_pennylane():
    c = torchq.Circuit(3, num_inputs=3)
    torchq.iqp_embedding(c, [2, 0, 1])
    names = [(op.name, op.wires) for op in c.operations]
    assert names == [("H", (2,)), ("RZ", (2,)), ("H", (0,)), ("RZ", (0,)), ("H", (1,)), ("RZ", (1,)),
                     ("MultiRZ", (2, 0)), ("MultiRZ", (2, 1)), ("MultiRZ", (0, 1))]
    assert [(p.index, p.second, p.value) for op in c.operations[6:] for p in op.params] == [(0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.0)]
    with pytest.raises(ValueError, match="pattern wire 5 is not one of the embedding's wires"):
        torchq.iqp_embedding(c, [0, 1], pattern=[(0, 5)])


def test_hardware_efficient_ansatz_matches_pennylane_and_weight_order():
    n, layers = 4, 3
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    r = torchq.hardware_efficient_ansatz(c, layers, list(range(n)))
    assert r == range(0, layers * n * 2)
    assert [op.wires for op in c.operations if op.name == "CNOT"][:3] == [(0, 1), (1, 2), (2, 3)]

    def body(w, x):
        qml.AngleEmbedding(x, wires=range(n))
        wl = w.reshape(layers, n, 2)
        for l in range(layers):
            for i in range(n):
                qml.RY(wl[l, i, 0], wires=i)
                qml.RZ(wl[l, i, 1], wires=i)
            for i in range(n - 1):
                qml.CNOT([i, i + 1])

    compare_with_pennylane(c, body, c.num_weights, n, OBS4, pl_obs4())


@pytest.mark.parametrize("seed,ratio,rotations", [(42, 0.3, ("X", "Y", "Z")), (2024, 0.6, ("Y", "Z")), (2**40 + 3, 0.1, ("X",))])
def test_random_layers_match_pennylane(seed, ratio, rotations):
    n, layers, n_rot = 4, 2, 5
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)), rotation="Y")
    r = torchq.random_layers(c, layers, n_rot, list(range(n)), ratio_imprim=ratio, rotations=rotations, seed=seed)
    assert r == range(0, layers * n_rot)
    pl_rot = [getattr(qml, "R" + s) for s in rotations]

    # Gate for gate: PennyLane's decomposition of the same template.
    w_index = torch.arange(layers * n_rot, dtype=F64).reshape(layers, n_rot)
    pl_ops = qml.RandomLayers.compute_decomposition(
        w_index, wires=range(n), ratio_imprim=ratio, imprimitive=qml.CNOT, rotations=pl_rot, seed=seed
    )
    mine = [(op.name, op.wires, op.params[0].index if op.params else None) for op in c.operations[n:]]
    theirs = [(o.name, tuple(o.wires), int(o.parameters[0]) if o.parameters else None) for o in pl_ops]
    assert mine == theirs

    def body(w, x):
        qml.AngleEmbedding(x, wires=range(n), rotation="Y")
        qml.RandomLayers(w.reshape(layers, n_rot), wires=range(n), ratio_imprim=ratio, rotations=pl_rot, seed=seed)

    compare_with_pennylane(c, body, c.num_weights, n, OBS4, pl_obs4())


def test_random_layers_are_deterministic_per_seed():
    def build(seed, imprimitive="CNOT"):
        c = torchq.Circuit(5)
        torchq.random_layers(c, 3, 6, [0, 1, 2, 3, 4], imprimitive=imprimitive, seed=seed)
        return c

    assert build(7) == build(7)
    assert build(7).to_program().equal(build(7).to_program())
    assert build(7) != build(8)
    cz = [op.name for op in build(7, "CZ").operations if len(op.wires) == 2]
    assert cz and set(cz) == {"CZ"}
    # Only the entangler's name differs: the random stream is the same.
    assert [op.wires for op in build(7, "CZ").operations] == [op.wires for op in build(7).operations]
    with pytest.raises(ValueError, match="ratio_imprim must be in \\[0, 1\\)"):
        torchq.random_layers(torchq.Circuit(2), 1, 2, [0, 1], ratio_imprim=1.0)
    with pytest.raises(ValueError, match="imprimitive must be a two-wire gate"):
        torchq.random_layers(torchq.Circuit(2), 1, 2, [0, 1], imprimitive="CRX")


@pytest.mark.parametrize("n,rotation", [(1, "X"), (3, "Y")])
def test_data_reuploading_matches_pennylane(n, rotation):
    layers = 3
    c = torchq.Circuit(n, num_inputs=n + 1)
    r = torchq.data_reuploading(c, layers, list(range(n)), feature_offset=1, rotation=rotation, scale=0.8)
    assert r == range(0, layers * n * 3)
    encodings = [i for i, op in enumerate(c.operations) if op.params and op.params[0].kind == torchq.circuit.INPUT]
    assert len(encodings) == layers * n

    def body(w, x):
        wl = w.reshape(layers, n, 3)
        for l in range(layers):
            qml.AngleEmbedding(0.8 * x[1:], wires=range(n), rotation=rotation)
            ranges = [l % (n - 1) + 1] if n > 1 else None
            qml.StronglyEntanglingLayers(wl[l:l + 1], wires=range(n), ranges=ranges)

    obs = [torchq.PauliZ(q) for q in range(n)] + [torchq.PauliX(0)]
    pl = [qml.PauliZ(q) for q in range(n)] + [qml.PauliX(0)]
    compare_with_pennylane(c, body, c.num_weights, n + 1, obs, pl)


def test_data_reuploading_trains():
    # One qubit, three re-uploading layers, fit f(x) = sin(2x) on [-1, 1] (out of reach of a
    # single encoding, whose <Z> is a first-order trigonometric polynomial in x).
    torch.manual_seed(0)
    c = torchq.Circuit(1, num_inputs=1)
    torchq.data_reuploading(c, 3, [0])
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(0)], dtype=F64)
    x = torch.linspace(-1, 1, 16, dtype=F64).unsqueeze(1)
    y = torch.sin(2 * x)
    opt = torch.optim.Adam(layer.parameters(), lr=0.1)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = torch.mean((layer(x) - y) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert losses[-1] < 0.02
