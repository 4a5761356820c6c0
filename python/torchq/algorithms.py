"""Textbook quantum algorithms as blocks that append to a Circuit: the core's
(torchq/build/algorithms.h), called through the circuit's C++ builder.

The quantum Fourier transform and its inverse, quantum phase estimation, and Grover's oracle,
diffusion and search. They use constant gates only (no weights, no inputs), so they sit anywhere
in a QuantumLayer's circuit, before or after trainable blocks. Conventions are PennyLane's (QFT,
QuantumPhaseEstimation, FlipSign, GroverOperator); wires[0] is the most significant bit of the
register.

    c = torchq.Circuit(3)
    k = torchq.grover_search(c, [0, 1, 2], "101")      # k = 2 iterations
    torchq.probs(c, torch.zeros(0), torch.zeros(1, 0))  # |101> with probability 0.945
"""

from __future__ import annotations

from typing import List, Sequence, Union

import numpy as np
import torch

from torchq.circuit import Circuit, _complex_matrix, _index, _wires

Bitstring = Union[str, Sequence[int]]


def _bits(bitstring: Bitstring) -> List[int]:
    """"101" or [1, 0, 1] as a list of integers (the core checks they are 0 or 1, one per wire)."""
    if isinstance(bitstring, str):
        return [int(ch) if ch in "01" else 2 for ch in bitstring]  # 2: refused by the core, naming the bits
    return [_index(b, "bit") for b in bitstring]


def qft(c: Circuit, wires: Sequence[int]) -> Circuit:
    """PennyLane's QFT: |j> -> 2^{-n/2} sum_k exp(2 pi i j k / 2^n) |k>, j and k read from the
    wires with wires[0] most significant."""
    c._b.qft(_wires(wires))
    return c


def inverse_qft(c: Circuit, wires: Sequence[int]) -> Circuit:
    """The adjoint of ``qft(c, wires)``: the same gates in reverse order with negated angles."""
    c._b.inverse_qft(_wires(wires))
    return c


def phase_estimation(
    c: Circuit, unitary_matrix, target_wires: Sequence[int], estimation_wires: Sequence[int]
) -> Circuit:
    """PennyLane's QuantumPhaseEstimation: H on each estimation wire, then U^(2^(t-1-i)) on the
    target wires controlled by estimation_wires[i] (a QubitUnitary with an extra control; the
    powers are computed by repeated squaring and kept unitary), then ``inverse_qft``. For a target
    eigenstate with U|psi> = exp(2 pi i phi)|psi>, the estimation register (estimation_wires[0]
    most significant) reads phi * 2^t exactly when phi * 2^t is an integer.

    Args:
        unitary_matrix: 2^k x 2^k unitary (array-like or tensor), k = len(target_wires) in [1, 6].
    """
    c._b.phase_estimation(_complex_matrix(unitary_matrix, "phase_estimation"), _wires(target_wires),
                          _wires(estimation_wires))
    return c


def grover_oracle(c: Circuit, wires: Sequence[int], marked_bitstring: Bitstring) -> Circuit:
    """PennyLane's FlipSign: I - 2|m><m| for the basis state m (``marked_bitstring[j]`` is the
    bit of wires[j]; a string "101" or a sequence of 0/1): X where the bit is 0, Z on the last
    wire controlled by the others, X again."""
    c._b.grover_oracle(_wires(wires), _bits(marked_bitstring))
    return c


def grover_diffusion(c: Circuit, wires: Sequence[int]) -> Circuit:
    """PennyLane's GroverOperator 2|s><s| - I, s the uniform superposition: H and X on every wire,
    Z on the last wire controlled by the others, X and H again, and RZ(2 pi) = -I for the global
    phase (PennyLane's GlobalPhase(pi)), so states agree with PennyLane's, sign included."""
    c._b.grover_diffusion(_wires(wires))
    return c


def grover_iterations(num_wires: int, num_marked: int = 1) -> int:
    """floor(pi / 4 * sqrt(N / M)), N = 2^num_wires: the iteration count that brings the
    probability of measuring one of M marked states close to 1."""
    return torch.classes.torchq.CircuitBuilder.grover_iterations(_index(num_wires, "num_wires"),
                                                                 _index(num_marked, "num_marked"))


def grover_search(
    c: Circuit,
    wires: Sequence[int],
    marked: Union[Bitstring, Sequence[Bitstring]],
    iterations: int = -1,
) -> int:
    """Grover's search: H on every wire, then ``iterations`` times the oracle of every marked
    state followed by ``grover_diffusion``; -1 uses ``grover_iterations(n, len(marked))``.

    Args:
        marked: one bitstring ("101" or [1, 0, 1]) or a list of distinct ones.

    Returns:
        the number of iterations appended.
    """
    if isinstance(marked, str) or (len(marked) > 0 and not isinstance(marked[0], str) and np.ndim(marked[0]) == 0):
        marked = [marked]
    return c._b.grover_search(_wires(wires), [_bits(m) for m in marked], _index(iterations, "iterations"))
