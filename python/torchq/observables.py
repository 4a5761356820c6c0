"""Observables: Pauli words and Hamiltonians (real-weighted sums of Pauli words), and the table
form the ops take (mirror of torchq/observables.h).

    obs = [PauliZ(0), PauliWord("XZ", [0, 1]), Hamiltonian([(0.5, "ZZ", [0, 1]), (-1.0, "X", [2])])]
    table = observables_table(obs)     # float64 [K, L]; row k measures obs[k]

Arithmetic builds observables too: ``0.5 * PauliZ(0) @ PauliZ(1) + PauliX(2)``.

Table form: row k = [20817, 1, num_terms, per term: coeff, num_factors, (wire, pauli) per
factor, zero padding to the longest row]; pauli codes 1 = X, 2 = Y, 3 = Z. A term without
factors is coeff * identity.
"""

from __future__ import annotations

import math
import operator
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

OBSERVABLE_MAGIC = 20817.0
OBSERVABLE_VERSION = 1
PAULI_CODES: Dict[str, int] = {"X": 1, "Y": 2, "Z": 3}
_PAULI_LETTERS = {v: k for k, v in PAULI_CODES.items()}

Factor = Tuple[int, int]  # (wire, pauli code)
Term = Tuple[float, Tuple[Factor, ...]]  # (coeff, factors)


def _make_term(coeff, paulis: str, wires, where: str) -> Term:
    if isinstance(wires, (int, np.integer)) and not isinstance(wires, bool):
        wires = [wires]
    wires = list(wires)
    if not isinstance(paulis, str):
        raise TypeError(f"{where}: a Pauli word is a string like 'XZ', got {type(paulis).__name__}")
    if len(paulis) != len(wires):
        raise ValueError(f"{where}: Pauli word {paulis!r} has {len(paulis)} letters but {len(wires)} wires were given")
    if isinstance(coeff, bool) or not isinstance(coeff, (int, float, np.number)):
        if isinstance(coeff, torch.Tensor) and coeff.numel() == 1 and not coeff.requires_grad:
            coeff = coeff.item()
        else:
            raise TypeError(f"{where}: a coefficient is a real number, got {type(coeff).__name__}")
    coeff = float(coeff)
    if not math.isfinite(coeff):
        raise ValueError(f"{where}: coefficient must be finite, got {coeff}")
    factors = []
    seen = set()
    for letter, w in zip(paulis, wires):
        if isinstance(w, bool):
            raise TypeError(f"{where}: a wire is an integer, got bool")
        w = operator.index(w)
        if w < 0:
            raise ValueError(f"{where}: wire {w} is negative")
        if w in seen:
            raise ValueError(f"{where}: wire {w} appears twice; a Pauli word has one factor per wire")
        seen.add(w)
        if letter == "I":
            continue
        if letter not in PAULI_CODES:
            raise ValueError(f"{where}: Pauli word letters must be I, X, Y or Z, got {letter!r}")
        factors.append((w, PAULI_CODES[letter]))
    return coeff, tuple(factors)


class Observable:
    """A Hermitian observable: a real-weighted sum of Pauli words (see PauliWord, Hamiltonian)."""

    def __init__(self, terms: Sequence[Term]):
        terms = tuple((float(c), tuple((int(w), int(p)) for w, p in f)) for c, f in terms)
        if not terms:
            raise ValueError("an observable needs at least one term")
        self._terms = terms

    @property
    def terms(self) -> Tuple[Term, ...]:
        """((coeff, ((wire, pauli code), ...)), ...)."""
        return self._terms

    @property
    def wires(self) -> Tuple[int, ...]:
        """The wires the observable acts on, sorted."""
        return tuple(sorted({w for _, f in self._terms for w, _ in f}))

    # ---- arithmetic ----

    def __add__(self, other) -> "Observable":
        if isinstance(other, Observable):
            return Hamiltonian._from_terms(self._terms + other._terms)
        if isinstance(other, (int, float, np.number)) and not isinstance(other, bool):
            if other == 0:
                return self
            return Hamiltonian._from_terms(self._terms + ((float(other), ()),))
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
        terms = tuple((c * float(k), f) for c, f in self._terms)
        return PauliWord._from_term(terms[0]) if len(terms) == 1 else Hamiltonian._from_terms(terms)

    __rmul__ = __mul__

    def __neg__(self) -> "Observable":
        return self * -1.0

    def __matmul__(self, other) -> "Observable":
        """Tensor product of observables on disjoint wires."""
        if not isinstance(other, Observable):
            return NotImplemented
        if set(self.wires) & set(other.wires):
            raise ValueError(
                f"@ multiplies observables on disjoint wires; {self!r} and {other!r} share wires "
                f"{sorted(set(self.wires) & set(other.wires))}"
            )
        terms = tuple((c1 * c2, tuple(sorted(f1 + f2))) for c1, f1 in self._terms for c2, f2 in other._terms)
        return PauliWord._from_term(terms[0]) if len(terms) == 1 else Hamiltonian._from_terms(terms)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Observable):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(self._terms)

    # ---- text ----

    @staticmethod
    def _word(factors: Tuple[Factor, ...]) -> str:
        if not factors:
            return "I"
        return " @ ".join(f"{_PAULI_LETTERS[p]}({w})" for w, p in factors)

    def label(self) -> str:
        """Compact text: Z(0), X(0) @ Z(1), 0.5*Z(0) - X(2) + 2*I."""
        out = ""
        for i, (c, f) in enumerate(self._terms):
            word = self._word(f)
            sign = "-" if c < 0 else "+"
            mag = abs(c)
            text = word if mag == 1.0 else f"{mag:g}*{word}"
            out += (("-" if sign == "-" else "") + text) if i == 0 else f" {sign} {text}"
        return out

    def __repr__(self) -> str:
        return self.label()

    # ---- table form ----

    def row(self) -> List[float]:
        """This observable's table row without padding."""
        out = [OBSERVABLE_MAGIC, float(OBSERVABLE_VERSION), float(len(self._terms))]
        for c, f in self._terms:
            out += [c, float(len(f))]
            for w, p in f:
                out += [float(w), float(p)]
        return out


class PauliWord(Observable):
    """coeff * a tensor product of Pauli operators, e.g. PauliWord("XZ", [0, 1]) = X(0) Z(1).

    Letters are I, X, Y, Z (I factors are dropped; "" or all-I is coeff * identity).
    """

    def __init__(self, paulis: str, wires: Union[int, Sequence[int]], coeff: float = 1.0):
        super().__init__((_make_term(coeff, paulis, wires, "PauliWord"),))

    @classmethod
    def _from_term(cls, term: Term) -> "PauliWord":
        obj = cls.__new__(cls)
        Observable.__init__(obj, (term,))
        return obj

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
            built.append(_make_term(coeff, paulis, wires, f"Hamiltonian term #{t}"))
        if not built:
            raise ValueError("Hamiltonian: give at least one term")
        super().__init__(built)

    @classmethod
    def _from_terms(cls, terms: Sequence[Term]) -> "Hamiltonian":
        obj = cls.__new__(cls)
        Observable.__init__(obj, terms)
        return obj


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
    """coeff * identity (the wire is only for symmetry with the Pauli helpers)."""
    return PauliWord("", [], coeff)


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


def observables_table(observables, num_qubits: Optional[int] = None) -> torch.Tensor:
    """The float64 [K, L] table of one observable or a list of them (row k = observable k).

    If ``num_qubits`` is given, wires are checked against it (ValueError naming the observable).
    """
    obs = _as_list(observables)
    if not obs:
        raise ValueError("observables_table: give at least one observable")
    if num_qubits is not None:
        for k, o in enumerate(obs):
            for w in o.wires:
                if w >= num_qubits:
                    raise ValueError(
                        f"observable #{k} ({o.label()}): wire {w} is out of range: the circuit has {num_qubits} "
                        f"qubits, so wires are 0..{num_qubits - 1}"
                    )
    rows = [o.row() for o in obs]
    width = max(len(r) for r in rows)
    return torch.tensor([r + [0.0] * (width - len(r)) for r in rows], dtype=torch.float64, device="cpu")


def observables_from_table(table: torch.Tensor) -> List[Observable]:
    """Parses a [K, L] table back into observables (raises ValueError naming the row)."""
    if not isinstance(table, torch.Tensor) or table.dim() != 2:
        raise ValueError("an observable table is a 2-D tensor [num_observables, row_length]")
    out: List[Observable] = []
    for k, row in enumerate(table.detach().cpu().to(torch.float64).tolist()):
        where = f"observable #{k}"
        if len(row) < 3 or row[0] != OBSERVABLE_MAGIC or row[1] != OBSERVABLE_VERSION:
            raise ValueError(f"{where}: row must start with the torchq observable magic 20817 and version 1")
        pos = 3
        terms = []

        def take(n: int) -> List[float]:
            nonlocal pos
            if pos + n > len(row):
                raise ValueError(f"{where}: row ends early")
            vals = row[pos:pos + n]
            pos += n
            return vals

        nt = row[2]
        if nt != int(nt) or nt < 1:
            raise ValueError(f"{where}: num_terms must be a positive integer, got {nt}")
        for _ in range(int(nt)):
            coeff, nf = take(2)
            if nf != int(nf) or nf < 0:
                raise ValueError(f"{where}: num_factors must be a non-negative integer, got {nf}")
            factors = []
            for _ in range(int(nf)):
                w, p = take(2)
                if w != int(w) or w < 0 or p not in (1.0, 2.0, 3.0):
                    raise ValueError(f"{where}: bad factor (wire {w}, pauli {p})")
                factors.append((int(w), int(p)))
            terms.append((coeff, tuple(factors)))
        if any(v != 0.0 for v in row[pos:]):
            raise ValueError(f"{where}: padding after the last term must be zeros")
        out.append(PauliWord._from_term(terms[0]) if len(terms) == 1 else Hamiltonian._from_terms(terms))
    return out
