"""torch.ops.torchq.sample: shapes, bit order, seeding, statistics, opcheck, rejected arguments."""

import math

import pytest
import torch

import torchq

F64 = torch.float64


def circuit():
    c = torchq.Circuit(2, num_inputs=1)
    c.rx(0, c.input(0)).cnot(0, 1)
    return c


def test_shape_and_values():
    x = torch.tensor([[0.3], [1.2], [2.5]], dtype=F64)
    s = torch.ops.torchq.sample(circuit().to_program(), torch.zeros(0, dtype=F64), x, [1, 0], 50, 7)
    assert s.shape == (3, 50, 2) and s.dtype == torch.int64
    assert set(s.unique().tolist()) <= {0, 1}
    assert torch.equal(s[..., 0], s[..., 1])  # a Bell-type state: both wires always agree


def test_bits_follow_the_wires_asked_for():
    c = torchq.Circuit(3)
    c.x(0)
    s = torch.ops.torchq.sample(c.to_program(), torch.zeros(0, dtype=F64), torch.zeros(2, 0, dtype=F64), [2, 0, 1], 10, 0)
    assert s.tolist() == [[[0, 1, 0]] * 10] * 2


def test_same_seed_same_samples_other_seed_other_samples():
    x = torch.full((2, 1), 1.1, dtype=F64)
    p, w = circuit().to_program(), torch.zeros(0, dtype=F64)
    a = torch.ops.torchq.sample(p, w, x, [0], 200, 11)
    b = torch.ops.torchq.sample(p, w, x, [0], 200, 11)
    c = torch.ops.torchq.sample(p, w, x, [0], 200, 12)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_frequencies_match_probabilities():
    a = 1.1
    shots = 20000
    s = torch.ops.torchq.sample(circuit().to_program(), torch.zeros(0, dtype=F64), torch.tensor([[a]], dtype=F64), [0],
                                shots, 3)
    p1 = math.sin(a / 2) ** 2
    freq = s.double().mean().item()
    assert abs(freq - p1) < 5 * math.sqrt(p1 * (1 - p1) / shots)


def test_opcheck():
    x = torch.rand(2, 1, dtype=F64)
    torch.library.opcheck(torch.ops.torchq.sample.default, (circuit().to_program(), torch.zeros(0, dtype=F64), x, [0, 1], 8, 5))


def test_rejects_zero_shots():
    with pytest.raises(ValueError, match="shots must be >= 1"):
        torch.ops.torchq.sample(circuit().to_program(), torch.zeros(0, dtype=F64), torch.zeros(1, 1, dtype=F64), [0], 0, 1)


def test_rejects_wire_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        torch.ops.torchq.sample(circuit().to_program(), torch.zeros(0, dtype=F64), torch.zeros(1, 1, dtype=F64), [5], 3, 1)


def test_functional_wrapper_defaults_to_all_wires():
    s = torchq.sample(circuit(), torch.zeros(0, dtype=F64), torch.zeros(1, 1, dtype=F64), shots=4, seed=2)
    assert s.shape == (1, 4, 2)
