"""torchq: quantum circuits as PyTorch layers.

A C++ statevector simulator registered as LibTorch operators (torch.ops.torchq.expval, var,
probs, state, sample, program_info), with exact gradients by the adjoint method, and a Python
mirror of the C++ layer API:

    import torch, torchq
    c = torchq.Circuit(2, num_inputs=2)
    torchq.angle_embedding(c, [0, 1])
    torchq.strongly_entangling_layers(c, num_layers=2, wires=[0, 1])
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(0), torchq.PauliZ(1)])
    y = layer(torch.rand(8, 2))          # [8, 2], differentiable

Importing torchq loads libtorchq_ops.so: from $TORCHQ_OPS_LIBRARY if set, else the copy installed
beside this package (``pip install --no-build-isolation .`` builds it).
"""

from torchq._library import library_path, load_library

load_library()

from torchq import gates  # noqa: E402
from torchq.algorithms import (  # noqa: E402
    grover_diffusion,
    grover_iterations,
    grover_oracle,
    grover_search,
    inverse_qft,
    phase_estimation,
    qft,
)
from torchq.circuit import AmplitudeSpec, Circuit, Operation, Param, add_noise_after_each_gate  # noqa: E402
from torchq.drawing import draw_circuit  # noqa: E402
from torchq.layers import QuantumLayer  # noqa: E402
from torchq.observables import (  # noqa: E402
    Hamiltonian,
    Identity,
    Observable,
    PauliWord,
    PauliX,
    PauliY,
    PauliZ,
    observables_from_table,
    observables_table,
)
from torchq.ops import (  # noqa: E402
    expval,
    expval_estimated,
    get_num_threads,
    probs,
    program_info,
    sample,
    set_num_threads,
    state,
    var,
)
from torchq.templates import (  # noqa: E402
    amplitude_embedding,
    angle_embedding,
    basic_entangler_layers,
    basis_embedding,
    data_reuploading,
    hardware_efficient_ansatz,
    iqp_embedding,
    random_layers,
    strongly_entangling_layers,
)

__version__ = "0.1.0"

__all__ = [
    "add_noise_after_each_gate", "expval_estimated",
    "AmplitudeSpec", "Circuit", "Hamiltonian", "Identity", "Observable", "Operation", "Param", "PauliWord",
    "PauliX", "PauliY", "PauliZ", "QuantumLayer", "amplitude_embedding", "angle_embedding",
    "basic_entangler_layers", "basis_embedding", "draw_circuit", "expval", "gates", "get_num_threads",
    "library_path", "load_library", "observables_from_table", "observables_table", "probs", "program_info",
    "sample", "set_num_threads", "state", "strongly_entangling_layers", "var",
    "data_reuploading", "grover_diffusion", "grover_iterations", "grover_oracle", "grover_search",
    "hardware_efficient_ansatz", "inverse_qft", "iqp_embedding", "phase_estimation", "qft", "random_layers",
]
