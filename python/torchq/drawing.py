"""Text drawings of circuits: torchq/draw.h's, through torch.ops.torchq.draw (the same drawing in
C++ and Python). One line per wire, gates as labels, controls as ●, connectors as │:

    0: ─RX(x0)──●──Rot(w0,w1,w2)──┤ <0>
    1: ─RX(x1)──X─────────────────┤ <1>
    <0> expval Z(0)
    <1> expval Z(1)

Parameters print as w3 (weight 3), x1 (input feature 1), 0.5x1 (scaled) or a constant.
"""

from __future__ import annotations

import operator
from typing import Optional, Sequence, Union

import torch

from torchq.observables import observables_table


def draw_circuit(
    circuit,
    observables: Union[Sequence, torch.Tensor, None] = None,
    measure: str = "expval",
    wires: Optional[Sequence[int]] = None,
) -> str:
    """Draws ``circuit`` (a Circuit or its program tensor) as text, with its measurement:
    ``observables`` (a list, or their table) for measure "expval" or "var", each wire they act on
    ending in ``┤ <k>`` and a line per observable; or ``wires`` for "probs" (default all), each
    ending in ``┤ Probs``. Without observables, the bare circuit."""
    program = circuit if isinstance(circuit, torch.Tensor) else circuit.to_program()
    table = None
    if isinstance(observables, torch.Tensor):
        table = observables
    elif observables:  # an empty list is no measurement
        table = observables_table(observables)
    if wires is not None:
        wires = [operator.index(w) for w in wires]
    return torch.ops.torchq.draw(program, table, measure, wires)
