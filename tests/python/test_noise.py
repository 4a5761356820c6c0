"""Noise channels, shots and torch.ops.torchq.expval_estimated: PennyLane default.mixed values and
gradients, gradcheck (density matrix), statistics of shots and trajectories, opcheck, a
QuantumLayer that trains under noise (density matrix; trajectories with shots and parameter
shift), and every refusal."""

import math

import numpy as np
import pytest
import torch

import torchq
from helpers import _pl_op, pl_observable, random_circuit, random_observables

F64 = torch.float64
CHANNELS = ("depolarizing", "amplitude_damping", "phase_damping", "bit_flip")


def noisy_circuit(rng, num_qubits, num_ops, num_inputs=2, rate=0.7, circuit=None, damping_one=True, controls=True):
    """A random circuit over every unitary gate (extra controls included) with a random channel
    after most gates; probabilities include the edges 0 and 1.

    damping_one=False keeps the damping channels' gamma below 1 for comparisons with PennyLane,
    whose damping Kraus operators are sqrt(1 - gamma + eps) (regularised for differentiability):
    at gamma = 1 that is 1.5e-8 instead of 0, which moves expectation values by ~5e-8.
    controls=False: no extra control wires (PennyLane has no shift rule for a controlled U3).
    """
    c = torchq.Circuit(num_qubits, num_inputs=num_inputs) if circuit is None else circuit
    for _ in range(num_ops):
        random_circuit(rng, num_qubits, 1, num_inputs=num_inputs, controls=controls, circuit=c)
        if rng.random() < rate:
            name = CHANNELS[int(rng.integers(4))]
            top = 1.0 if damping_one or name in ("depolarizing", "bit_flip") else 0.99
            p = float(rng.choice([0.0, top, rng.random() * top, rng.random() * top]))
            getattr(c, name)(int(rng.integers(num_qubits)), p)
    return c


def estimated(circuit, observables, w, x, mode="density_matrix", shots=0, trajectories=1, seed=0):
    return torch.ops.torchq.expval_estimated(
        circuit.to_program(), torchq.observables_table(observables), w, x, mode, shots, trajectories, seed
    )


# ---- the reference: PennyLane default.mixed ----

def pl_mixed(circuit, observables, w, x):
    """default.mixed for each sample: [B, K], differentiable in w and x.

    diff_method="parameter-shift" makes PennyLane execute in numpy float64; its torch backprop
    path is off by up to 6e-8 for RZ, CRZ and ControlledPhaseShift with tensor angles (PennyLane
    0.45; default.qubit and the closed forms agree with torchq there).
    """
    import pennylane as qml

    channels = {
        "DepolarizingChannel": qml.DepolarizingChannel, "AmplitudeDamping": qml.AmplitudeDamping,
        "PhaseDamping": qml.PhaseDamping, "BitFlip": qml.BitFlip,
    }
    dev = qml.device("default.mixed", wires=circuit.num_qubits)

    @qml.qnode(dev, interface="torch", diff_method="parameter-shift")
    def run(wb, xb):
        for op in circuit.operations:
            if op.name in channels:
                channels[op.name](op.params[0].value, wires=op.wires[0])
                continue
            angles = []
            for p in op.params:
                if p.kind == torchq.circuit.WEIGHT:
                    angles.append(p.value * wb[p.index])
                elif p.kind == torchq.circuit.INPUT:
                    angles.append(p.value * xb[p.index])
                else:
                    angles.append(torch.tensor(p.value, dtype=F64))
            if op.controls:
                qml.ctrl(_pl_op, control=list(op.controls))(qml, op, angles)
            else:
                _pl_op(qml, op, angles)
        return [qml.expval(pl_observable(qml, o)) for o in observables]

    return torch.stack([torch.stack(list(run(w, x[b]))) for b in range(x.shape[0])])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_density_matrix_matches_pennylane_default_mixed(seed):
    rng = np.random.default_rng(seed)
    n = 2 + seed % 2
    c = noisy_circuit(rng, n, 12, damping_one=False, controls=False)
    obs = random_observables(rng, n)
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(2, 2, dtype=F64, requires_grad=True)
    got = estimated(c, obs, w, x)
    want = pl_mixed(c, obs, w, x)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-10)
    # The exact gradients (adjoint sweep on the density matrix) against PennyLane's.
    g = torch.rand_like(got)
    gw, gx = torch.autograd.grad((got * g).sum(), [w, x])
    ww, wx = torch.autograd.grad((want * g).sum(), [w, x])
    torch.testing.assert_close(gw, ww, rtol=0, atol=1e-10)
    torch.testing.assert_close(gx, wx, rtol=0, atol=1e-10)


def test_each_channel_matches_pennylane():
    # One channel at a time on an entangled state (gamma = 1: see noisy_circuit).
    for name in CHANNELS:
        for p in (0.0, 0.3, 1.0 if name in ("depolarizing", "bit_flip") else 0.99):
            c = torchq.Circuit(2, num_inputs=1)
            c.ry(0, c.input(0)).cnot(0, 1).rx(1, c.weight())
            getattr(c, name)(0, p)
            getattr(c, name)(1, p / 2)
            obs = [torchq.PauliZ(0), torchq.PauliX(1), torchq.PauliWord("YY", [0, 1]), torchq.PauliWord("XZ", [0, 1])]
            w, x = torch.tensor([0.4], dtype=F64), torch.tensor([[0.9]], dtype=F64)
            torch.testing.assert_close(estimated(c, obs, w, x), pl_mixed(c, obs, w, x), rtol=0, atol=1e-12)


# ---- gradients ----

def test_gradcheck_density_matrix():
    rng = np.random.default_rng(5)
    c = torchq.Circuit(3, num_inputs=4)
    c.amplitude_embedding([0, 2], num_features=3, pad=0.3)
    noisy_circuit(rng, 3, 10, num_inputs=4, circuit=c)
    obs = random_observables(rng, 3)
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(2, 4, dtype=F64, requires_grad=True)
    program, table = c.to_program(), torchq.observables_table(obs)

    def f(w_, x_):
        return torch.ops.torchq.expval_estimated(program, table, w_, x_, "density_matrix", 0, 1, 0)

    assert torch.autograd.gradcheck(f, (w, x), eps=1e-6, atol=1e-7)
    w_rows = torch.rand(2, c.num_weights, dtype=F64, requires_grad=True)  # one weight set per sample
    assert torch.autograd.gradcheck(f, (w_rows, x), eps=1e-6, atol=1e-7)


def test_exact_statevector_estimates_equal_expval_with_adjoint_gradients():
    rng = np.random.default_rng(6)
    c = random_circuit(rng, 3, 15)
    obs = random_observables(rng, 3)
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(4, 2, dtype=F64, requires_grad=True)
    want = torchq.expval(c, obs, w, x)
    g2 = torch.autograd.grad(want.sum(), [w, x])
    for mode in ("statevector", "trajectories", "density_matrix"):
        got = estimated(c, obs, w, x, mode=mode, trajectories=3)
        torch.testing.assert_close(got, want, rtol=0, atol=1e-12)
        g1 = torch.autograd.grad(got.sum(), [w, x])
        for a, b in zip(g1, g2):
            torch.testing.assert_close(a, b, rtol=0, atol=1e-11)


def test_shot_gradients_are_unbiased():
    # The mean of many parameter-shift gradients from 100-shot estimates is the exact gradient.
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.weight()).crx(0, 1, c.weight()).rz(1, c.input(0)).amplitude_damping(0, 0.25)
    c.ising_yy(0, 1, c.weight()).depolarizing(1, 0.1)
    obs = [torchq.PauliZ(1), torchq.PauliWord("XY", [0, 1])]
    program, table = c.to_program(), torchq.observables_table(obs)
    w = torch.tensor([0.5, -1.1, 0.8], dtype=F64, requires_grad=True)
    x = torch.tensor([[0.7]], dtype=F64, requires_grad=True)
    exact = torch.autograd.grad(estimated(c, obs, w, x).sum(), [w, x])
    exact = torch.cat([exact[0], exact[1].reshape(-1)])
    grads = []
    for seed in range(150):
        y = torch.ops.torchq.expval_estimated(program, table, w, x, "density_matrix", 100, 1, seed)
        gw, gx = torch.autograd.grad(y.sum(), [w, x])
        grads.append(torch.cat([gw, gx.reshape(-1)]))
    grads = torch.stack(grads)
    mean, sem = grads.mean(0), grads.std(0) / math.sqrt(len(grads))
    assert (sem > 0).all()
    assert ((mean - exact).abs() < 5 * sem).all(), (mean, exact, sem)


def test_double_backward_is_refused_by_name():
    c = torchq.Circuit(1)
    c.rx(0, c.weight()).bit_flip(0, 0.1)
    w = torch.tensor([0.3], dtype=F64, requires_grad=True)
    y = estimated(c, [torchq.PauliZ(0)], w, torch.zeros(1, 0, dtype=F64))
    (g,) = torch.autograd.grad(y.sum(), w, create_graph=True)
    with pytest.raises(RuntimeError, match="expval_estimated: second derivatives"):
        g.sum().backward()


# ---- shots and trajectories ----

def test_shot_estimates_are_within_statistical_bounds_and_seeded():
    rng = np.random.default_rng(7)
    c = noisy_circuit(rng, 3, 10)
    obs = [torchq.PauliZ(0), torchq.PauliWord("XZ", [0, 2]), torchq.PauliWord("YY", [1, 2])]
    w = torch.rand(c.num_weights, dtype=F64)
    x = torch.rand(3, 2, dtype=F64)
    exact = estimated(c, obs, w, x)
    shots = 4000
    sigma = torch.sqrt((1 - exact**2).clamp_min(0) / shots)
    for mode, traj in (("density_matrix", 1), ("trajectories", shots)):  # a trajectory per shot
        got = estimated(c, obs, w, x, mode=mode, shots=shots, trajectories=traj, seed=11)
        assert ((got - exact).abs() <= 5 * sigma + 1e-9).all(), (mode, got, exact)
        assert torch.equal(got, estimated(c, obs, w, x, mode=mode, shots=shots, trajectories=traj, seed=11))
        assert not torch.equal(got, estimated(c, obs, w, x, mode=mode, shots=shots, trajectories=traj, seed=12))
        # Every estimate of one Pauli word is a whole count of +1 outcomes.
        plus = (got * shots + shots) / 2
        torch.testing.assert_close(plus, plus.round(), rtol=0, atol=1e-6)


def test_trajectory_averages_converge_to_the_density_matrix():
    rng = np.random.default_rng(8)
    c = noisy_circuit(rng, 3, 12, rate=0.9)
    obs = random_observables(rng, 3)
    w = torch.rand(c.num_weights, dtype=F64)
    x = torch.rand(2, 2, dtype=F64)
    exact = estimated(c, obs, w, x)
    bound = torch.tensor([sum(abs(t[0]) for t in o.terms) for o in obs], dtype=F64)  # |<O>| <= sum |coeff|
    traj = 5000
    got = estimated(c, obs, w, x, mode="trajectories", trajectories=traj, seed=3)
    assert ((got - exact).abs() <= 5 * bound / math.sqrt(traj)).all()
    assert not torch.equal(got, exact)  # the channels made the trajectories differ


def test_estimates_do_not_depend_on_the_thread_count():
    rng = np.random.default_rng(9)
    c = noisy_circuit(rng, 3, 10)
    obs = random_observables(rng, 3)
    w = torch.rand(c.num_weights, dtype=F64, requires_grad=True)
    x = torch.rand(5, 2, dtype=F64)
    results = []
    try:
        for n in (1, 3):
            torchq.set_num_threads(n)
            y = estimated(c, obs, w, x, mode="trajectories", shots=50, trajectories=7, seed=4)
            results.append((y, torch.autograd.grad(y.sum(), w)[0]))
    finally:
        torchq.set_num_threads(0)
    assert torch.equal(results[0][0], results[1][0]) and torch.equal(results[0][1], results[1][1])


# ---- opcheck ----

@pytest.mark.parametrize("mode,shots,trajectories", [("density_matrix", 0, 1), ("density_matrix", 64, 1),
                                                     ("trajectories", 0, 5), ("statevector", 32, 1)])
@pytest.mark.parametrize("dtype", [torch.float32, F64])
def test_opcheck(mode, shots, trajectories, dtype):
    c = torchq.Circuit(2, num_inputs=2)
    c.ry(0, c.input(0)).cnot(0, 1).rot(1, c.weight(), c.weight(), c.input(1)).crz(1, 0, c.weight())
    if mode != "statevector":
        c.amplitude_damping(0, 0.2).depolarizing(1, 0.1)
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(0), torchq.PauliWord("XX", [0, 1])])
    w = torch.rand(3, dtype=dtype, requires_grad=True)
    x = torch.rand(3, 2, dtype=dtype, requires_grad=True)
    args = (program, table, w, x, mode, shots, trajectories, 5)
    torch.library.opcheck(torch.ops.torchq.expval_estimated.default, args)
    torch.library.opcheck(torch.ops.torchq.expval_estimated.default, (program, table, w.detach(), x.detach()) + args[4:])
    g = torch.rand(3, 2, dtype=dtype)
    torch.library.opcheck(torch.ops.torchq._expval_estimated_backward.default,
                          (g, program, table, w.detach(), x.detach(), mode, shots, trajectories, 5, True, True))


def test_meta_kernel_gives_the_shape_with_a_symbolic_batch():
    c = torchq.Circuit(2, num_inputs=1)
    c.rx(0, c.input(0)).ry(1, c.weight()).bit_flip(1, 0.2)
    program, table = c.to_program(), torchq.observables_table([torchq.PauliZ(0), torchq.PauliZ(1), torchq.PauliX(1)])

    class M(torch.nn.Module):
        def forward(self, w, x):
            return torch.ops.torchq.expval_estimated(program, table, w, x, "density_matrix", 0, 1, 0)

    w, x = torch.rand(1, dtype=F64), torch.rand(4, 1, dtype=F64)
    ep = torch.export.export(M(), (w, x), dynamic_shapes={"w": None, "x": {0: torch.export.Dim("batch")}})
    out = ep.module()(w, torch.rand(7, 1, dtype=F64))
    assert out.shape == (7, 3)
    meta = torch.ops.torchq.expval_estimated(program.to("meta"), table.to("meta"), w.to("meta"),
                                             torch.empty(9, 1, dtype=F64, device="meta"), "trajectories", 10, 2, 0)
    assert meta.shape == (9, 3) and meta.device.type == "meta"


# ---- QuantumLayer under noise ----

def classifier_circuit():
    c = torchq.Circuit(2, num_inputs=2)
    c.ry(0, c.input(0)).ry(1, c.input(1))
    c.rot(0, c.weight(), c.weight(), c.weight()).rot(1, c.weight(), c.weight(), c.weight()).cnot(0, 1)
    c.ry(0, c.weight()).ry(1, c.weight())
    return torchq.add_noise_after_each_gate(c, "DepolarizingChannel", 0.03)


def exact_loss(layer, x, y):
    exact = torchq.QuantumLayer(layer.circuit, [torchq.PauliZ(0), torchq.PauliZ(1)], dtype=F64,
                                weight_init=layer.weights.detach(), mode="density_matrix")
    with torch.no_grad():
        return float(((exact(x) - y) ** 2).mean())


@pytest.mark.parametrize("options", [dict(mode="density_matrix"),
                                     dict(mode="trajectories", trajectories=16, shots=64)])
def test_quantum_layer_trains_under_noise(options):
    torch.manual_seed(0)
    x = torch.rand(8, 2, dtype=F64) * math.pi
    y = torch.stack([0.6 * torch.cos(x[:, 0] - x[:, 1]), -0.5 * torch.sin(x[:, 0])], dim=1)
    layer = torchq.QuantumLayer(classifier_circuit(), [torchq.PauliZ(0), torchq.PauliZ(1)], dtype=F64,
                                seed=1, **options)
    opt = torch.optim.Adam(layer.parameters(), lr=0.1)
    before = exact_loss(layer, x, y)
    for _ in range(40):
        opt.zero_grad()
        loss = ((layer(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    after = exact_loss(layer, x, y)
    assert after < 0.5 * before, (before, after)
    assert layer.calls == 40  # the seed advanced once per training step


def test_layer_seed_advances_in_training_and_repeats_in_eval():
    c = torchq.Circuit(1, num_inputs=1)
    c.rx(0, c.input(0)).ry(0, c.weight()).depolarizing(0, 0.2)
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(0)], dtype=F64, mode="trajectories", trajectories=4, shots=20, seed=9)
    x = torch.rand(3, 1, dtype=F64)
    a, b = layer(x), layer(x)
    assert layer.calls == 2 and not torch.equal(a, b)
    program, table = layer.program, layer.observables
    w = layer.weights.detach()
    torch.testing.assert_close(a, torch.ops.torchq.expval_estimated(program, table, w, x, "trajectories", 20, 4, 9))
    torch.testing.assert_close(b, torch.ops.torchq.expval_estimated(program, table, w, x, "trajectories", 20, 4, 10))
    layer.eval()
    assert torch.equal(layer(x), layer(x)) and layer.calls == 2
    assert "mode=trajectories, shots=20, trajectories=4" in repr(layer)
    scripted = torch.jit.script(layer)  # the counter lives on in TorchScript
    scripted.train()
    scripted(x)
    assert scripted.calls == 3


def test_layer_refusals():
    c = torchq.Circuit(2)
    c.h(0).cnot(0, 1).bit_flip(1, 0.1)
    obs = [torchq.PauliZ(1)]
    with pytest.raises(ValueError, match="noise channel.*BitFlip.*density_matrix"):
        torchq.QuantumLayer(c, obs)
    with pytest.raises(ValueError, match="mode must be one of"):
        torchq.QuantumLayer(c, obs, mode="mixed")
    with pytest.raises(ValueError, match='use measure="expval"'):
        torchq.QuantumLayer(c, mode="density_matrix", measure="probs")
    with pytest.raises(ValueError, match="shots must be an integer >= 0"):
        torchq.QuantumLayer(c, obs, mode="trajectories", shots=-5)
    big = torchq.Circuit(13)
    big.h(0).depolarizing(0, 0.1)
    with pytest.raises(ValueError, match="at most 12 qubits"):
        torchq.QuantumLayer(big, [torchq.PauliZ(0)], mode="density_matrix")
    torchq.QuantumLayer(big, [torchq.PauliZ(0)], mode="trajectories")  # any size


# ---- program format, builder and refusals ----

def test_channels_in_the_program_and_the_gate_table():
    names = [g.name for g in torchq.gates.GATES if g.channel]
    assert names == ["DepolarizingChannel", "AmplitudeDamping", "PhaseDamping", "BitFlip"]
    assert [torchq.gates.gate_info(n).id for n in names] == [35, 36, 37, 38]
    c = torchq.Circuit(2)
    c.h(0).depolarizing(0, 0.1).amplitude_damping(1, 0.2).phase_damping(0, 0.3).bit_flip(1, 0.4)
    c.gate("BitFlip", [0], [1.0])
    assert torchq.Circuit.from_program(c.to_program()) == c
    assert torchq.program_info(c)[4] == 6
    assert "DepolarizingChannel(0.1)" in c.draw()


@pytest.mark.parametrize("build,match", [
    (lambda c: c.depolarizing(0, 1.5), r"op #1 \(DepolarizingChannel\) parameter 0: probability must be in \[0, 1\]"),
    (lambda c: c.amplitude_damping(0, -0.1), r"op #1 \(AmplitudeDamping\).*\[0, 1\]"),
    (lambda c: c.bit_flip(0, c.weight()), r"op #1 \(BitFlip\).*must be a constant"),
    (lambda c: c.phase_damping(0, c.input(0)), r"op #1 \(PhaseDamping\).*must be a constant"),
    (lambda c: c.gate("BitFlip", [0], [0.1], controls=[1]), r"op #1 \(BitFlip\): is a noise channel and cannot take control"),
    (lambda c: c.gate("DepolarizingChannel", [0, 1], [0.1]), r"op #1 \(DepolarizingChannel\): takes exactly 1 wire"),
])
def test_channel_refusals(build, match):
    c = torchq.Circuit(2, num_inputs=1)
    c.h(0)
    with pytest.raises(ValueError, match=match):
        build(c)


def test_cpp_parser_refuses_bad_channels_too():
    c = torchq.Circuit(2)
    c.rx(0, c.weight()).bit_flip(1, 0.5)
    p = c.to_program().clone()
    p[-1] = 1.25  # the probability
    with pytest.raises(ValueError, match=r"op #1 \(BitFlip\) parameter 0: probability must be in \[0, 1\]"):
        torchq.program_info(p)
    p[-1], p[-4] = 1.0, 1.0  # (kind, index, second_index, value): kind 1, weight 0 times 1.0
    with pytest.raises(ValueError, match=r"op #1 \(BitFlip\).*must be a constant"):
        torchq.program_info(p)


def test_exact_ops_refuse_noisy_programs_naming_the_modes():
    c = torchq.Circuit(2)
    c.h(0).depolarizing(0, 0.1)
    w, x = torch.zeros(0, dtype=F64), torch.zeros(1, 0, dtype=F64)
    calls = {
        "expval": lambda: torchq.expval(c, [torchq.PauliZ(0)], w, x),
        "var": lambda: torchq.var(c, [torchq.PauliZ(0)], w, x),
        "probs": lambda: torchq.probs(c, w, x),
        "state": lambda: torchq.state(c, w, x),
        "sample": lambda: torchq.sample(c, w, x, shots=3),
        "expval_estimated": lambda: torchq.expval_estimated(c, [torchq.PauliZ(0)], w, x, "statevector", 10),
    }
    for name, call in calls.items():
        with pytest.raises(ValueError, match=rf"torchq.{name}.*op #1 \(DepolarizingChannel\) is a noise channel.*"
                                             r"density_matrix.*trajectories"):
            call()


@pytest.mark.parametrize("mode,shots,trajectories,match", [
    ("exact", 0, 1, 'mode must be "statevector", "trajectories" or "density_matrix", got "exact"'),
    ("trajectories", -1, 1, "shots must be >= 0"),
    ("trajectories", 0, 0, "trajectories must be >= 1"),
])
def test_estimator_argument_refusals(mode, shots, trajectories, match):
    c = torchq.Circuit(1)
    c.h(0)
    args = (c.to_program(), torchq.observables_table([torchq.PauliZ(0)]), torch.zeros(0), torch.zeros(1, 0))
    with pytest.raises(ValueError, match=match):
        torch.ops.torchq.expval_estimated(*args, mode, shots, trajectories, 0)
    with pytest.raises(ValueError, match=match):  # the Meta kernel checks the same
        torch.ops.torchq.expval_estimated(*[a.to("meta") for a in args], mode, shots, trajectories, 0)


def test_add_noise_after_each_gate():
    c = torchq.Circuit(3, num_inputs=1)
    c.h(2).crx(0, 2, c.weight(), controls=[1]).ry(1, c.input(0)).bit_flip(0, 0.5)
    noisy = torchq.add_noise_after_each_gate(c, "amplitude_damping", 0.05)
    got = [(op.name, op.wires) for op in noisy.operations]
    assert got == [("H", (2,)), ("AmplitudeDamping", (2,)), ("CRX", (0, 2)), ("AmplitudeDamping", (1,)),
                   ("AmplitudeDamping", (0,)), ("AmplitudeDamping", (2,)), ("RY", (1,)), ("AmplitudeDamping", (1,)),
                   ("BitFlip", (0,))]
    assert noisy.num_weights == 1 and noisy.num_inputs == 1
    assert all(op.params[0].value == 0.05 for op in noisy.operations if op.name == "AmplitudeDamping")
    with pytest.raises(ValueError, match="'RX' is not a noise channel; channels are DepolarizingChannel"):
        torchq.add_noise_after_each_gate(c, "RX", 0.1)
