"""Observables: Pauli words and Hamiltonians (real-weighted sums of Pauli words), and the table
form the ops take.

    obs = [PauliZ(0), PauliWord("XZ", [0, 1]), Hamiltonian([(0.5, "ZZ", [0, 1]), (-1.0, "X", [2])])]
    table = observables_table(obs)     # float64 [K, L]; row k measures obs[k]

Arithmetic builds observables too: ``0.5 * PauliZ(0) @ PauliZ(1) + PauliX(2)``.

The classes hold terms (coeff, Pauli word, wires); everything else is the core's
(torchq/observables.h), reached through the ops: the table format (observables_table,
observables_from_table), the validation (letters, one wire per letter, distinct wires in range,
finite coefficients; a ValueError from the core names the observable and the term) and the
labels. An I letter keeps its wire: Identity(3) acts on wire 3, so a 2-qubit circuit refuses it.
"""

from __future__ import annotations

import operator
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

Term = Tuple[float, str, Tuple[int, ...]]  #: (coeff, Pauli word such as "XZ", wires)


def _flat(observables: Sequence["Observable"]):
    """The ops' five flat lists of terms (ops/observables.h)."""
    term_counts, coeffs, words, wire_counts, wires = [], [], [], [], []
    for o in observables:
        term_counts.append(len(o._terms))
        for coeff, word, term_wires in o._terms:
            coeffs.append(coeff)
            words.append(word)
            wire_counts.append(len(term_wires))
            wires.extend(term_wires)
    return term_counts, coeffs, words, wire_counts, wires


def _unflat(term_counts, coeffs, words, wire_counts, wires) -> List["Observable"]:
    out, t, w = [], 0, 0
    for count in term_counts:
        terms = []
        for _ in range(count):
            n = wire_counts[t]
            terms.append((float(coeffs[t]), str(words[t]), tuple(int(x) for x in wires[w:w + n])))
            t, w = t + 1, w + n
        out.append(Observable._of(terms, checked=True))
    return out


def _coeff(coeff, where: str) -> float:
    if isinstance(coeff, torch.Tensor) and coeff.numel() == 1 and not coeff.requires_grad:
        coeff = coeff.item()
    if isinstance(coeff, bool) or not isinstance(coeff, (int, float, np.number)):
        raise TypeError(f"{where}: a coefficient is a real number, got {type(coeff).__name__}")
    return float(coeff)


def _term(coeff, paulis, wires, where: str) -> Term:
    """Python values to the types of a term; the core checks the values."""
    if not isinstance(paulis, str):
        raise TypeError(f"{where}: a Pauli word is a string like 'XZ', got {type(paulis).__name__}")
    if isinstance(wires, (int, np.integer)) and not isinstance(wires, bool):
        wires = [wires]
    out = []
    for w in wires:
        if isinstance(w, bool):
            raise TypeError(f"{where}: a wire is an integer, got bool")
        out.append(operator.index(w))
    return _coeff(coeff, where), paulis, tuple(out)


class Observable:
    """A Hermitian observable: a real-weighted sum of Pauli words (see PauliWord, Hamiltonian)."""

    def __init__(self, terms: Iterable[Term]):
        self._terms = tuple(_term(c, p, w, f"observable term #{t}") for t, (c, p, w) in enumerate(terms))
        _table([self])  # the core's validation (letters, wires, coefficients, at least one term)

    @staticmethod
    def _of(terms: Iterable[Term], checked: bool = False) -> "Observable":
        """A PauliWord (one term) or a Hamiltonian of terms already converted to their types;
        checked by the core unless ``checked`` says it has been (decoded from a table)."""
        terms = tuple(terms)
        cls = PauliWord if len(terms) == 1 else Hamiltonian
        obj = cls.__new__(cls)
        obj._terms = terms
        if not checked:
            _table([obj])
        return obj

    @property
    def terms(self) -> Tuple[Term, ...]:
        """((coeff, Pauli word, wires), ...): Hamiltonian(o.terms) == o."""
        return self._terms

    @property
    def wires(self) -> Tuple[int, ...]:
        """The wires the observable acts on (identity factors included), sorted."""
        return tuple(sorted({w for _, _, ws in self._terms for w in ws}))

    # ---- arithmetic ----

    def __add__(self, other) -> "Observable":
        if isinstance(other, Observable):
            return Observable._of(self._terms + other._terms)
        if isinstance(other, (int, float, np.number)) and not isinstance(other, bool):
            if other == 0:
                return self
            return Observable._of(self._terms + ((float(other), "", ()),))
        return NotImplemented

    def __radd__(self, other) -> "Observable":
        return self.__add__(other)  # addition is commutative; lets sum() start from 0

    def __sub__(self, other) -> "Observable":
        return self + (-1.0) * other

    def __rsub__(self, other) -> "Observable":
        return (-1.0) * self + other

    def __mul__(self, k) -> "Observable":
        if isinstance(k, bool) or not isinstance(k, (int, float, np.number)):
            return NotImplemented
        return Observable._of((c * float(k), p, w) for c, p, w in self._terms)

    __rmul__ = __mul__

    def __neg__(self) -> "Observable":
        return self * -1.0

    def __matmul__(self, other) -> "Observable":
        """Tensor product, term by term; the core refuses a product term that repeats a wire."""
        if not isinstance(other, Observable):
            return NotImplemented
        terms = []
        for c1, p1, w1 in self._terms:
            for c2, p2, w2 in other._terms:
                factors = sorted(zip(w1 + w2, p1 + p2))  # by wire
                terms.append((c1 * c2, "".join(p for _, p in factors), tuple(w for w, _ in factors)))
        return Observable._of(terms)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Observable):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(self._terms)

    # ---- text ----

    def label(self) -> str:
        """The core's text: Z(0), X(0) @ Z(1), 0.5*Z(0) - X(2) + 2*I, I(3)."""
        return torch.ops.torchq._observable_labels(*_flat([self]))[0]

    def __repr__(self) -> str:
        return self.label()


class PauliWord(Observable):
    """coeff * a tensor product of Pauli operators, e.g. PauliWord("XZ", [0, 1]) = X(0) Z(1).

    Letters are I, X, Y, Z, one wire each; an I keeps its wire (checked against the circuit,
    shown in drawings) and changes no value. "" on no wires is coeff * identity.
    """

    def __init__(self, paulis: str, wires: Union[int, Sequence[int]], coeff: float = 1.0):
        super().__init__([_term(coeff, paulis, wires, "PauliWord")])

    @property
    def coeff(self) -> float:
        return self._terms[0][0]


class Hamiltonian(Observable):
    """A sum of Pauli words: Hamiltonian([(0.5, "ZZ", [0, 1]), (-1.0, "X", [2])])."""

    def __init__(self, terms: Iterable[Tuple[float, str, Sequence[int]]]):
        built = []
        for t, term in enumerate(terms):
            try:
                coeff, paulis, wires = term
            except (TypeError, ValueError):
                raise TypeError(f"Hamiltonian term #{t}: a term is (coeff, paulis, wires), got {term!r}") from None
            built.append(_term(coeff, paulis, wires, f"Hamiltonian term #{t}"))
        super().__init__(built)


def PauliX(wire: int) -> PauliWord:  # noqa: N802 - named like the operator
    """X on one wire."""
    return PauliWord("X", [wire])


def PauliY(wire: int) -> PauliWord:  # noqa: N802
    """Y on one wire."""
    return PauliWord("Y", [wire])


def PauliZ(wire: int) -> PauliWord:  # noqa: N802
    """Z on one wire."""
    return PauliWord("Z", [wire])


def Identity(wire: Optional[int] = None, coeff: float = 1.0) -> PauliWord:  # noqa: N802
    """coeff * identity on ``wire`` (its value is coeff; the wire is checked and drawn), or on no
    wire when ``wire`` is None."""
    return PauliWord("", [], coeff) if wire is None else PauliWord("I", [wire], coeff)


def _as_list(observables) -> List[Observable]:
    if isinstance(observables, Observable):
        return [observables]
    obs = list(observables)
    for k, o in enumerate(obs):
        if not isinstance(o, Observable):
            raise TypeError(
                f"observable #{k}: expected a torchq observable (PauliZ(0), PauliWord, Hamiltonian), "
                f"got {type(o).__name__}"
            )
    return obs


@torch.compiler.assume_constant_result
def _table_op(term_counts, coeffs, words, wire_counts, wires, num_qubits) -> torch.Tensor:
    # Observables are made of Python values, so torch.compile runs this while tracing and keeps the
    # table as a constant (a traced call would need the table's values, which fake tensors lack).
    return torch.ops.torchq._observables_table(term_counts, coeffs, words, wire_counts, wires, num_qubits)


def _table(observables: Sequence[Observable], num_qubits: Optional[int] = None) -> torch.Tensor:
    return _table_op(*_flat(observables), num_qubits)


def observables_table(observables, num_qubits: Optional[int] = None) -> torch.Tensor:
    """The float64 [K, L] table of one observable or a list of them (row k = observable k).

    If ``num_qubits`` is given, wires are checked against it (ValueError naming the observable).
    """
    if num_qubits is not None:
        num_qubits = operator.index(num_qubits)
    return _table(_as_list(observables), num_qubits)


def observables_from_table(table: torch.Tensor, num_qubits: Optional[int] = None) -> List[Observable]:
    """Parses a [K, L] table back into observables, validated as the ops validate it (against
    ``num_qubits`` when given); raises ValueError naming the row."""
    if not isinstance(table, torch.Tensor):
        raise TypeError(f"an observable table is a float64 tensor [K, L], got {type(table).__name__}")
    if num_qubits is not None:
        num_qubits = operator.index(num_qubits)
    table = table.detach()
    if table.device.type != "meta":  # a meta table reaches the op, which says how to get real buffers
        table = table.cpu()
    return _unflat(*torch.ops.torchq._observables_from_table(table, num_qubits))
