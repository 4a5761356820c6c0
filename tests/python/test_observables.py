"""Observables: construction, arithmetic, the table format, and validation. The table, the
validation and the labels are the core's (torchq/observables.h, through the ops): the Python
classes hold terms only."""

import pytest
import torch

import torchq
from torchq import Hamiltonian, Identity, PauliWord, PauliX, PauliY, PauliZ

F64 = torch.float64


def test_table_layout():
    t = torchq.observables_table([PauliZ(1), PauliWord("XY", [0, 2], coeff=0.5)])
    assert t.dtype == F64 and t.shape == (2, 9)
    assert t[0].tolist() == [20817, 1, 1, 1.0, 1, 1, 3, 0, 0]
    assert t[1].tolist() == [20817, 1, 1, 0.5, 2, 0, 1, 2, 2]


def test_hamiltonian_row_and_identity_term():
    h = Hamiltonian([(2.0, "ZZ", [0, 1]), (-1.0, "", [])])
    assert torchq.observables_table(h)[0].tolist() == [20817, 1, 2, 2.0, 2, 0, 3, 1, 3, -1.0, 0]


def test_identity_letters_keep_their_wires():
    # An I letter is an identity factor (pauli code 0) on its wire: the same value, but the wire
    # is part of the observable, checked against the circuit and drawn.
    o = PauliWord("IZI", [0, 1, 2])
    assert o != PauliWord("Z", [1]) and o.wires == (0, 1, 2)
    assert torchq.observables_table(o)[0].tolist() == [20817, 1, 1, 1.0, 3, 0, 0, 1, 3, 2, 0]
    c = torchq.Circuit(3, num_inputs=3)
    torchq.angle_embedding(c, [0, 1, 2], rotation="Y")
    x = torch.rand(2, 3, dtype=F64)
    w = torch.zeros(0, dtype=F64)
    torch.testing.assert_close(torchq.expval(c, [o], w, x), torchq.expval(c, [PauliZ(1)], w, x), rtol=0, atol=0)


def test_identity_keeps_its_wire():
    assert Identity(3).wires == (3,) and Identity(3).terms == ((1.0, "I", (3,)),)
    assert Identity(2, coeff=0.5).label() == "0.5*I(2)"
    assert Identity().wires == () and Identity(coeff=2.0).label() == "2*I"
    assert torchq.observables_table(Identity(1))[0].tolist() == [20817, 1, 1, 1.0, 1, 1, 0]
    c = torchq.Circuit(2)
    c.h(0)
    out = torchq.expval(c, [Identity(1, coeff=0.25)], torch.zeros(0, dtype=F64), torch.zeros(3, 0, dtype=F64))
    torch.testing.assert_close(out, torch.full((3, 1), 0.25, dtype=F64), rtol=0, atol=1e-15)


def test_identity_beyond_the_circuit_is_refused_naming_the_wire():
    c = torchq.Circuit(2)
    c.h(0)
    want = r"observable #0 term #0: wire 3 is out of range: the circuit has 2 qubits, so wires are 0\.\.1"
    with pytest.raises(ValueError, match=want):
        torchq.observables_table([Identity(3)], num_qubits=2)
    with pytest.raises(ValueError, match=want):
        torchq.expval(c, [Identity(3)], torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))
    with pytest.raises(ValueError, match="wire 3 is out of range"):
        torchq.QuantumLayer(c, [Identity(3)])


def test_arithmetic_builds_hamiltonians():
    h = 0.5 * PauliZ(0) @ PauliZ(1) - PauliX(2) + 1.0
    assert isinstance(h, Hamiltonian)
    assert h.terms == ((0.5, "ZZ", (0, 1)), (-1.0, "X", (2,)), (1.0, "", ()))
    assert h.label() == "0.5*Z(0) @ Z(1) - X(2) + I"
    assert Hamiltonian(h.terms) == h
    assert sum([PauliZ(0), PauliY(1)]).terms == ((1.0, "Z", (0,)), (1.0, "Y", (1,)))
    assert isinstance(PauliX(0) @ PauliY(1), PauliWord)
    assert (PauliZ(2) @ PauliX(0)).terms == ((1.0, "XZ", (0, 2)),)  # factors sorted by wire
    assert isinstance(2.0 * PauliZ(0), PauliWord) and (2.0 * PauliZ(0)).coeff == 2.0


def test_expval_of_built_hamiltonian_matches_its_parts():
    c = torchq.Circuit(3, num_inputs=3)
    torchq.angle_embedding(c, [0, 1, 2], rotation="Y")
    c.cnot(0, 1).cnot(1, 2)
    x = torch.rand(4, 3, dtype=F64)
    w = torch.zeros(0, dtype=F64)
    parts = torchq.expval(c, [PauliZ(0) @ PauliZ(1), PauliX(2)], w, x)
    total = torchq.expval(c, [0.5 * PauliZ(0) @ PauliZ(1) - PauliX(2) + 1.0], w, x)
    torch.testing.assert_close(total[:, 0], 0.5 * parts[:, 0] - parts[:, 1] + 1.0, rtol=0, atol=1e-14)


def test_table_round_trip():
    obs = [
        PauliZ(3),
        Hamiltonian([(0.25, "XYZ", [0, 1, 2]), (-2.0, "X", [3]), (1.5, "", [])]),
        PauliWord("YY", [1, 0], 3.0),
        Identity(4, coeff=-0.5),
        PauliWord("XIZ", [2, 0, 1]) + 1e-300,
    ]
    back = torchq.observables_from_table(torchq.observables_table(obs))
    assert back == obs
    assert [type(o) for o in back] == [type(o) for o in obs]
    assert [o.label() for o in back] == [o.label() for o in obs]
    assert torchq.observables_from_table(torchq.observables_table(obs), num_qubits=5) == obs
    with pytest.raises(ValueError, match="wire 4 is out of range: the circuit has 4 qubits"):
        torchq.observables_from_table(torchq.observables_table(obs), num_qubits=4)


def test_labels_are_the_cores():
    assert PauliZ(0).label() == "Z(0)" and repr(PauliX(0) @ PauliY(2)) == "X(0) @ Y(2)"
    assert (0.5 * PauliZ(0) - PauliX(2) + 2).label() == "0.5*Z(0) - X(2) + 2*I"
    assert (-PauliZ(1)).label() == "-Z(1)"
    assert PauliWord("IZ", [0, 1], 0.25).label() == "0.25*I(0) @ Z(1)"


def test_from_table_refuses_a_malformed_table_naming_the_row():
    t = torchq.observables_table([PauliZ(0), PauliX(1)])
    bad = t.clone()
    bad[1, 6] = 7  # pauli code
    with pytest.raises(ValueError, match=r"observable row 1: .*pauli code"):
        torchq.observables_from_table(bad)
    with pytest.raises(TypeError, match="float64"):
        torchq.observables_from_table(t.float())
    with pytest.raises(TypeError, match="tensor"):
        torchq.observables_from_table(t.tolist())


def test_rejects_letter_count_mismatch():
    with pytest.raises(ValueError, match="has 2 letters but 1 wires"):
        PauliWord("XZ", [0])


def test_rejects_unknown_letter():
    with pytest.raises(ValueError, match="letters must be I, X, Y or Z"):
        PauliWord("Q", [0])


def test_rejects_repeated_wire():
    with pytest.raises(ValueError, match="wire 0 appears twice"):
        PauliWord("XZ", [0, 0])


def test_rejects_negative_wire():
    with pytest.raises(ValueError, match="wire -1 is out of range"):
        PauliZ(-1)


def test_rejects_non_finite_coefficient():
    with pytest.raises(ValueError, match="finite"):
        PauliWord("Z", [0], coeff=float("nan"))


def test_rejects_empty_hamiltonian():
    with pytest.raises(ValueError, match="observable #0: has no terms; give at least one"):
        Hamiltonian([])


def test_rejects_malformed_hamiltonian_term():
    with pytest.raises(TypeError, match=r"term #0: a term is \(coeff, paulis, wires\)"):
        Hamiltonian([("Z", 0)])


def test_rejects_overlapping_tensor_product():
    with pytest.raises(ValueError, match="wire 0 appears twice"):
        PauliZ(0) @ PauliX(0)
    with pytest.raises(ValueError, match="term #1: wire 1 appears twice"):
        (PauliZ(0) + PauliY(1)) @ Identity(1)


def test_rejects_wire_beyond_the_circuit():
    with pytest.raises(ValueError, match=r"observable #1 term #0: wire 4 is out of range: the circuit has 3 qubits"):
        torchq.observables_table([PauliZ(0), PauliX(4)], num_qubits=3)


def test_rejects_non_observable_in_list():
    with pytest.raises(TypeError, match="observable #1"):
        torchq.observables_table([PauliZ(0), "Z0"])


def test_ops_reject_observable_wire_beyond_the_circuit():
    c = torchq.Circuit(2)
    c.h(0)
    with pytest.raises(ValueError, match=r"observable #0.*wire.*2"):
        torchq.expval(c, [PauliZ(2)], torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))


def test_errors_come_from_the_core():
    # The op prefix shows where the check ran: the core, through torch.ops.torchq._observables_table.
    with pytest.raises(ValueError, match=r"^torchq\._observables_table: observable #0 term #0: Pauli word 'XZ' has 2"):
        PauliWord("XZ", [0])
    with pytest.raises(ValueError, match=r"^torchq\._observables_table: give at least one observable"):
        torchq.observables_table([])
    with pytest.raises(TypeError, match="a Pauli word is a string"):
        PauliWord(3, [0])
    with pytest.raises(TypeError, match="a coefficient is a real number"):
        PauliWord("Z", [0], coeff="1")


def test_observables_made_inside_torch_compile_are_constants():
    # The table is made from Python values: torch.compile runs the op while tracing and keeps the
    # table as a constant, so building observables inside a compiled function breaks no graph.
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1)
    program = c.to_program()
    w = torch.zeros(0, dtype=F64)

    def f(x):
        return torch.ops.torchq.expval(program, torchq.observables_table([PauliZ(1), 0.5 * PauliX(0) + 1]), w, x)

    x = torch.rand(3, 1, dtype=F64)
    torch._dynamo.reset()
    torch.testing.assert_close(torch.compile(f, fullgraph=True)(x), f(x), rtol=0, atol=0)
