"""QuantumLayer: forward, dtypes, measures, state_dict safety, TorchScript, nn.Sequential,
DataLoader and optimizers."""

import math

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import torchq
from torchq import PauliWord, PauliZ, QuantumLayer

F64 = torch.float64


def make_circuit(n=3, layers=2):
    c = torchq.Circuit(n, num_inputs=n)
    torchq.angle_embedding(c, list(range(n)))
    torchq.strongly_entangling_layers(c, layers, list(range(n)))
    return c


def make_layer(dtype=torch.float32, **kw):
    return QuantumLayer(make_circuit(), [PauliZ(0), PauliWord("XY", [1, 2]), 0.5 * PauliZ(2) - PauliZ(0)], dtype=dtype, **kw)


# ---- forward ----

def test_forward_matches_the_op():
    layer = make_layer(F64)
    x = torch.rand(5, 3, dtype=F64)
    want = torch.ops.torchq.expval(layer.program, layer.observables, layer.weights, x)
    assert torch.equal(layer(x), want)


def test_output_shapes():
    layer = make_layer()
    assert layer(torch.rand(4, 3)).shape == (4, 3)
    assert layer(torch.rand(3)).shape == (3,)
    assert layer(torch.rand(2, 5, 3)).shape == (2, 5, 3)
    x = torch.rand(2, 5, 3)
    torch.testing.assert_close(layer(x)[1, 2], layer(x[1, 2]))


def test_circuit_without_inputs_takes_no_argument():
    c = torchq.Circuit(2)
    c.ry(0, c.weight()).cnot(0, 1)
    layer = QuantumLayer(c, [PauliZ(1)], dtype=F64)
    out = layer()
    assert out.shape == (1,)
    torch.testing.assert_close(out, torch.cos(layer.weights.detach()), rtol=0, atol=1e-15)


def test_default_weights_are_uniform_in_two_pi():
    layer = make_layer()
    assert layer.weights.shape == (18,) and layer.weights.dtype == torch.float32 and layer.weights.requires_grad
    assert bool(((layer.weights >= 0) & (layer.weights < 2 * math.pi)).all())
    assert layer.weights.std() > 0.5


def test_weight_init_callable_and_values():
    layer = make_layer(weight_init=lambda w: nn.init.constant_(w, 0.25))
    assert bool((layer.weights == 0.25).all())
    values = torch.arange(18, dtype=F64).reshape(2, 3, 3)  # PennyLane's [L, n, 3] shape
    layer = make_layer(F64, weight_init=values)
    assert torch.equal(layer.weights.detach(), values.reshape(-1))


def test_weight_init_with_wrong_count_is_rejected():
    with pytest.raises(ValueError, match="weight_init has 5 numbers but the circuit has 18 weights"):
        make_layer(weight_init=torch.zeros(5))


def test_float32_and_float64_layers_agree():
    l64 = make_layer(F64)
    l32 = make_layer(torch.float32, weight_init=l64.weights.detach())
    x = torch.rand(6, 3, dtype=F64)
    y32 = l32(x.float())
    assert y32.dtype == torch.float32
    torch.testing.assert_close(y32.double(), l64(x), rtol=0, atol=1e-5)


def test_inputs_of_another_dtype_are_converted():
    layer = make_layer(torch.float32)
    x = torch.rand(2, 3, dtype=F64, requires_grad=True)
    y = layer(x)
    assert y.dtype == torch.float32
    y.sum().backward()
    assert x.grad is not None and x.grad.dtype == F64


def test_gradcheck_through_the_layer():
    layer = make_layer(F64)
    w = layer.weights.detach().clone().requires_grad_()
    x = torch.rand(3, 3, dtype=F64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda w, x: torch.func.functional_call(layer, {"weights": w}, (x,)), (w, x))


def test_probs_measure():
    layer = QuantumLayer(make_circuit(), measure="probs", wires=[2, 0], dtype=F64)
    x = torch.rand(4, 3, dtype=F64)
    p = layer(x)
    assert p.shape == (4, 4)
    torch.testing.assert_close(p.sum(dim=1), torch.ones(4, dtype=F64), rtol=0, atol=1e-14)
    torch.testing.assert_close(p, torchq.probs(layer.program, layer.weights, x, [2, 0]), rtol=0, atol=0)
    assert QuantumLayer(make_circuit(), measure="probs")(x.float()).shape == (4, 8)


def test_var_measure_without_grad():
    layer = make_layer(F64, measure="var")
    x = torch.rand(3, 3, dtype=F64)
    with torch.no_grad():
        v = layer(x)
        want = torch.ops.torchq.var(layer.program, layer.observables, layer.weights, x)
    assert torch.equal(v, want)


def test_rejects_unknown_measure():
    with pytest.raises(ValueError, match="measure must be one of"):
        make_layer(measure="sample")


def test_rejects_expval_without_observables():
    with pytest.raises(ValueError, match="needs observables"):
        QuantumLayer(make_circuit())


def test_rejects_probs_with_observables():
    with pytest.raises(ValueError, match="measures wires, not observables"):
        QuantumLayer(make_circuit(), [PauliZ(0)], measure="probs")


def test_rejects_probs_wire_out_of_range():
    with pytest.raises(ValueError, match="wires must be distinct wires in 0..2"):
        QuantumLayer(make_circuit(), measure="probs", wires=[3])


def test_rejects_observable_beyond_the_circuit():
    with pytest.raises(ValueError, match="wire 3 is out of range"):
        QuantumLayer(make_circuit(), [PauliZ(3)])


def test_rejects_integer_dtype():
    with pytest.raises(ValueError, match="dtype must be torch.float32 or torch.float64"):
        make_layer(dtype=torch.int64)


def test_rejects_inputs_with_wrong_feature_count():
    with pytest.raises(ValueError, match="reads 3 input features but inputs have 2"):
        make_layer()(torch.rand(4, 2))


def test_dtype_conversions_keep_program_and_observables_float64():
    layer = make_layer(F64)
    program, table = layer.program.clone(), layer.observables.clone()
    x = torch.rand(2, 3)
    layer.float()
    assert layer.weights.dtype == torch.float32
    assert layer.program.dtype == F64 and layer.observables.dtype == F64
    assert torch.equal(layer.program, program) and torch.equal(layer.observables, table)
    layer.half()
    assert torch.equal(layer.program, program)
    layer.to(F64)
    assert layer.weights.dtype == F64 and layer(x).dtype == F64


def test_repr_and_draw():
    layer = make_layer()
    text = repr(layer)
    assert "num_qubits=3" in text and "num_weights=18" in text and "num_inputs=3" in text
    assert "observables=[Z(0), X(1) @ Y(2), 0.5*Z(2) - Z(0)]" in text
    drawing = layer.draw()
    assert drawing == torch.ops.torchq.draw(layer.program, layer.observables)  # the core's drawing
    lines = drawing.splitlines()
    assert lines[0].startswith("0: ─RX(x0)──Rot(w0,w1,w2)") and lines[0].endswith("┤ <0> <2>")
    assert lines[3:] == ["<0> expval Z(0)", "<1> expval X(1) @ Y(2)", "<2> expval 0.5*Z(2) - Z(0)"]
    probs = QuantumLayer(make_circuit(), measure="probs", wires=[1])
    assert "wires=[1]" in repr(probs) and probs.draw().splitlines()[1].endswith("┤ Probs")
    assert probs.draw() == torch.ops.torchq.draw(probs.program, None, "probs", [1])


# ---- state_dict ----

def test_state_dict_carries_program_observables_and_weights():
    layer = make_layer(F64)
    sd = layer.state_dict()
    assert set(sd) == {"weights", "program", "observables"}
    assert sd["program"].dtype == F64 and sd["observables"].dtype == F64
    other = make_layer(F64)
    other.load_state_dict(sd)
    x = torch.rand(3, 3, dtype=F64)
    assert torch.equal(other(x), layer(x))


def test_loading_another_valid_circuit_updates_the_layer():
    a = torchq.Circuit(2, num_inputs=1)
    a.rx(0, a.weight()).cnot(0, 1)
    b = torchq.Circuit(2, num_inputs=1)
    b.ry(1, b.weight()).cz(1, 0)
    la, lb = QuantumLayer(a, [PauliZ(1)], dtype=F64), QuantumLayer(b, [PauliZ(0)], dtype=F64)
    la.load_state_dict(lb.state_dict())
    assert la.circuit == b and la.observable_list == [PauliZ(0)]
    x = torch.rand(2, 1, dtype=F64)
    assert torch.equal(la(x), lb(x))


def _assert_rejected(layer, sd, match):
    before = {k: v.clone() for k, v in layer.state_dict().items()}
    with pytest.raises(RuntimeError, match=match):
        layer.load_state_dict(sd)
    for k, v in layer.state_dict().items():  # nothing was copied
        assert torch.equal(v, before[k])


def test_rejects_state_dict_with_unknown_opcode():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["program"][6] = 99.0
    _assert_rejected(layer, sd, r"not a valid torchq program.*op #0")


def test_rejects_state_dict_with_wire_out_of_range():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["program"][6 + 5] = 7.0  # the wire of op #0
    _assert_rejected(layer, sd, r"not a valid torchq program.*out of range")


def test_rejects_state_dict_whose_program_wants_other_weights():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["program"][3] = 17.0  # num_weights
    _assert_rejected(layer, sd, "weight index 17 is out of range|17 weights")


def test_rejects_state_dict_with_float32_program():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["program"] = sd["program"].float()
    _assert_rejected(layer, sd, "program buffer must be a 1-D float64 tensor")


def test_rejects_state_dict_with_tampered_observables():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["observables"][0, 5] = 9.0  # the wire of observable #0
    _assert_rejected(layer, sd, "observables do not fit the program")


def test_rejects_state_dict_with_wrong_weight_count():
    layer = make_layer(F64)
    sd = make_layer(F64).state_dict()
    sd["weights"] = torch.zeros(5, dtype=F64)
    _assert_rejected(layer, sd, "18 weights but the weights tensor has 5")


def test_tampered_program_buffer_is_refused_on_forward():
    layer = make_layer(F64)
    with torch.no_grad():
        layer.program[6] = 99.0
    with pytest.raises(ValueError, match="op #0"):
        layer(torch.rand(1, 3, dtype=F64))


# ---- TorchScript ----

def _round_trip(module, path):
    torch.jit.save(module, str(path))
    return torch.jit.load(str(path))


def _outputs_and_grads(module, x):
    x = x.clone().requires_grad_()
    y = module(x)
    params = [p for p in module.parameters()]
    grads = torch.autograd.grad((y * torch.linspace(0.5, 1.5, y.shape[-1], dtype=y.dtype)).sum(), params + [x])
    return y.detach(), grads


@pytest.mark.parametrize("measure", ["expval", "probs"])
@pytest.mark.parametrize("how", ["script", "trace"])
def test_torchscript_round_trip(tmp_path, how, measure):
    layer = make_layer(F64) if measure == "expval" else QuantumLayer(make_circuit(), measure="probs", wires=[0, 2], dtype=F64)
    x = torch.rand(4, 3, dtype=F64)
    compiled = torch.jit.script(layer) if how == "script" else torch.jit.trace(layer, x)
    loaded = _round_trip(compiled, tmp_path / "layer.pt")
    y0, g0 = _outputs_and_grads(layer, x)
    y1, g1 = _outputs_and_grads(loaded, x)
    assert torch.equal(y0, y1)
    for a, b in zip(g0, g1):
        assert torch.equal(a, b)
    # A traced module records the ops, not the batch size.
    x2 = torch.rand(7, 3, dtype=F64)
    assert torch.equal(loaded(x2), layer(x2))
    assert set(loaded.state_dict()) == {"weights", "program", "observables"}


def test_scripted_layer_handles_unbatched_and_leading_dimensions():
    layer = make_layer()
    scripted = torch.jit.script(layer)
    for x in (torch.rand(3), torch.rand(2, 5, 3)):
        assert torch.equal(scripted(x), layer(x))
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    no_inputs = QuantumLayer(c, [PauliZ(0)])
    assert torch.equal(torch.jit.script(no_inputs)(), no_inputs())


# ---- composition ----

def hybrid_model():
    return nn.Sequential(nn.Linear(4, 3), nn.Tanh(), make_layer(), nn.Linear(3, 1))


def test_sequential_gradients_reach_every_parameter(tmp_path):
    model = hybrid_model()
    x = torch.rand(8, 4)
    model(x).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    scripted = _round_trip(torch.jit.script(model), tmp_path / "model.pt")
    assert torch.allclose(scripted(x), model(x), rtol=0, atol=0)


def test_dataloader_batches_match_one_big_batch():
    layer = make_layer(F64)
    x = torch.rand(10, 3, dtype=F64)
    loader = DataLoader(TensorDataset(x), batch_size=4, shuffle=False)
    outs = [layer(batch) for (batch,) in loader]
    assert [o.shape[0] for o in outs] == [4, 4, 2]
    torch.testing.assert_close(torch.cat(outs), layer(x), rtol=0, atol=0)


# ---- training ----

def _regression_task():
    torch.manual_seed(0)
    x = torch.rand(16, 2, dtype=F64) * math.pi
    target = torch.cos(x[:, :1]) * torch.cos(x[:, 1:]) * 0.8
    c = torchq.Circuit(2, num_inputs=2)
    torchq.angle_embedding(c, [0, 1], rotation="Y")
    torchq.strongly_entangling_layers(c, 2, [0, 1])
    layer = QuantumLayer(c, [PauliWord("ZZ", [0, 1])], dtype=F64, weight_init=lambda w: nn.init.normal_(w, std=0.3))
    return layer, x, target


@pytest.mark.parametrize("make_opt,steps", [
    (lambda p: torch.optim.SGD(p, lr=0.2), 30),
    (lambda p: torch.optim.Adam(p, lr=0.05), 30),
    (lambda p: torch.optim.LBFGS(p, lr=0.5, max_iter=5), 4),
])
def test_optimizers_reduce_the_loss(make_opt, steps):
    layer, x, target = _regression_task()
    opt = make_opt(layer.parameters())

    def closure():
        opt.zero_grad()
        loss = nn.functional.mse_loss(layer(x), target)
        loss.backward()
        return loss

    with torch.no_grad():
        start = nn.functional.mse_loss(layer(x), target).item()
    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        end = nn.functional.mse_loss(layer(x), target).item()
    assert end < 0.5 * start, (start, end)


def test_torch_compile_and_export(tmp_path):
    """TorchScript's successors: the Meta kernels let torch.compile (fullgraph) and torch.export
    trace the layer; gradients still come from the adjoint backward."""
    layer = make_layer(F64)
    x = torch.rand(4, 3, dtype=F64)
    y0, g0 = _outputs_and_grads(layer, x)
    compiled = torch.compile(layer, backend="aot_eager", fullgraph=True)
    y1, g1 = _outputs_and_grads(compiled, x)
    torch.testing.assert_close(y1, y0, rtol=0, atol=0)
    for a, b in zip(g0, g1):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    exported = torch.export.export(layer, (x,))
    torch.export.save(exported, str(tmp_path / "layer.pt2"))
    reloaded = torch.export.load(str(tmp_path / "layer.pt2")).module()
    torch.testing.assert_close(reloaded(x), y0, rtol=0, atol=0)


def test_inputs_without_features_in_any_batch_shape():
    # A circuit with no inputs: [0] is one sample, [B, 0] B samples, [..., 0] any batch shape.
    c = torchq.Circuit(1)
    c.rx(0, c.weight())
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(0)], dtype=torch.float64, weight_init=[0.5])
    want = torch.cos(torch.tensor(0.5, dtype=torch.float64))
    assert layer(torch.zeros(0, dtype=torch.float64)).shape == (1,)
    torch.testing.assert_close(layer(torch.zeros(0, dtype=torch.float64)), want.reshape(1))
    assert layer(torch.zeros(3, 0, dtype=torch.float64)).shape == (3, 1)
    out = layer(torch.zeros(2, 3, 0, dtype=torch.float64))
    assert out.shape == (2, 3, 1)
    torch.testing.assert_close(out, want.expand(2, 3, 1))
    torch.testing.assert_close(layer(), want.reshape(1))  # no argument: one sample, [K]
