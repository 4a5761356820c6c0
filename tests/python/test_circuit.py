"""torchq.Circuit: the builder, the program format and validation (Python and C++ agree)."""

import math

import numpy as np
import pytest
import torch

import torchq
from torchq import gates
from torchq.circuit import CONSTANT, INPUT, WEIGHT

F64 = torch.float64


def every_gate_circuit():
    """One circuit that uses every gate of the table, with extra controls where allowed."""
    c = torchq.Circuit(5, num_inputs=6)
    c.amplitude_embedding([0, 1], feature_offset=2, num_features=3, pad=0.25)
    c.basis_embedding([2, 3], feature_offset=0)
    for name in ("i", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx"):
        getattr(c, name)(4, controls=[0])
    c.rx(0, c.weight()).ry(1, c.input(5, 0.5)).rz(2, 0.3, controls=[3]).phase_shift(3, c.weight())
    c.rot(4, c.weight(), 0.2, c.input(4)).u3(0, c.weight(), c.weight(), -0.7, controls=[1, 2])
    for name in ("cnot", "cy", "cz", "swap", "iswap"):
        getattr(c, name)(0, 1, controls=4)
    for name in ("crx", "cry", "crz", "controlled_phase_shift", "ising_xx", "ising_yy", "ising_zz"):
        getattr(c, name)(2, 3, c.weight())
    c.crot(3, 4, c.weight(), c.weight(), 1.5)
    c.toffoli(0, 1, 2, controls=[3]).cswap(4, 0, 1)
    c.multi_rz([0, 2, 4], c.weight(), controls=[1])
    c.qubit_unitary(np.array([[0, 1j], [1j, 0]]), [3], controls=[0])
    c.gate("CRX", [1, 0], [c.weight()]).gate("h", 2).gate(16, [3, 4])
    c.depolarizing(0, 0.1).amplitude_damping(1, 0.2).phase_damping(2, 1.0).bit_flip(3, 0.0)  # noise channels
    return c


def test_every_gate_is_accepted_by_the_cpp_parser():
    c = every_gate_circuit()
    used = {op.gate for op in c.operations}
    assert used == set(range(len(gates.GATES)))
    info = torchq.program_info(c)
    assert info == [2, 5, c.num_weights, 6, len(c)]


def test_gate_table_matches_the_cpp_arity():
    # A gate with one wire too many is rejected by both sides with the same position.
    for g in gates.GATES:
        if g.num_wires == gates.VARIABLE:
            continue
        c = torchq.Circuit(4)
        c.h(0)
        with pytest.raises(ValueError, match=rf"op #1 \({g.name}\): takes exactly {g.num_wires} wire"):
            c.gate(g.name, list(range(g.num_wires + 1)), [0.1] * g.num_params)


def test_round_trip_through_the_program():
    c = every_gate_circuit()
    p = c.to_program()
    assert p.dtype == F64 and p.dim() == 1
    d = torchq.Circuit.from_program(p)
    assert d == c
    assert torch.equal(d.to_program(), p)
    assert (d.num_qubits, d.num_inputs, d.num_weights) == (c.num_qubits, c.num_inputs, c.num_weights)
    assert torchq.Circuit.from_program(p.tolist()) == c


def test_program_layout_of_one_op():
    c = torchq.Circuit(2, num_inputs=1)
    c.crx(1, 0, c.input(0, scale=0.5), controls=[])
    # (kind, index, second_index, value) per parameter: format version 2
    assert c.to_program().tolist() == [29521, 2, 2, 0, 1, 1, 21, 0, 2, 1, 0, 1, 0, 2, 0, 0, 0.5]


def test_weights_are_numbered_in_call_order_and_may_be_shared():
    c = torchq.Circuit(2)
    a, b = c.weight(), c.weight(2.0)
    c.rx(0, a).ry(1, b).rz(0, a)
    assert (a.kind, a.index, a.value) == (WEIGHT, 0, 1.0)
    assert (b.kind, b.index, b.value) == (WEIGHT, 1, 2.0)
    assert c.num_weights == 2
    scaled = -0.5 * a
    assert (scaled.kind, scaled.index, scaled.value) == (WEIGHT, 0, -0.5)


def test_shared_weight_gets_the_sum_of_its_gradients():
    c = torchq.Circuit(1)
    a = c.weight()
    c.rx(0, a).rx(0, a)  # RX(2a)
    w = torch.tensor([0.3], dtype=F64, requires_grad=True)
    y = torchq.expval(c, [torchq.PauliZ(0)], w, torch.zeros(1, 0, dtype=F64))
    y.sum().backward()
    torch.testing.assert_close(y.detach(), torch.tensor([[math.cos(0.6)]], dtype=F64), rtol=0, atol=1e-15)
    torch.testing.assert_close(w.grad, torch.tensor([-2 * math.sin(0.6)], dtype=F64), rtol=0, atol=1e-14)


def test_constants_inputs_and_tensors_as_angles():
    c = torchq.Circuit(1, num_inputs=2)
    c.rx(0, 0.5).rx(0, np.float32(0.25)).rx(0, torch.tensor(0.125)).rx(0, c.input(1, 2.0))
    kinds = [(p.kind, p.index, p.value) for op in c.operations for p in op.params]
    assert kinds == [(CONSTANT, 0, 0.5), (CONSTANT, 0, 0.25), (CONSTANT, 0, 0.125), (INPUT, 1, 2.0)]


def test_draw_shows_wires_gates_and_controls():
    # The core's drawing (torchq/draw.h), the same in C++ and Python: controls ●, connectors │.
    c = torchq.Circuit(3, num_inputs=1)
    c.rx(0, c.input(0)).cnot(0, 2).crz(1, 0, c.weight()).h(1, controls=[2])
    obs = [torchq.PauliZ(0), torchq.PauliWord("XY", [1, 2])]
    assert c.draw(obs) == (
        "0: ─RX(x0)──●──RZ(w0)─────┤ <0>\n"
        "1: ─────────│──●───────H──┤ <1>\n"
        "2: ─────────X──────────●──┤ <1>\n"
        "<0> expval Z(0)\n"
        "<1> expval X(1) @ Y(2)\n"
    )
    assert c.draw(obs) == torch.ops.torchq.draw(c.to_program(), torchq.observables_table(obs))


def test_repr():
    c = torchq.Circuit(2, num_inputs=1)
    c.rx(0, c.weight())
    assert repr(c) == "Circuit(num_qubits=2, num_inputs=1, num_weights=1, num_ops=1)"
    assert repr(c.weight(0.5)) == "Param.weight(1, scale=0.5)"


# ---- validation: one test per rejected case ----

def test_rejects_zero_qubits():
    with pytest.raises(ValueError, match="num_qubits must be in"):
        torchq.Circuit(0)


def test_rejects_too_many_qubits():
    with pytest.raises(ValueError, match="num_qubits must be in"):
        torchq.Circuit(51)


def test_rejects_wire_out_of_range():
    c = torchq.Circuit(2)
    c.h(0)
    with pytest.raises(ValueError, match=r"op #1 \(CNOT\): wire 2 is out of range"):
        c.cnot(0, 2)


def test_rejects_repeated_wire():
    with pytest.raises(ValueError, match=r"op #0 \(SWAP\): wire 1 is used twice"):
        torchq.Circuit(2).swap(1, 1)


def test_rejects_control_equal_to_a_target():
    with pytest.raises(ValueError, match="wire 0 is used twice"):
        torchq.Circuit(2).rx(0, 0.1, controls=[0])


def test_rejects_control_out_of_range():
    with pytest.raises(ValueError, match="control wire 3 is out of range"):
        torchq.Circuit(2).x(0, controls=[3])


def test_rejects_unknown_gate_name():
    with pytest.raises(ValueError, match="unknown gate 'CNOTT'"):
        torchq.Circuit(2).gate("CNOTT", [0, 1])


def test_rejects_wrong_parameter_count():
    with pytest.raises(ValueError, match=r"op #0 \(RX\): takes exactly 1 parameter"):
        torchq.Circuit(1).gate("RX", [0], [0.1, 0.2])


def test_rejects_non_finite_angle():
    with pytest.raises(ValueError, match="value must be finite"):
        torchq.Circuit(1).rx(0, math.inf)


def test_rejects_input_index_out_of_range():
    with pytest.raises(ValueError, match="input\\(2\\): the circuit has 2 input features"):
        torchq.Circuit(1, num_inputs=2).input(2)


def test_rejects_weight_of_another_circuit():
    other = torchq.Circuit(1)
    other.weight()
    p = other.weight()
    with pytest.raises(ValueError, match="weight index 1 is out of range"):
        torchq.Circuit(1).rx(0, p)


def test_rejects_tensor_angle_that_requires_grad():
    with pytest.raises(TypeError, match="requires grad"):
        torchq.Circuit(1).rx(0, torch.tensor(0.3, requires_grad=True))


def test_rejects_string_angle():
    with pytest.raises(TypeError, match="an angle is a float"):
        torchq.Circuit(1).rx(0, "0.3")


def test_rejects_float_wire():
    with pytest.raises(TypeError, match="wire must be an integer"):
        torchq.Circuit(2).h(0.0)


def test_rejects_non_unitary_matrix():
    with pytest.raises(ValueError, match="not unitary"):
        torchq.Circuit(1).qubit_unitary([[1, 1], [0, 1]], [0])


def test_rejects_matrix_of_wrong_size():
    with pytest.raises(ValueError, match="matrix must have 16 entries for 2 wire"):
        torchq.Circuit(2).qubit_unitary(np.eye(2), [0, 1])


def test_rejects_unitary_on_too_many_wires():
    with pytest.raises(ValueError, match="at most 6 wires"):
        torchq.Circuit(7).qubit_unitary(np.eye(128), list(range(7)))


def test_rejects_amplitude_embedding_after_a_gate():
    c = torchq.Circuit(2, num_inputs=4)
    c.h(0)
    with pytest.raises(ValueError, match="must be the first operation"):
        c.amplitude_embedding([0, 1])


def test_rejects_amplitude_embedding_beyond_the_inputs():
    with pytest.raises(ValueError, match=r"features \[0, 4\) exceed the circuit's 3 input features"):
        torchq.Circuit(2, num_inputs=3).amplitude_embedding([0, 1])


def test_rejects_too_many_amplitude_features():
    with pytest.raises(ValueError, match="num_features must be in \\[1, 2\\]"):
        torchq.Circuit(1, num_inputs=3).amplitude_embedding([0], num_features=3)


def test_rejects_controlled_embedding():
    with pytest.raises(ValueError, match="cannot take control wires"):
        torchq.Circuit(2, num_inputs=1).gate("BasisEmbedding", [0], [torchq.Param(INPUT, 0, 1.0)], controls=[1])


def test_rejects_basis_embedding_beyond_the_inputs():
    with pytest.raises(ValueError, match="input index 1 is out of range"):
        torchq.Circuit(2, num_inputs=1).basis_embedding([0, 1])


def test_rejects_basis_embedding_on_weights():
    c = torchq.Circuit(1, num_inputs=1)
    with pytest.raises(ValueError, match="must reference input features"):
        c.gate("BasisEmbedding", [0], [c.weight()])


def test_gate_takes_qubit_unitary_and_amplitude_embedding():
    with pytest.raises(ValueError, match="matrix"):
        torchq.Circuit(1).gate("QubitUnitary", [0])
    u = torch.tensor([[0, 1], [1, 0]], dtype=torch.complex128)
    a, b = torchq.Circuit(2), torchq.Circuit(2)
    a.gate("QubitUnitary", [1], matrix=u, controls=[0])
    b.qubit_unitary(u, [1], controls=[0])
    assert a == b
    a, b = torchq.Circuit(2, num_inputs=4), torchq.Circuit(2, num_inputs=4)
    a.gate("AmplitudeEmbedding", [0, 1])
    b.amplitude_embedding([0, 1])
    assert a == b
    a, b = torchq.Circuit(2, num_inputs=4), torchq.Circuit(2, num_inputs=4)
    a.gate("amplitude_embedding", [0, 1], amplitude=torchq.AmplitudeSpec(1, 3, False, 0.5))
    b.amplitude_embedding([0, 1], 1, 3, False, 0.5)
    assert a == b


def test_from_program_rejects_malformed_program_with_position():
    c = torchq.Circuit(2)
    c.h(0).cnot(0, 1)
    p = c.to_program()
    p[6 + 6 + 5 + 1] = 5.0  # the target wire of op #1 (after the header and H's 6 numbers)
    with pytest.raises(ValueError, match=r"op #1 \(CNOT\).*out of range"):
        torchq.Circuit.from_program(p)


def test_from_program_rejects_float32():
    with pytest.raises(TypeError, match="float64"):
        torchq.Circuit.from_program(torchq.Circuit(1).to_program().float())
