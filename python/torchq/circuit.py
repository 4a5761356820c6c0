"""Circuit: builds a torchq program gate by gate (mirror of layers/circuit_builder.h).

    c = Circuit(2, num_inputs=2)
    c.ry(0, c.input(0)).ry(1, c.input(1)).cnot(0, 1).rx(1, c.weight())
    program = c.to_program()          # float64 tensor, program format version 1

Every angle is a Param: a constant (any float), ``c.weight()`` (the next trainable weight,
indices 0, 1, 2, ... in call order) or ``c.input(i, scale)`` (scale * feature i). Wires of a
named gate come in PennyLane's order, built-in controls first (``cnot(control, target)``); every
gate method takes ``controls=`` extra control wires (the gate acts when all of them are |1>).
Wire 0 is the most significant bit of a basis-state index, as in PennyLane.

Program format, version 1 (torchq/circuit.h), a flat float64 array:
    header:  [29521, 1, num_qubits, num_weights, num_inputs, num_ops]
    each op: [opcode, num_controls, num_wires, num_params, num_payload,
              controls..., wires..., (kind, index, value) per param..., payload...]
Param kind 0 = constant (index 0, value = angle), 1 = weight, 2 = input (value = scale),
3 = input product inputs[i] * inputs[j] (index = i, value = j).
Payload: QubitUnitary 2*4^k numbers (real, imaginary; row-major); AmplitudeEmbedding
[feature_offset, num_features, normalize (0/1), pad]; none for other gates.

Each operation is validated when it is added (ValueError naming "op #k (Gate)"); to_program()
and from_program() also pass the program through the C++ parser, which has the final word.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from torchq import gates as _g

PROGRAM_MAGIC = 29521.0
PROGRAM_VERSION = 1
PROGRAM_HEADER_SIZE = 6
OP_HEADER_SIZE = 5
_UNITARY_TOLERANCE = 1e-8  # same bound as the C++ validator
_MAX_COUNT = 1 << 30

CONSTANT, WEIGHT, INPUT = 0, 1, 2
INPUT_PRODUCT = 3  #: inputs[index] * inputs[int(value)], e.g. IQP embeddings


@dataclass(frozen=True)
class Param:
    """An angle: a constant, ``value * weights[index]``, ``value * inputs[index]`` or an input
    product ``inputs[index] * inputs[int(value)]`` (``Circuit.input_product``).

    Multiplying by a number scales it (``0.5 * c.weight()``); a Param may be used by several
    gates, which then share the weight.
    """

    kind: int
    index: int = 0
    value: float = 0.0

    @staticmethod
    def constant(angle: float) -> "Param":
        return Param(CONSTANT, 0, float(angle))

    @property
    def trainable(self) -> bool:
        return self.kind == WEIGHT

    def __mul__(self, k) -> "Param":
        if isinstance(k, Param) or isinstance(k, bool) or not isinstance(k, (int, float, np.number)):
            return NotImplemented
        if self.kind == INPUT_PRODUCT:  # value holds the second feature, not a scale
            raise TypeError("an input product inputs[i] * inputs[j] cannot be scaled")
        return Param(self.kind, self.index, self.value * float(k))

    __rmul__ = __mul__

    def __neg__(self) -> "Param":
        return self * -1.0

    def label(self) -> str:
        """Short text for drawings: w3, x1, 0.5*x1, 0.785."""
        if self.kind == CONSTANT:
            return f"{self.value:.3g}"
        if self.kind == INPUT_PRODUCT:
            return f"x{self.index}·x{int(self.value)}"
        name = ("w" if self.kind == WEIGHT else "x") + str(self.index)
        return name if self.value == 1.0 else f"{self.value:.3g}*{name}"

    def __repr__(self) -> str:
        if self.kind == CONSTANT:
            return f"Param.constant({self.value!r})"
        if self.kind == INPUT_PRODUCT:
            return f"Param.input_product({self.index}, {int(self.value)})"
        kind = "weight" if self.kind == WEIGHT else "input"
        scale = "" if self.value == 1.0 else f", scale={self.value!r}"
        return f"Param.{kind}({self.index}{scale})"


@dataclass(frozen=True)
class AmplitudeSpec:
    """AmplitudeEmbedding payload: inputs[offset : offset+num_features], padded, normalised."""

    feature_offset: int
    num_features: int
    normalize: bool = True
    pad: float = 0.0


@dataclass(frozen=True)
class Operation:
    """One operation of a circuit (see the module docstring for the fields' meaning)."""

    gate: int
    wires: Tuple[int, ...]
    controls: Tuple[int, ...] = ()
    params: Tuple[Param, ...] = ()
    matrix: Optional[Tuple[complex, ...]] = None  #: QubitUnitary only, row-major 2^k x 2^k
    amplitude: Optional[AmplitudeSpec] = None  #: AmplitudeEmbedding only

    @property
    def info(self) -> _g.GateInfo:
        return _g.GATES[self.gate]

    @property
    def name(self) -> str:
        return self.info.name


Angle = Union[Param, float, int]
Wires = Union[int, Sequence[int]]


def _index(v, what: str) -> int:
    if isinstance(v, bool):
        raise TypeError(f"{what} must be an integer, got bool {v}")
    try:
        return operator.index(v)
    except TypeError:
        if isinstance(v, torch.Tensor) and v.numel() == 1 and not v.is_floating_point():
            return int(v.item())
        raise TypeError(f"{what} must be an integer, got {type(v).__name__} {v!r}") from None


def _wire_tuple(wires: Wires, what: str = "wire") -> Tuple[int, ...]:
    if isinstance(wires, (int, np.integer)) and not isinstance(wires, bool):
        return (int(wires),)
    if isinstance(wires, torch.Tensor):
        wires = wires.reshape(-1).tolist()
    if not hasattr(wires, "__iter__"):
        return (_index(wires, what),)
    return tuple(_index(w, what) for w in wires)


def _as_param(x, where: str) -> Param:
    if isinstance(x, Param):
        return x
    if isinstance(x, torch.Tensor):
        if x.requires_grad:
            raise TypeError(
                f"{where}: a tensor that requires grad was given as a constant angle; its gradient would be "
                "lost. Use c.weight() for trainable angles or c.input(i) for features"
            )
        if x.numel() != 1:
            raise TypeError(f"{where}: an angle is one number, got a tensor of shape {tuple(x.shape)}")
        return Param.constant(float(x.item()))
    if isinstance(x, bool) or not isinstance(x, (int, float, np.number)):
        raise TypeError(
            f"{where}: an angle is a float, c.weight() or c.input(i), got {type(x).__name__} {x!r}"
        )
    return Param.constant(float(x))


def _describe(gate: int, position: int) -> str:
    name = _g.GATES[gate].name if 0 <= gate < len(_g.GATES) else "unknown"
    return f"op #{position} ({name})"


def validate_operation(op: Operation, position: int, num_qubits: int, num_weights: int, num_inputs: int) -> None:
    """Raises ValueError if ``op`` cannot stand at ``position`` (mirrors Circuit::validate_op)."""
    if not 0 <= op.gate < len(_g.GATES):
        raise ValueError(f"op #{position}: unknown opcode {op.gate}; known opcodes are 0..{len(_g.GATES) - 1}")
    g = _g.GATES[op.gate]
    where = _describe(op.gate, position)
    nw = len(op.wires)

    if g.num_wires == _g.VARIABLE:
        if nw < 1:
            raise ValueError(f"{where}: needs at least 1 wire, got 0")
        if op.gate == _g.QUBIT_UNITARY and nw > _g.MAX_UNITARY_WIRES:
            raise ValueError(f"{where}: acts on at most {_g.MAX_UNITARY_WIRES} wires, got {nw}")
    elif nw != g.num_wires:
        raise ValueError(f"{where}: takes exactly {g.num_wires} wire(s), got {nw}")
    want = nw if g.num_params == _g.VARIABLE else g.num_params
    if len(op.params) != want:
        raise ValueError(f"{where}: takes exactly {want} parameter(s), got {len(op.params)}")
    if g.embedding and op.controls:
        raise ValueError(f"{where}: is a state preparation and cannot take control wires")
    if g.channel and op.controls:
        raise ValueError(f"{where}: is a noise channel and cannot take control wires")

    seen = set()
    for role, ws in (("", op.wires), ("control ", op.controls)):
        for w in ws:
            if not 0 <= w < num_qubits:
                raise ValueError(
                    f"{where}: {role}wire {w} is out of range: the circuit has {num_qubits} qubits, "
                    f"so wires are 0..{num_qubits - 1}"
                )
            if w in seen:
                raise ValueError(
                    f"{where}: wire {w} is used twice; every wire of an operation (controls included) must be distinct"
                )
            seen.add(w)

    for j, p in enumerate(op.params):
        pw = f"{where} parameter {j}"
        if not math.isfinite(p.value):
            raise ValueError(f"{pw}: value must be finite, got {p.value}")
        if p.kind == CONSTANT:
            if p.index != 0:
                raise ValueError(f"{pw}: a constant must have index 0, got {p.index}")
        elif p.kind == WEIGHT:
            if not 0 <= p.index < num_weights:
                raise ValueError(
                    f"{pw}: weight index {p.index} is out of range: the circuit has {num_weights} weights"
                )
        elif p.kind == INPUT:
            if not 0 <= p.index < num_inputs:
                raise ValueError(
                    f"{pw}: input index {p.index} is out of range: the circuit has {num_inputs} input features "
                    "(set num_inputs when creating the Circuit)"
                )
        elif p.kind == INPUT_PRODUCT:
            for j in (p.index, p.value):
                if j != int(j) or not 0 <= j < num_inputs:
                    raise ValueError(
                        f"{pw}: input-product feature {j} is out of range: the circuit has {num_inputs} input features"
                    )
        else:
            raise ValueError(
                f"{pw}: kind must be 0 (constant), 1 (weight), 2 (input) or 3 (input product), got {p.kind}"
            )
        if op.gate == _g.BASIS_EMBEDDING and p.kind != INPUT:
            raise ValueError(f"{pw}: BasisEmbedding parameters must reference input features")
        if g.channel:
            if p.kind != CONSTANT:
                raise ValueError(
                    f"{pw}: a noise channel's probability must be a constant number in [0, 1], not a weight or "
                    "an input feature"
                )
            if not 0.0 <= p.value <= 1.0:
                raise ValueError(f"{pw}: probability must be in [0, 1], got {p.value}")

    if op.gate == _g.QUBIT_UNITARY:
        dim = 1 << nw
        if op.matrix is None or len(op.matrix) != dim * dim:
            got = 0 if op.matrix is None else len(op.matrix)
            raise ValueError(f"{where}: matrix must have {dim * dim} entries for {nw} wire(s), got {got}")
        m = np.asarray(op.matrix, dtype=np.complex128).reshape(dim, dim)
        if not np.all(np.isfinite(m)):
            raise ValueError(f"{where}: matrix has a non-finite entry")
        worst = float(np.max(np.abs(m.conj().T @ m - np.eye(dim))))
        if worst > _UNITARY_TOLERANCE:
            raise ValueError(f"{where}: matrix is not unitary (max |U^dagger U - I| = {worst:.3g})")
    elif op.matrix is not None:
        raise ValueError(f"{where}: only QubitUnitary takes a matrix")

    if op.gate == _g.AMPLITUDE_EMBEDDING:
        a = op.amplitude
        if a is None:
            raise ValueError(f"{where}: needs an amplitude specification; use Circuit.amplitude_embedding")
        if position != 0:
            raise ValueError(
                f"{where}: must be the first operation (it prepares the state), found at position {position}"
            )
        dim = 1 << nw
        if not 1 <= a.num_features <= dim:
            raise ValueError(f"{where}: num_features must be in [1, {dim}] for {nw} wire(s), got {a.num_features}")
        if a.feature_offset < 0 or a.feature_offset + a.num_features > num_inputs:
            raise ValueError(
                f"{where}: features [{a.feature_offset}, {a.feature_offset + a.num_features}) exceed the "
                f"circuit's {num_inputs} input features"
            )
        if not math.isfinite(a.pad):
            raise ValueError(f"{where}: pad value must be finite")
    elif op.amplitude is not None:
        raise ValueError(f"{where}: only AmplitudeEmbedding takes an amplitude specification")


def _ops_program_info(program: torch.Tensor) -> List[int]:
    """The C++ parser's verdict: [version, num_qubits, num_weights, num_inputs, num_ops]."""
    try:
        return list(torch.ops.torchq.program_info(program))
    except RuntimeError as e:  # c10::Error that is not a ValueError: still a malformed program
        raise ValueError(str(e)) from e


class Circuit:
    """A quantum circuit under construction; mirror of torchq::layers::CircuitBuilder.

    Args:
        num_qubits: wires 0..num_qubits-1 (1..50); wire 0 is the most significant bit.
        num_inputs: length of one input feature row (features read by ``input(i)``).
    """

    def __init__(self, num_qubits: int, num_inputs: int = 0):
        num_qubits = _index(num_qubits, "num_qubits")
        num_inputs = _index(num_inputs, "num_inputs")
        if not 1 <= num_qubits <= _g.MAX_QUBITS:
            raise ValueError(f"circuit: num_qubits must be in [1, {_g.MAX_QUBITS}], got {num_qubits}")
        if not 0 <= num_inputs <= _MAX_COUNT:
            raise ValueError(f"circuit: num_inputs must be in [0, 2^30], got {num_inputs}")
        self._num_qubits = num_qubits
        self._num_inputs = num_inputs
        self._num_weights = 0
        self._ops: List[Operation] = []

    # ---- sizes and contents ----

    @property
    def num_qubits(self) -> int:
        return self._num_qubits

    @property
    def num_inputs(self) -> int:
        return self._num_inputs

    @property
    def num_weights(self) -> int:
        return self._num_weights

    @property
    def operations(self) -> Tuple[Operation, ...]:
        return tuple(self._ops)

    def __len__(self) -> int:
        return len(self._ops)

    def __repr__(self) -> str:
        return (
            f"Circuit(num_qubits={self._num_qubits}, num_inputs={self._num_inputs}, "
            f"num_weights={self._num_weights}, num_ops={len(self._ops)})"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        return self._program_list() == other._program_list()

    __hash__ = None  # mutable

    # ---- parameters ----

    def weight(self, scale: float = 1.0) -> Param:
        """The next trainable weight (index 0, 1, 2, ... in call order), times ``scale``."""
        p = Param(WEIGHT, self._num_weights, float(scale))
        self._num_weights += 1
        return p

    def input(self, index: int, scale: float = 1.0) -> Param:
        """Input feature ``index`` times ``scale``."""
        index = _index(index, "input index")
        if not 0 <= index < self._num_inputs:
            raise ValueError(
                f"input({index}): the circuit has {self._num_inputs} input features "
                "(set num_inputs when creating the Circuit)"
            )
        return Param(INPUT, index, float(scale))

    def input_product(self, i: int, j: int) -> Param:
        """The product of input features ``i`` and ``j`` (i == j allowed), e.g. IQP angles."""
        i, j = _index(i, "input index"), _index(j, "input index")
        for k in (i, j):
            if not 0 <= k < self._num_inputs:
                raise ValueError(
                    f"input_product({i}, {j}): the circuit has {self._num_inputs} input features "
                    "(set num_inputs when creating the Circuit)"
                )
        return Param(INPUT_PRODUCT, i, float(j))

    # ---- appending ----

    def _append(self, op: Operation) -> "Circuit":
        validate_operation(op, len(self._ops), self._num_qubits, self._num_weights, self._num_inputs)
        self._ops.append(op)
        return self

    def _add(self, gate: int, wires: Wires, params: Iterable = (), controls: Wires = ()) -> "Circuit":
        where = _describe(gate, len(self._ops))
        params = tuple(_as_param(p, f"{where} parameter {j}") for j, p in enumerate(params))
        return self._append(Operation(gate, _wire_tuple(wires), _wire_tuple(controls, "control wire"), params))

    def gate(self, name: Union[str, int], wires: Wires, params: Sequence[Angle] = (), controls: Wires = ()) -> "Circuit":
        """Any gate by its table name ("CRX", "IsingXX"), method name ("crx") or opcode."""
        info = _g.gate_info(name)
        if info.id == _g.QUBIT_UNITARY:
            raise ValueError("QubitUnitary needs a matrix: use Circuit.qubit_unitary(matrix, wires)")
        if info.id == _g.AMPLITUDE_EMBEDDING:
            raise ValueError("AmplitudeEmbedding needs a specification: use Circuit.amplitude_embedding(wires, ...)")
        if isinstance(params, (Param, int, float, np.number)) and not isinstance(params, bool):
            params = (params,)
        return self._add(info.id, wires, params, controls)

    def i(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Identity."""
        return self._add(0, wire, (), controls)

    def x(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli X."""
        return self._add(1, wire, (), controls)

    def y(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli Y."""
        return self._add(2, wire, (), controls)

    def z(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli Z."""
        return self._add(3, wire, (), controls)

    def h(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Hadamard."""
        return self._add(4, wire, (), controls)

    def s(self, wire: int, controls: Wires = ()) -> "Circuit":
        """S = diag(1, i)."""
        return self._add(5, wire, (), controls)

    def sdg(self, wire: int, controls: Wires = ()) -> "Circuit":
        """S^dagger = diag(1, -i)."""
        return self._add(6, wire, (), controls)

    def t(self, wire: int, controls: Wires = ()) -> "Circuit":
        """T = diag(1, e^{i pi/4})."""
        return self._add(7, wire, (), controls)

    def tdg(self, wire: int, controls: Wires = ()) -> "Circuit":
        """T^dagger."""
        return self._add(8, wire, (), controls)

    def sx(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Square root of X."""
        return self._add(9, wire, (), controls)

    def rx(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RX(a) = exp(-i a X / 2)."""
        return self._add(10, wire, (angle,), controls)

    def ry(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RY(a) = exp(-i a Y / 2)."""
        return self._add(11, wire, (angle,), controls)

    def rz(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RZ(a) = exp(-i a Z / 2)."""
        return self._add(12, wire, (angle,), controls)

    def phase_shift(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """PhaseShift(a) = diag(1, e^{i a})."""
        return self._add(13, wire, (angle,), controls)

    def rot(self, wire: int, phi: Angle, theta: Angle, omega: Angle, controls: Wires = ()) -> "Circuit":
        """Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi) (PennyLane's Rot)."""
        return self._add(14, wire, (phi, theta, omega), controls)

    def u3(self, wire: int, theta: Angle, phi: Angle, lam: Angle, controls: Wires = ()) -> "Circuit":
        """U3(theta, phi, lambda) = PhaseShift(phi) RY(theta) PhaseShift(lambda) (PennyLane's U3)."""
        return self._add(15, wire, (theta, phi, lam), controls)

    def cnot(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled X."""
        return self._add(16, (control, target), (), controls)

    def cy(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled Y."""
        return self._add(17, (control, target), (), controls)

    def cz(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled Z."""
        return self._add(18, (control, target), (), controls)

    def swap(self, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """SWAP."""
        return self._add(19, (a, b), (), controls)

    def iswap(self, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """iSWAP."""
        return self._add(20, (a, b), (), controls)

    def crx(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RX."""
        return self._add(21, (control, target), (angle,), controls)

    def cry(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RY."""
        return self._add(22, (control, target), (angle,), controls)

    def crz(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RZ."""
        return self._add(23, (control, target), (angle,), controls)

    def crot(
        self, control: int, target: int, phi: Angle, theta: Angle, omega: Angle, controls: Wires = ()
    ) -> "Circuit":
        """Controlled Rot."""
        return self._add(24, (control, target), (phi, theta, omega), controls)

    def controlled_phase_shift(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled PhaseShift."""
        return self._add(25, (control, target), (angle,), controls)

    def ising_xx(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingXX(a) = exp(-i a X⊗X / 2)."""
        return self._add(26, (a, b), (angle,), controls)

    def ising_yy(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingYY(a) = exp(-i a Y⊗Y / 2)."""
        return self._add(27, (a, b), (angle,), controls)

    def ising_zz(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingZZ(a) = exp(-i a Z⊗Z / 2)."""
        return self._add(28, (a, b), (angle,), controls)

    def toffoli(self, c1: int, c2: int, target: int, controls: Wires = ()) -> "Circuit":
        """Doubly controlled X."""
        return self._add(29, (c1, c2, target), (), controls)

    def cswap(self, control: int, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """Controlled SWAP (Fredkin)."""
        return self._add(30, (control, a, b), (), controls)

    def multi_rz(self, wires: Wires, angle: Angle, controls: Wires = ()) -> "Circuit":
        """MultiRZ(a) = exp(-i a Z⊗...⊗Z / 2) on the wires."""
        return self._add(31, wires, (angle,), controls)

    def qubit_unitary(self, matrix, wires: Wires, controls: Wires = ()) -> "Circuit":
        """A 2^k x 2^k unitary (k <= 6) on the wires; wires[0] is the matrix's most significant bit."""
        wires_t = _wire_tuple(wires)
        where = _describe(_g.QUBIT_UNITARY, len(self._ops))
        if isinstance(matrix, torch.Tensor):
            matrix = matrix.detach().cpu().numpy()
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1]:
            raise ValueError(f"{where}: matrix must be square 2-D, got shape {m.shape}")
        m = m.astype(np.complex128)
        flat = tuple(complex(z) for z in m.reshape(-1))
        return self._append(
            Operation(_g.QUBIT_UNITARY, wires_t, _wire_tuple(controls, "control wire"), (), matrix=flat)
        )

    def amplitude_embedding(
        self,
        wires: Wires,
        feature_offset: int = 0,
        num_features: Optional[int] = None,
        normalize: bool = True,
        pad: float = 0.0,
    ) -> "Circuit":
        """Prepares inputs[feature_offset : feature_offset + num_features] (padded with ``pad``
        to 2^len(wires), divided by its norm if ``normalize``) on the wires. Must come first;
        num_features defaults to 2^len(wires)."""
        wires_t = _wire_tuple(wires)
        nf = (1 << len(wires_t)) if num_features is None else _index(num_features, "num_features")
        spec = AmplitudeSpec(_index(feature_offset, "feature_offset"), nf, bool(normalize), float(pad))
        return self._append(Operation(_g.AMPLITUDE_EMBEDDING, wires_t, amplitude=spec))

    def basis_embedding(self, wires: Wires, feature_offset: int = 0) -> "Circuit":
        """X on wires[j] where inputs[feature_offset + j] is 1 (features must be 0 or 1)."""
        wires_t = _wire_tuple(wires)
        offset = _index(feature_offset, "feature_offset")
        params = tuple(Param(INPUT, offset + j, 1.0) for j in range(len(wires_t)))
        return self._append(Operation(_g.BASIS_EMBEDDING, wires_t, params=params))

    # ---- noise channels (simulated by torchq.expval_estimated / QuantumLayer(mode=...)) ----

    def depolarizing(self, wire: int, p: float) -> "Circuit":
        """DepolarizingChannel(p): Kraus sqrt(1-p) I, sqrt(p/3) X, sqrt(p/3) Y, sqrt(p/3) Z."""
        return self._add(_g.DEPOLARIZING_CHANNEL, wire, (p,))

    def amplitude_damping(self, wire: int, gamma: float) -> "Circuit":
        """AmplitudeDamping(gamma): Kraus [[1, 0], [0, sqrt(1-gamma)]], [[0, sqrt(gamma)], [0, 0]]."""
        return self._add(_g.AMPLITUDE_DAMPING, wire, (gamma,))

    def phase_damping(self, wire: int, gamma: float) -> "Circuit":
        """PhaseDamping(gamma): Kraus [[1, 0], [0, sqrt(1-gamma)]], [[0, 0], [0, sqrt(gamma)]]."""
        return self._add(_g.PHASE_DAMPING, wire, (gamma,))

    def bit_flip(self, wire: int, p: float) -> "Circuit":
        """BitFlip(p): Kraus sqrt(1-p) I, sqrt(p) X."""
        return self._add(_g.BIT_FLIP, wire, (p,))

    # ---- program form ----

    def _program_list(self) -> List[float]:
        out = [PROGRAM_MAGIC, float(PROGRAM_VERSION), float(self._num_qubits), float(self._num_weights),
               float(self._num_inputs), float(len(self._ops))]
        for op in self._ops:
            payload = 0
            if op.matrix is not None:
                payload = 2 * len(op.matrix)
            elif op.amplitude is not None:
                payload = 4
            out += [float(op.gate), float(len(op.controls)), float(len(op.wires)), float(len(op.params)),
                    float(payload)]
            out += [float(w) for w in op.controls]
            out += [float(w) for w in op.wires]
            for p in op.params:
                out += [float(p.kind), float(p.index), float(p.value)]
            if op.matrix is not None:
                for z in op.matrix:
                    out += [z.real, z.imag]
            if op.amplitude is not None:
                a = op.amplitude
                out += [float(a.feature_offset), float(a.num_features), 1.0 if a.normalize else 0.0, float(a.pad)]
        return out

    def to_program(self) -> torch.Tensor:
        """The program: a float64 CPU tensor in format version 1, checked by the C++ parser."""
        program = torch.tensor(self._program_list(), dtype=torch.float64, device="cpu")
        _ops_program_info(program)
        return program

    @classmethod
    def from_program(cls, program) -> "Circuit":
        """Parses a program (tensor or sequence of numbers); raises ValueError saying what and where."""
        if isinstance(program, torch.Tensor):
            if program.dtype != torch.float64:
                raise TypeError(f"a program tensor must be float64 (made by Circuit.to_program), got {program.dtype}")
            if program.dim() != 1:
                raise ValueError(f"a program tensor must be 1-D, got shape {tuple(program.shape)}")
            tensor = program.detach().cpu()
        else:
            tensor = torch.tensor(list(program), dtype=torch.float64)
        _ops_program_info(tensor)  # the C++ parser's verdict first: its messages name the position
        data = tensor.tolist()
        pos = 0

        def take(n: int) -> List[float]:
            nonlocal pos
            if pos + n > len(data):
                raise ValueError(f"program ends early (program has {len(data)} numbers)")
            out = data[pos:pos + n]
            pos += n
            return out

        magic, version, nq, nweights, ninputs, nops = take(PROGRAM_HEADER_SIZE)
        if magic != PROGRAM_MAGIC or int(version) != PROGRAM_VERSION:
            raise ValueError("program header: not a torchq program of version 1")
        c = cls(int(nq), int(ninputs))
        c._num_weights = int(nweights)
        for _ in range(int(nops)):
            code, nctrl, nw, npar, npay = (int(v) for v in take(OP_HEADER_SIZE))
            controls = tuple(int(v) for v in take(nctrl))
            wires = tuple(int(v) for v in take(nw))
            params = []
            for _ in range(npar):
                kind, index, value = take(3)
                params.append(Param(int(kind), int(index), float(value)))
            payload = take(npay)
            matrix = amplitude = None
            if code == _g.QUBIT_UNITARY:
                matrix = tuple(complex(payload[2 * j], payload[2 * j + 1]) for j in range(npay // 2))
            elif code == _g.AMPLITUDE_EMBEDDING:
                amplitude = AmplitudeSpec(int(payload[0]), int(payload[1]), payload[2] == 1.0, float(payload[3]))
            c._append(Operation(code, wires, controls, tuple(params), matrix, amplitude))
        if pos != len(data):
            raise ValueError(f"program has {len(data) - pos} trailing number(s) after the last operation")
        return c

    def draw(self, observables=None) -> str:
        """A text drawing: one line per wire, gates as labels (see torchq.drawing)."""
        from torchq.drawing import draw_circuit

        return draw_circuit(self, observables)


def add_noise_after_each_gate(circuit: Circuit, channel: str, p: float) -> Circuit:
    """A copy of ``circuit`` with a noise channel of probability ``p`` after every operation that
    is not itself a channel, on each of its wires (controls first, then the wires), as
    torchq::add_noise_after_each_gate in C++. ``channel`` is "DepolarizingChannel",
    "AmplitudeDamping", "PhaseDamping" or "BitFlip" (or the builder method name, e.g. "bit_flip").
    """
    if not isinstance(circuit, Circuit):
        raise TypeError(f"add_noise_after_each_gate: circuit must be a torchq.Circuit, got {type(circuit).__name__}")
    try:
        info = _g.gate_info(channel)
    except ValueError:
        info = None
    if info is None or not info.channel:
        names = ", ".join(_g.GATES[k].name for k in _g.CHANNELS)
        raise ValueError(f"add_noise_after_each_gate: {channel!r} is not a noise channel; channels are {names}")
    out = Circuit(circuit.num_qubits, circuit.num_inputs)
    out._num_weights = circuit.num_weights
    for op in circuit.operations:
        out._append(op)
        if op.info.channel:
            continue
        for w in tuple(op.controls) + tuple(op.wires):
            out._add(info.id, w, (p,))
    return out
