"""torch.ops.torchq.state: reference states, gradcheck on the complex output, opcheck, rejected arguments."""

import math

import numpy as np
import pytest
import torch

import torchq
from helpers import random_circuit

F64 = torch.float64


def run(c, w=None, x=None):
    w = torch.zeros(0, dtype=F64) if w is None else w
    x = torch.zeros(1, 0, dtype=F64) if x is None else x
    return torch.ops.torchq.state(c.to_program(), w, x, c.num_qubits)


def test_hadamard_on_wire_zero_is_the_high_bit():
    c = torchq.Circuit(2)
    c.h(0)
    s = 1 / math.sqrt(2)
    torch.testing.assert_close(run(c)[0], torch.tensor([s, 0, s, 0], dtype=torch.complex128), rtol=0, atol=1e-15)


def test_ghz_state():
    c = torchq.Circuit(3)
    c.h(0).cnot(0, 1).cnot(1, 2)
    want = torch.zeros(8, dtype=torch.complex128)
    want[0] = want[7] = 1 / math.sqrt(2)
    torch.testing.assert_close(run(c)[0], want, rtol=0, atol=1e-15)


def test_phases_of_rz_and_phase_shift():
    c = torchq.Circuit(1, num_inputs=1)
    c.h(0).rz(0, c.input(0))
    a = 0.9
    s = run(c, x=torch.tensor([[a]], dtype=F64))[0]
    want = torch.tensor([cmath_exp(-a / 2), cmath_exp(a / 2)], dtype=torch.complex128) / math.sqrt(2)
    torch.testing.assert_close(s, want, rtol=0, atol=1e-15)
    c2 = torchq.Circuit(1, num_inputs=1)
    c2.h(0).phase_shift(0, c2.input(0))
    s2 = run(c2, x=torch.tensor([[a]], dtype=F64))[0]
    torch.testing.assert_close(s2, torch.tensor([1, cmath_exp(a)], dtype=torch.complex128) / math.sqrt(2), rtol=0, atol=1e-15)


def cmath_exp(phi):
    return complex(math.cos(phi), math.sin(phi))


def test_amplitude_embedding_prepares_the_normalised_padded_features():
    c = torchq.Circuit(2, num_inputs=3)
    c.amplitude_embedding([0, 1], num_features=3, pad=0.5)
    x = torch.tensor([[1.0, -2.0, 0.0]], dtype=F64)
    v = torch.tensor([1.0, -2.0, 0.0, 0.5], dtype=F64)
    torch.testing.assert_close(run(c, x=x)[0], (v / v.norm()).to(torch.complex128), rtol=0, atol=1e-15)


def test_basis_embedding_sets_the_bits():
    c = torchq.Circuit(3, num_inputs=3)
    c.basis_embedding([0, 1, 2])
    out = run(c, x=torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=F64))
    assert out.abs().argmax(dim=1).tolist() == [0b101, 0b011]


def test_states_are_normalised():
    rng = np.random.default_rng(7)
    c = random_circuit(rng, 5, 40, num_inputs=2)
    s = run(c, torch.rand(c.num_weights, dtype=F64), torch.rand(4, 2, dtype=F64))
    torch.testing.assert_close(s.abs().pow(2).sum(dim=1), torch.ones(4, dtype=F64), rtol=0, atol=1e-13)


@pytest.mark.parametrize("per_sample", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_gradcheck(n, per_sample):
    rng = np.random.default_rng(50 + n)
    c = random_circuit(rng, n, 10, num_inputs=2)
    p = c.to_program()
    w = torch.rand(*((2,) if per_sample else ()), c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(2, 2, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.state(p, w, x, n), (w, x))


def test_float32_gives_complex64():
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1)
    x = torch.rand(2, 1)
    s32 = torch.ops.torchq.state(c.to_program(), torch.zeros(0), x, 2)
    s64 = torch.ops.torchq.state(c.to_program(), torch.zeros(0, dtype=F64), x.double(), 2)
    assert s32.dtype == torch.complex64 and s64.dtype == torch.complex128
    torch.testing.assert_close(s32.to(torch.complex128), s64, rtol=0, atol=1e-6)


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_opcheck(dtype):
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1).rx(1, c.weight())
    w = torch.rand(1, dtype=dtype, requires_grad=True)
    x = torch.rand(2, 1, dtype=dtype, requires_grad=True)
    torch.library.opcheck(torch.ops.torchq.state.default, (c.to_program(), w, x, 2))
    torch.library.opcheck(torch.ops.torchq.state.default, (c.to_program(), w.detach().expand(2, 1).contiguous(), x.detach(), 2))


def test_double_backward_is_refused():
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    w = torch.tensor([0.3], dtype=F64, requires_grad=True)
    out = torch.ops.torchq.state(c.to_program(), w, torch.zeros(1, 0, dtype=F64), 1)
    (g,) = torch.autograd.grad(out[0, 0].real, w, create_graph=True)
    with pytest.raises(RuntimeError, match="double backward|second derivatives"):
        torch.autograd.grad(g.sum() + (w ** 2).sum(), w)


def test_rejects_wrong_qubit_count():
    c = torchq.Circuit(2)
    c.h(0)
    with pytest.raises(ValueError, match="num_qubits=3 but the program has 2 qubits"):
        torch.ops.torchq.state(c.to_program(), torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64), 3)


def test_refuses_states_that_cannot_fit_in_memory():
    c = torchq.Circuit(40)
    c.h(0)
    with pytest.raises(RuntimeError, match="memory|bytes|GiB"):
        torch.ops.torchq.state(c.to_program(), torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64), 40)
