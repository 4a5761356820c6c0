"""expval's training path: the forward keeps the final states and the backward starts from them.

The kept-state backward must give the same gradients as the backward that runs the circuit
again (torch.ops.torchq._expval_backward), for weights and inputs, both precisions, amplitude
embeddings included; autograd must pick it only when gradients are wanted and the states fit
(TORCHQ_KEEP_STATES_MB), and refuse a final_states tensor of the wrong shape or dtype.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import torchq
from helpers import random_circuit, random_observables

F64 = torch.float64


def op_args(rng, dtype, amplitude=False, batch=4):
    n = 4
    c = torchq.Circuit(n, num_inputs=(1 << n) if amplitude else 2)
    if amplitude:
        c.amplitude_embedding(list(range(n)), 0)
    random_circuit(rng, n, 25, num_inputs=c.num_inputs, circuit=c)
    obs = torchq.observables_table(random_observables(rng, n, count=3), n)
    w = torch.tensor(rng.uniform(-2, 2, size=c.num_weights), dtype=dtype)
    x = torch.tensor(rng.uniform(0.1, 1.5, size=(batch, c.num_inputs)), dtype=dtype)
    return c.to_program(), obs, w, x


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-12), (torch.float32, 2e-5)])
@pytest.mark.parametrize("amplitude", [False, True])
def test_backward_from_kept_states_equals_the_rerun_backward(dtype, tol, amplitude):
    rng = np.random.default_rng(11 if amplitude else 7)
    program, obs, w, x = op_args(rng, dtype, amplitude)
    values, states = torch.ops.torchq._expval_keep_states(program, obs, w, x)
    torch.testing.assert_close(values, torch.ops.torchq.expval(program, obs, w, x), rtol=0, atol=tol)
    assert states.dtype == (torch.complex128 if dtype == F64 else torch.complex64)
    assert states.shape == (x.shape[0], 16)
    torch.testing.assert_close(states, torch.ops.torchq.state(program, w, x, 4), rtol=0, atol=tol)
    g = torch.tensor(rng.normal(size=values.shape), dtype=dtype)
    kept = torch.ops.torchq._expval_backward_from_states(g, program, obs, w, x, states, True, True)
    rerun = torch.ops.torchq._expval_backward(g, program, obs, w, x, True, True)
    assert kept[0].abs().max() > 0.01  # the comparison is not between zeros
    torch.testing.assert_close(kept[0], rerun[0], rtol=0, atol=tol * 10)
    torch.testing.assert_close(kept[1], rerun[1], rtol=0, atol=tol * 10)
    # The kept states are read, not consumed: a second backward (retain_graph) sees them unchanged.
    before = states.clone()
    torch.ops.torchq._expval_backward_from_states(g, program, obs, w, x, states, True, False)
    assert torch.equal(states, before)


def layer(n=4, layers=2):
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)), feature_offset=0, rotation="Y")
    torchq.strongly_entangling_layers(c, layers, list(range(n)))
    return torchq.QuantumLayer(c, [torchq.PauliZ(i) for i in range(n)], dtype=F64)


def test_autograd_keeps_states_only_when_gradients_are_wanted():
    torch.manual_seed(0)
    m = layer()
    x = torch.rand(3, 4, dtype=F64)
    assert "ExpvalKeepingStates" in m(x).grad_fn.name()
    with torch.no_grad():
        assert m(x).grad_fn is None
    m.weights.requires_grad_(False)
    assert m(x).grad_fn is None
    assert "ExpvalKeepingStates" in m(x.requires_grad_()).grad_fn.name()


def test_kept_path_gradients_match_gradcheck_and_survive_retain_graph():
    torch.manual_seed(1)
    m = layer(3, 2)
    x = torch.rand(2, 3, dtype=F64, requires_grad=True)
    program, obs = m.program, m.observables
    torch.autograd.gradcheck(lambda w, xx: torch.ops.torchq.expval(program, obs, w, xx),
                             (m.weights.detach().clone().requires_grad_(), x), atol=1e-7)
    y = m(x).sum()
    y.backward(retain_graph=True)
    first = m.weights.grad.clone()
    m.weights.grad = None
    y.backward()
    torch.testing.assert_close(m.weights.grad, first, rtol=0, atol=0)


SCRIPT = textwrap.dedent("""
    import torch, torchq
    torch.manual_seed(0)
    c = torchq.Circuit(3, num_inputs=3)
    torchq.angle_embedding(c, [0, 1, 2], feature_offset=0, rotation="Y")
    torchq.strongly_entangling_layers(c, 2, [0, 1, 2])
    m = torchq.QuantumLayer(c, [torchq.PauliZ(i) for i in range(3)], dtype=torch.float64)
    y = m(torch.linspace(0.1, 0.9, 6, dtype=torch.float64).reshape(2, 3))
    y.sum().backward()
    print(y.grad_fn.name())
    print(" ".join(repr(v) for v in m.weights.grad.tolist()))
""")


def run_with_limit(mb):
    env = dict(os.environ, TORCHQ_KEEP_STATES_MB=mb)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.abspath(__file__)))
    name, grads = out.stdout.strip().splitlines()[-2:]
    return name, np.array([float(v) for v in grads.split()])


def test_limit_zero_turns_keeping_off_with_the_same_gradients():
    kept_name, kept = run_with_limit("1024")
    rerun_name, rerun = run_with_limit("0")
    assert "ExpvalKeepingStates" in kept_name
    assert "ExpvalKeepingStates" not in rerun_name
    np.testing.assert_allclose(kept, rerun, rtol=0, atol=1e-13)


@pytest.mark.parametrize("bad", ["shape", "dtype", "batch"])
def test_backward_refuses_final_states_that_do_not_fit(bad):
    rng = np.random.default_rng(3)
    program, obs, w, x = op_args(rng, F64)
    _, states = torch.ops.torchq._expval_keep_states(program, obs, w, x)
    states = {"shape": states[:, :8], "dtype": states.to(torch.complex64), "batch": states[:2]}[bad]
    g = torch.ones(x.shape[0], obs.shape[0], dtype=F64)
    with pytest.raises(ValueError, match="final_states must be the ComplexDouble CPU tensor"):
        torch.ops.torchq._expval_backward_from_states(g, program, obs, w, x, states, True, True)
