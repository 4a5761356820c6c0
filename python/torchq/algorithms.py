"""Textbook quantum algorithms as blocks that append to a Circuit (mirror of layers/algorithms.h).

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

import math
from typing import List, Sequence, Tuple, Union

import numpy as np
import torch

from torchq.circuit import Circuit, _index, _wire_tuple

Bitstring = Union[str, Sequence[int]]
_UNITARY_TOLERANCE = 1e-8  # the QubitUnitary bound


def _register(wires, what: str) -> Tuple[int, ...]:
    wires = _wire_tuple(wires)
    if not wires:
        raise ValueError(f"{what}: give at least one wire")
    if len(set(wires)) != len(wires):
        raise ValueError(f"{what}: wires must be distinct")
    return wires


def _bits(wires: Tuple[int, ...], bitstring: Bitstring, what: str) -> Tuple[int, ...]:
    if isinstance(bitstring, str):
        if any(ch not in "01" for ch in bitstring):
            raise ValueError(f"{what}: bits must be 0 or 1, got {bitstring!r}")
        bits = tuple(int(ch) for ch in bitstring)
    else:
        bits = tuple(_index(b, "bit") for b in bitstring)
    if len(bits) != len(wires):
        raise ValueError(
            f"{what}: a marked bitstring needs one bit per wire ({len(wires)}), got {len(bits)}"
        )
    for b in bits:
        if b not in (0, 1):
            raise ValueError(f"{what}: bits must be 0 or 1, got {b}")
    return bits


def _multi_controlled_z(c: Circuit, wires: Tuple[int, ...]) -> None:
    """Z on the last wire controlled by all the others (Z itself for one wire)."""
    c.z(wires[-1], controls=wires[:-1])


def qft(c: Circuit, wires: Sequence[int]) -> Circuit:
    """PennyLane's QFT: |j> -> 2^{-n/2} sum_k exp(2 pi i j k / 2^n) |k>, j and k read from the
    wires with wires[0] most significant. For each wires[i]: H, then ControlledPhaseShift(2 pi /
    2^{m+1}) controlled by wires[i + m], m = 1..n-1-i; then SWAPs that reverse the wire order."""
    wires = _register(wires, "qft")
    n = len(wires)
    for i in range(n):
        c.h(wires[i])
        for m in range(1, n - i):
            c.controlled_phase_shift(wires[i + m], wires[i], 2 * math.pi / 2 ** (m + 1))
    for i in range(n // 2):
        c.swap(wires[i], wires[n - 1 - i])
    return c


def inverse_qft(c: Circuit, wires: Sequence[int]) -> Circuit:
    """The adjoint of ``qft(wires)``: the same gates in reverse order with negated angles."""
    wires = _register(wires, "inverse_qft")
    n = len(wires)
    for i in reversed(range(n // 2)):
        c.swap(wires[i], wires[n - 1 - i])
    for i in reversed(range(n)):
        for m in reversed(range(1, n - i)):
            c.controlled_phase_shift(wires[i + m], wires[i], -2 * math.pi / 2 ** (m + 1))
        c.h(wires[i])
    return c


def _square(u: np.ndarray) -> np.ndarray:
    """U^2, pulled back onto the unitaries by one Newton-Schulz step X (3I - X^dagger X) / 2:
    repeated squaring doubles the rounding error each time."""
    x = u @ u
    return x @ (3 * np.eye(len(u)) - x.conj().T @ x) / 2


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
    target = _register(target_wires, "phase_estimation (target_wires)")
    estimation = _register(estimation_wires, "phase_estimation (estimation_wires)")
    for w in estimation:
        if w in target:
            raise ValueError(f"phase_estimation: wire {w} is both a target and an estimation wire")
    k = len(target)
    if k > 6:
        raise ValueError(f"phase_estimation: the unitary acts on at most 6 target wires, got {k}")
    if isinstance(unitary_matrix, torch.Tensor):
        unitary_matrix = unitary_matrix.detach().cpu().numpy()
    u = np.asarray(unitary_matrix, dtype=np.complex128)
    dim = 1 << k
    if u.shape != (dim, dim):
        raise ValueError(
            f"phase_estimation: the unitary must be {dim} x {dim} for {k} target wire(s), got shape {u.shape}"
        )
    err = float(np.max(np.abs(u.conj().T @ u - np.eye(dim))))
    if not err <= _UNITARY_TOLERANCE:
        raise ValueError(f"phase_estimation: the matrix is not unitary (max |U^dagger U - I| = {err:.3g})")
    t = len(estimation)
    for w in estimation:
        c.h(w)
    powers: List[np.ndarray] = [u]
    for _ in range(1, t):
        powers.append(_square(powers[-1]))
    for i, w in enumerate(estimation):  # the highest power first, as PennyLane
        c.qubit_unitary(powers[t - 1 - i], target, controls=(w,))
    return inverse_qft(c, estimation)


def grover_oracle(c: Circuit, wires: Sequence[int], marked_bitstring: Bitstring) -> Circuit:
    """PennyLane's FlipSign: I - 2|m><m| for the basis state m (``marked_bitstring[j]`` is the
    bit of wires[j]; a string "101" or a sequence of 0/1): X where the bit is 0, Z on the last
    wire controlled by the others, X again."""
    wires = _register(wires, "grover_oracle")
    bits = _bits(wires, marked_bitstring, "grover_oracle")
    zeros = [w for w, b in zip(wires, bits) if b == 0]
    for w in zeros:
        c.x(w)
    _multi_controlled_z(c, wires)
    for w in zeros:
        c.x(w)
    return c


def grover_diffusion(c: Circuit, wires: Sequence[int]) -> Circuit:
    """PennyLane's GroverOperator 2|s><s| - I, s the uniform superposition: H and X on every wire,
    Z on the last wire controlled by the others, X and H again, and RZ(2 pi) = -I for the global
    phase (PennyLane's GlobalPhase(pi)), so states agree with PennyLane's, sign included."""
    wires = _register(wires, "grover_diffusion")
    for w in wires:
        c.h(w).x(w)
    _multi_controlled_z(c, wires)  # I - 2|1..1><1..1|, so with the X and H: I - 2|s><s|
    for w in wires:
        c.x(w).h(w)
    c.rz(wires[0], 2 * math.pi)  # -I: 2|s><s| - I, as PennyLane
    return c


def grover_iterations(num_wires: int, num_marked: int = 1) -> int:
    """floor(pi / 4 * sqrt(N / M)), N = 2^num_wires: the iteration count that brings the
    probability of measuring one of M marked states close to 1 (it is sin^2((2k+1) theta),
    sin theta = sqrt(M / N))."""
    num_wires = _index(num_wires, "num_wires")
    num_marked = _index(num_marked, "num_marked")
    if not 1 <= num_wires <= 62:
        raise ValueError(f"grover_iterations: num_wires must be in [1, 62], got {num_wires}")
    if not 1 <= num_marked <= (1 << num_wires):
        raise ValueError(f"grover_iterations: num_marked must be in [1, 2^num_wires], got {num_marked}")
    return int(math.floor(math.pi / 4 * math.sqrt(2.0**num_wires / num_marked)))


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
    wires = _register(wires, "grover_search")
    iterations = _index(iterations, "iterations")
    if isinstance(marked, str) or (len(marked) > 0 and not isinstance(marked[0], str) and np.ndim(marked[0]) == 0):
        marked = [marked]
    if len(marked) == 0:
        raise ValueError("grover_search: give at least one marked bitstring")
    bits = [_bits(wires, m, "grover_search") for m in marked]
    if len(set(bits)) != len(bits):
        raise ValueError("grover_search: marked bitstrings must be distinct")
    if iterations < -1:
        raise ValueError(f"grover_search: iterations must be >= 0 (or -1: optimal), got {iterations}")
    k = grover_iterations(len(wires), len(bits)) if iterations < 0 else iterations
    for w in wires:
        c.h(w)
    for _ in range(k):
        for m in bits:
            grover_oracle(c, wires, m)
        grover_diffusion(c, wires)
    return k
