"""Drawings: one drawing for C++ and Python, the core's (torchq/draw.h) through
torch.ops.torchq.draw; torchq.draw_circuit, Circuit.draw and QuantumLayer.draw only call it."""

import pytest
import torch

import torchq
from torchq import Identity, PauliWord, PauliX, PauliZ

F64 = torch.float64


def circuit():
    c = torchq.Circuit(3, num_inputs=2)
    c.ry(0, c.input(1, 0.5)).cnot(0, 2).swap(1, 2).rot(1, c.weight(), 0.25, c.weight()).h(0, controls=[1])
    return c


def test_the_python_drawing_is_the_ops_drawing():
    c = circuit()
    obs = [PauliZ(0), 0.5 * PauliX(1) @ PauliZ(2) - 1.0]
    text = torchq.draw_circuit(c, obs)
    assert text == torch.ops.torchq.draw(c.to_program(), torchq.observables_table(obs), "expval", None)
    assert text == c.draw(obs)
    assert text == (
        "0: ─RY(0.5x1)──●──────────────────────H──┤ <0>\n"
        "1: ────────────│──×──Rot(w0,0.25,w1)──●──┤ <1>\n"
        "2: ────────────X──×──────────────────────┤ <1>\n"
        "<0> expval Z(0)\n"
        "<1> expval 0.5*X(1) @ Z(2) - I\n"
    )


def test_measurements_end_the_wires():
    c = circuit()
    program = c.to_program()
    # var: the word of the footer; an identity factor marks its wire.
    text = torchq.draw_circuit(c, [Identity(2, 0.5), PauliWord("XY", [0, 1])], "var")
    lines = text.splitlines()
    assert [line[line.index("┤"):] for line in lines[:3]] == ["┤ <1>", "┤ <1>", "┤ <0>"]
    assert lines[3:] == ["<0> var 0.5*I(2)", "<1> var X(0) @ Y(1)"]
    # probs: the measured wires, by default all.
    assert [line.endswith("┤ Probs") for line in torchq.draw_circuit(c, measure="probs").splitlines()] == [True] * 3
    ends = [line.endswith("┤ Probs") for line in torchq.draw_circuit(c, measure="probs", wires=[2]).splitlines()]
    assert ends == [False, False, True]
    assert torchq.draw_circuit(c, measure="probs", wires=[2]) == torch.ops.torchq.draw(program, None, "probs", [2])
    # No measurement: the bare circuit, as C++ prints it (std::cout << circuit).
    bare = torchq.draw_circuit(c)
    assert "┤" not in bare and bare == torch.ops.torchq.draw(program)
    # A program tensor and an observables table draw the same as the circuit and the list.
    table = torchq.observables_table([PauliZ(1)])
    assert torchq.draw_circuit(program, table) == torchq.draw_circuit(c, [PauliZ(1)])


def test_draw_refuses_what_does_not_fit():
    c = circuit()
    program = c.to_program()
    table = torchq.observables_table([PauliZ(0)])
    with pytest.raises(ValueError, match=r'torchq\.draw: measure must be "expval", "var" or "probs", got "state"'):
        torch.ops.torchq.draw(program, table, "state")
    with pytest.raises(ValueError, match="measures wires, not observables"):
        torch.ops.torchq.draw(program, table, "probs")
    with pytest.raises(ValueError, match='wires are for measure="probs"'):
        torch.ops.torchq.draw(program, table, "expval", [0])
    with pytest.raises(ValueError, match="wire 3 is out of range: the circuit has 3 qubits"):
        torch.ops.torchq.draw(program, None, "probs", [3])
    # The observables are validated against the program, with the core's message.
    with pytest.raises(ValueError, match="observable #0 term #0: wire 5 is out of range: the circuit has 3 qubits"):
        torchq.draw_circuit(c, [Identity(5)])


def test_draw_on_meta_says_what_to_do():
    program = circuit().to_program().to("meta")
    table = torchq.observables_table([PauliZ(0)]).to("meta")
    with pytest.raises(RuntimeError, match="assign=True"):
        torch.ops.torchq.draw(program, table, "var")
    with pytest.raises(ValueError, match="measure must be"):
        torch.ops.torchq.draw(program, table, "sample")
    with pytest.raises(RuntimeError, match="assign=True"):
        torch.ops.torchq._observables_from_table(table)
