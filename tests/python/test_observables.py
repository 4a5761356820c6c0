"""Observables: construction, arithmetic, the table format, and validation."""

import pytest
import torch

import torchq
from torchq import Hamiltonian, PauliWord, PauliX, PauliY, PauliZ

F64 = torch.float64


def test_table_layout():
    t = torchq.observables_table([PauliZ(1), PauliWord("XY", [0, 2], coeff=0.5)])
    assert t.dtype == F64 and t.shape == (2, 9)
    assert t[0].tolist() == [20817, 1, 1, 1.0, 1, 1, 3, 0, 0]
    assert t[1].tolist() == [20817, 1, 1, 0.5, 2, 0, 1, 2, 2]


def test_hamiltonian_row_and_identity_term():
    h = Hamiltonian([(2.0, "ZZ", [0, 1]), (-1.0, "", [])])
    assert torchq.observables_table(h)[0].tolist() == [20817, 1, 2, 2.0, 2, 0, 3, 1, 3, -1.0, 0]


def test_identity_letters_are_dropped():
    assert PauliWord("IZI", [0, 1, 2]) == PauliWord("Z", [1])


def test_arithmetic_builds_hamiltonians():
    h = 0.5 * PauliZ(0) @ PauliZ(1) - PauliX(2) + 1.0
    assert isinstance(h, Hamiltonian)
    assert h.terms == ((0.5, ((0, 3), (1, 3))), (-1.0, ((2, 1),)), (1.0, ()))
    assert h.label() == "0.5*Z(0) @ Z(1) - X(2) + I"
    assert sum([PauliZ(0), PauliY(1)]).terms == ((1.0, ((0, 3),)), (1.0, ((1, 2),)))
    assert isinstance(PauliX(0) @ PauliY(1), PauliWord)


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
    obs = [PauliZ(3), Hamiltonian([(0.25, "XYZ", [0, 1, 2]), (-2.0, "X", [3]), (1.5, "", [])]), PauliWord("YY", [1, 0], 3.0)]
    assert torchq.observables_from_table(torchq.observables_table(obs)) == obs


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
    with pytest.raises(ValueError, match="negative"):
        PauliZ(-1)


def test_rejects_non_finite_coefficient():
    with pytest.raises(ValueError, match="finite"):
        PauliWord("Z", [0], coeff=float("nan"))


def test_rejects_empty_hamiltonian():
    with pytest.raises(ValueError, match="at least one term"):
        Hamiltonian([])


def test_rejects_malformed_hamiltonian_term():
    with pytest.raises(TypeError, match=r"term #0: a term is \(coeff, paulis, wires\)"):
        Hamiltonian([("Z", 0)])


def test_rejects_overlapping_tensor_product():
    with pytest.raises(ValueError, match="disjoint wires"):
        PauliZ(0) @ PauliX(0)


def test_rejects_wire_beyond_the_circuit():
    with pytest.raises(ValueError, match=r"observable #1 \(X\(4\)\): wire 4 is out of range"):
        torchq.observables_table([PauliZ(0), PauliX(4)], num_qubits=3)


def test_rejects_non_observable_in_list():
    with pytest.raises(TypeError, match="observable #1"):
        torchq.observables_table([PauliZ(0), "Z0"])


def test_ops_reject_observable_wire_beyond_the_circuit():
    c = torchq.Circuit(2)
    c.h(0)
    with pytest.raises(ValueError, match=r"observable #0.*wire.*2"):
        torchq.expval(c, [PauliZ(2)], torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64))
