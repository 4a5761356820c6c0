"""Functional access to the torchq operators, accepting Circuits and observable lists.

Each function converts its arguments (a Circuit to its program, observables to their table)
and makes one call to the op of the same name in torch.ops.torchq; in TorchScript call the
ops directly. Tensor conventions (ops/checks.h):

    program      float64 [L]      Circuit.to_program()
    observables  float64 [K, L]   observables_table(...)
    weights      float32/64 [P] shared by the batch, or [B, P] one set per sample
    inputs       same dtype [B, F]

expval, var, probs, state and expval_estimated are differentiable in weights and inputs (the
first four by the adjoint method, expval_estimated as its mode says; first derivatives only).
"""

from __future__ import annotations

import operator
from typing import List, Optional, Sequence

import torch

from torchq.circuit import Circuit
from torchq.observables import observables_table


def _program(program) -> torch.Tensor:
    return program.to_program() if isinstance(program, Circuit) else program


def _table(observables) -> torch.Tensor:
    if isinstance(observables, torch.Tensor):
        return observables
    return observables_table(observables)


def _num_qubits(program: torch.Tensor) -> int:
    return int(torch.ops.torchq.program_info(program)[1])


def expval(program, observables, weights: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """<O_k> for each sample: [B, K]."""
    return torch.ops.torchq.expval(_program(program), _table(observables), weights, inputs)


def var(program, observables, weights: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """<O_k^2> - <O_k>^2 for each sample: [B, K] (differentiable by the adjoint method, like expval)."""
    return torch.ops.torchq.var(_program(program), _table(observables), weights, inputs)


def probs(program, weights: torch.Tensor, inputs: torch.Tensor, wires: Optional[Sequence[int]] = None) -> torch.Tensor:
    """Probabilities of the basis states of ``wires`` (default all; wires[0] most significant): [B, 2^m]."""
    p = _program(program)
    wires = list(range(_num_qubits(p))) if wires is None else [operator.index(w) for w in wires]
    return torch.ops.torchq.probs(p, weights, inputs, wires)


def state(program, weights: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    """The final state vectors: complex [B, 2^n] (wire 0 most significant)."""
    p = _program(program)
    return torch.ops.torchq.state(p, weights, inputs, _num_qubits(p))


def sample(
    program,
    weights: torch.Tensor,
    inputs: torch.Tensor,
    wires: Optional[Sequence[int]] = None,
    shots: int = 1,
    seed: int = 0,
) -> torch.Tensor:
    """Measurement samples of ``wires`` (default all): int64 [B, shots, m] of 0/1; seeded, so repeatable."""
    p = _program(program)
    wires = list(range(_num_qubits(p))) if wires is None else [operator.index(w) for w in wires]
    return torch.ops.torchq.sample(p, weights, inputs, wires, int(shots), int(seed))


def expval_estimated(
    program,
    observables,
    weights: torch.Tensor,
    inputs: torch.Tensor,
    mode: str = "statevector",
    shots: int = 0,
    trajectories: int = 1,
    seed: int = 0,
) -> torch.Tensor:
    """<O_k> for each sample, estimated: [B, K] (torchq/estimators.h).

    mode: "statevector" (exact pure state; refuses noise channels), "trajectories" (``trajectories``
    quantum trajectories per sample, any qubit count) or "density_matrix" (exact, up to 12 qubits).
    shots: 0 for the mode's exact value (the trajectory average for trajectories), else the
    number of measurements of every Pauli word. Seeded: the same seed gives the same estimate for
    any thread count. Differentiable in weights and inputs: exactly (adjoint) for exact
    estimators, else by the parameter-shift rule with freshly seeded estimates (unbiased).
    """
    return torch.ops.torchq.expval_estimated(
        _program(program), _table(observables), weights, inputs, str(mode), int(shots), int(trajectories), int(seed)
    )


def program_info(program) -> List[int]:
    """[version, num_qubits, num_weights, num_inputs, num_ops]; raises ValueError if malformed."""
    return list(torch.ops.torchq.program_info(_program(program)))


def set_num_threads(num_threads: int) -> None:
    """Threads torchq ops may use (shared among concurrent calls); 0 follows torch.get_num_threads()."""
    if isinstance(num_threads, bool):
        raise TypeError("set_num_threads: the thread count is an integer, got bool")
    n = operator.index(num_threads)
    if n < 0:
        raise ValueError(
            f"torchq.set_num_threads: the thread count must be >= 1, or 0 to follow torch.get_num_threads(); got {n}"
        )
    torch.ops.torchq.set_num_threads(n)


def get_num_threads() -> int:
    """Threads torchq ops use: the set_num_threads value, else torch.get_num_threads()."""
    return int(torch.ops.torchq.get_num_threads())


__all__ = [
    "expval", "var", "probs", "state", "sample", "expval_estimated", "program_info", "set_num_threads",
    "get_num_threads",
]
