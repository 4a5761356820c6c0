"""torch.ops.torchq.expval: reference values, gradcheck, adjoint vs parameter shift, opcheck,
float32 vs float64, and every rejected argument."""

import math

import numpy as np
import pytest
import torch

import torchq
from helpers import random_circuit, random_observables

F64 = torch.float64


def expval(circuit, observables, weights, inputs):
    return torch.ops.torchq.expval(circuit.to_program(), torchq.observables_table(observables), weights, inputs)


def small_circuit():
    """2 qubits, 2 inputs, 4 weights: embedding, entangler, trainable rotations."""
    c = torchq.Circuit(2, num_inputs=2)
    c.ry(0, c.input(0)).rx(1, c.input(1, scale=0.5)).cnot(0, 1)
    c.rot(0, c.weight(), c.weight(), c.weight()).crz(1, 0, c.weight())
    return c


# ---- reference values ----

@pytest.mark.parametrize("a", [0.0, 0.4, -1.3, math.pi])
def test_single_qubit_rotations_match_closed_forms(a):
    c = torchq.Circuit(3, num_inputs=1)
    c.rx(0, c.input(0)).ry(1, c.input(0)).h(2).rz(2, c.input(0))
    obs = [torchq.PauliZ(0), torchq.PauliY(0), torchq.PauliX(1), torchq.PauliZ(1), torchq.PauliX(2), torchq.PauliY(2)]
    got = expval(c, obs, torch.zeros(0, dtype=F64), torch.tensor([[a]], dtype=F64))[0]
    want = torch.tensor([math.cos(a), -math.sin(a), math.sin(a), math.cos(a), math.cos(a), math.sin(a)], dtype=F64)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-14)


def test_bell_state_correlations():
    c = torchq.Circuit(2)
    c.h(0).cnot(0, 1)
    obs = [torchq.PauliWord("ZZ", [0, 1]), torchq.PauliWord("XX", [0, 1]), torchq.PauliWord("YY", [0, 1]),
           torchq.PauliZ(0), torchq.PauliX(1)]
    got = expval(c, obs, torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))[0]
    torch.testing.assert_close(got, torch.tensor([1.0, 1.0, -1.0, 0.0, 0.0], dtype=F64), rtol=0, atol=1e-14)


def test_wire_zero_is_the_most_significant_bit():
    # X on wire 0 of 2: state |10>; Z(0) = -1, Z(1) = +1. CNOT(0, 1) then flips wire 1.
    c = torchq.Circuit(2)
    c.x(0)
    z = expval(c, [torchq.PauliZ(0), torchq.PauliZ(1)], torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))
    assert z.tolist() == [[-1.0, 1.0]]
    c.cnot(0, 1)
    z = expval(c, [torchq.PauliZ(0), torchq.PauliZ(1)], torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))
    assert z.tolist() == [[-1.0, -1.0]]


def test_hamiltonian_is_the_weighted_sum_of_its_words():
    rng = np.random.default_rng(0)
    c = random_circuit(rng, 3, 12)
    w = torch.rand(c.num_weights, dtype=F64)
    x = torch.rand(4, 2, dtype=F64)
    words = [torchq.PauliWord("XZ", [0, 2]), torchq.PauliWord("Y", [1]), torchq.PauliWord("ZZZ", [0, 1, 2])]
    coeffs = [0.5, -1.25, 2.0]
    h = torchq.Hamiltonian([(0.5, "XZ", [0, 2]), (-1.25, "Y", [1]), (2.0, "ZZZ", [0, 1, 2]), (0.75, "", [])])
    parts = expval(c, words, w, x)
    total = expval(c, [h], w, x)[:, 0]
    torch.testing.assert_close(total, parts @ torch.tensor(coeffs, dtype=F64) + 0.75, rtol=0, atol=1e-13)


def test_per_sample_weights_equal_one_call_per_sample():
    rng = np.random.default_rng(1)
    c = random_circuit(rng, 3, 15)
    obs = random_observables(rng, 3)
    w = torch.rand(5, c.num_weights, dtype=F64)
    x = torch.rand(5, 2, dtype=F64)
    batched = expval(c, obs, w, x)
    for b in range(5):
        torch.testing.assert_close(batched[b], expval(c, obs, w[b], x[b:b + 1])[0], rtol=0, atol=1e-14)


def test_empty_batch_gives_empty_output():
    c = small_circuit()
    out = expval(c, [torchq.PauliZ(0)], torch.rand(4, dtype=F64), torch.zeros(0, 2, dtype=F64))
    assert out.shape == (0, 1)


# ---- gradients ----

GRAD_CASES = [(1, 6, 0), (2, 10, 2), (3, 14, 3), (4, 16, 2)]


@pytest.mark.parametrize("n,ops,features", GRAD_CASES)
def test_gradcheck_shared_weights(n, ops, features):
    rng = np.random.default_rng(10 + n)
    c = random_circuit(rng, n, ops, num_inputs=features)
    program, table = c.to_program(), torchq.observables_table(random_observables(rng, n))
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(3, features, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.expval(program, table, w, x), (w, x))


@pytest.mark.parametrize("n,ops,features", GRAD_CASES)
def test_gradcheck_per_sample_weights(n, ops, features):
    rng = np.random.default_rng(20 + n)
    c = random_circuit(rng, n, ops, num_inputs=features)
    program, table = c.to_program(), torchq.observables_table(random_observables(rng, n))
    w = torch.rand(3, c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(3, features, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.expval(program, table, w, x), (w, x))


def test_gradcheck_weights_only_and_inputs_only():
    c = small_circuit()
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(0), torchq.PauliWord("XY", [0, 1])])
    w = torch.rand(4, dtype=F64, requires_grad=True)
    x = torch.rand(2, 2, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w: torch.ops.torchq.expval(program, table, w, x.detach()), (w,))
    assert torch.autograd.gradcheck(lambda x: torch.ops.torchq.expval(program, table, w.detach(), x), (x,))


def test_gradient_only_for_what_requires_grad():
    c = small_circuit()
    w = torch.rand(4, dtype=F64, requires_grad=True)
    x = torch.rand(2, 2, dtype=F64)
    expval(c, [torchq.PauliZ(0)], w, x).sum().backward()
    assert w.grad is not None and x.grad is None


def test_amplitude_embedding_gradcheck_in_inputs():
    c = torchq.Circuit(2, num_inputs=3)
    c.amplitude_embedding([0, 1], num_features=3, pad=0.3)
    c.ry(0, c.weight()).cnot(0, 1).rx(1, c.weight())
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(1), torchq.PauliWord("XX", [0, 1])])
    w = torch.rand(2, dtype=F64, requires_grad=True)
    x = (torch.rand(2, 3, dtype=F64) + 0.5).requires_grad_()
    assert torch.autograd.gradcheck(lambda w, x: torch.ops.torchq.expval(program, table, w, x), (w, x))


def _shift_gradient(program, table, w, x, k, rule):
    """Parameter-shift derivative of the expvals with respect to weight k."""
    def f(delta):
        wd = w.clone()
        wd[k] += delta
        return torch.ops.torchq.expval(program, table, wd, x)

    if rule == 2:  # generators with eigenvalues +-1/2
        return (f(math.pi / 2) - f(-math.pi / 2)) / 2
    # four-term rule for controlled rotations (eigenvalues 0, +-1/2)
    cp, cm = (math.sqrt(2) + 1) / (4 * math.sqrt(2)), (math.sqrt(2) - 1) / (4 * math.sqrt(2))
    return cp * (f(math.pi / 2) - f(-math.pi / 2)) - cm * (f(3 * math.pi / 2) - f(-3 * math.pi / 2))


@pytest.mark.parametrize(
    "gate,rule",
    [("rx", 2), ("ry", 2), ("rz", 2), ("phase_shift", 2), ("rot", 2), ("u3", 2), ("ising_xx", 2),
     ("ising_yy", 2), ("ising_zz", 2), ("multi_rz", 2), ("crx", 4), ("cry", 4), ("crz", 4), ("crot", 4)],
)
def test_adjoint_matches_parameter_shift(gate, rule):
    c = torchq.Circuit(3, num_inputs=1)
    c.h(0).ry(1, c.input(0)).rx(2, 0.3).cnot(1, 2)
    nparams = {"rot": 3, "u3": 3, "crot": 3}.get(gate, 1)
    params = [c.weight() for _ in range(nparams)]
    if gate == "multi_rz":
        c.multi_rz([0, 1, 2], *params)
    elif gate in ("crx", "cry", "crz", "crot", "ising_xx", "ising_yy", "ising_zz"):
        getattr(c, gate)(0, 2, *params)
    else:
        getattr(c, gate)(1, *params)
    c.cnot(2, 0).h(1)
    program = c.to_program()
    table = torchq.observables_table([torchq.PauliZ(0), torchq.PauliX(1), torchq.PauliWord("YZ", [0, 2])])
    w = torch.tensor([0.7, -0.4, 1.9][:nparams], dtype=F64, requires_grad=True)
    x = torch.tensor([[0.25]], dtype=F64)
    out = torch.ops.torchq.expval(program, table, w, x)
    for k in range(nparams):
        for j in range(out.shape[1]):
            (g,) = torch.autograd.grad(out[0, j], w, retain_graph=True)
            shift = _shift_gradient(program, table, w.detach(), x, k, rule)[0, j]
            assert abs(g[k].item() - shift.item()) < 1e-12, (k, j, g[k].item(), shift.item())


def test_double_backward_is_refused():
    c = small_circuit()
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(0)])
    w = torch.rand(4, dtype=F64, requires_grad=True)
    x = torch.rand(2, 2, dtype=F64)
    (g,) = torch.autograd.grad(torch.ops.torchq.expval(program, table, w, x).sum(), w, create_graph=True)
    # A second derivative must fail loudly, never come back as a silent zero Hessian.
    with pytest.raises(RuntimeError, match="double backward|second derivatives"):
        torch.autograd.grad((g.sum() + (w ** 2).sum()), w)


# ---- dtypes ----

def test_float32_matches_float64():
    rng = np.random.default_rng(3)
    c = random_circuit(rng, 4, 20, num_inputs=3)
    program, table = c.to_program(), torchq.observables_table(random_observables(rng, 4))
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(4, 3, dtype=F64, requires_grad=True)
    w32 = w.detach().float().requires_grad_()
    x32 = x.detach().float().requires_grad_()
    y64 = torch.ops.torchq.expval(program, table, w, x)
    y32 = torch.ops.torchq.expval(program, table, w32, x32)
    assert y32.dtype == torch.float32 and y64.dtype == F64
    torch.testing.assert_close(y32.double(), y64, rtol=0, atol=2e-5)
    y64.sum().backward()
    y32.sum().backward()
    assert w32.grad.dtype == torch.float32 and x32.grad.dtype == torch.float32
    torch.testing.assert_close(w32.grad.double(), w.grad, rtol=0, atol=5e-5)
    torch.testing.assert_close(x32.grad.double(), x.grad, rtol=0, atol=5e-5)


# ---- opcheck ----

@pytest.mark.parametrize("per_sample", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_opcheck(per_sample, dtype):
    c = small_circuit()
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(0), torchq.PauliWord("XX", [0, 1])])
    w = torch.rand(*((3,) if per_sample else ()), 4, dtype=dtype, requires_grad=True)
    x = torch.rand(3, 2, dtype=dtype, requires_grad=True)
    torch.library.opcheck(torch.ops.torchq.expval.default, (program, table, w, x))
    torch.library.opcheck(torch.ops.torchq.expval.default, (program, table, w.detach(), x.detach()))


# ---- rejected arguments (one test per case) ----

@pytest.fixture
def args():
    c = small_circuit()
    return c.to_program(), torchq.observables_table([torchq.PauliZ(0)]), torch.rand(4, dtype=F64), torch.rand(3, 2, dtype=F64)


def test_rejects_wrong_weight_count(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="4 weights but the weights tensor has 5"):
        torch.ops.torchq.expval(p, o, torch.rand(5, dtype=F64), x)


def test_rejects_weights_of_three_dims(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="weights must be 1-D"):
        torch.ops.torchq.expval(p, o, w.reshape(1, 1, 4), x)


def test_rejects_one_dimensional_inputs(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="inputs must be 2-D"):
        torch.ops.torchq.expval(p, o, w, x[0])


def test_rejects_wrong_feature_count(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="reads 2 input features but inputs have 3"):
        torch.ops.torchq.expval(p, o, w, torch.rand(3, 3, dtype=F64))


def test_rejects_per_sample_batch_mismatch(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="per-sample weights have batch size 2 but inputs have 3"):
        torch.ops.torchq.expval(p, o, torch.rand(2, 4, dtype=F64), x)


def test_rejects_dtype_mismatch(args):
    p, o, w, x = args
    with pytest.raises(TypeError, match="differs from weights dtype"):
        torch.ops.torchq.expval(p, o, w.float(), x)


def test_rejects_integer_weights(args):
    p, o, w, x = args
    with pytest.raises(TypeError, match="float32 or float64"):
        torch.ops.torchq.expval(p, o, w.long(), x.long())


def test_rejects_float32_program(args):
    p, o, w, x = args
    with pytest.raises(TypeError, match="program tensor must be float64"):
        torch.ops.torchq.expval(p.float(), o, w, x)


def test_rejects_two_dimensional_program(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="program tensor must be 1-D"):
        torch.ops.torchq.expval(p.reshape(1, -1), o, w, x)


def test_rejects_program_without_magic(args):
    p, o, w, x = args
    bad = p.clone()
    bad[0] = 1.0
    with pytest.raises(ValueError, match="magic 29521"):
        torch.ops.torchq.expval(bad, o, w, x)


def test_rejects_program_with_unknown_opcode(args):
    p, o, w, x = args
    bad = p.clone()
    bad[6] = 99.0  # opcode of op #0
    with pytest.raises(ValueError, match="op #0"):
        torch.ops.torchq.expval(bad, o, w, x)


def test_program_changed_in_place_after_a_call_is_parsed_again(args):
    # Compiled programs are kept by content: a program edited in place (the same tensor, now
    # tampered with) must be validated afresh, and an edited valid one must give its own values.
    p, o, w, x = args
    p = p.clone()
    before = torch.ops.torchq.expval(p, o, w, x)
    saved = p[6].item()
    p[6] = 99.0
    with pytest.raises(ValueError, match="op #0"):
        torch.ops.torchq.expval(p, o, w, x)
    p[6] = saved
    torch.testing.assert_close(torch.ops.torchq.expval(p, o, w, x), before, rtol=0, atol=0)
    c = small_circuit()
    c.x(0)  # a different valid program: different values
    assert not torch.allclose(torch.ops.torchq.expval(c.to_program(), o, w, x), before)


def test_rejects_truncated_program(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="ends early"):
        torch.ops.torchq.expval(p[:-1], o, w, x)


def test_rejects_one_dimensional_observables(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="observables tensor must be 2-D"):
        torch.ops.torchq.expval(p, o[0], w, x)


def test_rejects_float32_observables(args):
    p, o, w, x = args
    with pytest.raises(TypeError, match="observables tensor must be float64"):
        torch.ops.torchq.expval(p, o.float(), w, x)


def test_rejects_observable_wire_out_of_range(args):
    p, o, w, x = args
    bad = o.clone()
    bad[0, 5] = 7.0  # the wire of the first factor
    with pytest.raises(ValueError, match="observable"):
        torch.ops.torchq.expval(p, bad, w, x)


def test_rejects_bad_pauli_code(args):
    p, o, w, x = args
    bad = o.clone()
    bad[0, 6] = 4.0
    with pytest.raises(ValueError, match="pauli code"):
        torch.ops.torchq.expval(p, bad, w, x)


def test_rejects_nonzero_observable_padding(args):
    p, o, w, x = args
    bad = torch.cat([o, torch.ones(1, 1, dtype=F64)], dim=1)
    with pytest.raises(ValueError, match="padding"):
        torch.ops.torchq.expval(p, bad, w, x)


def test_rejects_observable_table_without_rows(args):
    p, o, w, x = args
    with pytest.raises(ValueError, match="at least one observable"):
        torch.ops.torchq.expval(p, o[:0], w, x)


def test_non_contiguous_arguments_give_the_same_result(args):
    p, _, w, x = args
    o = torchq.observables_table([torchq.PauliZ(0), torchq.PauliWord("XY", [0, 1])])
    w_strided = torch.stack([w, torch.zeros_like(w)], dim=1).reshape(-1)[::2]
    x_t = x.t().contiguous().t()
    p_strided = torch.stack([p, p], dim=1)[:, 0]
    o_t = o.t().contiguous().t()
    assert not (w_strided.is_contiguous() or x_t.is_contiguous() or p_strided.is_contiguous() or o_t.is_contiguous())
    w_strided.requires_grad_()
    x_t.requires_grad_()
    y = torch.ops.torchq.expval(p_strided, o_t, w_strided, x_t)
    wc, xc = w.clone().requires_grad_(), x.clone().requires_grad_()
    y_ref = torch.ops.torchq.expval(p, o, wc, xc)
    torch.testing.assert_close(y, y_ref, rtol=0, atol=0)
    y.sum().backward()
    y_ref.sum().backward()
    torch.testing.assert_close(w_strided.grad, wc.grad, rtol=0, atol=0)
    torch.testing.assert_close(x_t.grad, xc.grad, rtol=0, atol=0)


def test_meta_tensors_give_shapes_only(args):
    p, o, w, x = args
    out = torch.ops.torchq.expval(p.to("meta"), o.to("meta"), w.to("meta"), x.to("meta"))
    assert out.device.type == "meta" and out.shape == (3, 1) and out.dtype == F64


def test_rejects_tensors_on_different_devices(args):
    p, o, w, x = args
    with pytest.raises(RuntimeError, match="device"):
        torch.ops.torchq.expval(p, o, w.to("meta"), x)
