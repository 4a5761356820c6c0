"""The shipped programs on tampered model files: each must print what is wrong and exit with
status 1, never die of a signal (an uncaught c10::Error ends a C++ program with SIGABRT).

    python3 tests/tampered_examples.py --deploy build/examples/deploy_torchscript \
        --evaluate build/examples/evaluate_classifier [--core-demo build/examples/core_demo] --work OUT_DIR

Runs with the source tree's python/ and TORCHQ_OPS_LIBRARY (ctest example_tampered_models sets
both). It scripts the model of examples/export_torchscript.py, checks that both programs accept
the untampered file (so a refusal below is due to the alteration, not to the harness), then
alters the torchq layer's program buffer inside the TorchScript file the way
tests/python/test_tampered.py does, plus one file that is not a model at all. Exits 0 when every
case behaves, 1 otherwise, listing each failure.
"""

import argparse
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import export_torchscript  # noqa: E402  (examples/ is not a package)

# Offsets into the program of export_torchscript.build_model() (torchq/circuit.h): a 6-number
# header, then op #0 = RY(input 0) on wire 0 laid out as [opcode, num_controls, num_wires,
# num_params, num_payload, wire, kind, index, value] in format version 1, with second_index
# before value in version 2. Either version may come from the Python side; both are read.
VERSION, NUM_QUBITS, OP0_OPCODE, OP0_WIRE = 1, 2, 6, 11


def _op0_scale(program):
    return 14 if program[VERSION] == 1 else 15


def _set(index, value):
    def alter(p):
        p = p.clone()
        p[index if isinstance(index, int) else index(p)] = value
        return p

    return alter


# name -> (alteration of the program, what the program's message must contain).
ALTERATIONS = {
    "wire_out_of_range": (_set(OP0_WIRE, 7.0), "wire 7 is out of range: the circuit has 3 qubits"),
    "sixty_qubits": (_set(NUM_QUBITS, 60.0), "num_qubits must be an integer in [1, 50], got 60"),
    "unknown_opcode": (_set(OP0_OPCODE, 999.0), "got 999"),
    "nan_angle": (_set(_op0_scale, math.nan), "parameter value must be a finite number, got nan"),
    "truncated": (lambda p: p[:-2].clone(), "program ends early while reading"),
    "wrong_version": (_set(VERSION, 99.0), "unsupported program version 99; this build reads versions 1 to 2"),
}


def _check_layout(program):
    # If the layout moved, the alterations would tamper other fields and prove nothing.
    assert program[VERSION] in (1, 2) and program[NUM_QUBITS] == 3, program[:6]
    assert list(program[OP0_OPCODE + 1:OP0_OPCODE + 5]) == [0, 1, 1, 0], program[6:16]
    assert program[OP0_WIRE] == 0 and program[_op0_scale(program)] == 1.0, program[6:16]


def _run(cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300)


def _describe(proc):
    if proc.returncode < 0:
        return f"killed by signal {signal.Signals(-proc.returncode).name}"
    return f"exit status {proc.returncode}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--deploy", required=True, help="path of examples/deploy_torchscript")
    ap.add_argument("--evaluate", required=True, help="path of examples/evaluate_classifier")
    ap.add_argument("--core-demo", help="path of examples/core_demo (optional: run with 60 qubits)")
    ap.add_argument("--work", required=True, help="folder for the model files")
    args = ap.parse_args()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)

    export_torchscript.main(str(work))  # model.pt and reference.pt
    clean = work / "model.pt"
    reference = work / "reference.pt"
    # A 4-feature CSV for evaluate_classifier (the model's first layer is Linear(4, 3)).
    data = work / "data.csv"
    data.write_text("a,b,c,d,label\n0.1,0.2,0.3,0.4,0\n-0.5,0.6,-0.7,0.8,1\n0.9,-0.1,0.2,-0.3,1\n")

    def deploy(model):
        return _run([args.deploy, model, reference, work / "finetuned.pt"])

    def evaluate(model):
        return _run([args.evaluate, "--model", model, "--data", data])

    programs = {"deploy_torchscript": deploy, "evaluate_classifier": evaluate}
    failures = []
    for name, run in programs.items():
        proc = run(clean)
        if proc.returncode != 0:
            failures.append(f"{name} on the untampered model: {_describe(proc)}\n{proc.stdout}{proc.stderr}")

    cases = {}
    model = torch.jit.load(str(clean))
    layer = getattr(model, "2")  # Sequential(Linear, Tanh, QuantumLayer, Linear)
    original = layer.program.clone()
    _check_layout(original)
    for case, (alter, message) in ALTERATIONS.items():
        setattr(layer, "program", alter(original))
        path = work / f"{case}.pt"
        model.save(str(path))
        cases[case] = (path, message)
    garbage = work / "not_a_model.pt"
    garbage.write_bytes(b"PK\x03\x04 this is not a TorchScript archive")
    cases["not_a_model"] = (garbage, "")

    for case, (path, message) in cases.items():
        for name, run in programs.items():
            proc = run(path)
            # Status 1 and "<program>: error: <what>": not 0 (the alteration went unnoticed), not a
            # signal (an abort), and a message that says what is wrong.
            ok = proc.returncode == 1 and f"{name}: error: " in proc.stderr and message in proc.stderr
            print(f"{case:18} {name:20} {_describe(proc):24} {'ok' if ok else 'FAILED'}")
            if not ok:
                failures.append(
                    f"{name} on {case}: {_describe(proc)}; expected exit status 1 and "
                    f"'{name}: error: ...{message}...' on stderr, got:\n{proc.stderr[-2000:]}"
                )
    if args.core_demo:
        # Not a model file but the same rule: core_demo 60 asks the core for 60 qubits, whose
        # ProgramError used to escape main (SIGABRT).
        proc = _run([args.core_demo, "60"])
        message = "core_demo: error: circuit: num_qubits must be in [1, 50], got 60"
        ok = proc.returncode == 1 and message in proc.stderr
        print(f"{'60 qubits':18} {'core_demo':20} {_describe(proc):24} {'ok' if ok else 'FAILED'}")
        if not ok:
            failures.append(f"core_demo 60: {_describe(proc)}; expected exit status 1 and '{message}', got:\n{proc.stderr}")
    if failures:
        print("\n".join(["", "FAILURES:"] + failures), file=sys.stderr)
        return 1
    print(f"all {len(cases)} tampered files refused by both programs with exit status 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
