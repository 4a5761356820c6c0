"""Issue #9, "trust": every finding of the new-user review as a regression test.

Each test failed before its fix: uninitialised gradients from a meta tensor among CPU ones,
NaN swallowed by sampling and shot estimates, overflow in amplitude embedding and variance,
outputs outside the memory guard, an unbounded program cache, torch.func's storage error,
meta-device module init, complex inputs cast silently, stalls of tiny batches on threads,
and a wheel that does not pin the torch it was built against.
"""

import math
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
import torch

import torchq
from torchq import PauliZ, QuantumLayer

F64 = torch.float64
ROOT = pathlib.Path(__file__).resolve().parents[2]


def one_qubit():
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    return c


def no_inputs(batch=1, dtype=F64):
    return torch.zeros(batch, 0, dtype=dtype)


# ---- 1. every op checks that all its tensors are CPU tensors ----

BACKWARD_CALLS = {
    "_expval_backward": lambda g, p, o, w, x: torch.ops.torchq._expval_backward(g, p, o, w, x, True, False),
    "_var_backward": lambda g, p, o, w, x: torch.ops.torchq._var_backward(g, p, o, w, x, True, False),
    "_probs_backward": lambda g, p, o, w, x: torch.ops.torchq._probs_backward(g, p, w, x, [0], True, False),
    "_state_backward": lambda g, p, o, w, x: torch.ops.torchq._state_backward(
        g.to(torch.complex128) if g.shape[1] == 2 else g, p, w, x, 1, True, False
    ),
    "_expval_estimated_backward": lambda g, p, o, w, x: torch.ops.torchq._expval_estimated_backward(
        g, p, o, w, x, "statevector", 100, 1, 0, True, False
    ),
}


@pytest.mark.parametrize("op", sorted(BACKWARD_CALLS))
def test_backward_ops_refuse_a_meta_tensor_among_cpu_tensors(op):
    p = one_qubit().to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.rand(1, dtype=F64)
    width = 2 if op in ("_probs_backward", "_state_backward") else 1
    g_meta = torch.ones(1, width, dtype=F64, device="meta")
    with pytest.raises(RuntimeError, match="one device|CPU tensor"):
        BACKWARD_CALLS[op](g_meta, p, o, w, no_inputs())
    # and the same call on CPU gives real numbers (d<Z>/dθ = -sin θ for RX)
    gw, _ = BACKWARD_CALLS[op](torch.ones(1, width, dtype=F64), p, o, w, no_inputs())
    assert torch.isfinite(gw).all()
    if op == "_expval_backward":
        assert torch.allclose(gw, -torch.sin(w), atol=1e-12)


def test_backward_from_states_refuses_meta_final_states():
    p = one_qubit().to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.rand(1, dtype=F64)
    states = torch.zeros(1, 2, dtype=torch.complex128, device="meta")
    with pytest.raises(RuntimeError, match="one device|CPU tensor"):
        torch.ops.torchq._expval_backward_from_states(torch.ones(1, 1, dtype=F64), p, o, w, no_inputs(), states, True, False)


# ---- 2. one rule for non-finite weights and inputs: refuse, naming the tensor ----

def _nan_calls(p, o, w, x):
    return {
        "expval": lambda: torch.ops.torchq.expval(p, o, w, x),
        "var": lambda: torch.ops.torchq.var(p, o, w, x),
        "probs": lambda: torch.ops.torchq.probs(p, w, x, [0]),
        "state": lambda: torch.ops.torchq.state(p, w, x, 1),
        "sample": lambda: torch.ops.torchq.sample(p, w, x, [0], 10, 0),
        "estimated-statevector-shots": lambda: torch.ops.torchq.expval_estimated(p, o, w, x, "statevector", 100, 1, 0),
        "estimated-trajectories-shots": lambda: torch.ops.torchq.expval_estimated(p, o, w, x, "trajectories", 100, 4, 0),
        "estimated-density-shots": lambda: torch.ops.torchq.expval_estimated(p, o, w, x, "density_matrix", 100, 1, 0),
        "expval_backward": lambda: torch.ops.torchq._expval_backward(torch.ones(1, 1, dtype=F64), p, o, w, x, True, True),
    }


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["weights", "inputs"])
def test_non_finite_weights_and_inputs_are_refused_by_every_op(bad, where):
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.weight())
    c.ry(0, c.input(0))
    p = c.to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.tensor([0.3], dtype=F64)
    x = torch.tensor([[0.2]], dtype=F64)
    if where == "weights":
        w = torch.tensor([bad], dtype=F64)
    else:
        x = torch.tensor([[bad]], dtype=F64)
    for name, call in _nan_calls(p, o, w, x).items():
        with pytest.raises(ValueError, match=f"{where} hold a non-finite value"):
            call()


def test_a_diverged_shot_layer_is_not_silently_trained():
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    layer = QuantumLayer(c, [PauliZ(0)], dtype=F64, shots=1000)
    with torch.no_grad():
        layer.weights.fill_(math.nan)
    with pytest.raises(ValueError, match="non-finite"):
        layer()


# ---- 3. overflow ----

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_amplitude_embedding_of_huge_and_tiny_finite_features(dtype):
    c = torchq.Circuit(1, num_inputs=2)
    torchq.amplitude_embedding(c, [0])
    o = torchq.observables_table([PauliZ(0)])
    w = torch.zeros(0, dtype=dtype)
    huge = 1e30 if dtype == torch.float32 else 1e200
    tiny = 1e-40 if dtype == torch.float32 else 1e-320
    for x, z in (([huge, 0.0], 1.0), ([0.0, huge], -1.0), ([tiny, 0.0], 1.0), ([huge, huge], 0.0)):
        got = torch.ops.torchq.expval(c.to_program(), o, w, torch.tensor([x], dtype=dtype))
        assert got.item() == pytest.approx(z, abs=1e-6), x
        probs = torch.ops.torchq.probs(c.to_program(), w, torch.tensor([x], dtype=dtype), [0])
        assert probs.sum().item() == pytest.approx(1.0, abs=1e-6)


def test_variance_beyond_the_double_range_is_inf():
    c = torchq.Circuit(1)
    c.h(0)
    for coeff, expected in ((1e100, 1e200), (1e155, math.inf), (1e300, math.inf)):
        o = torchq.observables_table([torchq.PauliZ(0) * coeff])
        v = torch.ops.torchq.var(c.to_program(), o, torch.zeros(0, dtype=F64), no_inputs()).item()
        assert v == pytest.approx(expected, rel=1e-12) if math.isfinite(expected) else v == math.inf


# ---- 4. outputs inside the memory guard ----

@pytest.fixture
def one_gib(monkeypatch):
    monkeypatch.setenv("TORCHQ_MEMORY_LIMIT_BYTES", str(1 << 30))


def test_outputs_are_refused_before_they_are_allocated(one_gib):
    p = one_qubit().to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.rand(1, dtype=F64)
    with pytest.raises(RuntimeError, match=r"output \[2147483648, 1\].*16 GiB"):
        torch.ops.torchq.expval(p, o, w, no_inputs(2**31))
    with pytest.raises(RuntimeError, match=r"output \[1, 268435456, 1\]"):
        torch.ops.torchq.sample(p, w, no_inputs(), [0], 2**28, 0)
    with pytest.raises(ValueError, match="shots must be >= 1 and at most 2\\^40"):
        torch.ops.torchq.sample(p, w, no_inputs(), [0], 2**62, 0)
    c20 = torchq.Circuit(20)
    c20.h(0)
    with pytest.raises(RuntimeError, match=r"output \[2048, 1048576\]"):
        torch.ops.torchq.probs(c20.to_program(), torch.zeros(0, dtype=F64), no_inputs(2048), list(range(20)))
    c34 = torchq.Circuit(34)
    c34.h(0)
    with pytest.raises(RuntimeError, match=r"output \[1, 17179869184\]"):
        torch.ops.torchq.probs(c34.to_program(), torch.zeros(0, dtype=F64), no_inputs(), list(range(34)))


def test_a_bad_memory_limit_on_the_gradient_path_is_named(monkeypatch):
    monkeypatch.setenv("TORCHQ_MEMORY_LIMIT_BYTES", "lots")
    c = one_qubit()
    p = c.to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.rand(1, dtype=F64, requires_grad=True)
    with pytest.raises((RuntimeError, ValueError), match=r"^torchq\..*TORCHQ_MEMORY_LIMIT_BYTES must be a positive"):
        torch.ops.torchq.expval(p, o, w, no_inputs()).sum().backward()


_CGROUP_CHILD = textwrap.dedent(
    """
    import resource, sys, torch, torchq
    pages = int(open('/proc/self/statm').read().split()[0])
    used = pages * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + (512 << 20), used + (512 << 20)))
    c = torchq.Circuit(30)
    c.h(0)
    try:
        torch.ops.torchq.expval(c.to_program(), torchq.observables_table([torchq.PauliZ(0)]),
                                torch.zeros(0, dtype=torch.float64), torch.zeros(1, 0, dtype=torch.float64))
    except RuntimeError as e:
        print('REFUSED' if 'statevector' in str(e) and 'available' in str(e) else 'OTHER: ' + str(e))
        sys.exit(0)
    print('RAN')
    """
)


def test_address_space_limit_is_honoured_not_bad_alloc():
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", _CGROUP_CHILD], capture_output=True, text=True, env=env, timeout=120)
    assert "REFUSED" in out.stdout, out.stdout + out.stderr


# ---- 5. the program cache is bounded by bytes ----

def _rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_program_cache_is_bounded_by_bytes():
    # Sixteen distinct programs of ~300k numbers each: kept whole they held ~1 GiB.
    base = _rss_mib()
    for k in range(16):
        c = torchq.Circuit(4)
        for i in range(20000):
            c.rz(i % 4, 0.001 * (i + k))
        torchq.program_info(c.to_program())
    entries, used, max_entries, max_bytes = torch.ops.torchq._program_cache_info()
    assert used <= max_bytes and entries <= max_entries
    assert entries < 16  # the byte bound, not the entry bound, decided
    assert _rss_mib() - base < 400


# ---- 7. torch.func: a clear error naming what works ----

def test_torch_func_transforms_fail_clearly_and_per_sample_gradients_work():
    c = one_qubit()
    p = c.to_program()
    o = torchq.observables_table([PauliZ(0)])
    w = torch.rand(1, dtype=F64)

    def f(w):
        return torch.ops.torchq.expval(p, o, w, no_inputs()).sum()

    for transform in (torch.func.grad, torch.func.jacrev):
        with pytest.raises(RuntimeError, match="per-sample gradients in one call"):
            transform(f)(w)
    # What the message offers: per-sample weights give every sample's gradient in one backward.
    theta = torch.tensor([[0.1], [0.7], [1.9]], dtype=F64, requires_grad=True)
    torch.ops.torchq.expval(p, o, theta, no_inputs(3)).sum().backward()
    assert torch.allclose(theta.grad, -torch.sin(theta.detach()), atol=1e-12)


def test_vmap_without_gradients_equals_the_batched_call():
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.weight())
    c.ry(0, c.input(0))
    p, o = c.to_program(), torchq.observables_table([PauliZ(0)])
    w, x = torch.rand(1, dtype=F64), torch.rand(5, 1, dtype=F64)
    with torch.no_grad():
        mapped = torch.func.vmap(lambda xi: torch.ops.torchq.expval(p, o, w, xi[None])[0])(x)
    assert torch.equal(mapped, torch.ops.torchq.expval(p, o, w, x))


# ---- 8. meta device, module conventions, dtypes ----

def test_meta_init_then_load_state_dict_assign():
    c = torchq.Circuit(2, num_inputs=2)
    torchq.angle_embedding(c, [0, 1])
    torchq.strongly_entangling_layers(c, 1, [0, 1])
    real = QuantumLayer(c, [PauliZ(0), PauliZ(1)], dtype=F64)
    with torch.device("meta"):
        lazy = QuantumLayer(c, [PauliZ(0), PauliZ(1)], dtype=F64)
    assert lazy.weights.is_meta and lazy.program.is_meta
    lazy.load_state_dict(real.state_dict(), assign=True)
    x = torch.rand(3, 2, dtype=F64)
    assert torch.equal(lazy(x), real(x))


def test_program_info_and_draw_on_meta_say_what_to_do():
    p = one_qubit().to_program().to("meta")
    for op in (torch.ops.torchq.program_info, torch.ops.torchq.draw):
        with pytest.raises(RuntimeError, match="assign=True"):
            op(p)


def test_complex_inputs_are_refused_not_cast():
    c = torchq.Circuit(1, num_inputs=1)
    c.ry(0, c.input(0))
    layer = QuantumLayer(c, [PauliZ(0)], dtype=F64)
    with pytest.raises(ValueError, match="must be real"):
        layer(torch.tensor([[0.5 + 1j]]))
    assert layer(torch.tensor([[0.5]], dtype=torch.float32)).dtype == F64  # real dtypes convert


def test_empty_batch_with_per_sample_weights():
    out = torch.ops.torchq.expval(
        one_qubit().to_program(), torchq.observables_table([PauliZ(0)]), torch.zeros(0, 1, dtype=F64), no_inputs(0)
    )
    assert out.shape == (0, 1)


# ---- 11. messages ----

def test_messages_have_no_double_spaces():
    c = torchq.Circuit(2)
    with pytest.raises(ValueError) as e:
        c.cnot(0, 0)
    assert "  " not in str(e.value)
    # Every field of a program set to 7 in turn: whatever each message says, never "  ".
    program = torchq.Circuit(2).cnot(0, 1).to_program()
    messages = []
    for i in range(len(program)):
        bad = program.clone()
        bad[i] = 7.0
        try:
            torch.ops.torchq.program_info(bad)
        except (ValueError, RuntimeError) as e:
            messages.append(str(e))
    assert any("wire 7 is out of range" in m for m in messages)
    assert all("  " not in m for m in messages), [m for m in messages if "  " in m]


# ---- 10. the wheel pins the torch it was built against ----

def test_wheel_metadata_pins_the_build_torch():
    sys.path.insert(0, str(ROOT / "build_backend"))
    try:
        from torchq_build_metadata import dynamic_metadata  # noqa: PLC0415 - the build backend's plugin
    finally:
        sys.path.pop(0)
    deps = dynamic_metadata({}, {"name": "torchq"})["dependencies"]
    assert f"torch=={torch.__version__.split('+')[0]}" in deps


def test_installed_wheel_declares_the_pinned_torch():
    from importlib import metadata  # noqa: PLC0415

    try:
        requires = metadata.requires("torchq") or []
    except metadata.PackageNotFoundError:
        pytest.fail("torchq is not installed: scripts/setup.sh installs it with pip install --no-build-isolation .")
    assert f"torch=={torch.__version__.split('+')[0]}" in requires, requires
