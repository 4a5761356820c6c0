"""Cross-framework benchmark of torchq (issues #5, #11): the driver behind scripts/bench.

One run, one machine, the same model in every framework (see benchmarks/peers/common.py):
angle embedding RY(x) + StronglyEntanglingLayers, <Z> on each wire, loss = sum of the outputs,
forward + backward per batch. Frameworks (benchmarks/PEERS.md has the details):

    torchq          torchq.QuantumLayer, float64, adjoint           (python3, scripts/setup.sh)
    torchq-f32      the same in float32 (complex64)                  (python3)
    pl-lightning    PennyLane TorchLayer, lightning.qubit, adjoint  (.venv-peers/pennylane)
    pl-default      PennyLane TorchLayer, default.qubit, backprop   (.venv-peers/pennylane)
    pl-kokkos       PennyLane TorchLayer, lightning.kokkos (OpenMP), adjoint (.venv-peers/lightning-kokkos)
    torchquantum    TorchQuantum, complex64, autograd               (.venv-peers/torchquantum)
    qiskit          Qiskit ML EstimatorQNN + TorchConnector         (.venv-peers/qiskit)
    flagquantum     FlagQuantum fq.Module, batched, autograd        (.venv-peers/flagquantum)
    flagquantum-adj FlagQuantum adjoint (native CPU), per sample    (.venv-peers/flagquantum)
    pyqtorch        pyqtorch, autograd (DiffMode.AD)                (.venv-peers/pyqtorch)
    pyqtorch-adj    pyqtorch, DiffMode.ADJOINT                      (.venv-peers/pyqtorch)
    fastqml         fastqml primitives, gate by gate, autograd      (.venv-peers/fastqml)
    fastqml-fused   fastqml Kronecker layer fusion, autograd        (.venv-peers/fastqml)

Sections of a run:
  * the gradient check (5 qubits, 3 layers, batch 3): every framework against torchq. A
    framework that disagrees is reported as disagreeing and is not timed;
  * the grid (qubits x layers x batch x threads): forward + backward time per batch;
  * the small-circuit grid: 2-8 qubits, 2 layers, large batches, for microseconds per sample,
    and the per-call overhead (2 qubits, 1 layer, batch 1); shown as their own table;
  * torchq's memory probe;
  * the pure-simulation section (--sim alone, or part of the default and --full runs): the
    final state of the circuit for one sample, forward only, torchq (float64 and float32) vs
    qsimcirq (complex64, best max_fused_gate_size of 2, 3, 4) and Qulacs (complex128), with a
    state-overlap check |<psi_torchq|psi>| before timing.

Each framework runs in its own runner process (its venv's python, OMP_NUM_THREADS set to the
thread count), and each point in a child process forked for it, with a time limit and a memory
limit (benchmarks/peers/common.py). A point that fails (timeout, oom) makes every larger point
of the same framework and thread count (more qubits, layers and batch, all at least as many)
fail the same way without running; the tables show those in parentheses. Each point records
the median wall-clock time and the median CPU time of the process (all its threads).

It installs nothing: missing venvs or a missing torchq are reported with the command to run.
Results go to --out (default bench_results/): table.md (the README table, also printed),
table_sim.md (the pure-simulation table), report.md (everything: times, per-sample times,
ratios, memory, gradient check, pure simulation, targets), results.csv, results_sim.csv,
results.json, plot_threads<T>.png, logs/.
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import select
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

FRAMEWORKS = {
    "torchq": dict(label="torchq", venv=None, script="run_torchq.py", args=[]),
    # torchq in TorchQuantum's precision (complex64 state), for the like-for-like TorchQuantum ratio.
    "torchq-f32": dict(label="torchq float32", venv=None, script="run_torchq.py", args=["--dtype", "float32"]),
    "pl-lightning": dict(label="PennyLane lightning adjoint", venv="pennylane", script="run_pennylane.py",
                         args=["--device", "lightning.qubit", "--diff", "adjoint"]),
    "pl-default": dict(label="PennyLane default.qubit backprop", venv="pennylane", script="run_pennylane.py",
                       args=["--device", "default.qubit", "--diff", "backprop"]),
    "pl-kokkos": dict(label="PennyLane lightning.kokkos adjoint", venv="lightning-kokkos", script="run_pennylane.py",
                      args=["--device", "lightning.kokkos", "--diff", "adjoint"]),
    "torchquantum": dict(label="TorchQuantum", venv="torchquantum", script="run_torchquantum.py", args=[]),
    "qiskit": dict(label="Qiskit ML", venv="qiskit", script="run_qiskit.py", args=[]),
    "flagquantum": dict(label="FlagQuantum fq.Module autograd", venv="flagquantum", script="run_flagquantum.py",
                        args=["--diff", "autograd"]),
    "flagquantum-adj": dict(label="FlagQuantum adjoint", venv="flagquantum", script="run_flagquantum.py",
                            args=["--diff", "adjoint"]),
    "pyqtorch": dict(label="pyqtorch autograd", venv="pyqtorch", script="run_pyqtorch.py", args=["--diff", "ad"]),
    # known_wrong: a known upstream bug makes the gradient check fail; the framework is then reported
    # as disagreeing (not timed) without turning the run's exit status to 1. Fixed upstream, it
    # agrees and is timed like any other.
    "pyqtorch-adj": dict(label="pyqtorch adjoint", venv="pyqtorch", script="run_pyqtorch.py",
                         args=["--diff", "adjoint"],
                         known_wrong="pyqtorch 1.7.8's DiffMode.ADJOINT differentiates CNOTs whose control is "
                                     "above the target wrongly (the ring's wrap-around CNOTs)"),
    "fastqml": dict(label="fastqml gates", venv="fastqml", script="run_fastqml.py", args=["--mode", "gates"]),
    "fastqml-fused": dict(label="fastqml fused layers", venv="fastqml", script="run_fastqml.py",
                          args=["--mode", "fused"]),
}
# Forward-only simulators of the pure-simulation section (with torchq and torchq-f32).
SIM_FRAMEWORKS = {
    "qsim": dict(label="qsimcirq", venv="qsimcirq", script="run_qsim.py", args=[]),
    "qulacs": dict(label="Qulacs", venv="qulacs", script="run_qulacs.py", args=[]),
}
SPECS = dict(FRAMEWORKS, **SIM_FRAMEWORKS)
SHORT = {"torchq": "torchq", "torchq-f32": "torchq f32", "pl-lightning": "PL lightning", "pl-default": "PL default",
         "pl-kokkos": "PL kokkos", "torchquantum": "TorchQuantum", "qiskit": "Qiskit ML",
         "flagquantum": "FlagQuantum", "flagquantum-adj": "FlagQuantum adj", "pyqtorch": "pyqtorch",
         "pyqtorch-adj": "pyqtorch adj", "fastqml": "fastqml", "fastqml-fused": "fastqml fused",
         "qsim": "qsim", "qulacs": "Qulacs"}
# Frameworks that compute in float32 somewhere (the gradient check's tolerance is 1e-5 for them).
SINGLE = ("torchquantum", "qiskit", "torchq-f32")
FAILED = ("timeout", "oom", "error", "n/a", "wrong")

# Modes: the grid and the limits. --qubits/--layers/... override the grid of any mode.
# small_*: the small-circuit grid (microseconds per sample; small_overhead is the per-call point:
# (qubits, layers, batch)). sim_*: the pure-simulation section (run by default and --full; --sim
# runs it alone).
MODES = {
    "quick": dict(qubits=[4, 8, 12], layers=[2, 10], batches=[1, 32], threads=[1, 2], extra_qubits=[],
                  limit=3.0, min_time=0.15, max_repeats=10, target_limit=0.0, all_extra=False,
                  small_qubits=[2, 4, 8], small_layers=2, small_batches=[256], small_overhead=(2, 1, 1),
                  sim=False, sim_qubits=[16, 18], sim_layers=10, sim_limit=20.0),
    "default": dict(qubits=[4, 8, 12, 16, 20], layers=[2, 10, 50], batches=[1, 32, 256], threads=[1, 2],
                    extra_qubits=[24], limit=8.0, min_time=0.3, max_repeats=15, target_limit=90.0, all_extra=False,
                    small_qubits=[2, 4, 6, 8], small_layers=2, small_batches=[256, 1024], small_overhead=(2, 1, 1),
                    sim=True, sim_qubits=[12, 16, 20, 22, 24], sim_layers=10, sim_limit=60.0),
    "full": dict(qubits=[4, 8, 12, 16, 20], layers=[2, 10, 50], batches=[1, 32, 256], threads=[1, 2],
                 extra_qubits=[24], limit=60.0, min_time=1.0, max_repeats=25, target_limit=300.0, all_extra=True,
                 small_qubits=[2, 4, 6, 8], small_layers=2, small_batches=[256, 1024], small_overhead=(2, 1, 1),
                 sim=True, sim_qubits=[12, 14, 16, 18, 20, 22, 24, 26], sim_layers=10, sim_limit=300.0),
}
SIM_CONFIGS = [  # (key, runner, opts): every configuration the pure-simulation section times
    ("torchq", "torchq", {}),
    ("torchq-f32", "torchq-f32", {}),
    ("qsim-f2", "qsim", {"max_fused_gate_size": 2}),
    ("qsim-f3", "qsim", {"max_fused_gate_size": 3}),
    ("qsim-f4", "qsim", {"max_fused_gate_size": 4}),
    ("qulacs", "qulacs", {}),
]
GRAD_POINT = dict(n=5, layers=3, batch=3, seed=7)


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# ---------------------------------------------------------------------------------------------
# Environment checks and machine description


def venv_python(name):
    return os.path.join(ROOT, os.environ.get("TORCHQ_PEERS_DIR", ".venv-peers"), name, "bin", "python")


def check_environment(frameworks):
    """Returns a list of problems, each with the command that fixes it. Installs nothing."""
    problems = []
    if "torchq" in frameworks or "torchq-f32" in frameworks:
        r = subprocess.run([sys.executable, "-c", "import torchq"], capture_output=True, text=True)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["?"])[-1]
            problems.append(f"torchq does not import in {sys.executable} ({last}): run scripts/setup.sh")
    for fw in frameworks:
        venv = SPECS[fw]["venv"]
        if venv is None:
            continue
        py = venv_python(venv)
        recipe = os.path.join(os.path.dirname(os.path.dirname(py)), ".recipe")
        if not os.path.exists(py) or not os.path.exists(recipe):
            problems.append(f"{fw}: the venv {os.path.relpath(os.path.dirname(os.path.dirname(py)), ROOT)} "
                            f"is missing or unfinished: run scripts/setup_peers.sh {venv}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        problems.append(f"matplotlib does not import in {sys.executable}: run scripts/setup.sh")
    return sorted(set(problems))


def machine_info():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = 0.0
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gib = int(line.split()[1]) / 2**20
    except OSError:
        pass
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    have = set(line.split(":", 1)[1].split())
                    flags = ",".join(x for x in ("avx2", "avx512f", "fma") if x in have)
                    break
    except OSError:
        pass
    return {
        "cpu": model,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "mem_gib": round(mem_gib, 1),
        "isa": flags,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return [0.0, 0.0, 0.0]


def torchq_build():
    """Which torchq was measured: the checkout's commit (and whether it had changes) and the
    installed library's modification time (the version string alone does not say)."""
    out = {}
    try:
        sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        if sha:
            out["commit"] = sha + ("+changes" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    r = subprocess.run([sys.executable, "-c", "import os, torchq; p = torchq.library_path(); "
                        "print(p); print(int(os.path.getmtime(p)))"], capture_output=True, text=True)
    if r.returncode == 0 and len(r.stdout.split()) == 2:
        path, mtime = r.stdout.split()
        out["library"] = path
        out["built"] = datetime.datetime.fromtimestamp(int(mtime)).strftime("%Y-%m-%d %H:%M")
    return out


def mem_available_mb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 8192.0


# ---------------------------------------------------------------------------------------------
# Runners


class Runner:
    """One framework at one thread count: a long-lived process answering JSON requests."""

    def __init__(self, fw, threads, logdir, extra_env=None, tag=""):
        self.fw, self.threads = fw, threads
        spec = SPECS[fw]
        self.python = sys.executable if spec["venv"] is None else venv_python(spec["venv"])
        self.cmd = [self.python, os.path.join(HERE, spec["script"])] + spec["args"]
        self.env = dict(os.environ)
        for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS",
                  "NUMEXPR_NUM_THREADS"):
            self.env[k] = str(threads)
        self.env["QISKIT_PARALLEL"] = "FALSE"
        self.env["PYTHONWARNINGS"] = "ignore"
        self.env.pop("TORCHQ_NUM_THREADS", None)
        self.env.update(extra_env or {})
        self.logpath = os.path.join(logdir, f"{fw}-threads{threads}{tag}.log")
        self.proc = None

    def start(self):
        self.logf = open(self.logpath, "a")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.logf,
                                     env=self.env, cwd=ROOT, text=True, bufsize=1)

    def request(self, req, timeout):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.close()
            return {"status": "error", "note": f"the runner died; see {os.path.relpath(self.logpath, ROOT)}"}
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close(kill=True)
            what = "did not answer in time" if not ready else "died"
            return {"status": "error", "note": f"the runner {what}; see {os.path.relpath(self.logpath, ROOT)}"}
        return json.loads(line)

    def close(self, kill=False):
        if self.proc is None:
            return
        if kill or self.proc.poll() is None:
            try:
                if not kill:
                    self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                    self.proc.stdin.flush()
                    self.proc.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired, OSError):
                pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        self.proc = None


# ---------------------------------------------------------------------------------------------
# The run


def main_points(fw, cfg):
    """The grid of the main table: qubits x layers x batch (torchq also at the extra sizes)."""
    qubits = list(cfg["qubits"]) + (list(cfg["extra_qubits"]) if fw == "torchq" else [])
    return {(n, L, B) for L in cfg["layers"] for B in cfg["batches"] for n in qubits}


def small_points(cfg):
    """The small-circuit grid (microseconds per sample) and the per-call overhead point."""
    pts = {(n, cfg.get("small_layers", 2), B) for n in cfg.get("small_qubits") or [] for B in cfg.get("small_batches") or []}
    if cfg.get("small_overhead"):
        pts.add(tuple(cfg["small_overhead"]))
    return pts


def grid_points(fw, cfg):
    pts = main_points(fw, cfg) | small_points(cfg)
    return sorted(pts, key=lambda p: (p[1], p[2], p[0]))


def in_main(row, cfg):
    return (row["qubits"], row["layers"], row["batch"]) in main_points(row["framework"], cfg)


def dominated(point, failures):
    n, L, B = point
    for (fn, fL, fB), status in failures.items():
        if fn <= n and fL <= L and fB <= B:
            return (fn, fL, fB), status
    return None


def limit_for(fw, point, cfg):
    """Per-point time limit. The target points get more: torchq at 20 and 24 qubits (backward /
    forward) and PennyLane lightning at 20 qubits (the 20-qubit ratio), 2 layers, batch 1."""
    n, L, B = point
    if cfg["target_limit"] and L == min(cfg["layers"]) and B == min(cfg["batches"]) and (
            (fw == "torchq" and n >= 20) or (fw == "pl-lightning" and n == 20)):
        return max(cfg["limit"], cfg["target_limit"])
    return cfg["limit"]


def run_grid(frameworks, threads, cfg, runners, results, mem_limit_mb, t_start, excluded=None):
    """Runs every point of every framework at one thread count, point by point: all frameworks
    measure a point one after the other, so that a ratio compares times taken close together.
    excluded: {framework: why}, frameworks not timed (their gradients disagree with torchq's)."""
    excluded = excluded or {}
    failures = {fw: {} for fw in frameworks}
    points = sorted({p for fw in frameworks for p in grid_points(fw, cfg)}, key=lambda p: (p[1], p[2], p[0]))
    for point in points:
        n, L, B = point
        for fw in frameworks:
            if point not in grid_points(fw, cfg):
                continue
            row = dict(framework=fw, threads=threads, qubits=n, layers=L, batch=B)
            results.append(row)
            if fw in excluded:
                row.update(status="wrong", inferred=True, note=excluded[fw])
                continue
            if runners[fw] is None:
                row.update(status="error", inferred=True, note="the runner did not start")
                continue
            dom = dominated(point, failures[fw])
            if dom is not None:
                (dn, dL, dB), failed = dom
                row.update(status=failed["status"], inferred=True,
                           note=f"not run: ({dn} qubits, {dL} layers, batch {dB}) was {failed['status']}")
                if "step_over_s" in failed:
                    row["step_over_s"] = failed["step_over_s"]
                continue
            limit = limit_for(fw, point, cfg)
            if (fw == "torchq" and n in cfg["extra_qubits"] and n not in cfg["qubits"] and limit == cfg["limit"]
                    and not cfg["all_extra"]):
                # torchq-only sizes beyond the common grid: only the target point runs (--full runs all).
                row.update(status="n/a", inferred=True,
                           note="only the target point runs at this size (--full runs all)")
                continue
            req = dict(op="point", n=n, layers=L, batch=B, threads=threads, limit_s=limit,
                       timeout_s=limit + 0.5, mem_limit_mb=mem_limit_mb, min_repeats=3,
                       max_repeats=cfg["max_repeats"], min_time_s=cfg["min_time"], warmup_s=0.1)
            t0 = time.time()
            res = runners[fw].request(req, timeout=limit + 60.0)
            row.update(res)
            row["inferred"] = False
            row["limit_s"] = limit
            row["loadavg"] = loadavg()[0]
            if row["status"] in ("timeout", "oom"):
                failures[fw][point] = row
            shown = f"{row['time_s'] * 1e3:.4g} ms x{row.get('repeats', 0)}" if row["status"] == "ok" else \
                f"{row['status']} ({row.get('note', '')[:90]})"
            log(f"  {fw:15s} t={threads} n={n:2d} L={L:2d} B={B:4d}: {shown}  [{time.time() - t0:.1f} s, "
                f"total {(time.time() - t_start) / 60:.1f} min]")


MEMORY_PROBE = dict(qubits=16, layers=[2, 50], batches=[1, 8], threads=1)


def run_memory_probe(logdir, mem_limit_mb):
    """torchq's memory in depth at 16 qubits, measured apart from the timings: a runner whose
    glibc maps every allocation over 64 KiB and unmaps it when freed (MALLOC_MMAP_THRESHOLD_), so
    that RSS follows the live buffers exactly. With glibc's default, freed buffers stay in the heap
    and a difference of a few MiB (a 16-qubit state is 1 MiB) is noise. One step per point."""
    p = MEMORY_PROBE
    runner = Runner("torchq", p["threads"], logdir, extra_env={"MALLOC_MMAP_THRESHOLD_": "65536"}, tag="-memory")
    out = []
    try:
        for B in p["batches"]:
            for L in p["layers"]:
                req = dict(op="point", n=p["qubits"], layers=L, batch=B, threads=p["threads"], limit_s=120.0,
                           timeout_s=120.5, mem_limit_mb=mem_limit_mb, min_repeats=0, max_repeats=0,
                           min_time_s=0.0, warmup_s=0.0)
                r = runner.request(req, timeout=200.0)
                r.update(qubits=p["qubits"], layers=L, batch=B, threads=p["threads"])
                out.append(r)
                log(f"  memory probe: torchq {p['qubits']} qubits, {L} layers, batch {B}: " +
                    (f"forward + backward needed {r['steps_mb']:.2f} MiB beyond the model"
                     if r.get("status") == "ok" else f"{r.get('status')} {r.get('note', '')}"))
    finally:
        runner.close()
    return out


def run_gradient_check(frameworks, runners, threads):
    rng = np.random.default_rng(GRAD_POINT["seed"])
    n, L, B = GRAD_POINT["n"], GRAD_POINT["layers"], GRAD_POINT["batch"]
    w = rng.uniform(0, 2 * math.pi, size=L * n * 3)
    x = rng.uniform(0, math.pi, size=(B, n))
    req = dict(op="grad", n=n, layers=L, threads=threads, timeout_s=120.0, mem_limit_mb=4096,
               weights=w.tolist(), inputs=x.tolist())
    out = {"point": dict(qubits=n, layers=L, batch=B), "weights": w.tolist(), "inputs": x.tolist(), "frameworks": {}}
    for fw in frameworks:
        out["frameworks"][fw] = runners[fw].request(req, timeout=200.0)
    ref = out["frameworks"].get("torchq")
    for fw, r in out["frameworks"].items():
        if fw == "torchq" or not ref or ref.get("status") != "ok":
            continue
        compare_gradients(fw, r, ref)
    return out


def compare_gradients(fw, r, ref):
    """Sets r's max |difference| from torchq (outputs, weight gradient), its tolerance and
    r["agree"]. A framework whose forward gives one value per sample (sum_i <Z_i>, [B, 1]: an
    adjoint entry point with one observable) is compared on the per-sample sums of torchq's."""
    r["tol"] = tol = 1e-5 if fw in SINGLE else 1e-9
    if r.get("status") != "ok":
        r["agree"] = False
        return
    out, want = np.array(r["outputs"], dtype=np.float64), np.array(ref["outputs"], dtype=np.float64)
    r["outputs_compared"] = "per wire"
    if out.ndim == 2 and out.shape[1] == 1 and want.ndim == 2 and out.shape[0] == want.shape[0] and want.shape[1] > 1:
        want = want.sum(axis=1, keepdims=True)
        r["outputs_compared"] = "per-sample sum"
    grad, gref = np.array(r["grad"], dtype=np.float64), np.array(ref["grad"], dtype=np.float64)
    if out.shape != want.shape or grad.shape != gref.shape:
        r["agree"] = False
        r["note"] = f"shapes differ: outputs {out.shape} vs {want.shape}, gradient {grad.shape} vs {gref.shape}"
        return
    r["max_abs_diff_grad"] = float(np.max(np.abs(grad - gref)))
    r["max_abs_diff_out"] = float(np.max(np.abs(out - want)))
    r["agree"] = bool(r["max_abs_diff_grad"] <= tol and r["max_abs_diff_out"] <= tol)


def not_timed(grad):
    """{framework: why} for the frameworks whose gradient check failed: they are not timed."""
    out = {}
    for fw, r in (grad or {}).get("frameworks", {}).items():
        if fw == "torchq" or r.get("agree", True):
            continue
        known = FRAMEWORKS[fw].get("known_wrong")
        if "max_abs_diff_grad" in r:
            why = (f"not timed: its gradient disagrees with torchq's (max |d grad| {r['max_abs_diff_grad']:.2g}, "
                   f"max |d out| {r['max_abs_diff_out']:.2g}, tolerance {r['tol']:g})")
        else:
            why = f"not timed: the gradient check failed ({r.get('status')}: {r.get('note', '')[:120]})"
        out[fw] = why + (f"; known: {known}" if known else "")
    return out


SIM_TOL = {"complex64": 1e-6, "complex128": 1e-9}  # 1 - |<psi_torchq|psi>| allowed, by the peer's precision


def sim_precision(key):
    return "complex64" if key.startswith(("qsim", "torchq-f32")) else "complex128"


def fidelity(path_a, path_b):
    a, b = np.load(path_a), np.load(path_b)
    return float(abs(np.vdot(a, b)) / (np.linalg.norm(a) * np.linalg.norm(b)))


def run_sim(cfg, keys, logdir, outdir, mem_limit_mb, t_start):
    """The pure-simulation section: the final state of the model's circuit (embedding of one
    sample + L strongly entangling layers), forward only, for each configuration of SIM_CONFIGS
    whose runner is in keys, at each qubit count and thread count. Before the timings at a qubit
    count (once, at the first thread count), every configuration's state is compared with
    torchq's (float64): |<psi_torchq|psi>|. A configuration whose state differs is not timed at
    that size. Configurations interleave point by point, as in the grid."""
    configs = [c for c in SIM_CONFIGS if c[1] in keys]
    out = {"config": dict(qubits=cfg["sim_qubits"], layers=cfg["sim_layers"], threads=cfg["threads"],
                          limit=cfg["sim_limit"], configs=[c[0] for c in configs]),
           "describe": {}, "checks": [], "results": []}
    state_dir = os.path.join(outdir, "sim_states")
    os.makedirs(state_dir, exist_ok=True)
    wrong = {}  # (key, n) -> why
    L = cfg["sim_layers"]
    for t in cfg["threads"]:
        runners = {k: Runner(k, t, logdir, tag="-sim") for k in keys}
        try:
            for r in runners.values():
                r.start()
            for k in list(runners):
                d = runners[k].request({"op": "describe"}, timeout=180.0)
                out["describe"].setdefault(k, d)
                if d.get("status") != "ok":
                    log(f"sim: {k}: the runner does not start: {d.get('note')}")
                    runners[k].close(kill=True)
                    runners[k] = None
            failures = {c[0]: None for c in configs}
            for n in cfg["sim_qubits"]:
                if t == cfg["threads"][0]:
                    sim_check(n, L, t, configs, runners, state_dir, mem_limit_mb, out["checks"], wrong)
                for key, rk, opts in configs:
                    row = dict(config=key, runner=rk, opts=opts, threads=t, qubits=n, layers=L)
                    out["results"].append(row)
                    if runners.get(rk) is None:
                        row.update(status="error", inferred=True, note="the runner did not start")
                        continue
                    if (key, n) in wrong:
                        row.update(status="wrong", inferred=True, note=wrong[(key, n)])
                        continue
                    if failures[key] is not None:
                        f = failures[key]
                        row.update(status=f["status"], inferred=True,
                                   note=f"not run: {f['qubits']} qubits was {f['status']}")
                        continue
                    limit = cfg["sim_limit"]
                    req = dict(op="sim", n=n, layers=L, threads=t, limit_s=limit, timeout_s=limit + 0.5,
                               mem_limit_mb=mem_limit_mb, min_repeats=3, max_repeats=cfg["max_repeats"],
                               min_time_s=cfg["min_time"], warmup_s=0.1, opts=dict(opts, threads=t))
                    t0 = time.time()
                    res = runners[rk].request(req, timeout=limit + 60.0)
                    row.update(res)
                    row["inferred"] = False
                    row["loadavg"] = loadavg()[0]
                    if row["status"] in ("timeout", "oom"):
                        failures[key] = row
                    shown = (f"{row['time_s'] * 1e3:.4g} ms (cpu {row['cpu_s'] * 1e3:.4g} ms) x{row.get('repeats', 0)}"
                             if row["status"] == "ok" else f"{row['status']} ({row.get('note', '')[:90]})")
                    log(f"  sim {key:10s} t={t} n={n:2d} L={L}: {shown}  [{time.time() - t0:.1f} s, "
                        f"total {(time.time() - t_start) / 60:.1f} min]")
        finally:
            for r in runners.values():
                if r is not None:
                    r.close()
    try:
        os.rmdir(state_dir)
    except OSError:
        pass
    return out


def sim_check(n, L, t, configs, runners, state_dir, mem_limit_mb, checks, wrong):
    """|<psi_torchq|psi>| for every configuration at n qubits; the states travel as .npy files
    (a 24-qubit state is 256 MiB), deleted once compared."""
    def state(rk, key, opts):
        path = os.path.join(state_dir, f"{key}-{n}.npy")
        req = dict(op="sim_state", n=n, layers=L, threads=t, timeout_s=600.0, mem_limit_mb=mem_limit_mb,
                   path=path, opts=dict(opts, threads=t))
        if runners.get(rk) is None:
            return None, {"status": "error", "note": "the runner did not start"}
        res = runners[rk].request(req, timeout=700.0)
        return (path if res.get("status") == "ok" and os.path.exists(path) else None), res

    ref_path, ref = state("torchq", "ref", {})
    if ref_path is None:
        log(f"  sim check n={n}: torchq's state failed ({ref.get('status')}: {ref.get('note', '')}); no check")
        checks.append(dict(config="torchq", qubits=n, status=ref.get("status"), note=ref.get("note", "")))
        return
    try:
        for key, rk, opts in configs:
            if key == "torchq":
                continue
            path, res = state(rk, key, opts)
            row = dict(config=key, qubits=n, layers=L, precision=sim_precision(key))
            if path is None:
                row.update(status=res.get("status"), note=res.get("note", ""))
                why = f"not timed: its state could not be computed for the check ({res.get('status')})"
                if res.get("status") not in ("timeout", "oom"):
                    wrong[(key, n)] = why
            else:
                try:
                    f = fidelity(ref_path, path)
                finally:
                    os.remove(path)
                tol = SIM_TOL[sim_precision(key)]
                row.update(status="ok", fidelity=f, tol=tol, agree=bool(1.0 - f <= tol))
                if not row["agree"]:
                    wrong[(key, n)] = f"not timed: |<psi_torchq|psi>| = {f:.9f} (1 - F > {tol:g})"
            checks.append(row)
            log(f"  sim check n={n} {key:10s}: " + (f"|<psi_torchq|psi>| = {row['fidelity']:.12f}"
                                                    if "fidelity" in row else f"{row['status']} {row.get('note', '')[:90]}"))
    finally:
        os.remove(ref_path)


# ---------------------------------------------------------------------------------------------
# Reports


def fmt_ms(s):
    ms = s * 1e3
    if ms >= 100:
        return f"{ms:,.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def fmt_ratio(r):
    if r >= 100:
        return f"{r:,.0f}x"
    if r >= 10:
        return f"{r:.0f}x"
    return f"{r:.1f}x"


def index(results):
    return {(r["framework"], r["threads"], r["qubits"], r["layers"], r["batch"]): r for r in results}


def cell(r):
    if r is None:
        return "–"
    if r["status"] == "ok":
        s = fmt_ms(r["time_s"])
        return s + ("¹" if r.get("repeats", 1) == 0 else "")
    if r["status"] == "wrong":
        return "✗grad"
    tag = {"timeout": "t/o", "oom": "oom", "error": "err", "n/a": "n/a"}.get(r["status"], r["status"])
    return f"({tag})" if r.get("inferred") and r["status"] != "n/a" else tag


def ratio_of(peer, ref):
    """peer time / torchq time: ("=", r), (">", lower bound) where the peer timed out, or None."""
    if peer is None or ref is None or ref["status"] != "ok":
        return None
    if peer["status"] == "ok":
        return ("=", peer["time_s"] / ref["time_s"])
    if peer["status"] == "timeout" and peer.get("step_over_s"):
        return (">", peer["step_over_s"] / ref["time_s"])
    return None


def ratio_cell(rt):
    if rt is None:
        return ""
    op, v = rt
    return (">" if op == ">" else "") + fmt_ratio(v)


def command_of(mode):
    """The command line of a run from its mode ("default", "quick sim", ...)."""
    return "scripts/bench" + "".join(f" --{p}" for p in mode.split() if p != "default")


def build_note(machine):
    """Which torchq was measured (commit, library build time, a reinstall during the run)."""
    tb = machine.get("torchq_build", {})
    if not tb:
        return ""
    return " torchq measured: " + ", ".join(
        x for x in (f"commit {tb['commit']}" if "commit" in tb else "",
                    f"library built {tb['built']}" if "built" in tb else "",
                    f"REINSTALLED during the run ({tb['rebuilt_during_run']}): some points measured "
                    "the older build" if tb.get("rebuilt_during_run") else "") if x) + "."


def header_lines(frameworks, machine, describe, mode):
    """Machine and versions: the first lines of table.md."""
    lines = []
    lines.append(f"Machine: {machine['cpu']}, {machine['usable_cpus']} cores usable "
                 f"({machine['logical_cpus']} logical), {machine['mem_gib']} GiB, {machine['isa']}; "
                 f"{machine['date']}; `{command_of(mode)}`; load average "
                 f"{machine.get('loadavg_start', 0):.1f} at the start, {machine.get('loadavg_end', 0):.1f} at the end.")
    vers = []
    for fw in frameworks:
        d = describe.get(fw, {})
        v = ", ".join(f"{k} {x}" for k, x in d.get("versions", {}).items() if k != "torch")
        vers.append(f"{SHORT[fw]} ({v}; {d.get('precision', '?').split(' ')[0]})")
    torch_v = describe.get("torchq", describe.get(frameworks[0], {})).get("versions", {}).get("torch", "?")
    lines.append(f"Versions: {'; '.join(vers)}; torch {torch_v} (CPU) everywhere.{build_note(machine)}")
    return lines


def tables(results, frameworks, cfg, machine, describe, mode):
    idx = index(results)
    peers = [f for f in frameworks if f != "torchq"]
    lines = header_lines(frameworks, machine, describe, mode)
    lines.append("")
    lines.append("Forward + backward time per batch, milliseconds (median of the repeats after warm-up); "
                 "in brackets peer time / torchq time. "
                 f"t/o: one step did not finish in the {cfg['limit']:g} s limit per point; oom: past the memory "
                 "limit; (t/o): not run because a smaller point timed out (rows where every framework failed are left out); >Nx: the peer timed out, so "
                 f"the ratio is at least (limit - setup) / torchq time; ¹: one step only (no repeat fit in the limit); "
                 "✗grad: not timed, its gradient disagrees with torchq's (see the gradient check).")
    for t in cfg["threads"]:
        lines.append("")
        loads = [r["loadavg"] for r in results if r["threads"] == t and "loadavg" in r]
        load = f"; load average {np.mean(loads):.1f} on average during these points" if loads else ""
        lines.append(f"**{t} thread{'s' if t > 1 else ''}** (torch.set_num_threads({t}), OMP_NUM_THREADS={t}{load})")
        lines.append("")
        head = ["qubits", "layers", "batch", "torchq"] + [SHORT[p] for p in peers]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(["---:"] * len(head)) + "|")
        qubits = sorted({r["qubits"] for r in results if r["threads"] == t and in_main(r, cfg)})
        for L in cfg["layers"]:
            for B in cfg["batches"]:
                for n in qubits:
                    ref = idx.get(("torchq", t, n, L, B))
                    row = [str(n), str(L), str(B), cell(ref)]
                    any_ok = ref is not None and ref["status"] == "ok"
                    for p in peers:
                        pr = idx.get((p, t, n, L, B))
                        c = cell(pr)
                        rc = ratio_cell(ratio_of(pr, ref))
                        row.append(f"{c} ({rc})" if rc else c)
                        any_ok = any_ok or (pr is not None and pr["status"] == "ok")
                    if any_ok:  # rows where every framework failed are left out
                        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def memory_table(results, frameworks, cfg):
    idx = index(results)
    lines = ["Peak RSS of the child process that ran the point, in MiB (the whole process: interpreter, "
             "framework, model, simulator); in brackets what forward + backward needed beyond the built "
             "model (peak RSS during the steps minus the RSS before them: states, autograd). "
             f"{min(cfg['threads'])} thread, batch {1 if 1 in cfg['batches'] else min(cfg['batches'])}."]
    lines.append("")
    qubits = sorted({r["qubits"] for r in results if in_main(r, cfg)})
    head = ["qubits", "layers"] + [SHORT[f] for f in frameworks]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---:"] * len(head)) + "|")
    t = min(cfg["threads"])
    B = 1 if 1 in cfg["batches"] else min(cfg["batches"])
    for n in qubits:
        for L in cfg["layers"]:
            row = [str(n), str(L)]
            for f in frameworks:
                r = idx.get((f, t, n, L, B))
                if r is not None and r["status"] == "ok":
                    row.append(f"{r['peak_mb']:.0f} (+{r['steps_mb']:.1f})")
                else:
                    row.append(cell(r))
            if any(idx.get((f, t, n, L, B), {}).get("status") == "ok" for f in frameworks):
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def probe_table(probe):
    if not probe:
        return ""
    p = MEMORY_PROBE
    lines = [f"Memory probe: torchq at {p['qubits']} qubits, {p['threads']} thread, one step per point, in a runner "
             "with MALLOC_MMAP_THRESHOLD_=65536 (every buffer over 64 KiB is mapped when allocated and unmapped "
             "when freed, so RSS follows the live buffers; a 16-qubit complex128 state is 1 MiB).", "",
             "| layers | batch | forward + backward beyond the model (MiB) | model + steps (MiB) | peak RSS (MiB) |",
             "|---:|---:|---:|---:|---:|"]
    for r in probe:
        if r.get("status") == "ok":
            lines.append(f"| {r['layers']} | {r['batch']} | {r['steps_mb']:.2f} | {r['delta_mb']:.2f} | {r['peak_mb']:.0f} |")
        else:
            lines.append(f"| {r['layers']} | {r['batch']} | {r.get('status')} | | |")
    return "\n".join(lines) + "\n"


def grad_section(grad):
    p = grad["point"]
    lines = [f"Gradient check: {p['qubits']} qubits, {p['layers']} layers, batch {p['batch']}; the same "
             "weights (torchq order, mapped to each framework's layout) and inputs everywhere; "
             "loss = sum of outputs; max |difference| from torchq. Outputs are compared per wire, or as "
             "per-sample sums of the wires where the framework's entry point gives only that (marked Σ). "
             "A framework that disagrees is not timed."]
    lines.append("")
    lines.append("| framework | precision | outputs | weight gradient | agree |")
    lines.append("|---|---|---:|---:|---|")
    for fw, r in grad["frameworks"].items():
        if fw == "torchq":
            continue
        known = FRAMEWORKS.get(fw, {}).get("known_wrong")
        if "max_abs_diff_grad" not in r:
            lines.append(f"| {SHORT[fw]} | | {r.get('status')} | {r.get('note', '')[:60]} | no: not timed |")
            continue
        tol = r.get("tol", 1e-5 if fw in SINGLE else 1e-9)
        ok = r.get("agree", r["max_abs_diff_grad"] <= tol and r["max_abs_diff_out"] <= tol)
        prec = ("float32" if fw in ("torchquantum", "torchq-f32") else
                "float64 sim, float32 interface" if fw == "qiskit" else "float64")
        sigma = " Σ" if r.get("outputs_compared") == "per-sample sum" else ""
        verdict = f"yes (tol {tol:g})" if ok else f"**NO** (tol {tol:g}): not timed" + (f"; known: {known}" if known else "")
        lines.append(f"| {SHORT[fw]} | {prec} | {r['max_abs_diff_out']:.1e}{sigma} | {r['max_abs_diff_grad']:.1e} | "
                     f"{verdict} |")
    return "\n".join(lines) + "\n"


def fmt_us(s):
    us = s * 1e6
    if us >= 1000:
        return f"{us:,.0f}"
    if us >= 10:
        return f"{us:.1f}"
    return f"{us:.2f}"


def small_table(results, frameworks, cfg):
    """Microseconds per sample on the small-circuit grid, and per step at batch 1 (the per-call
    overhead), for every framework and thread count."""
    pts = sorted(small_points(cfg), key=lambda p: (p[2] == 1, p[0], p[2]))
    if not pts:
        return ""
    idx = index(results)
    peers = [f for f in frameworks if f != "torchq"]
    lines = [f"Small circuits: forward + backward time **per sample**, in microseconds (the median time per batch / "
             f"batch), {cfg.get('small_layers', 2)} layers; the last row of each table is the **per-call overhead**: "
             "microseconds per training step at batch 1. In brackets peer / torchq."]
    for t in cfg["threads"]:
        lines += ["", f"**{t} thread{'s' if t > 1 else ''}**", ""]
        head = ["qubits", "layers", "batch", "torchq"] + [SHORT[p] for p in peers]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(["---:"] * len(head)) + "|")
        for n, L, B in pts:
            ref = idx.get(("torchq", t, n, L, B))

            def us(r):
                if r is None or r["status"] != "ok":
                    return cell(r)
                return fmt_us(r["time_s"] / B) + ("¹" if r.get("repeats", 1) == 0 else "")
            row = [str(n), str(L), str(B) + (" (per call)" if B == 1 else ""), us(ref)]
            for p in peers:
                pr = idx.get((p, t, n, L, B))
                rt = ratio_cell(ratio_of(pr, ref))
                row.append(f"{us(pr)} ({rt})" if rt else us(pr))
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def sim_tables(sim, cfg, machine, mode):
    """table_sim.md: the pure-simulation times, the CPU times and the state-overlap check."""
    res = {(r["config"], r["threads"], r["qubits"]): r for r in sim["results"]}
    keys = sim["config"]["configs"]
    d = sim.get("describe", {})
    lines = [f"Machine: {machine['cpu']}, {machine['usable_cpus']} cores usable, {machine['mem_gib']} GiB, "
             f"{machine['isa']}; {machine['date']}; `{command_of(mode)}`, "
             f"pure-simulation section; load average {machine.get('loadavg_start', 0):.1f} at the start of the run, "
             f"{machine.get('loadavg_end', 0):.1f} at the end."]
    vers = []
    for k, label in (("torchq", "torchq"), ("qsim", "qsimcirq"), ("qulacs", "Qulacs")):
        if k in d:
            vers.append(f"{label} (" + ", ".join(f"{a} {b}" for a, b in d[k].get("versions", {}).items()) + ")")
    lines.append("Versions: " + "; ".join(vers) + "." + build_note(machine))
    lines.append("")
    lines.append(f"Final state of the model's circuit for one sample (RY angle embedding + {sim['config']['layers']} "
                 "strongly entangling layers, the benchmark's model without its measurement), forward only, no "
                 "gradient: median **wall-clock** time per run in milliseconds. torchq: `torchq.state` in float64 "
                 "(complex128) and float32 (complex64); qsim: qsimcirq's `qsim_simulate_fullstate`, complex64, "
                 "the fastest of max_fused_gate_size 2, 3 and 4 (which one in brackets after the time); Qulacs: "
                 "`update_quantum_state`, complex128, gate by gate. Ratios: qsim / torchq float32 (both "
                 "complex64), Qulacs / torchq float64 (both complex128). A state whose overlap with torchq's "
                 "failed the check is not timed (✗state).")

    def c(r):
        if r is None:
            return "–"
        if r["status"] == "ok":
            return fmt_ms(r["time_s"]) + ("¹" if r.get("repeats", 1) == 0 else "")
        if r["status"] == "wrong":
            return "✗state"
        tag = {"timeout": "t/o", "oom": "oom", "error": "err"}.get(r["status"], r["status"])
        return f"({tag})" if r.get("inferred") else tag

    def ratio(a, b):
        if a and b and a["status"] == "ok" and b["status"] == "ok":
            return f" ({fmt_ratio(a['time_s'] / b['time_s'])})"
        return ""

    def best_qsim(t, n):
        got = [res.get((k, t, n)) for k in keys if k.startswith("qsim")]
        ok = [r for r in got if r and r["status"] == "ok"]
        if ok:
            return min(ok, key=lambda r: r["time_s"])
        return got[0] if got else None

    for t in sim["config"]["threads"]:
        lines += ["", f"**{t} thread{'s' if t > 1 else ''}**", ""]
        head = ["qubits", "torchq", "torchq f32", "qsim (best fusion)", "qsim f2 / f3 / f4", "Qulacs"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join(["---:"] * len(head)) + "|")
        for n in sim["config"]["qubits"]:
            tq, tq32, ql = res.get(("torchq", t, n)), res.get(("torchq-f32", t, n)), res.get(("qulacs", t, n))
            qb = best_qsim(t, n)
            fuse = f" [f{qb['opts']['max_fused_gate_size']}]" if qb and qb["status"] == "ok" else ""
            each = " / ".join(c(res.get((k, t, n))) for k in ("qsim-f2", "qsim-f3", "qsim-f4") if k in keys)
            lines.append(f"| {n} | {c(tq)} | {c(tq32)}{ratio(tq32, tq)} | {c(qb)}{fuse}{ratio(qb, tq32)} | {each} | "
                         f"{c(ql)}{ratio(ql, tq)} |")
    lines += ["", "Process **CPU time** per run (all threads of the process), milliseconds, medians:", ""]
    head = ["qubits", "threads"] + [SHORT.get(k, k).replace("-f", " f") for k in keys]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---:"] * len(head)) + "|")
    for t in sim["config"]["threads"]:
        for n in sim["config"]["qubits"]:
            row = [str(n), str(t)]
            for k in keys:
                r = res.get((k, t, n))
                row.append(fmt_ms(r["cpu_s"]) if r and r["status"] == "ok" and r.get("cpu_s") is not None else c(r))
            lines.append("| " + " | ".join(row) + " |")
    checks = {(r["config"], r["qubits"]): r for r in sim["checks"]}
    others = [k for k in keys if k != "torchq"]
    lines += ["", "State check before the timings: 1 - |<psi_torchq|psi>| (torchq in float64; tolerance "
              f"{SIM_TOL['complex64']:g} for complex64, {SIM_TOL['complex128']:g} for complex128):", ""]
    head = ["qubits"] + [SHORT.get(k, k).replace("-f", " f") for k in others]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---:"] * len(head)) + "|")
    for n in sim["config"]["qubits"]:
        row = [str(n)]
        for k in others:
            r = checks.get((k, n))
            if r is None:
                row.append("–")
            elif "fidelity" in r:
                row.append(f"{max(1.0 - r['fidelity'], 0.0):.1e}" + ("" if r["agree"] else " **✗**"))
            else:
                row.append(str(r.get("status")))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


SIM_CSV_FIELDS = ["config", "threads", "qubits", "layers", "status", "inferred", "time_ms", "min_ms", "cpu_ms",
                  "repeats", "fidelity", "peak_rss_mb", "setup_s", "note"]


def write_sim_csv(sim, path):
    checks = {(r["config"], r["qubits"]): r for r in sim["checks"]}
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SIM_CSV_FIELDS)
        w.writeheader()
        for r in sim["results"]:
            ok = r["status"] == "ok"
            ch = checks.get((r["config"], r["qubits"]), {})
            w.writerow(dict(
                config=r["config"], threads=r["threads"], qubits=r["qubits"], layers=r["layers"], status=r["status"],
                inferred=int(bool(r.get("inferred"))), time_ms=f"{r['time_s'] * 1e3:.4f}" if ok else "",
                min_ms=f"{r['min_s'] * 1e3:.4f}" if ok else "", cpu_ms=f"{r['cpu_s'] * 1e3:.4f}" if ok else "",
                repeats=r.get("repeats", "") if ok else "",
                fidelity=f"{ch['fidelity']:.15f}" if "fidelity" in ch else ("1" if r["config"] == "torchq" else ""),
                peak_rss_mb=f"{r['peak_mb']:.1f}" if ok and "peak_mb" in r else "",
                setup_s=f"{r['setup_s']:.3f}" if "setup_s" in r else "", note=r.get("note", "")))


def targets(results, cfg, probe=()):
    """The issue's targets, each met / missed / not measured, with the numbers."""
    idx = index(results)
    out = []

    def verdict(ok):
        return "met" if ok else "MISSED"

    def ratios(peer, ns, batches=None, threads=None, base="torchq"):
        got = []
        for (f, t, n, L, B), r in idx.items():
            if f != peer or n not in ns or (batches and B not in batches) or (threads and t not in threads):
                continue
            rt = ratio_of(r, idx.get((base, t, n, L, B)))
            if rt is not None:
                got.append((rt, (n, L, B, t)))
        return got

    def where(g):
        n, L, B, t = g[1]
        return f"{n} qubits, {L} layers, batch {B}, {t} thr"

    def judge(got, goal, label):
        """MISSED: a measured ratio < goal. met: no such ratio, and at least one measured ratio or
        lower bound >= goal. open: nothing conclusive (only lower bounds below the goal, where the
        peer timed out)."""
        exact = sorted((g for g in got if g[0][0] == "="), key=lambda g: g[0][1])
        bounds = sorted((g for g in got if g[0][0] == ">"), key=lambda g: g[0][1])
        parts = []
        if exact:
            parts.append(f"lowest measured {fmt_ratio(exact[0][0][1])} at {where(exact[0])}")
        if bounds:
            parts.append(f"lowest bound >{fmt_ratio(bounds[0][0][1])} at {where(bounds[0])} (peer timed out)")
        informative = exact + [g for g in bounds if g[0][1] >= goal]
        if exact and exact[0][0][1] < goal:
            v = "MISSED"
        elif informative:
            v = "met"
        else:
            v = "open"
        return f"- [{v}] {label}: {'; '.join(parts)} ({len(exact)} measured, {len(bounds)} bounds)"

    # 1, 2: PennyLane lightning adjoint.
    for ns, goal, label in (([4, 8], 100, "4-8 qubits, batch 32"), ([20], 2, "20 qubits")):
        got = ratios("pl-lightning", ns, batches=[32] if goal == 100 else None)
        text = f">= {goal}x faster than PennyLane lightning adjoint at {label}"
        out.append(judge(got, goal, text) if got else f"- [not measured] {text}")
    # 3: TorchQuantum from 10 qubits up (the grid's 12, 16, 20). TorchQuantum computes in float32:
    # judged against torchq in float32 when that ran (the same precision), and shown against
    # torchq's float64 too.
    ns = [n for n in range(10, 64)]
    got64 = ratios("torchquantum", ns)
    got32 = ratios("torchquantum", ns, base="torchq-f32")
    text = ">= 5x faster than TorchQuantum from 10 qubits up"
    if got32:
        out.append(judge(got32, 5, text + ", both in float32"))
    if got64:
        out.append(judge(got64, 5, text + ", torchq in float64 (TorchQuantum float32)"))
    if not got32 and not got64:
        out.append(f"- [not measured] {text}")
    # 4: memory flat in depth, at 16 qubits: what forward + backward need beyond the model,
    # from the memory probe (exact RSS accounting, see run_memory_probe).
    ok = {(r["layers"], r["batch"]): r for r in probe if r.get("status") == "ok"}
    pairs = []
    for B in MEMORY_PROBE["batches"]:
        a, b = ok.get((min(MEMORY_PROBE["layers"]), B)), ok.get((max(MEMORY_PROBE["layers"]), B))
        if a and b:
            pairs.append((b["steps_mb"] / max(a["steps_mb"], 1e-9), B, a, b))
    if pairs:
        worst = max(pairs, key=lambda p: p[0])
        each = "; ".join(f"batch {B}: {b['steps_mb']:.2f} vs {a['steps_mb']:.2f} MiB = {r:.2f}x" for r, B, a, b in pairs)
        out.append(f"- [{verdict(worst[0] <= 1.1)}] torchq memory at depth 50 <= 1.1x depth 2 at 16 qubits: what "
                   f"forward + backward need beyond the model, depth 50 vs depth 2 ({each}; memory probe, "
                   f"{MEMORY_PROBE['threads']} thread); peak RSS of the process {worst[3]['peak_mb']:.0f} vs "
                   f"{worst[2]['peak_mb']:.0f} MiB")
    else:
        out.append("- [not measured] torchq memory at depth 50 <= 1.1x depth 2 at 16 qubits")
    # 5: backward / forward at 20-24 qubits.
    bf = [(r["bwd_s"] / r["fwd_s"], r) for (f, t, n, L, B), r in idx.items()
          if f == "torchq" and n >= 20 and r["status"] == "ok" and r.get("fwd_s")]
    if bf:
        worst = max(bf, key=lambda x: x[0])
        each = "; ".join(f"{r['qubits']}q L{r['layers']} B{r['batch']} {r['threads']}thr: "
                         f"{fmt_ms(r['fwd_s'])} / {fmt_ms(r['bwd_s'])} ms = {v:.2f}x"
                         for v, r in sorted(bf, key=lambda x: (x[1]['qubits'], x[1]['threads'], x[1]['layers'], x[1]['batch'])))
        out.append(f"- [{verdict(worst[0] <= 2.5)}] torchq backward <= 2.5x forward at 20-24 qubits: worst "
                   f"{worst[0]:.2f}x (forward / backward: {each})")
    else:
        out.append("- [not measured] torchq backward <= 2.5x forward at 20-24 qubits")
    # 6: thread scaling.
    sc = []
    for L in cfg["layers"]:
        a, b = idx.get(("torchq", 1, 8, L, 32)), idx.get(("torchq", 2, 8, L, 32))
        if a and b and a["status"] == "ok" and b["status"] == "ok":
            sc.append((a["time_s"] / b["time_s"], L, a, b))
    if sc:
        lo = min(sc, key=lambda s: s[0])
        each = "; ".join(f"{L} layers: {fmt_ms(a['time_s'])} -> {fmt_ms(b['time_s'])} ms = {s:.2f}x" for s, L, a, b in sc)
        out.append(f"- [{verdict(lo[0] >= 1.8)}] torchq 2 threads >= 1.8x faster than 1 at batch 32, 8 qubits: "
                   f"lowest {lo[0]:.2f}x ({each})")
    else:
        out.append("- [not measured] torchq 2 threads >= 1.8x faster than 1 at batch 32, 8 qubits")
    return "\n".join(out) + "\n"


def plot(results, frameworks, cfg, outdir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    idx = index(results)
    for t in cfg["threads"]:
        nl, nb = len(cfg["layers"]), len(cfg["batches"])
        fig, axes = plt.subplots(nl, nb, figsize=(4.2 * nb, 3.3 * nl), squeeze=False, sharex=True)
        for i, L in enumerate(cfg["layers"]):
            for j, B in enumerate(cfg["batches"]):
                ax = axes[i][j]
                for fw in frameworks:
                    pts = sorted((n, r["time_s"] * 1e3) for (f, tt, n, LL, BB), r in idx.items()
                                 if f == fw and tt == t and LL == L and BB == B and r["status"] == "ok"
                                 and in_main(r, cfg))
                    if pts:  # one colour per framework in every panel, whoever is missing
                        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                                color=plt.cm.tab20(list(FRAMEWORKS).index(fw) % 20),
                                label=FRAMEWORKS[fw]["label"], lw=2.2 if fw == "torchq" else 1.2)
                ax.set_yscale("log")
                ax.set_title(f"{L} layers, batch {B}", fontsize=9)
                ax.grid(True, which="both", alpha=0.3)
                if j == 0:
                    ax.set_ylabel("fwd+bwd time per batch (ms)")
                if i == nl - 1:
                    ax.set_xlabel("qubits")
        found = {}
        for ax in axes.flat:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                found.setdefault(lab, h)
        labels = [FRAMEWORKS[f]["label"] for f in frameworks if FRAMEWORKS[f]["label"] in found]
        handles = [found[lab] for lab in labels]
        # Up to 5 labels a row: with a dozen peers one row ran off the figure.
        ncol = min(len(labels), 5)
        rows = -(-len(labels) // max(ncol, 1))
        fig.legend(handles, labels, loc="upper center", ncol=ncol, fontsize=8)
        fig.suptitle(f"{t} thread{'s' if t > 1 else ''}; missing points: timeout / oom (limit {cfg['limit']:g} s)",
                     y=0.005, va="bottom", fontsize=8)
        fig.tight_layout(rect=(0, 0.02, 1, 1 - 0.035 * rows))
        path = os.path.join(outdir, f"plot_threads{t}.png")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)
    return files


CSV_FIELDS = ["framework", "threads", "qubits", "layers", "batch", "status", "inferred", "time_ms", "fwd_ms",
              "bwd_ms", "min_ms", "repeats", "ratio_vs_torchq", "peak_rss_mb", "added_rss_mb", "steps_rss_mb",
              "start_rss_mb",
              "setup_s", "wall_s", "note", "cpu_ms", "us_per_sample"]


def write_csv(results, cfg, path):
    idx = index(results)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        w.writeheader()
        for r in results:
            rt = ratio_of(r, idx.get(("torchq", r["threads"], r["qubits"], r["layers"], r["batch"])))
            ok = r["status"] == "ok"
            w.writerow(dict(
                framework=r["framework"], threads=r["threads"], qubits=r["qubits"], layers=r["layers"],
                batch=r["batch"], status=r["status"], inferred=int(bool(r.get("inferred"))),
                time_ms=f"{r['time_s'] * 1e3:.4f}" if ok else "", fwd_ms=f"{r['fwd_s'] * 1e3:.4f}" if ok else "",
                bwd_ms=f"{r['bwd_s'] * 1e3:.4f}" if ok else "", min_ms=f"{r['min_s'] * 1e3:.4f}" if ok else "",
                repeats=r.get("repeats", "") if ok else "",
                ratio_vs_torchq=("" if rt is None or r["framework"] == "torchq" else
                                 (">" if rt[0] == ">" else "") + f"{rt[1]:.3f}"),
                peak_rss_mb=f"{r['peak_mb']:.1f}" if ok else "", added_rss_mb=f"{r['delta_mb']:.1f}" if ok else "",
                steps_rss_mb=f"{r['steps_mb']:.1f}" if ok else "",
                start_rss_mb=f"{r['rss0_mb']:.1f}" if ok else "",
                setup_s=f"{r['setup_s']:.3f}" if "setup_s" in r else "",
                wall_s=f"{r['wall_s']:.2f}" if "wall_s" in r else "", note=r.get("note", ""),
                cpu_ms=f"{r['cpu_s'] * 1e3:.4f}" if ok and r.get("cpu_s") is not None else "",
                us_per_sample=f"{r['time_s'] / r['batch'] * 1e6:.3f}" if ok else ""))


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_const", dest="mode", const="quick",
                   help="a small subset (4-12 qubits, 2 and 10 layers, batch 1 and 32, limit 3 s; the small-circuit "
                        "grid at 2, 4, 8 qubits, batch 256; no pure-simulation section unless --sim)")
    g.add_argument("--full", action="store_const", dest="mode", const="full",
                   help="the whole grid with a 60 s limit per point (24 qubits for torchq too), pure simulation to "
                        "26 qubits: hours")
    ap.add_argument("--out", default="bench_results", help="output folder (default bench_results/)")
    ap.add_argument("--frameworks", default=",".join(FRAMEWORKS),
                    help=f"comma-separated subset of {','.join(FRAMEWORKS)} (torchq is always added)")
    ap.add_argument("--qubits", help="comma-separated, overrides the mode's grid")
    ap.add_argument("--layers", help="comma-separated, overrides the mode's grid")
    ap.add_argument("--batches", help="comma-separated, overrides the mode's grid")
    ap.add_argument("--threads", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--limit", type=float, help="time limit per point in seconds (default: the mode's)")
    ap.add_argument("--no-small", action="store_true",
                    help="skip the small-circuit grid (microseconds per sample, per-call overhead)")
    ap.add_argument("--check-only", action="store_true",
                    help="run the gradient check alone (no timings): which frameworks agree with torchq")
    sg = ap.add_mutually_exclusive_group()
    sg.add_argument("--sim", action="store_true",
                   help="run the pure-simulation section alone (final state, forward only: torchq vs qsimcirq and "
                        "Qulacs); writes table_sim.md, report.md, results_sim.csv, results.json")
    sg.add_argument("--no-sim", action="store_true", help="skip the pure-simulation section (default and --full run it)")
    ap.add_argument("--sim-qubits", help="comma-separated qubit counts of the pure-simulation section "
                                         "(quick 16,18; default 16,20,22,24; full 16-26)")
    ap.add_argument("--sim-layers", type=int, help="layers of the pure-simulation circuit (default 10, as in issue #11)")
    ap.add_argument("--sim-frameworks", default="torchq,torchq-f32,qsim,qulacs",
                    help="comma-separated subset of torchq,torchq-f32,qsim,qulacs (torchq is always added)")
    ap.add_argument("--mem-limit-gb", type=float,
                    help="a point whose RSS passes this is killed as oom (default 60%% of MemAvailable, at most 16)")
    ap.add_argument("--from-json", metavar="RESULTS_JSON",
                    help="measure nothing: rewrite the tables, report, CSV and plots of an earlier run from its "
                         "results.json into --out")
    ap.set_defaults(mode="default")
    args = ap.parse_args(argv)
    if args.from_json:
        with open(args.from_json) as f:
            run = json.load(f)
        run.setdefault("memory_probe", [])
        os.makedirs(args.out, exist_ok=True)
        return write_outputs(run, os.path.abspath(args.out))

    cfg = dict(MODES[args.mode])
    for key in ("qubits", "layers", "batches", "threads", "sim_qubits"):
        v = getattr(args, key)
        if v:
            cfg[key] = [int(x) for x in v.split(",") if x.strip()]
            if key == "qubits":
                cfg["extra_qubits"] = []
    if args.sim_layers:
        cfg["sim_layers"] = args.sim_layers
    if args.limit:
        cfg["limit"] = args.limit
    if args.no_small:
        cfg["small_qubits"], cfg["small_batches"], cfg["small_overhead"] = [], [], None
    do_grid = not args.sim
    do_sim = args.sim or (cfg["sim"] and not args.no_sim and not args.check_only)
    frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
    unknown = [f for f in frameworks if f not in FRAMEWORKS]
    if unknown:
        ap.error(f"unknown framework(s) {', '.join(unknown)}; known: {', '.join(FRAMEWORKS)}")
    if "torchq" not in frameworks:
        frameworks.insert(0, "torchq")  # the reference of every ratio
    sim_keys = [f.strip() for f in args.sim_frameworks.split(",") if f.strip()]
    unknown = [f for f in sim_keys if f not in ("torchq", "torchq-f32", "qsim", "qulacs")]
    if unknown:
        ap.error(f"unknown --sim-frameworks {', '.join(unknown)}; known: torchq,torchq-f32,qsim,qulacs")
    if "torchq" not in sim_keys:
        sim_keys.insert(0, "torchq")

    problems = check_environment((frameworks if do_grid else []) + (sim_keys if do_sim else []))
    if problems:
        print("scripts/bench installs nothing, and this is missing:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print("Run scripts/setup.sh --peers (torchq and the peers' venvs), or scripts/setup_peers.sh for the "
              "peers alone, or pick frameworks with --frameworks (--sim-frameworks, --no-sim).", file=sys.stderr)
        return 2

    outdir = os.path.abspath(args.out)
    logdir = os.path.join(outdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    for old in os.listdir(logdir):  # the logs are this run's
        if old.endswith(".log"):
            os.remove(os.path.join(logdir, old))
    mem_limit_mb = (args.mem_limit_gb * 1024) if args.mem_limit_gb else min(16 * 1024, 0.6 * mem_available_mb())
    machine = machine_info()
    machine["torchq_build"] = torchq_build()
    t_start = time.time()
    if args.check_only:
        log(f"gradient check only: {', '.join(frameworks)}")
    elif do_grid:
        log(f"mode {args.mode}: qubits {cfg['qubits']} (+{cfg['extra_qubits']} torchq), layers {cfg['layers']}, "
            f"batch {cfg['batches']}, threads {cfg['threads']}, limit {cfg['limit']:g} s/point, "
            f"memory limit {mem_limit_mb / 1024:.1f} GiB; small circuits {sorted(small_points(cfg))}; "
            f"{machine['cpu']}, {machine['usable_cpus']} cores")

    results, describe = [], {}
    grad = None
    probe = []
    sim = None
    load_start = loadavg()
    if load_start[0] > 0.5 * machine["usable_cpus"]:
        log(f"warning: the load average is {load_start[0]:.1f} on {machine['usable_cpus']} cores: other "
            "processes compete for the CPU, and times (2 threads above all) will be slower and noisier")
    for t in (cfg["threads"] if do_grid else []):
        runners = {fw: Runner(fw, t, logdir) for fw in frameworks}
        try:
            for fw in frameworks:  # start them all first: their imports overlap
                runners[fw].start()
            for fw in frameworks:
                d = runners[fw].request({"op": "describe"}, timeout=180.0)
                if d.get("status") != "ok":
                    log(f"{fw}: the runner does not start: {d.get('note')}")
                    runners[fw].close(kill=True)
                    runners[fw] = None
                describe.setdefault(fw, d)
            if grad is None:
                log(f"gradient check at {GRAD_POINT}")
                grad = run_gradient_check([f for f in frameworks if runners[f] is not None], runners, t)
                for fw, r in grad["frameworks"].items():
                    if fw != "torchq":
                        log(f"  {fw}: " + (f"max |d grad| {r['max_abs_diff_grad']:.2e}, max |d out| "
                                           f"{r['max_abs_diff_out']:.2e}" + (" (per-sample sums)" if r.get(
                                               "outputs_compared") == "per-sample sum" else "") +
                                           ("" if r.get("agree") else " -- DISAGREES: not timed")
                                           if "max_abs_diff_grad" in r else
                                           f"{r.get('status')}: {r.get('note', '')} -- not timed"))
            if args.check_only:
                break
            excluded = not_timed(grad)
            log(f"{t} thread(s): {', '.join(f for f in frameworks if f not in excluded)}"
                + (f" (not timed: {', '.join(excluded)})" if excluded else ""))
            run_grid(frameworks, t, cfg, runners, results, mem_limit_mb, t_start, excluded)
        finally:
            for r in runners.values():
                if r is not None:
                    r.close()
    if do_grid and not args.check_only:
        log(f"memory probe: {MEMORY_PROBE}")
        probe = run_memory_probe(logdir, mem_limit_mb)
    if do_sim:
        log(f"pure simulation: qubits {cfg['sim_qubits']}, {cfg['sim_layers']} layers, threads {cfg['threads']}, "
            f"limit {cfg['sim_limit']:g} s/point; {', '.join(sim_keys)}")
        sim = run_sim(cfg, sim_keys, logdir, outdir, mem_limit_mb, t_start)
    load_end = loadavg()
    elapsed = time.time() - t_start

    machine["loadavg_start"], machine["loadavg_end"] = load_start[0], load_end[0]
    built_end = torchq_build().get("built")
    if built_end != machine["torchq_build"].get("built"):
        machine["torchq_build"]["rebuilt_during_run"] = built_end
        log(f"warning: torchq's library was reinstalled during the run (built {built_end}); runners started "
            "before that measured the older build")
    mode = args.mode + (" sim" if args.sim else "") + (" check-only" if args.check_only else "")
    run = dict(mode=mode, config=cfg, machine=machine, describe=describe, frameworks=frameworks if do_grid else [],
               gradient_check=grad, memory_probe=probe, results=results, elapsed_s=elapsed, sim=sim)
    return write_outputs(run, outdir)


def write_outputs(run, outdir):
    """Writes table.md, table_sim.md, report.md, results.csv, results_sim.csv, results.json and the
    plots of a run (the parts it has), and prints the tables, the gradient check and the targets.
    Returns the exit status: 1 when a framework's gradients disagree with torchq's (one with a
    known upstream bug aside) or a simulator's state does not match torchq's."""
    mode, cfg, machine, describe = run["mode"], run["config"], run["machine"], run["describe"]
    grad, probe, results, elapsed = run["gradient_check"], run["memory_probe"], run["results"], run["elapsed_s"]
    sim = run.get("sim")
    frameworks = run.get("frameworks")
    if frameworks is None:
        frameworks = [f for f in FRAMEWORKS if any(r["framework"] == f for r in results)]
    for fw, r in ((grad or {}).get("frameworks") or {}).items():  # results.json of a run before issue #11
        if fw != "torchq" and "agree" not in r and "max_abs_diff_grad" in r:
            r["tol"] = 1e-5 if fw in SINGLE else 1e-9
            r["agree"] = r["max_abs_diff_grad"] <= r["tol"] and r["max_abs_diff_out"] <= r["tol"]
    report = [f"# torchq vs peers ({mode} run, {elapsed / 60:.1f} min)", ""]
    printed = []
    pngs = []
    if results:
        md_table = tables(results, frameworks, cfg, machine, describe, mode)
        md_small = small_table(results, frameworks, cfg)
        with open(os.path.join(outdir, "table.md"), "w") as f:
            f.write(md_table + ("\n" + md_small if md_small else ""))
        report += [md_table]
        if md_small:
            report += ["## Small circuits: per sample and per call", "", md_small]
        report += ["## Memory", "", memory_table(results, frameworks, cfg), probe_table(probe)]
        printed += [md_table, md_small]
    if grad:
        md_grad = grad_section(grad)
        report += ["## Gradient check", "", md_grad]
        printed += ["## Gradient check\n", md_grad]
    if sim:
        md_sim = sim_tables(sim, cfg, machine, mode)
        with open(os.path.join(outdir, "table_sim.md"), "w") as f:
            f.write(md_sim)
        report += ["## Pure simulation (final state, forward only)", "", md_sim]
        printed += ["## Pure simulation\n", md_sim]
        write_sim_csv(sim, os.path.join(outdir, "results_sim.csv"))
    if results:
        md_targets = targets(results, cfg, probe)
        report += ["## Targets", "", md_targets]
        printed += ["## Targets\n", md_targets]
    notes = ["Frameworks, as run (benchmarks/PEERS.md has the details):"]
    for fw in frameworks:
        d = describe.get(fw, {})
        notes.append(f"- {FRAMEWORKS[fw]['label']}: {d.get('method', '?')}; {d.get('precision', '?')}; "
                     + ", ".join(f"{k} {v}" for k, v in d.get("versions", {}).items()))
    for k, d in (sim or {}).get("describe", {}).items():
        notes.append(f"- pure simulation, {SPECS[k]['label']}: {d.get('method', '?')}; {d.get('precision', '?')}; "
                     + ", ".join(f"{a} {b}" for a, b in d.get("versions", {}).items()))
    report += ["## Notes", "", "\n".join(notes), ""]
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write("\n".join(report))
    if results:
        write_csv(results, cfg, os.path.join(outdir, "results.csv"))
        pngs = plot(results, frameworks, cfg, outdir)
    with open(os.path.join(outdir, "results.json"), "w") as f:
        json.dump(run, f, indent=1)

    print()
    for part in printed:
        if part:
            print(part)
    written = [x for x in ("table.md", "table_sim.md", "report.md", "results.csv", "results_sim.csv", "results.json")
               if os.path.exists(os.path.join(outdir, x)) and (x != "table.md" or results)
               and (x not in ("table_sim.md", "results_sim.csv") or sim)]
    log(f"done in {elapsed / 60:.1f} min; wrote {os.path.relpath(outdir)}/: {' '.join(written)} "
        f"{' '.join(os.path.basename(p) for p in pngs)} logs/")
    bad = [fw for fw, r in ((grad or {}).get("frameworks") or {}).items()
           if fw != "torchq" and not r.get("agree", r.get("status") == "ok") and not FRAMEWORKS[fw].get("known_wrong")]
    bad += [f"{r['config']} ({r['qubits']} qubits)" for r in (sim or {}).get("checks", [])
            if r.get("status") == "ok" and not r.get("agree", True)]
    if bad:
        log(f"disagreeing with torchq: {', '.join(bad)} (exit status 1)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
