"""Embeddings and layer templates that append to a Circuit (mirror of layers/templates.h).

Weights are allocated in PennyLane's flattening order, so trained weights copy straight to or
from PennyLane: ``layer.weights.data[r] = torch.as_tensor(pl_weights).flatten()`` with ``r`` the
range a template returns.
"""

from __future__ import annotations

import math
from typing import List, Optional, Sequence, Tuple

from torchq import gates as _g
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


class _NumpyGenerator:
    """``numpy.random.default_rng(seed)`` for exactly the calls PennyLane's RandomLayers makes
    (mirror of the C++ NumpyGenerator in layers/templates.cpp): SeedSequence(seed) -> PCG64,
    ``random()`` from 53 bits of a 64-bit draw, integers by Lemire's method on 32-bit draws
    (each 64-bit draw serves two, low half first), ``choice(n, k, replace=False)`` by Floyd's
    algorithm and a shuffle. Written out rather than calling numpy, so that circuits do not
    change with numpy's version and C++ and Python build the same circuit.
    """

    _M32, _M64, _M128 = (1 << 32) - 1, (1 << 64) - 1, (1 << 128) - 1
    _MULT = 0x2360ED051FC65DA44385DF649FCCF645

    def __init__(self, seed: int):
        m32 = self._M32
        entropy = [seed & m32] + ([seed >> 32] if seed >> 32 else [])
        hash_const = [0x43B0D7E5]

        def hashmix(v: int) -> int:
            v = (v ^ hash_const[0]) & m32
            hash_const[0] = (hash_const[0] * 0x931E8875) & m32
            v = (v * hash_const[0]) & m32
            return v ^ (v >> 16)

        def mix(x: int, y: int) -> int:
            r = (0xCA01F9DD * x - 0x4973F715 * y) & m32
            return r ^ (r >> 16)

        pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(4)]
        for src in range(4):
            for dst in range(4):
                if src != dst:
                    pool[dst] = mix(pool[dst], hashmix(pool[src]))
        words, hash_b = [], 0x8B51F9DD
        for i in range(8):
            v = pool[i % 4] ^ hash_b
            hash_b = (hash_b * 0x58F38DED) & m32
            v = (v * hash_b) & m32
            words.append(v ^ (v >> 16))
        val = [words[2 * i] | (words[2 * i + 1] << 32) for i in range(4)]
        self._inc = ((((val[2] << 64) | val[3]) << 1) | 1) & self._M128
        self._state = 0
        self._step()
        self._state = (self._state + ((val[0] << 64) | val[1])) & self._M128
        self._step()
        self._half: Optional[int] = None

    def _step(self) -> None:
        self._state = (self._state * self._MULT + self._inc) & self._M128

    def _next64(self) -> int:
        self._step()
        hi, lo = self._state >> 64, self._state & self._M64
        x, r = hi ^ lo, hi >> 58
        return ((x >> r) | (x << ((64 - r) & 63))) & self._M64

    def _next32(self) -> int:
        if self._half is not None:
            v, self._half = self._half, None
            return v
        v = self._next64()
        self._half = v >> 32
        return v & self._M32

    def uniform(self) -> float:
        return (self._next64() >> 11) * (1.0 / 9007199254740992.0)

    def bounded(self, top: int) -> int:
        """An integer in [0, top]; no draw when top is 0."""
        if top == 0:
            return 0
        rng = top + 1
        m = self._next32() * rng
        if (m & self._M32) < rng:
            threshold = (self._M32 - top) % rng
            while (m & self._M32) < threshold:
                m = self._next32() * rng
        return m >> 32

    def choice(self, n: int, k: int) -> List[int]:
        out: List[int] = []
        for j in range(n - k, n):
            v = self.bounded(j)
            out.append(j if v in out else v)
        for i in range(k - 1, 0, -1):
            j = self.bounded(i)
            out[i], out[j] = out[j], out[i]
        return out


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


def iqp_embedding(
    c: Circuit,
    wires: Sequence[int],
    feature_offset: int = 0,
    n_repeats: int = 1,
    pattern: Optional[Sequence[Tuple[int, int]]] = None,
) -> Circuit:
    """PennyLane's IQPEmbedding, ``n_repeats`` times: H then RZ(x_j) on each wires[j] (wire by
    wire), then MultiRZ(x_i * x_j) on each pair of ``pattern``. x_j is feature
    ``feature_offset + j``; a pair names wires, whose features are those of their positions in
    ``wires``. ``pattern`` None or empty means all pairs (wires[i], wires[j]), i < j, in
    lexicographic order. The pair angles are input products (``c.input_product``), so gradients
    reach both features.
    """
    wires = _wire_tuple(wires)
    offset = _index(feature_offset, "feature_offset")
    n_repeats = _index(n_repeats, "n_repeats")
    if not wires:
        raise ValueError("iqp_embedding: give at least one wire")
    if n_repeats < 1:
        raise ValueError(f"iqp_embedding: n_repeats must be >= 1, got {n_repeats}")
    n = len(wires)
    if pattern is None or len(pattern) == 0:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    else:
        pairs = []
        for pair in pattern:
            pair = _wire_tuple(pair)
            if len(pair) != 2:
                raise ValueError(f"iqp_embedding: a pattern entry is a pair of wires, got {pair}")
            u, v = pair
            if u == v:
                raise ValueError(f"iqp_embedding: pattern pair ({u}, {v}) repeats a wire")
            for w in (u, v):
                if w not in wires:
                    raise ValueError(f"iqp_embedding: pattern wire {w} is not one of the embedding's wires")
            pairs.append((wires.index(u), wires.index(v)))
    for _ in range(n_repeats):
        for j, w in enumerate(wires):
            c.h(w).rz(w, c.input(offset + j))
        for i, j in pairs:
            c.multi_rz((wires[i], wires[j]), c.input_product(offset + i, offset + j))
    return c


def data_reuploading(
    c: Circuit,
    num_layers: int,
    wires: Sequence[int],
    feature_offset: int = 0,
    rotation: str = "X",
    scale: float = 1.0,
) -> range:
    """Data re-uploading (Pérez-Salinas et al. 2020): per layer ``angle_embedding(wires,
    feature_offset, rotation, scale)``, then layer l of StronglyEntanglingLayers (Rot on every
    wire, a CNOT ring of range (l % (n-1)) + 1). Weight [l, i, k] gets index first + (l*n + i)*3 + k:
    the weights of StronglyEntanglingLayers(num_layers), with the encodings interleaved.

    Returns:
        the range of weight indices allocated.
    """
    wires = _wire_tuple(wires)
    num_layers = _index(num_layers, "num_layers")
    _check_layers(num_layers, wires, "data_reuploading")
    n = len(wires)
    first = c.num_weights
    for layer in range(num_layers):
        angle_embedding(c, wires, feature_offset, rotation, scale)
        strongly_entangling_layers(c, 1, wires, [layer % (n - 1) + 1 if n > 1 else 1])
    return range(first, c.num_weights)


def hardware_efficient_ansatz(c: Circuit, num_layers: int, wires: Sequence[int]) -> range:
    """Hardware-efficient ansatz (Kandala et al. 2017; PennyLane has no such template): per layer
    RY(w[l,i,0]) then RZ(w[l,i,1]) on each wires[i], then a CNOT ladder CNOT(wires[i], wires[i+1]),
    i = 0..n-2. Weight [l, i, k] gets index first + (l*n + i)*2 + k.

    Returns:
        the range of weight indices allocated.
    """
    wires = _wire_tuple(wires)
    num_layers = _index(num_layers, "num_layers")
    _check_layers(num_layers, wires, "hardware_efficient_ansatz")
    first = c.num_weights
    for _ in range(num_layers):
        for w in wires:
            ry, rz = c.weight(), c.weight()
            c.ry(w, ry).rz(w, rz)
        for a, b in zip(wires[:-1], wires[1:]):
            c.cnot(a, b)
    return range(first, c.num_weights)


def random_layers(
    c: Circuit,
    num_layers: int,
    num_rotations: int,
    wires: Sequence[int],
    ratio_imprim: float = 0.3,
    imprimitive: str = "CNOT",
    rotations: Sequence[str] = ("X", "Y", "Z"),
    seed: int = 42,
) -> range:
    """PennyLane's RandomLayers, gate for gate: for each layer, draw u in [0, 1); if
    u > ratio_imprim put a random rotation (from ``rotations``: "X", "Y", "Z") with the next weight
    on a random wire, else (two or more wires) ``imprimitive`` (a two-wire gate without parameters:
    "CNOT", "CZ", ...) on two random wires; until the layer has ``num_rotations`` rotations. The
    draws reproduce ``numpy.random.default_rng(seed)``, so a seed gives PennyLane's circuit (and
    the C++ template's); the same seed always gives the same circuit. Weight [l, r] gets index
    first + l * num_rotations + r, as PennyLane's weights [num_layers, num_rotations] flattened.

    Returns:
        the range of weight indices allocated.
    """
    wires = _wire_tuple(wires)
    num_layers = _index(num_layers, "num_layers")
    num_rotations = _index(num_rotations, "num_rotations")
    seed = _index(seed, "seed")
    _check_layers(num_layers, wires, "random_layers")
    if num_rotations < 1:
        raise ValueError(f"random_layers: num_rotations must be >= 1, got {num_rotations}")
    if not 0.0 <= float(ratio_imprim) < 1.0:  # at 1 no rotation would ever be drawn
        raise ValueError(f"random_layers: ratio_imprim must be in [0, 1), got {ratio_imprim}")
    if not 0 <= seed < (1 << 64):
        raise ValueError(f"random_layers: seed must be in [0, 2^64), got {seed}")
    if isinstance(rotations, str):
        rotations = (rotations,)
    rotations = [r.upper() if isinstance(r, str) else r for r in rotations]
    if not rotations:
        raise ValueError('random_layers: give at least one rotation ("X", "Y" or "Z")')
    for r in rotations:
        if r not in _ROTATIONS:
            raise ValueError(f'random_layers: rotations must be "X", "Y" or "Z", got {r!r}')
    try:
        info = _g.gate_info(imprimitive)
    except (KeyError, ValueError, TypeError):
        info = None
    if info is None or info.num_wires != 2 or info.num_params != 0:
        raise ValueError(
            "random_layers: imprimitive must be a two-wire gate without parameters (CNOT, CY, CZ, SWAP, "
            f"ISWAP), got {imprimitive!r}"
        )
    n = len(wires)
    rng = _NumpyGenerator(seed)
    ratio = float(ratio_imprim)
    first = c.num_weights
    for _ in range(num_layers):
        r = 0
        while r < num_rotations:
            if rng.uniform() > ratio:
                rotation = rotations[rng.bounded(len(rotations) - 1)]
                _rotate(c, rotation, wires[rng.choice(n, 1)[0]], c.weight())
                r += 1
            elif n > 1:
                a, b = rng.choice(n, 2)
                c.gate(info.id, (wires[a], wires[b]))
    return range(first, c.num_weights)
