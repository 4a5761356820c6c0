"""Shared test helpers: random circuits and observables, and the same circuits in PennyLane.

PennyLane (default.qubit, torch interface, backprop, float64) is the independent reference:
``pl_expval`` runs a torchq Circuit there, sample by sample, so values and gradients can be
compared with torchq's ops. Wire 0 is the most significant bit in both.
"""

import math

import numpy as np
import torch

import torchq

# Gates the random circuits draw from: (method, wires, angles). Embeddings are tested apart.
RANDOM_GATES = [
    ("i", 1, 0), ("x", 1, 0), ("y", 1, 0), ("z", 1, 0), ("h", 1, 0), ("s", 1, 0), ("sdg", 1, 0),
    ("t", 1, 0), ("tdg", 1, 0), ("sx", 1, 0), ("rx", 1, 1), ("ry", 1, 1), ("rz", 1, 1),
    ("phase_shift", 1, 1), ("rot", 1, 3), ("u3", 1, 3), ("cnot", 2, 0), ("cy", 2, 0), ("cz", 2, 0),
    ("swap", 2, 0), ("iswap", 2, 0), ("crx", 2, 1), ("cry", 2, 1), ("crz", 2, 1), ("crot", 2, 3),
    ("controlled_phase_shift", 2, 1), ("ising_xx", 2, 1), ("ising_yy", 2, 1), ("ising_zz", 2, 1),
    ("toffoli", 3, 0), ("cswap", 3, 0), ("multi_rz", -1, 1), ("qubit_unitary", -1, 0),
]


def random_unitary(rng: np.random.Generator, k: int) -> np.ndarray:
    """A Haar-ish random 2^k x 2^k unitary (QR of a complex Gaussian matrix)."""
    d = 1 << k
    z = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / np.abs(np.diag(r)))


def random_circuit(rng, num_qubits, num_ops, num_inputs=2, controls=True, gates=None, circuit=None):
    """A random circuit over every non-embedding gate, with weight, input and constant angles,
    shared weights and (when ``controls``) extra control wires; appended to ``circuit`` if given."""
    c = torchq.Circuit(num_qubits, num_inputs=num_inputs) if circuit is None else circuit
    pool = [g for g in RANDOM_GATES if (g[1] <= num_qubits) and (gates is None or g[0] in gates)]
    made = []

    def angle():
        u = rng.random()
        if u < 0.5 or (num_inputs == 0 and u < 0.8):
            if made and rng.random() < 0.2:
                return made[int(rng.integers(len(made)))]  # a shared weight
            p = c.weight(float(rng.choice([1.0, 1.0, 0.5, -2.0])))
            made.append(p)
            return p
        if u < 0.8 and num_inputs > 0:
            return c.input(int(rng.integers(num_inputs)), float(rng.choice([1.0, 0.7, -1.3])))
        return float(rng.uniform(-math.pi, math.pi))

    for _ in range(num_ops):
        name, nw, na = pool[int(rng.integers(len(pool)))]
        if nw == -1:
            nw = int(rng.integers(1, min(num_qubits, 2 if name == "qubit_unitary" else num_qubits) + 1))
        extra = 1 if controls and nw < num_qubits and rng.random() < 0.25 else 0
        wires = [int(w) for w in rng.permutation(num_qubits)[: nw + extra]]
        ctrl, wires = wires[nw:], wires[:nw]
        if name == "qubit_unitary":
            c.qubit_unitary(random_unitary(rng, nw), wires, controls=ctrl)
        elif name == "multi_rz":
            c.multi_rz(wires, angle(), controls=ctrl)
        else:
            getattr(c, name)(*wires, *[angle() for _ in range(na)], controls=ctrl)
    return c


def random_observables(rng, num_qubits, count=3):
    """A mix of single Paulis, Pauli words and Hamiltonians (with an identity term sometimes)."""
    out = []
    letters = "XYZ"
    for k in range(count):
        kind = k % 3
        if kind == 0:
            out.append(torchq.PauliWord(letters[int(rng.integers(3))], [int(rng.integers(num_qubits))]))
        else:
            terms = []
            for _ in range(1 if kind == 1 else int(rng.integers(2, 4))):
                m = int(rng.integers(1, num_qubits + 1))
                wires = [int(w) for w in rng.permutation(num_qubits)[:m]]
                word = "".join(letters[int(rng.integers(3))] for _ in wires)
                terms.append((float(rng.normal()), word, wires))
            if kind == 2 and rng.random() < 0.5:
                terms.append((float(rng.normal()), "", []))
            out.append(torchq.Hamiltonian(terms) if len(terms) > 1 else torchq.PauliWord(terms[0][1], terms[0][2], terms[0][0]))
    return out


# ---- PennyLane reference ----

def _qml():
    import pennylane as qml

    return qml


def _pl_op(qml, op, angles):
    """The PennyLane operation for a torchq Operation with resolved angles."""
    name = op.name
    wires = list(op.wires)
    if name == "QubitUnitary":
        d = 1 << len(wires)
        m = torch.tensor(np.asarray(op.matrix, dtype=np.complex128).reshape(d, d))
        return qml.QubitUnitary(m, wires=wires)
    table = {
        "I": qml.Identity, "X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ, "H": qml.Hadamard,
        "S": qml.S, "T": qml.T, "SX": qml.SX, "RX": qml.RX, "RY": qml.RY, "RZ": qml.RZ,
        "PhaseShift": qml.PhaseShift, "Rot": qml.Rot, "U3": qml.U3, "CNOT": qml.CNOT, "CY": qml.CY,
        "CZ": qml.CZ, "SWAP": qml.SWAP, "ISWAP": qml.ISWAP, "CRX": qml.CRX, "CRY": qml.CRY,
        "CRZ": qml.CRZ, "CRot": qml.CRot, "ControlledPhaseShift": qml.ControlledPhaseShift,
        "IsingXX": qml.IsingXX, "IsingYY": qml.IsingYY, "IsingZZ": qml.IsingZZ, "Toffoli": qml.Toffoli,
        "CSWAP": qml.CSWAP, "MultiRZ": qml.MultiRZ,
    }
    if name == "Sdg":
        return qml.adjoint(qml.S(wires=wires))
    if name == "Tdg":
        return qml.adjoint(qml.T(wires=wires))
    return table[name](*angles, wires=wires)


def _apply_pl(qml, circuit, w, x):
    for op in circuit.operations:
        if op.name == "AmplitudeEmbedding":
            a = op.amplitude
            feats = x[a.feature_offset:a.feature_offset + a.num_features]
            pad = a.pad if a.num_features < (1 << len(op.wires)) else None
            qml.AmplitudeEmbedding(feats, wires=list(op.wires), pad_with=pad, normalize=a.normalize)
            continue
        if op.name == "BasisEmbedding":
            bits = [int(round(float(x[p.index]))) for p in op.params]
            qml.BasisEmbedding(bits, wires=list(op.wires))
            continue
        angles = []
        for p in op.params:
            if p.kind == torchq.circuit.WEIGHT:
                angles.append(p.value * w[p.index])
            elif p.kind == torchq.circuit.INPUT:
                angles.append(p.value * x[p.index])
            else:
                angles.append(torch.tensor(p.value, dtype=torch.float64))
        if op.controls:
            qml.ctrl(_pl_op, control=list(op.controls))(qml, op, angles)
        else:
            _pl_op(qml, op, angles)


def pl_observable(qml, o):
    letters = {"I": qml.Identity, "X": qml.PauliX, "Y": qml.PauliY, "Z": qml.PauliZ}
    terms = []
    for coeff, paulis, wires in o.terms:
        if not paulis:
            word = qml.Identity(0)
        elif len(paulis) == 1:
            word = letters[paulis](wires[0])
        else:
            word = qml.prod(*[letters[p](w) for p, w in zip(paulis, wires)])
        terms.append(qml.s_prod(coeff, word))
    return terms[0] if len(terms) == 1 else qml.sum(*terms)


def pl_run(circuit, weights, inputs, measure="expval", observables=None, wires=None):
    """PennyLane's result for each sample: [B, K] expvals/vars, [B, 2^m] probs, [B, 2^n] states.

    weights [P] or [B, P], inputs [B, F] (float64 torch tensors; gradients flow by backprop).
    """
    qml = _qml()
    dev = qml.device("default.qubit", wires=circuit.num_qubits)

    @qml.qnode(dev, interface="torch", diff_method="backprop")
    def run(w, x):
        _apply_pl(qml, circuit, w, x)
        if measure == "probs":
            return qml.probs(wires=list(wires))
        if measure == "state":
            return qml.state()
        fn = qml.expval if measure == "expval" else qml.var
        return [fn(pl_observable(qml, o)) for o in observables]

    rows = []
    for b in range(inputs.shape[0]):
        w = weights[b] if weights.dim() == 2 else weights
        out = run(w, inputs[b])
        rows.append(torch.stack(list(out)) if isinstance(out, (list, tuple)) else out)
    return torch.stack(rows)
