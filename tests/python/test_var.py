"""torch.ops.torchq.var: reference values, consistency with expval, opcheck, rejected arguments."""

import math

import numpy as np
import pytest
import torch

import torchq
from helpers import random_circuit, random_observables

F64 = torch.float64


@pytest.mark.parametrize("a", [0.0, 0.6, 2.0])
def test_single_qubit_reference(a):
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.input(0))
    obs = [torchq.PauliZ(0), torchq.PauliY(0), torchq.PauliX(0), 3.0 * torchq.PauliZ(0)]
    got = torch.ops.torchq.var(c.to_program(), torchq.observables_table(obs), torch.zeros(0, dtype=F64),
                               torch.tensor([[a]], dtype=F64))[0]
    want = torch.tensor([math.sin(a) ** 2, math.cos(a) ** 2, 1.0, 9 * math.sin(a) ** 2], dtype=F64)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-14)


def test_pauli_word_variance_is_one_minus_expval_squared():
    rng = np.random.default_rng(8)
    c = random_circuit(rng, 3, 20, num_inputs=2)
    words = [torchq.PauliWord("XYZ", [0, 1, 2]), torchq.PauliZ(1), torchq.PauliWord("YY", [2, 0])]
    p, t = c.to_program(), torchq.observables_table(words)
    w, x = torch.rand(c.num_weights, dtype=F64), torch.rand(3, 2, dtype=F64)
    e = torch.ops.torchq.expval(p, t, w, x)
    torch.testing.assert_close(torch.ops.torchq.var(p, t, w, x), 1 - e ** 2, rtol=0, atol=1e-13)


def test_hamiltonian_variance_matches_the_state():
    rng = np.random.default_rng(9)
    c = random_circuit(rng, 2, 12, num_inputs=2)
    h = torchq.Hamiltonian([(0.5, "XZ", [0, 1]), (-1.5, "Y", [1]), (0.25, "", [])])
    w, x = torch.rand(c.num_weights, dtype=F64), torch.rand(2, 2, dtype=F64)
    psi = torch.ops.torchq.state(c.to_program(), w, x, 2)
    X = torch.tensor([[0, 1], [1, 0]], dtype=torch.complex128)
    Y = torch.tensor([[0, -1j], [1j, 0]], dtype=torch.complex128)
    Z = torch.tensor([[1, 0], [0, -1]], dtype=torch.complex128)
    I2 = torch.eye(2, dtype=torch.complex128)
    H = 0.5 * torch.kron(X, Z) - 1.5 * torch.kron(I2, Y) + 0.25 * torch.eye(4, dtype=torch.complex128)
    mean = torch.einsum("bi,ij,bj->b", psi.conj(), H, psi).real
    sq = torch.einsum("bi,ij,bj->b", psi.conj(), H @ H, psi).real
    got = torch.ops.torchq.var(c.to_program(), torchq.observables_table([h]), w, x)[:, 0]
    torch.testing.assert_close(got, sq - mean ** 2, rtol=0, atol=1e-13)


def test_float32_matches_float64():
    rng = np.random.default_rng(10)
    c = random_circuit(rng, 3, 15, num_inputs=2)
    p, t = c.to_program(), torchq.observables_table(random_observables(rng, 3))
    w, x = torch.rand(c.num_weights, dtype=F64), torch.rand(3, 2, dtype=F64)
    v64 = torch.ops.torchq.var(p, t, w, x)
    v32 = torch.ops.torchq.var(p, t, w.float(), x.float())
    assert v32.dtype == torch.float32
    torch.testing.assert_close(v32.double(), v64, rtol=0, atol=5e-5)


@pytest.mark.parametrize("per_sample", [False, True])
def test_opcheck(per_sample):
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1).rx(1, c.weight())
    t = torchq.observables_table([torchq.PauliZ(0), torchq.PauliWord("XX", [0, 1])])
    w = torch.rand(*((2,) if per_sample else ()), 1, dtype=F64)
    torch.library.opcheck(torch.ops.torchq.var.default, (c.to_program(), t, w, torch.rand(2, 1, dtype=F64)))


def test_gradient_single_qubit_analytic():
    """Var(Z) after RX(w) is sin^2 w, so its derivative is sin 2w."""
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    w = torch.tensor([0.4], dtype=F64, requires_grad=True)
    out = torch.ops.torchq.var(c.to_program(), torchq.observables_table([torchq.PauliZ(0)]), w,
                               torch.zeros(1, 0, dtype=F64))
    out.sum().backward()
    torch.testing.assert_close(w.grad, torch.sin(2 * w.detach()), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradcheck_weights_and_inputs(seed):
    """Adjoint gradients of variances of Hamiltonians, against torch's finite differences."""
    rng = np.random.default_rng(seed)
    c = random_circuit(rng, 3, 14, num_inputs=2)
    obs = torchq.observables_table(random_observables(rng, 3))
    w = torch.tensor(rng.uniform(-3, 3, c.num_weights), dtype=F64, requires_grad=True)
    x = torch.tensor(rng.uniform(-3, 3, (2, 2)), dtype=F64, requires_grad=True)
    prog = c.to_program()
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.var(prog, obs, w, x), (w, x))


def test_rejects_malformed_observables():
    c = torchq.Circuit(1)
    c.h(0)
    t = torchq.observables_table([torchq.PauliZ(0)])
    t[0, 1] = 2.0  # version
    with pytest.raises(ValueError, match="version"):
        torch.ops.torchq.var(c.to_program(), t, torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))


def test_rejects_dtype_mismatch():
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.input(0))
    t = torchq.observables_table([torchq.PauliZ(0)])
    with pytest.raises(TypeError, match="differs from weights dtype"):
        torch.ops.torchq.var(c.to_program(), t, torch.zeros(0), torch.zeros(1, 1, dtype=F64))
