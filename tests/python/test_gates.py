"""torchq.gates is the core's gate table (torchq/gate_table.h, read through the ops): every row
round-trips through the builder and the C++ program parser, lookups follow torchq::find_gate,
and the limits are the core's."""

import numpy as np
import pytest
import torch

import torchq
from torchq import gates

F64 = torch.float64


def test_the_table_is_the_ops_table():
    names, methods, num_wires, num_params, controls, embedding, channel = torch.ops.torchq._gate_table()
    assert [g.id for g in gates.GATES] == list(range(len(names)))
    assert [(g.name, g.method, g.num_wires, g.num_params, g.builtin_controls, g.embedding, g.channel)
            for g in gates.GATES] == list(zip(names, methods, num_wires, num_params, controls, embedding, channel))
    # Opcodes are the program format's (append-only), so these numbers never change.
    assert (gates.QUBIT_UNITARY, gates.AMPLITUDE_EMBEDDING, gates.BASIS_EMBEDDING) == (32, 33, 34)
    assert gates.CHANNELS == (35, 36, 37, 38) == (
        gates.DEPOLARIZING_CHANNEL, gates.AMPLITUDE_DAMPING, gates.PHASE_DAMPING, gates.BIT_FLIP)
    assert (gates.MAX_QUBITS, gates.MAX_UNITARY_WIRES, gates.VARIABLE) == tuple(torch.ops.torchq._constants())


def _build(c, g):
    """Appends gate g with its own arity through the builder: Circuit.gate(name) or, for the two
    gates that need more than angles, their methods."""
    n = 2 if g.num_wires == gates.VARIABLE else g.num_wires
    wires = list(range(n))
    if g.id == gates.QUBIT_UNITARY:
        return c.qubit_unitary(np.eye(4), wires)
    if g.id == gates.AMPLITUDE_EMBEDDING:
        return c.amplitude_embedding(wires, feature_offset=0, num_features=4)
    if g.id == gates.BASIS_EMBEDDING:
        return c.gate(g.name, wires, [c.input(j) for j in wires])
    angles = [0.1] * g.num_params if g.channel else [c.weight() for _ in range(g.num_params)]
    return c.gate(g.name, wires, angles)


@pytest.mark.parametrize("g", gates.GATES, ids=[g.name for g in gates.GATES])
def test_every_gate_round_trips_through_the_builder_and_the_cpp_parser(g):
    c = torchq.Circuit(3, num_inputs=4)
    _build(c, g)
    program = c.to_program()
    # The C++ parser reads the operation back with the same opcode, wires and parameter count.
    assert torchq.program_info(program)[1:] == [3, c.num_weights, 4, 1]
    (op,) = torchq.Circuit.from_program(program).operations
    assert op.gate == g.id and op.info == g
    assert program[6].item() == g.id  # the first record's opcode
    # Every name the lookup takes finds this row, and the builder has the row's method.
    assert gates.gate_info(g.name) == gates.gate_info(g.method) == gates.gate_info(g.name.upper()) == g
    assert gates.gate_info(g.id) == g
    assert callable(getattr(torchq.Circuit, g.method))
    # The core draws it (a gate never vanishes from a drawing).
    assert torch.ops.torchq.draw(program).count("\n") == 3


def test_lookup_refusals():
    with pytest.raises(ValueError, match=r"unknown gate 'Foo'; known gates: I, X, Y, Z, H"):
        gates.gate_info("Foo")
    with pytest.raises(ValueError, match=r"unknown opcode 39; known opcodes are 0\.\.38"):
        gates.gate_info(39)
    with pytest.raises(TypeError, match="a gate is named by a string or an opcode"):
        gates.gate_info(1.0)


def test_the_limits_are_the_cores():
    header = [29521, 1, gates.MAX_QUBITS, 0, 0, 0]
    assert torchq.program_info(torch.tensor(header, dtype=F64))[1] == gates.MAX_QUBITS
    header[2] = gates.MAX_QUBITS + 1
    with pytest.raises(ValueError, match="qubits"):
        torchq.program_info(torch.tensor(header, dtype=F64))
    torchq.Circuit(gates.MAX_QUBITS)
    with pytest.raises(ValueError, match=f"num_qubits must be in \\[1, {gates.MAX_QUBITS}\\]"):
        torchq.Circuit(gates.MAX_QUBITS + 1)
    k = gates.MAX_UNITARY_WIRES
    c = torchq.Circuit(k + 1)
    c.qubit_unitary(np.eye(2**k), list(range(k)))
    with pytest.raises(ValueError, match=f"at most {k} wires"):
        c.qubit_unitary(np.eye(2 ** (k + 1)), list(range(k + 1)))
