"""Tampered models are refused: a state_dict file, a TorchScript file and an in-memory layer
whose program buffer was altered (a wire out of range, 60 qubits, an unknown opcode, a NaN
angle, a truncated program, a wrong format version) fail with an error that says what is wrong,
when the file is read or at the latest on the first call, and never compute anything.

The C++ side (torch::save / torch::load of torchq::layers::QuantumLayer) is
tests/cpp_torch/test_tampered.cpp; the shipped programs on tampered files are checked by
tests/tampered_examples.py (ctest example_tampered_models).
"""

import math

import pytest
import torch

import torchq
from torchq import PauliZ, QuantumLayer

F64 = torch.float64

# Offsets into the program of `make_circuit` (format version 2, torchq/circuit.h): a 6-number
# header, then op #0 = RX(constant 0.3) on wire 0 laid out as
# [opcode, num_controls, num_wires, num_params, num_payload, wire, kind, index, value].
VERSION, NUM_QUBITS = 1, 2
OP0_OPCODE, OP0_WIRE, OP0_ANGLE = 6, 11, 15  # the angle: (kind, index, second_index, value)


def make_circuit():
    c = torchq.Circuit(3, num_inputs=3)
    c.rx(0, 0.3)  # op #0: the constant angle the NaN alteration replaces
    torchq.angle_embedding(c, [0, 1, 2], rotation="Y")
    torchq.strongly_entangling_layers(c, 1, [0, 1, 2])
    return c


def make_layer():
    return QuantumLayer(make_circuit(), [PauliZ(0), PauliZ(2)], dtype=F64)


def _set(index, value):
    def alter(p):
        p = p.clone()
        p[index] = value
        return p

    return alter


# name -> (alteration of the program tensor, what the error must say). Each message names the
# problem and the value found, so a user can tell a corrupted file from a version mismatch.
ALTERATIONS = {
    "wire_out_of_range": (_set(OP0_WIRE, 7.0), r"op #0 \(RX\).*wire 7 is out of range: the circuit has 3 qubits"),
    "sixty_qubits": (_set(NUM_QUBITS, 60.0), r"num_qubits must be an integer in \[1, 50\], got 60"),
    "unknown_opcode": (_set(OP0_OPCODE, 999.0), r"op #0: opcode must be an integer in \[0, \d+\], got 999"),
    "nan_angle": (_set(OP0_ANGLE, math.nan), r"op #0: parameter value must be a finite number, got nan"),
    "truncated": (lambda p: p[:-2].clone(), r"program ends early while reading"),
    "wrong_version": (
        _set(VERSION, 99.0),
        r"unsupported program version 99; this build reads versions 1 to 2",
    ),
}
NAMES = sorted(ALTERATIONS)


def test_offsets_point_at_the_fields_they_name():
    # Guards the alterations themselves: if the layout moved, each would tamper something else
    # and the refusals below would prove nothing.
    p = make_circuit().to_program()
    assert p[VERSION] == 2 and p[NUM_QUBITS] == 3
    assert p[OP0_OPCODE] == torchq.Circuit.from_program(p).operations[0].gate
    assert p[OP0_WIRE] == 0 and p[OP0_ANGLE] == 0.3
    assert list(p[OP0_OPCODE + 1:OP0_OPCODE + 5]) == [0, 1, 1, 0]  # no controls, 1 wire, 1 param, no payload


@pytest.mark.parametrize("name", NAMES)
def test_the_parser_refuses_each_alteration(name):
    alter, message = ALTERATIONS[name]
    with pytest.raises(ValueError, match=message):
        torch.ops.torchq.program_info(alter(make_circuit().to_program()))


# ---- state_dict through torch.save / torch.load ----

@pytest.mark.parametrize("name", NAMES)
def test_state_dict_file_is_refused_when_loaded(tmp_path, name):
    alter, message = ALTERATIONS[name]
    sd = make_layer().state_dict()
    sd["program"] = alter(sd["program"])
    torch.save(sd, tmp_path / "layer.pt")
    loaded = torch.load(tmp_path / "layer.pt")  # weights_only: plain tensors, nothing executes

    victim = make_layer()
    x = torch.rand(4, 3, dtype=F64)
    before = {k: v.clone() for k, v in victim.state_dict().items()}
    y_before = victim(x)
    with pytest.raises(RuntimeError, match="not a valid torchq program: .*" + message):
        victim.load_state_dict(loaded)
    # Refused before anything was copied: the layer is intact and still computes the same.
    for k, v in victim.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert torch.equal(victim(x), y_before)


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_is_refused_inside_a_model(name):
    # The refusal also holds when the layer is one module of a bigger model (prefixed keys).
    alter, message = ALTERATIONS[name]
    model = torch.nn.Sequential(torch.nn.Linear(2, 3).double(), make_layer())
    sd = model.state_dict()
    sd["1.program"] = alter(sd["1.program"])
    with pytest.raises(RuntimeError, match=r"QuantumLayer \(1\.\): .*" + message):
        model.load_state_dict(sd)


# ---- a buffer altered in memory: refused on the first call, forward and backward ----

@pytest.mark.parametrize("name", NAMES)
def test_altered_buffer_is_refused_on_first_call(name):
    alter, message = ALTERATIONS[name]
    layer = make_layer()
    layer.program = alter(layer.program)
    x = torch.rand(2, 3, dtype=F64, requires_grad=True)
    with pytest.raises(ValueError, match=message):
        layer(x)
    for measure in ("var", "probs"):
        other = QuantumLayer(make_circuit(), [PauliZ(0)] if measure == "var" else None, dtype=F64, measure=measure)
        other.program = alter(other.program)
        with pytest.raises(ValueError, match=message):
            other(x)


@pytest.mark.parametrize("name", NAMES)
def test_backward_op_refuses_an_altered_program(name):
    # The backward ops parse the program themselves (they are ops of their own, callable
    # directly and from a saved graph): a program altered between forward and backward must not
    # reach the simulator either.
    alter, message = ALTERATIONS[name]
    layer = make_layer()
    x = torch.rand(2, 3, dtype=F64)
    grad_out = torch.ones(2, 2, dtype=F64)
    bad = alter(layer.program)
    with pytest.raises(ValueError, match=message):
        torch.ops.torchq._expval_backward(grad_out, bad, layer.observables, layer.weights.detach(), x, True, True)


# ---- TorchScript files ----

def _scripted_model():
    torch.manual_seed(3)
    return torch.jit.script(torch.nn.Sequential(torch.nn.Linear(4, 3).double(), torch.nn.Tanh(), make_layer()))


@pytest.mark.parametrize("name", NAMES)
def test_torchscript_file_is_refused_on_first_call(tmp_path, name):
    alter, message = ALTERATIONS[name]
    scripted = _scripted_model()
    x = torch.rand(5, 4, dtype=F64)
    scripted(x)  # the untampered model runs
    layer = getattr(scripted, "2")
    setattr(layer, "program", alter(layer.program))
    scripted.save(str(tmp_path / "model.pt"))

    # TorchScript has no load hook, so torch.jit.load cannot validate; if a later torch adds
    # one, refusing at load is just as good. Either way the message must say what is wrong.
    with pytest.raises(RuntimeError, match=message):
        loaded = torch.jit.load(str(tmp_path / "model.pt"))
        loaded(x)


def test_untampered_torchscript_file_still_runs(tmp_path):
    # The control for the test above: the same round trip without an alteration computes.
    scripted = _scripted_model()
    x = torch.rand(5, 4, dtype=F64)
    scripted.save(str(tmp_path / "model.pt"))
    assert torch.equal(torch.jit.load(str(tmp_path / "model.pt"))(x), scripted(x))


def test_valid_program_too_big_for_memory_is_refused_on_first_call(tmp_path):
    # 50 qubits is a valid program (the limit is 50), so the file loads; the first call must then
    # be refused by the memory guard, naming the size, instead of allocating 16 PiB or crashing.
    sd = make_layer().state_dict()
    sd["program"][NUM_QUBITS] = 50.0
    victim = make_layer()
    victim.load_state_dict(sd)
    with pytest.raises(RuntimeError, match=r"statevector\(s\) of 50 qubits need \d+ bytes .* but only \d+ bytes"):
        victim(torch.rand(2, 3, dtype=F64))
