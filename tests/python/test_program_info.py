"""torch.ops.torchq.program_info and the thread-count ops."""

import pytest
import torch

import torchq

F64 = torch.float64


def test_reports_the_header():
    c = torchq.Circuit(3, num_inputs=2)
    c.rx(0, c.weight()).ry(1, c.input(1)).cnot(0, 2).rot(2, c.weight(), 0.1, c.weight())
    assert list(torch.ops.torchq.program_info(c.to_program())) == [2, 3, 3, 2, 4]
    assert torchq.program_info(c) == [2, 3, 3, 2, 4]


def test_opcheck_schema_and_autograd_registration():
    # The result is data (int[] read from the program), so no fake kernel can produce it:
    # program_info is for eager checks, and the layers never call it inside forward.
    c = torchq.Circuit(1)
    c.h(0)
    torch.library.opcheck(torch.ops.torchq.program_info.default, (c.to_program(),),
                          test_utils=("test_schema", "test_autograd_registration"))


def test_rejects_program_with_trailing_numbers():
    c = torchq.Circuit(1)
    c.h(0)
    p = torch.cat([c.to_program(), torch.zeros(1, dtype=F64)])
    with pytest.raises(ValueError, match="trailing"):
        torch.ops.torchq.program_info(p)


def test_rejects_unsupported_version():
    p = torchq.Circuit(1).to_program()
    p[1] = 99.0
    with pytest.raises(ValueError, match="unsupported program version 99; this build reads versions 1 to 2"):
        torch.ops.torchq.program_info(p)


def test_reads_a_version_1_program_and_reports_its_version():
    # A saved model from before format 2 (3 numbers per parameter; a product's value is j).
    v1 = torch.tensor([29521, 1, 2, 1, 3, 2,
                       10, 0, 1, 1, 0, 0, 1, 0, 1.0,          # RX(w0) on wire 0
                       31, 0, 2, 1, 0, 0, 1, 3, 2, 1.0],      # MultiRZ(x2 * x1) on wires 0, 1
                      dtype=F64)
    assert torchq.program_info(v1) == [1, 2, 1, 3, 2]
    c = torchq.Circuit.from_program(v1)
    ops = c.operations
    assert ops[1].params[0] == torchq.Param(3, 2, 1.0, 1)  # kind 3, features 2 and 1, scale 1
    # Re-serialised in version 2, the same circuit.
    assert torchq.program_info(c) == [2, 2, 1, 3, 2]
    w, x = torch.tensor([0.3], dtype=F64), torch.tensor([[0.1, 0.7, 0.4]], dtype=F64)
    obs = torchq.observables_table([torchq.PauliWord("ZZ", [0, 1])])
    assert torch.equal(torch.ops.torchq.expval(v1, obs, w, x), torch.ops.torchq.expval(c.to_program(), obs, w, x))


def test_rejects_non_integer_field():
    c = torchq.Circuit(2)
    c.cnot(0, 1)
    p = c.to_program()
    p[2] = 2.5  # num_qubits
    with pytest.raises(ValueError, match="integer"):
        torch.ops.torchq.program_info(p)


def test_rejects_weight_index_out_of_range():
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    p = c.to_program()
    p[3] = 0.0  # num_weights: the RX now points past the end
    with pytest.raises(ValueError, match=r"op #0 \(RX\).*weight index 0 is out of range"):
        torch.ops.torchq.program_info(p)


def test_set_and_get_num_threads():
    before = torchq.get_num_threads()
    try:
        torchq.set_num_threads(1)
        assert torchq.get_num_threads() == 1
        torchq.set_num_threads(3)
        assert torchq.get_num_threads() == 3
        torchq.set_num_threads(0)  # follow torch
        assert torchq.get_num_threads() == torch.get_num_threads()
    finally:
        torchq.set_num_threads(0)
    assert before >= 1


def test_results_do_not_depend_on_the_thread_count():
    c = torchq.Circuit(12, num_inputs=1)
    for w in range(12):
        c.ry(w, c.input(0, scale=w + 1.0)).rx(w, c.weight())
    for w in range(11):
        c.cnot(w, w + 1)
    t = torchq.observables_table([torchq.PauliZ(11), torchq.PauliWord("XX", [0, 5])])
    w = torch.rand(12, dtype=F64, requires_grad=True)
    x = torch.rand(4, 1, dtype=F64)
    outs = []
    try:
        for n in (1, 2):
            torchq.set_num_threads(n)
            y = torch.ops.torchq.expval(c.to_program(), t, w, x)
            (g,) = torch.autograd.grad(y.sum(), w)
            outs.append((y.detach(), g))
    finally:
        torchq.set_num_threads(0)
    torch.testing.assert_close(outs[0][0], outs[1][0], rtol=0, atol=1e-14)
    torch.testing.assert_close(outs[0][1], outs[1][1], rtol=0, atol=1e-13)


def test_rejects_negative_thread_count():
    with pytest.raises(ValueError, match="thread count must be >= 1"):
        torchq.set_num_threads(-1)


def test_op_rejects_negative_thread_count():
    with pytest.raises(RuntimeError, match="thread count must be >= 1"):
        torch.ops.torchq.set_num_threads(-1)
    assert torchq.get_num_threads() >= 1


def test_rejects_absurd_thread_count():
    with pytest.raises(RuntimeError, match="at most 4096"):
        torchq.set_num_threads(10 ** 6)


def test_rejects_non_integer_thread_count():
    with pytest.raises(TypeError):
        torchq.set_num_threads(2.5)


def test_corrupted_programs_and_tables_raise_value_error_and_never_crash():
    """Random corruptions of valid programs and observable tables: each call either runs or
    raises ValueError naming the problem (a crash would end the test process)."""
    import numpy as np

    from helpers import random_circuit, random_observables

    rng = np.random.default_rng(77)
    values = [-1, 0, 1, 2, 3, 7, 50, 51, 1e9, 2.0 ** 31, -(2.0 ** 31), 0.5, float("nan"), float("inf")]
    ran = rejected = 0
    for _ in range(400):
        n = int(rng.integers(1, 5))
        p = random_circuit(rng, n, 8, num_inputs=2).to_program()
        for _ in range(int(rng.integers(1, 4))):
            p[int(rng.integers(len(p)))] = float(rng.choice(values))
        if rng.random() < 0.1:
            p = p[: int(rng.integers(len(p)))]
        o = torchq.observables_table(random_observables(rng, n, 2))
        if rng.random() < 0.5:
            o[int(rng.integers(o.shape[0])), int(rng.integers(o.shape[1]))] = float(rng.choice(values))
        try:
            info = torch.ops.torchq.program_info(p)
            if info[1] > 20 or info[2] > 1000 or info[3] > 1000:
                continue
            w = torch.rand(info[2], dtype=F64, requires_grad=True)
            x = torch.rand(2, info[3], dtype=F64, requires_grad=True)
            torch.ops.torchq.expval(p, o, w, x).sum().backward()
            torch.ops.torchq.probs(p, w, x, [0]).sum().backward()
            ran += 1
        except ValueError:
            rejected += 1
    assert ran > 10 and rejected > 100
