"""The schema walker: every torch.ops.torchq operator is registered completely, so the next op
cannot ship half registered (a CPU kernel without its Meta kernel, a differentiable op without
its Autograd kernel, a tensor op without the device refusal).

The walk starts from the dispatcher's list of registered ops, not from a list kept here: a new
op in ops/<op>.cpp is checked as soon as it exists, and first fails
test_every_op_is_classified until it is entered in OPS below with what it is.
"""

import pytest
import torch

import torchq  # also loads libtorchq_ops.so

# Every op and what it is. "differentiable": its outputs carry gradients, so it has an Autograd
# kernel (the backward ops' kernel refuses double backward). "not differentiable": its outputs
# are integers, text or sizes, or it is an internal step whose gradient goes through another op.
DIFFERENTIABLE = {
    "expval", "var", "probs", "state", "expval_estimated",
    "_expval_backward", "_var_backward", "_probs_backward", "_state_backward",
    "_expval_estimated_backward", "_expval_backward_from_states",
}
NOT_DIFFERENTIABLE = {
    "sample": "integer measurement outcomes",
    "program_info": "sizes read from the program",
    "_check": "the layers' buffer check; returns program_info",
    "draw": "text",
    "_expval_keep_states": "expval's internal forward for training; differentiate torchq.expval",
    "set_num_threads": "a setting",
    "get_num_threads": "a setting",
    "_program_cache_info": "diagnostics of the compiled-program cache",
    "_observables_table": "the observable table made from lists of terms",
    "_observables_from_table": "lists of terms read from an observable table",
    "_observable_labels": "text",
    "_gate_table": "the core's gate table",
    "_find_gate": "an opcode",
    "_constants": "the core's limits",
}
OPS = DIFFERENTIABLE | set(NOT_DIFFERENTIABLE)
BACKWARD_OPS = {name for name in DIFFERENTIABLE if name.startswith("_")}
DEVICE_KEYS = ("CUDA", "MPS", "XPU")


def _registered():
    names = sorted(n for n in torch._C._dispatch_get_all_op_names() if n.startswith("torchq::"))
    return [n.split("::", 1)[1] for n in names]


def _schemas():
    return {s.name.split("::", 1)[1]: s for s in torch._C._jit_get_all_schemas() if s.name.startswith("torchq::")}


def _takes_tensors(schema):
    return any("Tensor" in str(a.type) for a in schema.arguments)


def _has(name, key):
    return torch._C._dispatch_has_kernel_for_dispatch_key("torchq::" + name, key)


REGISTERED = _registered()
SCHEMAS = _schemas()
TENSOR_OPS = sorted(n for n in REGISTERED if _takes_tensors(SCHEMAS[n]))


def test_the_walk_sees_the_ops():
    # Guards the walker itself: an empty or partial list would make every test below vacuous.
    assert len(REGISTERED) >= 17
    assert {"expval", "probs", "program_info", "set_num_threads"} <= set(REGISTERED)
    assert set(REGISTERED) == set(SCHEMAS)
    assert "set_num_threads" not in TENSOR_OPS and "expval" in TENSOR_OPS


def test_every_op_is_classified():
    unknown = sorted(set(REGISTERED) - OPS)
    assert not unknown, (
        f"new torchq op(s) {unknown}: enter each in DIFFERENTIABLE or NOT_DIFFERENTIABLE of "
        "tests/python/test_op_registry.py, and register its CPU, Meta, device refusal "
        "(ops/device_refusal.cpp) and, if differentiable, Autograd kernels"
    )
    gone = sorted(OPS - set(REGISTERED))
    assert not gone, f"op(s) {gone} are listed in tests/python/test_op_registry.py but not registered"


@pytest.mark.parametrize("name", TENSOR_OPS)
def test_tensor_op_has_cpu_kernel(name):
    assert _has(name, "CPU"), f"torchq::{name} has no CPU kernel (ops/cpu/)"


@pytest.mark.parametrize("name", TENSOR_OPS)
def test_tensor_op_has_meta_kernel(name):
    # Meta kernels let torch.export, torch.compile and FakeTensor tracing run the op on shapes; an
    # op whose output size depends on the program's data still needs one, if only to refuse with
    # a clear message instead of the dispatcher's "could not run ... with arguments from the 'Meta'
    # backend".
    assert _has(name, "Meta"), f"torchq::{name} has no Meta kernel (ops/meta/)"


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable_op_has_autograd_kernel(name):
    assert _has(name, "Autograd"), f"torchq::{name} is differentiable but has no Autograd kernel (ops/autograd/)"


@pytest.mark.parametrize("name", TENSOR_OPS)
def test_tensor_op_has_device_refusal(name):
    missing = [key for key in DEVICE_KEYS if not _has(name, key)]
    assert not missing, f"torchq::{name} takes tensors but has no {missing} kernel: add it to kTensorOps in ops/device_refusal.cpp"


def test_ops_without_tensors_need_no_kernels():
    # set_num_threads / get_num_threads are plain functions (CompositeImplicitAutograd), callable
    # on any device.
    for name in sorted(set(REGISTERED) - set(TENSOR_OPS)):
        assert _has(name, "CompositeImplicitAutograd"), name


def _dummy(arg):
    """A value of the argument's type. The refusal kernel reads types only, never values."""
    t = str(arg.type)
    if t == "Tensor":
        return torch.zeros(1, dtype=torch.float64)
    if t in ("Optional[Tensor]", "Optional[int]", "Optional[List[int]]"):
        return None
    if t == "List[int]":
        return [0]
    if t == "int":
        return 1
    if t == "bool":
        return False
    if t == "str":
        return "statevector"
    raise AssertionError(f"the walker has no sample value of type {t}; add one to _dummy")


@pytest.mark.parametrize("key", DEVICE_KEYS)
@pytest.mark.parametrize("name", TENSOR_OPS)
def test_device_refusal_says_what_to_do(name, key):
    # Without such a device the refusal kernel is reached by redispatching to its key; it must
    # name the op and say that torchq runs on the CPU and how to move the tensors, not the
    # dispatcher's generic "could not run" (which the absence of the kernel would give).
    op = getattr(torch.ops.torchq, name).default
    args = [_dummy(a) for a in SCHEMAS[name].arguments]
    with pytest.raises(RuntimeError) as info:
        op.redispatch(torch._C.DispatchKeySet(getattr(torch._C.DispatchKey, key)), *args)
    message = str(info.value)
    assert f"torchq::{name}: torchq simulates on the CPU" in message
    assert "with .cpu()" in message


# ---- behaviour behind the Autograd classification ----

def _circuit():
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).rx(1, c.weight()).cnot(0, 1)
    return c


def _forward_calls():
    program = _circuit().to_program()
    obs = torchq.observables_table([torchq.PauliZ(1), torchq.PauliX(0)])
    return {
        "expval": lambda w, x: torch.ops.torchq.expval(program, obs, w, x),
        "var": lambda w, x: torch.ops.torchq.var(program, obs, w, x),
        "probs": lambda w, x: torch.ops.torchq.probs(program, w, x, [0, 1]),
        "state": lambda w, x: torch.view_as_real(torch.ops.torchq.state(program, w, x, 2)),
        "expval_estimated": lambda w, x: torch.ops.torchq.expval_estimated(
            program, obs, w, x, "density_matrix", 0, 1, 0
        ),
    }


@pytest.mark.parametrize("name", sorted(_forward_calls()))
def test_double_backward_is_refused_by_name(name):
    # The backward ops' Autograd kernels exist to refuse second derivatives with a message (a
    # missing kernel would silently give wrong second derivatives or none).
    w = torch.tensor([0.4], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([[0.7]], dtype=torch.float64, requires_grad=True)
    y = _forward_calls()[name](w, x)
    gw, gx = torch.autograd.grad((y * torch.rand_like(y)).sum(), (w, x), create_graph=True)
    assert torch.isfinite(gw).all() and gw.abs().sum() > 0
    with pytest.raises(RuntimeError, match=r"second derivatives \(double backward\) are not supported"):
        torch.autograd.grad((gw.sum() + gx.sum()), (w, x))


def test_backward_ops_cover_each_differentiable_forward():
    forwards = DIFFERENTIABLE - BACKWARD_OPS
    assert forwards == set(_forward_calls())
    for f in forwards:
        assert f"_{f}_backward" in BACKWARD_OPS, f


def test_internal_keep_states_op_does_not_give_silent_none_gradients():
    # _expval_keep_states returns floating outputs. Without an Autograd kernel of its own, torch's
    # fallback lets a caller backpropagate through it and get None gradients with only a warning
    # (a fallthrough kernel would drop the warning too). It must refuse, naming itself, or
    # differentiate correctly; never answer None.
    program = _circuit().to_program()
    obs = torchq.observables_table([torchq.PauliZ(1)])
    w = torch.tensor([0.4], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([[0.7]], dtype=torch.float64)
    try:
        out, _ = torch.ops.torchq._expval_keep_states(program, obs, w, x)  # may refuse at once
        (g,) = torch.autograd.grad(out.sum(), w, allow_unused=True)
    except RuntimeError as e:
        assert "_expval_keep_states" in str(e)
        return
    assert g is not None, "gradient through _expval_keep_states is silently None"
    want = torch.autograd.grad(torch.ops.torchq.expval(program, obs, w, x).sum(), w)[0]
    torch.testing.assert_close(g, want)
