"""The gate table, mirrored from torchq/gate_table.h: one row per gate.

The id is the opcode of the program format (append-only in C++: never reorder). ``method`` is the
lower-case name of the Circuit builder method. Built-in controls are the first wires of a gate, as
in PennyLane (CNOT(control, target)); any non-embedding gate may carry extra control wires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

VARIABLE = -1  #: kVariableWires: any number of wires >= 1 (params: one per wire for BasisEmbedding)
MAX_QUBITS = 50  #: kMaxQubits (torchq/types.h)
MAX_UNITARY_WIRES = 6  #: kMaxDenseTargets (torchq/kernels/kernel_table.h)


@dataclass(frozen=True)
class GateInfo:
    """One row of the gate table.

    Attributes:
        id: opcode (GateId number).
        name: the C++ name ("CNOT").
        method: the Circuit method name ("cnot").
        num_wires: wires including built-in controls, or VARIABLE.
        num_params: angles, or VARIABLE (one input reference per wire).
        builtin_controls: leading wires that are controls.
        embedding: state preparation from input features; takes no extra controls.
        channel: a noise channel (not unitary): one wire, no controls, one constant probability
            in [0, 1]; simulated by torchq.expval_estimated's "trajectories" and "density_matrix"
            modes only.
    """

    id: int
    name: str
    method: str
    num_wires: int
    num_params: int
    builtin_controls: int
    embedding: bool = False
    channel: bool = False


# fmt: off
GATES: Tuple[GateInfo, ...] = (
    GateInfo(0, "I", "i", 1, 0, 0),
    GateInfo(1, "X", "x", 1, 0, 0),
    GateInfo(2, "Y", "y", 1, 0, 0),
    GateInfo(3, "Z", "z", 1, 0, 0),
    GateInfo(4, "H", "h", 1, 0, 0),
    GateInfo(5, "S", "s", 1, 0, 0),
    GateInfo(6, "Sdg", "sdg", 1, 0, 0),
    GateInfo(7, "T", "t", 1, 0, 0),
    GateInfo(8, "Tdg", "tdg", 1, 0, 0),
    GateInfo(9, "SX", "sx", 1, 0, 0),
    GateInfo(10, "RX", "rx", 1, 1, 0),
    GateInfo(11, "RY", "ry", 1, 1, 0),
    GateInfo(12, "RZ", "rz", 1, 1, 0),
    GateInfo(13, "PhaseShift", "phase_shift", 1, 1, 0),
    GateInfo(14, "Rot", "rot", 1, 3, 0),
    GateInfo(15, "U3", "u3", 1, 3, 0),
    GateInfo(16, "CNOT", "cnot", 2, 0, 1),
    GateInfo(17, "CY", "cy", 2, 0, 1),
    GateInfo(18, "CZ", "cz", 2, 0, 1),
    GateInfo(19, "SWAP", "swap", 2, 0, 0),
    GateInfo(20, "ISWAP", "iswap", 2, 0, 0),
    GateInfo(21, "CRX", "crx", 2, 1, 1),
    GateInfo(22, "CRY", "cry", 2, 1, 1),
    GateInfo(23, "CRZ", "crz", 2, 1, 1),
    GateInfo(24, "CRot", "crot", 2, 3, 1),
    GateInfo(25, "ControlledPhaseShift", "controlled_phase_shift", 2, 1, 1),
    GateInfo(26, "IsingXX", "ising_xx", 2, 1, 0),
    GateInfo(27, "IsingYY", "ising_yy", 2, 1, 0),
    GateInfo(28, "IsingZZ", "ising_zz", 2, 1, 0),
    GateInfo(29, "Toffoli", "toffoli", 3, 0, 2),
    GateInfo(30, "CSWAP", "cswap", 3, 0, 1),
    GateInfo(31, "MultiRZ", "multi_rz", VARIABLE, 1, 0),
    GateInfo(32, "QubitUnitary", "qubit_unitary", VARIABLE, 0, 0),
    GateInfo(33, "AmplitudeEmbedding", "amplitude_embedding", VARIABLE, 0, 0, True),
    GateInfo(34, "BasisEmbedding", "basis_embedding", VARIABLE, VARIABLE, 0, True),
    GateInfo(35, "DepolarizingChannel", "depolarizing", 1, 1, 0, channel=True),
    GateInfo(36, "AmplitudeDamping", "amplitude_damping", 1, 1, 0, channel=True),
    GateInfo(37, "PhaseDamping", "phase_damping", 1, 1, 0, channel=True),
    GateInfo(38, "BitFlip", "bit_flip", 1, 1, 0, channel=True),
)
# fmt: on

assert all(g.id == i for i, g in enumerate(GATES)), "GATES must be in opcode order"

QUBIT_UNITARY = 32
AMPLITUDE_EMBEDDING = 33
BASIS_EMBEDDING = 34
DEPOLARIZING_CHANNEL, AMPLITUDE_DAMPING, PHASE_DAMPING, BIT_FLIP = 35, 36, 37, 38
CHANNELS = (DEPOLARIZING_CHANNEL, AMPLITUDE_DAMPING, PHASE_DAMPING, BIT_FLIP)  #: the noise channels' opcodes

_BY_NAME: Dict[str, GateInfo] = {g.name: g for g in GATES}
_BY_METHOD: Dict[str, GateInfo] = {g.method: g for g in GATES}


def gate_info(gate) -> GateInfo:
    """Looks a gate up by opcode, C++ name ("CRX") or method name ("crx"); raises ValueError."""
    if isinstance(gate, GateInfo):
        return gate
    if isinstance(gate, int) and not isinstance(gate, bool):
        if 0 <= gate < len(GATES):
            return GATES[gate]
        raise ValueError(f"unknown opcode {gate}; known opcodes are 0..{len(GATES) - 1} (see torchq/gate_table.h)")
    if isinstance(gate, str):
        found: Optional[GateInfo] = _BY_NAME.get(gate) or _BY_METHOD.get(gate)
        if found is None:
            lowered = gate.lower()
            found = next((g for g in GATES if g.name.lower() == lowered), None)
        if found is not None:
            return found
        raise ValueError(f"unknown gate {gate!r}; known gates: {', '.join(g.name for g in GATES)}")
    raise TypeError(f"a gate is named by a string or an opcode, got {type(gate).__name__}")
