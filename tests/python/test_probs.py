"""torch.ops.torchq.probs: reference values, wire order, gradcheck, opcheck, rejected arguments."""

import math

import numpy as np
import pytest
import torch

import torchq
from helpers import random_circuit

F64 = torch.float64


def test_single_qubit_reference():
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.input(0))
    a = torch.tensor([[0.0], [0.8], [math.pi]], dtype=F64)
    got = torch.ops.torchq.probs(c.to_program(), torch.zeros(0, dtype=F64), a, [0])
    want = torch.stack([torch.cos(a[:, 0] / 2) ** 2, torch.sin(a[:, 0] / 2) ** 2], dim=1)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-15)


def test_wire_order_sets_the_bit_order():
    # |q0 q1 q2> = |1 0 1>: index 0b101 = 5 with wire 0 most significant.
    c = torchq.Circuit(3)
    c.x(0).x(2)
    w, x = torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64)
    p = c.to_program()
    assert torch.ops.torchq.probs(p, w, x, [0, 1, 2])[0].argmax().item() == 5
    assert torch.ops.torchq.probs(p, w, x, [2, 1, 0])[0].argmax().item() == 5
    assert torch.ops.torchq.probs(p, w, x, [1, 0])[0].tolist() == [0.0, 1.0, 0.0, 0.0]  # q1=0, q0=1
    assert torch.ops.torchq.probs(p, w, x, [2])[0].tolist() == [0.0, 1.0]


def test_marginals_agree_with_the_state():
    rng = np.random.default_rng(5)
    c = random_circuit(rng, 4, 25, num_inputs=2)
    p = c.to_program()
    w = torch.rand(c.num_weights, dtype=F64)
    x = torch.rand(3, 2, dtype=F64)
    full = torch.ops.torchq.state(p, w, x, 4).abs() ** 2  # [B, 16]
    torch.testing.assert_close(torch.ops.torchq.probs(p, w, x, [0, 1, 2, 3]), full, rtol=0, atol=1e-14)
    # Marginal over wires [3, 1]: sum out wires 0 and 2, then order (q3, q1).
    marg = full.reshape(3, 2, 2, 2, 2).sum(dim=(1, 3)).permute(0, 2, 1).reshape(3, 4)
    torch.testing.assert_close(torch.ops.torchq.probs(p, w, x, [3, 1]), marg, rtol=0, atol=1e-14)


@pytest.mark.parametrize("per_sample", [False, True])
@pytest.mark.parametrize("n,wires", [(1, [0]), (3, [2, 0]), (4, [1, 3, 0])])
def test_gradcheck(n, wires, per_sample):
    rng = np.random.default_rng(40 + n)
    c = random_circuit(rng, n, 12, num_inputs=2)
    p = c.to_program()
    w = torch.rand(*((3,) if per_sample else ()), c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(3, 2, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.probs(p, w, x, wires), (w, x))


def test_float32_matches_float64():
    rng = np.random.default_rng(6)
    c = random_circuit(rng, 3, 15, num_inputs=2)
    p = c.to_program()
    w = torch.rand(c.num_weights, dtype=F64)
    x = torch.rand(4, 2, dtype=F64)
    p64 = torch.ops.torchq.probs(p, w, x, [0, 2])
    p32 = torch.ops.torchq.probs(p, w.float(), x.float(), [0, 2])
    assert p32.dtype == torch.float32
    torch.testing.assert_close(p32.double(), p64, rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_opcheck(dtype):
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1).rx(1, c.weight())
    w = torch.rand(1, dtype=dtype, requires_grad=True)
    x = torch.rand(2, 1, dtype=dtype, requires_grad=True)
    torch.library.opcheck(torch.ops.torchq.probs.default, (c.to_program(), w, x, [1, 0]))
    torch.library.opcheck(torch.ops.torchq.probs.default, (c.to_program(), w.detach().expand(2, 1).contiguous(), x.detach(), [0]))


def test_double_backward_is_refused():
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    w = torch.tensor([0.3], dtype=F64, requires_grad=True)
    out = torch.ops.torchq.probs(c.to_program(), w, torch.zeros(1, 0, dtype=F64), [0])
    (g,) = torch.autograd.grad(out[0, 0], w, create_graph=True)
    # d^2/dw^2 cos^2(w/2) = -cos(w)/2: refuse it loudly rather than return a silent 0.
    with pytest.raises(RuntimeError, match="double backward|second derivatives"):
        torch.autograd.grad(g.sum() + (w ** 2).sum(), w)


@pytest.fixture
def args():
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1).rx(1, c.weight())
    return c.to_program(), torch.rand(1, dtype=F64), torch.rand(2, 1, dtype=F64)


def test_rejects_repeated_wire(args):
    with pytest.raises(ValueError, match="listed twice"):
        torch.ops.torchq.probs(*args, [0, 0])


def test_rejects_wire_out_of_range(args):
    with pytest.raises(ValueError, match="wire 2 is out of range"):
        torch.ops.torchq.probs(*args, [2])


def test_rejects_negative_wire(args):
    with pytest.raises(ValueError, match="wire -1 is out of range"):
        torch.ops.torchq.probs(*args, [-1])


def test_rejects_no_wires(args):
    with pytest.raises(ValueError, match="at least one wire"):
        torch.ops.torchq.probs(*args, [])


def test_rejects_dtype_mismatch(args):
    p, w, x = args
    with pytest.raises(TypeError, match="differs from weights dtype"):
        torch.ops.torchq.probs(p, w, x.float(), [0])
