"""Circuit: builds a torchq program gate by gate, with the core's builder (torchq/build/).

    c = Circuit(2, num_inputs=2)
    c.ry(0, c.input(0)).ry(1, c.input(1)).cnot(0, 1).rx(1, c.weight())
    program = c.to_program()          # float64 tensor, program format version 2 (torchq/circuit.h)

Every angle is a Param: a constant (any float), ``c.weight()`` (the next trainable weight,
indices 0, 1, 2, ... in call order), ``c.input(i, scale)`` (scale * feature i) or
``c.input_product(i, j, scale)`` (scale * x_i * x_j). Multiplying a Param by a number scales it.
Wires of a named gate come in PennyLane's order, built-in controls first (``cnot(control,
target)``); every gate method takes ``controls=`` extra control wires (the gate acts when all of
them are |1>). Wire 0 is the most significant bit of a basis-state index, as in PennyLane.

The circuit lives in C++ (``torch.classes.torchq.CircuitBuilder``, ops/circuit_builder_class.cpp):
the gate table, validation, templates, algorithms, the program codec and drawing are the core's,
the same code C++ users call. This module converts Python arguments and names the methods.
Each operation is validated when it is added (ValueError naming "op #k (Gate)").
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from torchq import gates as _g

CONSTANT, WEIGHT, INPUT = 0, 1, 2
INPUT_PRODUCT = 3  #: scale * inputs[index] * inputs[second], e.g. IQP embeddings


@dataclass(frozen=True)
class Param:
    """An angle: a constant (``value``), ``value * weights[index]``, ``value * inputs[index]`` or
    ``value * inputs[index] * inputs[second]`` (an input product).

    Multiplying by a number scales it (``0.5 * c.weight()``, ``0.5 * c.input_product(0, 1)``); a
    Param may be used by several gates, which then share the weight.
    """

    kind: int
    index: int = 0
    value: float = 0.0
    second: int = 0

    @staticmethod
    def constant(angle: float) -> "Param":
        return Param(CONSTANT, 0, float(angle))

    @property
    def trainable(self) -> bool:
        return self.kind == WEIGHT

    def __mul__(self, k) -> "Param":
        if isinstance(k, Param) or isinstance(k, bool) or not isinstance(k, (int, float, np.number)):
            return NotImplemented
        return Param(self.kind, self.index, self.value * float(k), self.second)

    __rmul__ = __mul__

    def __neg__(self) -> "Param":
        return self * -1.0

    def _encoded(self) -> List[float]:
        return [float(self.kind), float(self.index), float(self.second), float(self.value)]

    @staticmethod
    def _decode(flat: Sequence[float]) -> "Param":
        kind, index, second, value = flat
        return Param(int(kind), int(index), float(value), int(second))

    def __repr__(self) -> str:
        if self.kind == CONSTANT:
            return f"Param.constant({self.value!r})"
        scale = "" if self.value == 1.0 else f", scale={self.value!r}"
        if self.kind == INPUT_PRODUCT:
            return f"Param.input_product({self.index}, {self.second}{scale})"
        kind = "weight" if self.kind == WEIGHT else "input"
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
    """One operation of a circuit, as the core holds it (read-only; see Circuit.operations)."""

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


def _wires(wires: Wires, what: str = "wire") -> List[int]:
    if isinstance(wires, torch.Tensor):
        wires = wires.reshape(-1).tolist()
    if not hasattr(wires, "__iter__"):
        return [_index(wires, what)]
    return [_index(w, what) for w in wires]


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
        raise TypeError(f"{where}: an angle is a float, c.weight() or c.input(i), got {type(x).__name__} {x!r}")
    return Param.constant(float(x))


def _encode(params: Iterable, where: str) -> List[float]:
    flat: List[float] = []
    for j, p in enumerate(params):
        flat += _as_param(p, f"{where} parameter {j}")._encoded()
    return flat


def _complex_matrix(matrix, where: str) -> List[float]:
    """A square matrix as (real, imaginary) pairs, row-major."""
    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().cpu().numpy()
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"{where}: matrix must be square 2-D, got shape {m.shape}")
    return np.stack([m.real, m.imag], axis=-1).astype(np.float64).reshape(-1).tolist()


def _builder_class():
    return torch.classes.torchq.CircuitBuilder


class Circuit:
    """A quantum circuit under construction: the core's CircuitBuilder (torchq/build/), as in C++.

    Args:
        num_qubits: wires 0..num_qubits-1 (1..50); wire 0 is the most significant bit.
        num_inputs: length of one input feature row (features read by ``input(i)``).
    """

    def __init__(self, num_qubits: int, num_inputs: int = 0):
        self._b = _builder_class()(_index(num_qubits, "num_qubits"), _index(num_inputs, "num_inputs"))

    @classmethod
    def _wrap(cls, builder) -> "Circuit":
        c = cls.__new__(cls)
        c._b = builder
        return c

    # ---- sizes and contents ----

    @property
    def num_qubits(self) -> int:
        return self._b.num_qubits()

    @property
    def num_inputs(self) -> int:
        return self._b.num_inputs()

    @property
    def num_weights(self) -> int:
        return self._b.num_weights()

    @property
    def operations(self) -> Tuple[Operation, ...]:
        return tuple(self._operation(i) for i in range(len(self)))

    def _operation(self, i: int) -> Operation:
        gate, wires, controls, params, matrix, amplitude = self._b.operation(i)
        return Operation(
            gate,
            tuple(wires),
            tuple(controls),
            tuple(Param._decode(params[k:k + 4]) for k in range(0, len(params), 4)),
            tuple(complex(matrix[k], matrix[k + 1]) for k in range(0, len(matrix), 2)) if matrix else None,
            AmplitudeSpec(int(amplitude[0]), int(amplitude[1]), amplitude[2] == 1.0, amplitude[3]) if amplitude else None,
        )

    def __len__(self) -> int:
        return self._b.num_operations()

    def __repr__(self) -> str:
        return (
            f"Circuit(num_qubits={self.num_qubits}, num_inputs={self.num_inputs}, "
            f"num_weights={self.num_weights}, num_ops={len(self)})"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, Circuit):
            return NotImplemented
        return torch.equal(self.to_program(), other.to_program())

    __hash__ = None  # mutable

    def __reduce__(self):  # pickle and copy.deepcopy through the program
        return (Circuit.from_program, (self.to_program(),))

    def copy(self) -> "Circuit":
        """An independent copy."""
        return Circuit._wrap(self._b.copy())

    # ---- parameters ----

    def weight(self, scale: float = 1.0) -> Param:
        """The next trainable weight (index 0, 1, 2, ... in call order), times ``scale``."""
        return Param._decode(self._b.weight(float(scale)))

    def input(self, index: int, scale: float = 1.0) -> Param:
        """Input feature ``index`` times ``scale``."""
        return Param._decode(self._b.input(_index(index, "input index"), float(scale)))

    def input_product(self, i: int, j: int, scale: float = 1.0) -> Param:
        """``scale`` times the product of input features ``i`` and ``j`` (i == j allowed), e.g. IQP angles."""
        return Param._decode(self._b.input_product(_index(i, "input index"), _index(j, "input index"), float(scale)))

    # ---- appending ----

    def gate(
        self,
        name: Union[str, int],
        wires: Wires,
        params: Union[Angle, Sequence[Angle]] = (),
        controls: Wires = (),
        matrix=None,
        amplitude: Optional[AmplitudeSpec] = None,
    ) -> "Circuit":
        """Any gate by its table name ("CRX", "IsingXX"), method name ("crx") or opcode.
        QubitUnitary takes ``matrix``; AmplitudeEmbedding takes ``amplitude`` (default: features
        0..2^k-1, normalised)."""
        if isinstance(name, int) and not isinstance(name, bool):
            name = _g.gate_info(name).name
        if isinstance(params, (Param, int, float, np.number, torch.Tensor)) and not isinstance(params, bool):
            params = (params,)
        where = f"op #{len(self)} ({name})"
        flat_matrix = [] if matrix is None else _complex_matrix(matrix, where)
        amp = []
        if amplitude is not None:
            amp = [float(amplitude.feature_offset), float(amplitude.num_features), 1.0 if amplitude.normalize else 0.0,
                   float(amplitude.pad)]
        self._b.gate(str(name), _wires(wires), _encode(params, where), _wires(controls, "control wire"), flat_matrix, amp)
        return self

    def _add(self, name: str, wires: Wires, params: Iterable = (), controls: Wires = ()) -> "Circuit":
        self._b.gate(name, _wires(wires), _encode(params, f"op #{len(self)} ({name})"),
                     _wires(controls, "control wire"), [], [])
        return self

    def i(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Identity."""
        return self._add("I", wire, (), controls)

    def x(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli X."""
        return self._add("X", wire, (), controls)

    def y(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli Y."""
        return self._add("Y", wire, (), controls)

    def z(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Pauli Z."""
        return self._add("Z", wire, (), controls)

    def h(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Hadamard."""
        return self._add("H", wire, (), controls)

    def s(self, wire: int, controls: Wires = ()) -> "Circuit":
        """S = diag(1, i)."""
        return self._add("S", wire, (), controls)

    def sdg(self, wire: int, controls: Wires = ()) -> "Circuit":
        """S^dagger = diag(1, -i)."""
        return self._add("Sdg", wire, (), controls)

    def t(self, wire: int, controls: Wires = ()) -> "Circuit":
        """T = diag(1, e^{i pi/4})."""
        return self._add("T", wire, (), controls)

    def tdg(self, wire: int, controls: Wires = ()) -> "Circuit":
        """T^dagger."""
        return self._add("Tdg", wire, (), controls)

    def sx(self, wire: int, controls: Wires = ()) -> "Circuit":
        """Square root of X."""
        return self._add("SX", wire, (), controls)

    def rx(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RX(a) = exp(-i a X / 2)."""
        return self._add("RX", wire, (angle,), controls)

    def ry(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RY(a) = exp(-i a Y / 2)."""
        return self._add("RY", wire, (angle,), controls)

    def rz(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """RZ(a) = exp(-i a Z / 2)."""
        return self._add("RZ", wire, (angle,), controls)

    def phase_shift(self, wire: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """PhaseShift(a) = diag(1, e^{i a})."""
        return self._add("PhaseShift", wire, (angle,), controls)

    def rot(self, wire: int, phi: Angle, theta: Angle, omega: Angle, controls: Wires = ()) -> "Circuit":
        """Rot(phi, theta, omega) = RZ(omega) RY(theta) RZ(phi) (PennyLane's Rot)."""
        return self._add("Rot", wire, (phi, theta, omega), controls)

    def u3(self, wire: int, theta: Angle, phi: Angle, lam: Angle, controls: Wires = ()) -> "Circuit":
        """U3(theta, phi, lambda) = PhaseShift(phi) RY(theta) PhaseShift(lambda) (PennyLane's U3)."""
        return self._add("U3", wire, (theta, phi, lam), controls)

    def cnot(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled X."""
        return self._add("CNOT", (control, target), (), controls)

    def cy(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled Y."""
        return self._add("CY", (control, target), (), controls)

    def cz(self, control: int, target: int, controls: Wires = ()) -> "Circuit":
        """Controlled Z."""
        return self._add("CZ", (control, target), (), controls)

    def swap(self, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """SWAP."""
        return self._add("SWAP", (a, b), (), controls)

    def iswap(self, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """iSWAP."""
        return self._add("ISWAP", (a, b), (), controls)

    def crx(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RX."""
        return self._add("CRX", (control, target), (angle,), controls)

    def cry(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RY."""
        return self._add("CRY", (control, target), (angle,), controls)

    def crz(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled RZ."""
        return self._add("CRZ", (control, target), (angle,), controls)

    def crot(
        self, control: int, target: int, phi: Angle, theta: Angle, omega: Angle, controls: Wires = ()
    ) -> "Circuit":
        """Controlled Rot."""
        return self._add("CRot", (control, target), (phi, theta, omega), controls)

    def controlled_phase_shift(self, control: int, target: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """Controlled PhaseShift."""
        return self._add("ControlledPhaseShift", (control, target), (angle,), controls)

    def ising_xx(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingXX(a) = exp(-i a X⊗X / 2)."""
        return self._add("IsingXX", (a, b), (angle,), controls)

    def ising_yy(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingYY(a) = exp(-i a Y⊗Y / 2)."""
        return self._add("IsingYY", (a, b), (angle,), controls)

    def ising_zz(self, a: int, b: int, angle: Angle, controls: Wires = ()) -> "Circuit":
        """IsingZZ(a) = exp(-i a Z⊗Z / 2)."""
        return self._add("IsingZZ", (a, b), (angle,), controls)

    def toffoli(self, c1: int, c2: int, target: int, controls: Wires = ()) -> "Circuit":
        """Doubly controlled X."""
        return self._add("Toffoli", (c1, c2, target), (), controls)

    def cswap(self, control: int, a: int, b: int, controls: Wires = ()) -> "Circuit":
        """Controlled SWAP (Fredkin)."""
        return self._add("CSWAP", (control, a, b), (), controls)

    def multi_rz(self, wires: Wires, angle: Angle, controls: Wires = ()) -> "Circuit":
        """MultiRZ(a) = exp(-i a Z⊗...⊗Z / 2) on the wires."""
        return self._add("MultiRZ", wires, (angle,), controls)

    def qubit_unitary(self, matrix, wires: Wires, controls: Wires = ()) -> "Circuit":
        """A 2^k x 2^k unitary (k <= 6) on the wires; wires[0] is the matrix's most significant bit."""
        return self.gate("QubitUnitary", wires, (), controls, matrix=matrix)

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
        self._b.amplitude_embedding(
            _wires(wires), _index(feature_offset, "feature_offset"),
            -1 if num_features is None else _index(num_features, "num_features"), bool(normalize), float(pad),
        )
        return self

    def basis_embedding(self, wires: Wires, feature_offset: int = 0) -> "Circuit":
        """X on wires[j] where inputs[feature_offset + j] is 1 (features must be 0 or 1)."""
        self._b.basis_embedding(_wires(wires), _index(feature_offset, "feature_offset"))
        return self

    # ---- noise channels (simulated by torchq.expval_estimated / QuantumLayer(mode=...)) ----

    def depolarizing(self, wire: int, p: float) -> "Circuit":
        """DepolarizingChannel(p): Kraus sqrt(1-p) I, sqrt(p/3) X, sqrt(p/3) Y, sqrt(p/3) Z."""
        return self._add("DepolarizingChannel", wire, (p,))

    def amplitude_damping(self, wire: int, gamma: float) -> "Circuit":
        """AmplitudeDamping(gamma): Kraus [[1, 0], [0, sqrt(1-gamma)]], [[0, sqrt(gamma)], [0, 0]]."""
        return self._add("AmplitudeDamping", wire, (gamma,))

    def phase_damping(self, wire: int, gamma: float) -> "Circuit":
        """PhaseDamping(gamma): Kraus [[1, 0], [0, sqrt(1-gamma)]], [[0, 0], [0, sqrt(gamma)]]."""
        return self._add("PhaseDamping", wire, (gamma,))

    def bit_flip(self, wire: int, p: float) -> "Circuit":
        """BitFlip(p): Kraus sqrt(1-p) I, sqrt(p) X."""
        return self._add("BitFlip", wire, (p,))

    # ---- program form ----

    def to_program(self) -> torch.Tensor:
        """The program: a float64 CPU tensor in the core's program format (torchq/circuit.h)."""
        return self._b.to_program()

    @classmethod
    def from_program(cls, program) -> "Circuit":
        """Parses a program (tensor or sequence of numbers); raises ValueError saying what and where."""
        if not isinstance(program, torch.Tensor):
            program = torch.tensor(list(program), dtype=torch.float64)
        return cls._wrap(_builder_class().from_program(program))

    def draw(self, observables=None) -> str:
        """A text drawing: one line per wire, gates as labels (the core's drawing, torchq/draw.h)."""
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
    return Circuit._wrap(circuit._b.with_noise_after_each_gate(str(channel), float(p)))
