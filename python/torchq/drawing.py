"""Text drawings of circuits: one line per wire, gates as labels, controls as ●, connectors
crossing other wires as ┼.

    0: ──RX(x0)──●──Rot(w0,w1,w2)──┤ <0>
    1: ──RX(x1)──X─────────────────┤ <1>
    <0> expval Z(0)
    <1> expval Z(1)

Parameters print as w3 (weight 3), x1 (input feature 1), 0.5*x1 (scaled) or a constant.
Each gate sits in the first column where every wire it spans is free, so gates on disjoint
wires share a column and vertical connectors never cross another gate.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from torchq import gates as _g
from torchq.circuit import Circuit, Operation

# Controlled gates print their base gate on the target.
_BASE_LABEL = {
    "CNOT": "X", "CY": "Y", "CZ": "Z", "CRX": "RX", "CRY": "RY", "CRZ": "RZ", "CRot": "Rot",
    "ControlledPhaseShift": "PhaseShift", "Toffoli": "X", "CSWAP": "SWAP",
}


def _cells(op: Operation) -> dict:
    """wire -> label for the wires the operation touches."""
    info = op.info
    cells = {w: "●" for w in op.controls}
    controls = op.wires[: info.builtin_controls]
    targets = op.wires[info.builtin_controls:]
    for w in controls:
        cells[w] = "●"
    if op.gate == _g.AMPLITUDE_EMBEDDING:
        a = op.amplitude
        label = f"Amp(x{a.feature_offset}..x{a.feature_offset + a.num_features - 1})"
        for w in targets:
            cells[w] = label
        return cells
    if op.gate == _g.BASIS_EMBEDDING:
        for w, p in zip(targets, op.params):
            cells[w] = f"Basis({p.label()})"
        return cells
    name = "U" if op.gate == _g.QUBIT_UNITARY else _BASE_LABEL.get(info.name, info.name)
    label = name + (f"({','.join(p.label() for p in op.params)})" if op.params else "")
    for w in targets:
        cells[w] = label
    return cells


def draw_circuit(
    circuit: Circuit,
    observables: Optional[Sequence] = None,
    measure: str = "expval",
    wires: Optional[Sequence[int]] = None,
) -> str:
    """Draws ``circuit`` as text; ``observables`` (for expval/var) or ``wires`` (for probs) label
    the measurement at the end of each line."""
    n = circuit.num_qubits
    columns: List[dict] = []
    free_from = [0] * n  # first column where each wire is free
    for op in circuit.operations:
        cells = _cells(op)
        lo, hi = min(cells), max(cells)
        col = max(free_from[lo:hi + 1])
        if col == len(columns):
            columns.append({})
        for w in range(lo, hi + 1):
            columns[col][w] = cells.get(w, "┼")  # a connector crossing the wire
            free_from[w] = col + 1
    widths = [max(len(s) for s in col.values()) for col in columns]

    ends = ["┤"] * n
    footer: List[str] = []
    if measure in ("expval", "var") and observables:
        for k, o in enumerate(observables):
            for w in o.wires:
                if w < n:
                    ends[w] += f" <{k}>"
            footer.append(f"<{k}> {measure} {o.label() if hasattr(o, 'label') else o}")
    elif measure == "probs":
        measured = list(range(n)) if wires is None else list(wires)
        for w in measured:
            ends[w] += " Probs"

    label_width = len(str(n - 1))
    lines = []
    for w in range(n):
        parts = []
        for col, width in zip(columns, widths):
            s = col.get(w)
            if s is None:
                parts.append("─" * width)
            else:
                pad = width - len(s)
                parts.append("─" * (pad // 2) + s + "─" * (pad - pad // 2))
        body = "──".join(parts)
        lines.append(f"{w:>{label_width}}: ──{body}{'──' if parts else ''}{ends[w]}")
    return "\n".join(lines + footer)
