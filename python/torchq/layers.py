"""QuantumLayer: a circuit as a torch.nn.Module (mirror of the C++ layers in layers/).

    c = Circuit(2, num_inputs=2)
    angle_embedding(c, [0, 1])
    strongly_entangling_layers(c, 2, [0, 1])
    layer = QuantumLayer(c, [PauliZ(0), PauliZ(1)])
    y = layer(x)                       # x [B, 2] -> y [B, 2]; gradients by the adjoint method

The module is thin: it holds the trainable ``weights`` parameter [P] and the ``program`` and
``observables`` buffers (float64, so a state_dict carries the whole model), and its forward is
one op call (torch.ops.torchq.expval / var / probs, or expval_estimated for noisy circuits and
shots). It scripts and traces.

Noise and shots: ``QuantumLayer(c, obs, mode="density_matrix")`` (exact, small circuits) or
``mode="trajectories", trajectories=T``, and ``shots=S`` to estimate every Pauli word from S
measurements. Gradients are then exact adjoint ones (density_matrix without shots) or unbiased
parameter-shift estimates. The seed advances by one per forward call in training mode, so every
training step sees fresh shot and trajectory noise; in eval mode the estimate is repeatable.
"""


import math
import operator
from typing import List, Optional, Sequence, Union

import torch
from torch import nn

from torchq.circuit import Circuit
from torchq.observables import Observable, PauliZ, observables_from_table, observables_table

_MEASURES = ("expval", "var", "probs")
_MODES = ("statevector", "trajectories", "density_matrix")


def _integer(value, name: str, low: Optional[int]) -> int:
    """An integer option (Python or numpy integer, not bool), at least ``low``."""
    try:
        if isinstance(value, bool):
            raise TypeError
        value = operator.index(value)
    except TypeError:
        raise ValueError(f"QuantumLayer: {name} must be an integer, got {value!r}") from None
    if low is not None and value < low:
        raise ValueError(f"QuantumLayer: {name} must be an integer >= {low}, got {value}")
    return value


class QuantumLayer(nn.Module):
    """A parametrised quantum circuit as a layer.

    Args:
        circuit: a Circuit (or a program tensor).
        observables: for ``measure="expval"`` or ``"var"``: one observable or a list of K; the
            output has one column per observable.
        weight_init: None (uniform in [0, 2*pi)), a callable applied to the weight tensor
            in place (e.g. ``torch.nn.init.normal_``), or P numbers to copy (any shape, e.g.
            PennyLane's [L, n, 3] weights, flattened in row-major order).
        dtype: torch.float32 or torch.float64, the dtype of weights and outputs (inputs of
            another dtype are converted).
        measure: "expval" (default), "var" or "probs".
        wires: for ``measure="probs"``: the measured wires (default all); the output has 2^m
            columns, wires[0] the most significant bit.
        mode: "statevector" (default: exact, adjoint gradients), "trajectories" or
            "density_matrix" (torch.ops.torchq.expval_estimated); noise channels need one of the
            latter two. With measure="expval" only.
        shots: 0 (default) for exact expectation values in the mode, else measurements per Pauli word.
        trajectories: trajectories per sample for mode="trajectories".
        seed: the first seed; forward call i in training mode uses seed + i (``calls`` counts them).

    forward(inputs): inputs [B, F] -> [B, K] (or [B, 2^m] for probs); [F] -> [K]; leading
    dimensions [..., F] are kept. A circuit without inputs may be called with no argument.
    """

    __jit_unused_properties__ = ["circuit", "observable_list"]

    measure: str
    wires: List[int]
    mode: str
    shots: int
    trajectories: int
    seed: int
    calls: int
    num_qubits: int
    num_inputs: int

    def __init__(
        self,
        circuit: Union[Circuit, torch.Tensor],
        observables: Union[Observable, Sequence[Observable], None] = None,
        weight_init=None,
        dtype: torch.dtype = torch.float32,
        measure: str = "expval",
        wires: Optional[Sequence[int]] = None,
        mode: str = "statevector",
        shots: int = 0,
        trajectories: int = 1,
        seed: int = 0,
    ):
        super().__init__()
        if isinstance(circuit, torch.Tensor):
            circuit = Circuit.from_program(circuit)
        if not isinstance(circuit, Circuit):
            raise TypeError(f"QuantumLayer: circuit must be a torchq.Circuit, got {type(circuit).__name__}")
        if dtype not in (torch.float32, torch.float64):
            raise ValueError(f"QuantumLayer: dtype must be torch.float32 or torch.float64, got {dtype}")
        if measure not in _MEASURES:
            raise ValueError(f"QuantumLayer: measure must be one of {', '.join(_MEASURES)}, got {measure!r}")
        if mode not in _MODES:
            raise ValueError(f"QuantumLayer: mode must be one of {', '.join(_MODES)}, got {mode!r}")
        shots, trajectories, seed = (
            _integer(v, name, low)
            for v, name, low in ((shots, "shots", 0), (trajectories, "trajectories", 1), (seed, "seed", None))
        )
        estimated = mode != "statevector" or shots > 0
        if estimated and measure != "expval":
            raise ValueError(
                f'QuantumLayer: mode={mode!r} and shots={shots} estimate expectation values; use measure="expval" '
                f"(measure={measure!r} is exact on the statevector only)"
            )
        noisy = [op for op in circuit.operations if op.info.channel]
        if noisy and mode == "statevector":
            raise ValueError(
                f"QuantumLayer: the circuit has {len(noisy)} noise channel(s) ({noisy[0].name} first); pass "
                'mode="density_matrix" (exact, up to 12 qubits) or mode="trajectories"'
            )
        # The program and table are made and checked on the CPU even under `with torch.device("meta")`
        # (the meta-init idiom): a meta tensor has no values to check. The buffers then go to the
        # default device, and load_state_dict(..., assign=True) brings the real ones.
        default_device = torch.empty(0).device
        with torch.device("cpu"):
            program = circuit.to_program()
        n = circuit.num_qubits
        if measure == "probs":
            if observables is not None:
                raise ValueError('QuantumLayer: measure="probs" measures wires, not observables; pass wires=')
            wires = list(range(n)) if wires is None else [int(w) for w in wires]
            if not wires or len(set(wires)) != len(wires) or any(not 0 <= w < n for w in wires):
                raise ValueError(
                    f"QuantumLayer: wires must be distinct wires in 0..{n - 1}, at least one, got {wires}"
                )
            # Unused by probs; the same placeholder as the C++ layer, so state_dicts match.
            with torch.device("cpu"):
                table = observables_table([PauliZ(0)])
        else:
            if wires is not None:
                raise ValueError(f'QuantumLayer: wires= is for measure="probs"; {measure} uses observables')
            if observables is None:
                raise ValueError(f"QuantumLayer: measure={measure!r} needs observables, e.g. [PauliZ(0)]")
            with torch.device("cpu"):
                table = observables_table(observables, num_qubits=n)
            wires = []
        self.measure = measure
        self.mode = mode
        self.shots = int(shots)
        self.trajectories = int(trajectories)
        self.seed = int(seed)
        self.calls = 0
        self.wires = wires
        self.num_qubits = n
        self.num_inputs = circuit.num_inputs
        problem = self._check_observables(program, table)
        if problem is not None:
            raise ValueError(f"QuantumLayer: {problem}")
        self.register_buffer("program", program.to(default_device))
        self.register_buffer("observables", table.to(default_device))
        self.weights = nn.Parameter(torch.empty(circuit.num_weights, dtype=dtype))
        self._init_weights(weight_init)

    def _init_weights(self, weight_init) -> None:
        with torch.no_grad():
            if weight_init is None:
                self.weights.uniform_(0.0, 2 * math.pi)
            elif callable(weight_init):
                weight_init(self.weights)
            else:
                values = torch.as_tensor(weight_init, dtype=self.weights.dtype).reshape(-1)
                if values.numel() != self.weights.numel():
                    raise ValueError(
                        f"QuantumLayer: weight_init has {values.numel()} numbers but the circuit has "
                        f"{self.weights.numel()} weights"
                    )
                self.weights.copy_(values)

    # ---- forward ----

    def forward(self, inputs: Optional[torch.Tensor] = None) -> torch.Tensor:
        w = self.weights
        lead: List[int] = []
        if inputs is None:
            x = torch.zeros(1, 0, dtype=w.dtype, device=w.device)
        else:
            if inputs.dim() == 0:
                raise ValueError("QuantumLayer: inputs must be [B, F], [F] or [..., F], got a 0-d tensor")
            lead = list(inputs.shape[:-1])
            # [F] -> [1, F], [..., F] -> [B, F] (flatten, not reshape(-1, F): F may be 0)
            x = inputs.unsqueeze(0) if inputs.dim() == 1 else inputs.flatten(0, -2)
            if x.is_complex():
                # Converting would drop the imaginary part without a word.
                raise ValueError("QuantumLayer: inputs must be real (features are rotation angles), got a complex tensor")
            if x.dtype != w.dtype:
                x = x.to(w.dtype)
        if self.measure == "probs":
            out = torch.ops.torchq.probs(self.program, w, x, self.wires)
        elif self.measure == "var":
            out = torch.ops.torchq.var(self.program, self.observables, w, x)
        elif self.mode == "statevector" and self.shots == 0:
            out = torch.ops.torchq.expval(self.program, self.observables, w, x)
        else:
            seed = self.seed + self.calls
            if self.training:
                self.calls += 1  # fresh shot and trajectory noise for every training step
            out = torch.ops.torchq.expval_estimated(
                self.program, self.observables, w, x, self.mode, self.shots, self.trajectories, seed
            )
        if inputs is None or inputs.dim() != 2:
            out = out.reshape(lead + [out.shape[-1]])
        return out

    # ---- state_dict: float64 buffers that must stay valid ----

    def _apply(self, fn, recurse=True):
        # .float() / .half() / .to(dtype) would round the program and observables; they stay
        # float64 (only their device follows).
        keep = {name: self._buffers[name] for name in ("program", "observables")}
        super()._apply(fn, recurse)
        for name, t in keep.items():
            moved = self._buffers[name]
            if moved.dtype != torch.float64:
                self._buffers[name] = t.to(device=moved.device)
        return self

    def _check_observables(self, program: torch.Tensor, table: torch.Tensor) -> Optional[str]:
        # The ops' own check of a layer's buffers (torch.ops.torchq._check): the program, the table
        # against its qubits, and the mode, shots and trajectories against the program (channels,
        # density-matrix qubits), without running the circuit.
        try:
            torch.ops.torchq._check(program, table, None, self.mode, self.shots, self.trajectories)
        except (RuntimeError, ValueError, TypeError) as e:
            return f"the observables do not fit the program: {e}"
        return None

    def _check_state(self, state_dict, prefix: str) -> Optional[str]:
        program = state_dict.get(prefix + "program", self.program)
        table = state_dict.get(prefix + "observables", self.observables)
        weights = state_dict.get(prefix + "weights", self.weights)
        if not isinstance(program, torch.Tensor) or program.dtype != torch.float64 or program.dim() != 1:
            return "the program buffer must be a 1-D float64 tensor (made by Circuit.to_program)"
        try:
            info = torch.ops.torchq.program_info(program)
        except (RuntimeError, ValueError, TypeError) as e:
            return f"the program in the state_dict is not a valid torchq program: {e}"
        if info[2] != weights.shape[-1]:
            return f"the program has {info[2]} weights but the weights tensor has {weights.shape[-1]}"
        if self.measure == "probs" and any(w >= info[1] for w in self.wires):
            return f"the program has {info[1]} qubits but the layer measures wires {self.wires}"
        if not isinstance(table, torch.Tensor) or table.dtype != torch.float64 or table.dim() != 2:
            return "the observables buffer must be a 2-D float64 tensor (made by observables_table)"
        return self._check_observables(program, table)

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        problem = self._check_state(state_dict, prefix)
        if problem is not None:
            # Refuse before copying anything: a rejected state_dict leaves the layer as it was.
            error_msgs.append(f"{type(self).__name__} ({prefix or 'root'}): {problem}")
            return
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )
        info = torch.ops.torchq.program_info(self.program)
        self.num_qubits, self.num_inputs = int(info[1]), int(info[3])

    # ---- description ----

    @property
    def circuit(self) -> Circuit:
        """The circuit, parsed from the program buffer."""
        return Circuit.from_program(self.program)

    @property
    def observable_list(self) -> List[Observable]:
        """The observables, parsed from the observables buffer (empty for probs, whose buffer is a placeholder)."""
        return [] if self.measure == "probs" else observables_from_table(self.observables)

    def draw(self) -> str:
        """A text drawing of the circuit and its measurement."""
        table = None if self.measure == "probs" else self.observables
        return torch.ops.torchq.draw(self.program, table, self.measure, self.wires if self.measure == "probs" else None)

    def extra_repr(self) -> str:
        head = (
            f"num_qubits={self.num_qubits}, num_weights={self.weights.numel()}, num_inputs={self.num_inputs}, "
            f"dtype={self.weights.dtype}, measure={self.measure}"
        )
        if self.mode != "statevector" or self.shots > 0:
            head += f", mode={self.mode}, shots={self.shots}"
            if self.mode == "trajectories":
                head += f", trajectories={self.trajectories}"
        if self.measure == "probs":
            return f"{head}, wires={self.wires}"
        return f"{head}, observables=[{', '.join(o.label() for o in self.observable_list)}]"
