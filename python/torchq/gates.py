"""The gate table: torchq/gate_table.h's, read from the op library (torch.ops.torchq._gate_table).

One row per gate, in opcode order. The id is the opcode of the program format (append-only in
C++: never reorder). ``method`` is the name of the Circuit builder method. Built-in controls are
the first wires of a gate, as in PennyLane (CNOT(control, target)); any non-embedding gate may
carry extra control wires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import torch

MAX_QUBITS: int  #: kMaxQubits (torchq/types.h)
MAX_UNITARY_WIRES: int  #: kMaxDenseTargets (torchq/types.h): the most wires of a QubitUnitary
VARIABLE: int  #: kVariableWires: any number of wires >= 1 (params: one per wire for BasisEmbedding)
MAX_QUBITS, MAX_UNITARY_WIRES, VARIABLE = (int(v) for v in torch.ops.torchq._constants())


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


GATES: Tuple[GateInfo, ...] = tuple(
    GateInfo(i, *row) for i, row in enumerate(zip(*torch.ops.torchq._gate_table()))
)  #: every gate, GATES[opcode]


def gate_info(gate) -> GateInfo:
    """Looks a gate up by opcode, C++ name ("CRX"), method name ("crx") or C++ name in any case
    ("isingxx"), as torchq::find_gate does; raises ValueError naming the known gates."""
    if isinstance(gate, GateInfo):
        return gate
    if isinstance(gate, int) and not isinstance(gate, bool):
        if 0 <= gate < len(GATES):
            return GATES[gate]
        raise ValueError(f"unknown opcode {gate}; known opcodes are 0..{len(GATES) - 1} (see torchq/gate_table.h)")
    if isinstance(gate, str):
        return GATES[torch.ops.torchq._find_gate(gate)]
    raise TypeError(f"a gate is named by a string or an opcode, got {type(gate).__name__}")


QUBIT_UNITARY = gate_info("QubitUnitary").id
AMPLITUDE_EMBEDDING = gate_info("AmplitudeEmbedding").id
BASIS_EMBEDDING = gate_info("BasisEmbedding").id
DEPOLARIZING_CHANNEL = gate_info("DepolarizingChannel").id
AMPLITUDE_DAMPING = gate_info("AmplitudeDamping").id
PHASE_DAMPING = gate_info("PhaseDamping").id
BIT_FLIP = gate_info("BitFlip").id
CHANNELS = tuple(g.id for g in GATES if g.channel)  #: the noise channels' opcodes
