"""One circuit builder behind both languages (issue #10): every template and algorithm built from
Python gives the identical program (every number, bit for bit) as the same calls in C++
(tests/one_source/print_programs.cpp, built into build/tests/one_source/print_programs by
scripts/setup.sh)."""

import inspect
import math
import os
import subprocess
from pathlib import Path

import pytest
import torch

import torchq

ROOT = Path(__file__).resolve().parents[2]
PRINTER = Path(os.environ.get("TORCHQ_PRINT_PROGRAMS", ROOT / "build" / "tests" / "one_source" / "print_programs"))


def _recipes():
    def r(nq, ni, fn):
        return nq, ni, fn

    pi = math.pi
    return {
        "angle_embedding": r(3, 3, lambda c: torchq.angle_embedding(c, [0, 1, 2], 0, "Y", 0.5)),
        "angle_embedding_fewer_features": r(3, 2, lambda c: torchq.angle_embedding(c, [2, 0, 1], 0, "X", 1.0, num_features=2)),
        "amplitude_embedding": r(2, 4, lambda c: torchq.amplitude_embedding(c, [0, 1], 1, 3, True, 0.25)),
        "basis_embedding": r(3, 4, lambda c: torchq.basis_embedding(c, [0, 1, 2], 1)),
        "basic_entangler_layers": r(3, 0, lambda c: torchq.basic_entangler_layers(c, 2, [0, 1, 2], "Z")),
        "strongly_entangling_layers": r(3, 0, lambda c: torchq.strongly_entangling_layers(c, 2, [0, 1, 2])),
        "strongly_entangling_layers_cz_ranges": r(
            4, 0, lambda c: torchq.strongly_entangling_layers(c, 2, [0, 1, 2, 3], ranges=[3, 1], imprimitive="CZ")
        ),
        "iqp_embedding": r(3, 3, lambda c: torchq.iqp_embedding(c, [0, 1, 2], 0, 2)),
        "iqp_embedding_pattern": r(3, 4, lambda c: torchq.iqp_embedding(c, [0, 1, 2], 1, 1, [(0, 2), (2, 1)])),
        "data_reuploading": r(2, 2, lambda c: torchq.data_reuploading(c, 3, [0, 1], 0, "Y", 1.5)),
        "hardware_efficient_ansatz": r(3, 0, lambda c: torchq.hardware_efficient_ansatz(c, 2, [0, 1, 2])),
        "random_layers": r(3, 0, lambda c: torchq.random_layers(c, 2, 4, [0, 1, 2], 0.3, "CZ", ["X", "Y"], 7)),
        "qft": r(3, 0, lambda c: torchq.qft(c, [0, 1, 2])),
        "inverse_qft": r(3, 0, lambda c: torchq.inverse_qft(c, [2, 0, 1])),
        "phase_estimation": r(
            3, 0, lambda c: torchq.phase_estimation(c, [[1, 0], [0, complex(math.cos(pi / 2), math.sin(pi / 2))]], [2], [0, 1])
        ),
        "grover_oracle": r(3, 0, lambda c: torchq.grover_oracle(c, [0, 1, 2], "101")),
        "grover_diffusion": r(3, 0, lambda c: torchq.grover_diffusion(c, [0, 1, 2])),
        "grover_search": r(3, 0, lambda c: torchq.grover_search(c, [0, 1, 2], ["101", [0, 1, 1]])),
        "scaled_input_product": r(
            2, 2, lambda c: c.multi_rz([0, 1], 0.5 * c.input_product(0, 1)).rx(0, -2.0 * c.weight())
        ),
    }


def _cpp_programs():
    assert PRINTER.is_file(), (
        f"{PRINTER} is missing: build the C++ tree first (scripts/setup.sh builds build/), "
        "or point TORCHQ_PRINT_PROGRAMS at print_programs"
    )
    out = subprocess.run([str(PRINTER)], check=True, capture_output=True, text=True).stdout
    programs = {}
    for line in out.splitlines():
        name, *numbers = line.split()
        programs[name] = [float(v) for v in numbers]
    return programs


CPP = None


def cpp_programs():
    global CPP
    if CPP is None:
        CPP = _cpp_programs()
    return CPP


def test_the_printer_covers_every_recipe():
    assert set(cpp_programs()) == set(_recipes()) | {"noise_after_each_gate"}


@pytest.mark.parametrize("name", sorted(_recipes()))
def test_python_builds_the_program_cpp_builds(name):
    nq, ni, build = _recipes()[name]
    c = torchq.Circuit(nq, num_inputs=ni)
    build(c)
    got = c.to_program().tolist()
    want = cpp_programs()[name]
    assert len(c) > 0
    assert got == want, f"{name}: Python and C++ programs differ"


def test_noise_after_each_gate_is_the_same_program():
    c = torchq.Circuit(2, num_inputs=1)
    c.ry(0, c.input(0)).cnot(0, 1)
    noisy = torchq.add_noise_after_each_gate(c, "BitFlip", 0.125)
    assert noisy.to_program().tolist() == cpp_programs()["noise_after_each_gate"]


def test_every_template_and_algorithm_is_a_recipe():
    """A new template or algorithm must join the identity check above."""
    from torchq import algorithms, templates

    public = {n for mod in (templates, algorithms) for n, f in vars(mod).items()
              if inspect.isfunction(f) and f.__module__ == mod.__name__ and not n.startswith("_")}
    public -= {"grover_iterations"}  # a number, not a circuit
    covered = {name for name in _recipes()}
    missing = {n for n in public if not any(r == n or r.startswith(n + "_") for r in covered)}
    assert not missing, f"templates/algorithms without a C++/Python identity recipe: {sorted(missing)}"
