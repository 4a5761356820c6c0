"""Embeddings and layer templates that append to a Circuit: the core's (torchq/build/templates.h),
called through the circuit's C++ builder, so Python and C++ build identical programs.

Weights are allocated in PennyLane's flattening order, so trained weights copy straight to or
from PennyLane: ``layer.weights.data[r] = torch.as_tensor(pl_weights).flatten()`` with ``r`` the
range a template returns. Every template returns the range of weight indices it allocated
(empty for the embeddings).
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from torchq.circuit import Circuit, _index, _wires


def _range(first_count) -> range:
    first, count = first_count
    return range(first, first + count)


def _builder(c: Circuit):
    if not isinstance(c, Circuit):
        raise TypeError(f"a template appends to a torchq.Circuit, got {type(c).__name__}")
    return c._b


def angle_embedding(
    c: Circuit,
    wires: Sequence[int],
    feature_offset: int = 0,
    rotation: str = "X",
    scale: float = 1.0,
    num_features: Optional[int] = None,
) -> range:
    """One rotation per wire by ``scale * inputs[feature_offset + j]`` on wires[j] (PennyLane's
    AngleEmbedding; its default rotation is "X"). ``num_features`` (default: one per wire) may be
    fewer than the wires: the first ``num_features`` wires are rotated, as PennyLane does."""
    nf = -1 if num_features is None else _index(num_features, "num_features")
    return _range(_builder(c).angle_embedding(_wires(wires), _index(feature_offset, "feature_offset"), str(rotation),
                                              float(scale), nf))


def amplitude_embedding(
    c: Circuit,
    wires: Sequence[int],
    feature_offset: int = 0,
    num_features: Optional[int] = None,
    normalize: bool = True,
    pad: float = 0.0,
) -> range:
    """Amplitude encoding of features on the wires (see Circuit.amplitude_embedding); must come first."""
    nf = -1 if num_features is None else _index(num_features, "num_features")
    return _range(_builder(c).amplitude_embedding(_wires(wires), _index(feature_offset, "feature_offset"), nf,
                                                  bool(normalize), float(pad)))


def basis_embedding(c: Circuit, wires: Sequence[int], feature_offset: int = 0) -> range:
    """Basis encoding: X on wires[j] where feature (feature_offset + j) is 1."""
    first = c.num_weights
    c.basis_embedding(wires, feature_offset)
    return range(first, first)


def basic_entangler_layers(c: Circuit, num_layers: int, wires: Sequence[int], rotation: str = "X") -> range:
    """PennyLane's BasicEntanglerLayers: per layer one trainable rotation per wire, then a ring of
    CNOTs (one CNOT for 2 wires, none for 1). Weight [l, i] gets index first + l * n + i."""
    return _range(_builder(c).basic_entangler_layers(_index(num_layers, "num_layers"), _wires(wires), str(rotation)))


def strongly_entangling_layers(
    c: Circuit,
    num_layers: int,
    wires: Sequence[int],
    ranges: Optional[Sequence[int]] = None,
    imprimitive: str = "CNOT",
) -> range:
    """PennyLane's StronglyEntanglingLayers: per layer Rot(w[l,i,0], w[l,i,1], w[l,i,2]) on every
    wire, then, for more than one wire, ``imprimitive``(wires[i], wires[(i + r) % n]) for each i
    (a two-wire gate without parameters, CNOT by default), with r = ranges[l] (default
    (l % (n - 1)) + 1). Weight [l, i, k] gets index first + (l*n + i)*3 + k."""
    r = [] if ranges is None else _wires(ranges, "range")
    return _range(_builder(c).strongly_entangling_layers(_index(num_layers, "num_layers"), _wires(wires), r,
                                                         str(imprimitive)))


def iqp_embedding(
    c: Circuit,
    wires: Sequence[int],
    feature_offset: int = 0,
    n_repeats: int = 1,
    pattern: Optional[Sequence[Tuple[int, int]]] = None,
) -> range:
    """PennyLane's IQPEmbedding, ``n_repeats`` times: H then RZ(x_j) on each wires[j] (wire by
    wire), then MultiRZ(x_i * x_j) on each pair of ``pattern``. x_j is feature
    ``feature_offset + j``; a pair names wires, whose features are those of their positions in
    ``wires``. ``pattern`` None or empty means all pairs (wires[i], wires[j]), i < j, in
    lexicographic order. The pair angles are input products, differentiable in both features."""
    flat = []
    for k, pair in enumerate(pattern or ()):
        pair = _wires(pair)
        if len(pair) != 2:
            raise ValueError(f"iqp_embedding: pattern entry {k} must be a pair of wires, got {len(pair)} wires")
        flat += pair
    return _range(_builder(c).iqp_embedding(_wires(wires), _index(feature_offset, "feature_offset"),
                                            _index(n_repeats, "n_repeats"), flat))


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
    the weights of StronglyEntanglingLayers(num_layers) with the encodings interleaved."""
    return _range(_builder(c).data_reuploading(_index(num_layers, "num_layers"), _wires(wires),
                                               _index(feature_offset, "feature_offset"), str(rotation), float(scale)))


def hardware_efficient_ansatz(c: Circuit, num_layers: int, wires: Sequence[int]) -> range:
    """Hardware-efficient ansatz (Kandala et al. 2017): per layer RY(w[l,i,0]) then RZ(w[l,i,1]) on
    each wires[i], then a CNOT ladder CNOT(wires[i], wires[i+1]). Weight [l, i, k] gets index
    first + (l*n + i)*2 + k."""
    return _range(_builder(c).hardware_efficient_ansatz(_index(num_layers, "num_layers"), _wires(wires)))


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
    draws reproduce ``numpy.random.default_rng(seed)``, so a seed gives PennyLane's circuit; the
    same seed always gives the same circuit. Weight [l, r] gets index first + l * num_rotations + r."""
    if isinstance(rotations, str):
        rotations = [rotations]
    return _range(_builder(c).random_layers(_index(num_layers, "num_layers"), _index(num_rotations, "num_rotations"),
                                            _wires(wires), float(ratio_imprim), str(imprimitive),
                                            [str(r) for r in rotations], _index(seed, "seed")))
