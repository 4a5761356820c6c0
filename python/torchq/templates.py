"""Embeddings and layer templates that append to a Circuit (mirror of layers/templates.h).

Weights are allocated in PennyLane's flattening order, so trained weights copy straight to or
from PennyLane: ``layer.weights.data[r] = torch.as_tensor(pl_weights).flatten()`` with ``r`` the
range a template returns.
"""

from __future__ import annotations

from typing import Optional, Sequence

from torchq.circuit import Circuit, Param, _index, _wire_tuple

_ROTATIONS = {"X": "rx", "Y": "ry", "Z": "rz"}


def _rotate(c: Circuit, rotation: str, wire: int, p: Param) -> None:
    method = _ROTATIONS.get(rotation.upper() if isinstance(rotation, str) else rotation)
    if method is None:
        raise ValueError(f'rotation must be "X", "Y" or "Z", got {rotation!r}')
    getattr(c, method)(wire, p)


def _check_layers(num_layers: int, wires: Sequence[int], what: str) -> None:
    if num_layers < 1:
        raise ValueError(f"{what}: num_layers must be >= 1, got {num_layers}")
    if not wires:
        raise ValueError(f"{what}: give at least one wire")


def angle_embedding(
    c: Circuit, wires: Sequence[int], feature_offset: int = 0, rotation: str = "X", scale: float = 1.0
) -> Circuit:
    """One rotation per wire by ``scale * inputs[feature_offset + j]`` on wires[j]
    (PennyLane's AngleEmbedding; its default rotation is "X")."""
    wires = _wire_tuple(wires)
    offset = _index(feature_offset, "feature_offset")
    for j, w in enumerate(wires):
        _rotate(c, rotation, w, c.input(offset + j, scale))
    return c


def amplitude_embedding(
    c: Circuit,
    wires: Sequence[int],
    feature_offset: int = 0,
    num_features: Optional[int] = None,
    normalize: bool = True,
    pad: float = 0.0,
) -> Circuit:
    """Amplitude encoding of features on the wires (see Circuit.amplitude_embedding); must come first."""
    return c.amplitude_embedding(wires, feature_offset, num_features, normalize, pad)


def basis_embedding(c: Circuit, wires: Sequence[int], feature_offset: int = 0) -> Circuit:
    """Basis encoding: X on wires[j] where feature (feature_offset + j) is 1."""
    return c.basis_embedding(wires, feature_offset)


def basic_entangler_layers(c: Circuit, num_layers: int, wires: Sequence[int], rotation: str = "X") -> range:
    """PennyLane's BasicEntanglerLayers: per layer one trainable rotation per wire, then a ring of
    CNOTs (one CNOT for 2 wires, none for 1). Weight [l, i] gets index first + l * n + i.

    Returns:
        the range of weight indices allocated (PennyLane's weights, flattened, fill it in order).
    """
    wires = _wire_tuple(wires)
    num_layers = _index(num_layers, "num_layers")
    _check_layers(num_layers, wires, "basic_entangler_layers")
    n = len(wires)
    first = c.num_weights
    for _ in range(num_layers):
        for w in wires:
            _rotate(c, rotation, w, c.weight())
        if n == 2:
            c.cnot(wires[0], wires[1])
        elif n > 2:
            for i in range(n):
                c.cnot(wires[i], wires[(i + 1) % n])
    return range(first, c.num_weights)


def strongly_entangling_layers(
    c: Circuit,
    num_layers: int,
    wires: Sequence[int],
    ranges: Optional[Sequence[int]] = None,
) -> range:
    """PennyLane's StronglyEntanglingLayers: per layer Rot(w[l,i,0], w[l,i,1], w[l,i,2]) on every
    wire, then, for more than one wire, CNOT(wires[i], wires[(i + r) % n]) for each i, with
    r = ranges[l] (default (l % (n - 1)) + 1). Weight [l, i, k] gets index first + (l*n + i)*3 + k.

    Returns:
        the range of weight indices allocated.
    """
    wires = _wire_tuple(wires)
    num_layers = _index(num_layers, "num_layers")
    _check_layers(num_layers, wires, "strongly_entangling_layers")
    n = len(wires)
    if ranges is not None:
        ranges = [_index(r, "range") for r in ranges]
        if len(ranges) != num_layers:
            raise ValueError(
                f"strongly_entangling_layers: ranges needs one entry per layer ({num_layers}), got {len(ranges)}"
            )
        if n > 1:
            for r in ranges:
                if not 1 <= r < n:
                    raise ValueError(
                        f"strongly_entangling_layers: range {r} must be in [1, {n - 1}] for {n} wires"
                    )
    first = c.num_weights
    for layer in range(num_layers):
        for w in wires:
            phi, theta, omega = c.weight(), c.weight(), c.weight()
            c.rot(w, phi, theta, omega)
        if n > 1:
            r = ranges[layer] if ranges is not None else (layer % (n - 1)) + 1
            for i in range(n):
                c.cnot(wires[i], wires[(i + r) % n])
    return range(first, c.num_weights)
