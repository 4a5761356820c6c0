"""Runner side of the cross-framework benchmark (the driver is benchmarks/peers/bench.py).

A runner is ``python benchmarks/peers/run_<framework>.py [options]``, started by the driver in
that framework's virtual environment with OMP_NUM_THREADS set to the thread count of the run.
It imports its framework once, then answers requests: one JSON object per line on stdin, one
JSON object per line on stdout (anything the frameworks print goes to stderr).

Every measurement runs in a child process forked for it, so that
  * a point that runs past its time limit, or past the memory limit, is killed without losing
    the runner ("timeout", "oom"), and
  * its memory is measured alone. The child runs one step of a 2-qubit model (which faults in
    the framework's code), resets its peak-RSS counter (Linux clear_refs), builds the model,
    resets the counter again and runs the steps. ``peak_mb`` is the child's peak RSS (the whole
    process: interpreter, framework, model, simulator); ``delta_mb`` is that peak minus the RSS
    after the 2-qubit step (what the model and the steps added); ``steps_mb`` is the peak during
    the steps minus the RSS before them (what forward + backward need beyond the model).
The parent runs nothing parallel before it forks (OpenMP pools are not fork-safe); the child
sets torch.set_num_threads itself.

The model, the same in every framework (wire i, feature i, n qubits, L layers, B samples):
  angle embedding   RY(x[b, i]) on wire i
  StronglyEntanglingLayers(L) as PennyLane defines it: in layer l, Rot(w[l,i,0], w[l,i,1],
                    w[l,i,2]) on each wire i, then CNOT(i, (i + r) mod n) for each i,
                    with r = l mod (n - 1) + 1
  outputs           <Z_i> for each wire, [B, n];  loss = sum of the outputs
Weights travel in torchq's (and PennyLane's) flat order (l*n + i)*3 + k; each runner maps them
to its own layout, and maps its weight gradient back.

A framework module provides:
  NAME                       short name
  describe() -> dict         versions, precision, differentiation method
  make(n, layers, weights, batch) -> torch.nn.Module whose forward(x [B, n] float64) gives
                             [B, n]; weights: numpy float64 [layers*n*3] in torchq order
  weight_grad(module) -> numpy float64 [layers*n*3], the weights' .grad in torchq order
A module whose forward cannot give the per-wire values (an adjoint entry point that returns
one expectation of sum_i Z_i) returns [B, 1] instead: each sample's sum_i <Z_i>, which is what
the loss needs; the driver's gradient check then compares per-sample sums.

For the pure-simulation section (scripts/bench --sim: forward only, the final state of the same
circuit for one sample, no gradient), a framework module provides instead, or as well:
  sim_make(n, layers, weights, inputs, opts) -> an object with
      run()    computes the final state (what is timed), and
      state()  the state of the last run() as numpy complex [2^n], wire 0 the most significant
               bit (not timed; the driver checks |<psi_torchq|psi>| with it)
  inputs: numpy float64 [n] (the sample's RY angles); opts: a dict of framework options (e.g.
  qsim's max_fused_gate_size).
"""

import json
import math
import os
import select
import signal
import sys
import time
import traceback

import numpy as np

# The protocol writes to the real stdout; anything else printed goes to stderr.
_PROTO_OUT = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
sys.stdout = sys.stderr


def ring_range(n, layer):
    """CNOT range r of StronglyEntanglingLayers' layer `layer` (PennyLane's default)."""
    return (layer % (n - 1)) + 1 if n > 1 else 0


def random_point(n, layers, batch, seed=1234):
    """Weights (torchq order) and inputs of a timing point, the same in every framework."""
    rng = np.random.default_rng(seed + 1000 * n + 10 * layers)
    w = rng.uniform(0.0, 2 * math.pi, size=layers * n * 3)
    x = rng.uniform(0.0, math.pi, size=(batch, n))
    return w, x


def _status_mb():
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024.0
    return out


def _reset_peak():
    """Resets VmHWM to the current RSS (Linux >= 4.0); returns the RSS in MiB."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status_mb()["VmRSS"]


def _params(module):
    return [p for p in module.parameters() if p.requires_grad]


def _step(module, x):
    """One training step: forward, loss = sum, backward. Returns (forward s, backward s, process
    CPU s): wall-clock times, and the CPU time of the whole process (all its threads)."""
    for p in _params(module):
        p.grad = None
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = module(x)
    t1 = time.perf_counter()
    out.sum().backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, time.process_time() - c0


def _measure(fw, req, torch, progress):
    """One timing point: build, warm up, repeat; medians of forward, backward and their sum.

    The parent kills the child at req["limit_s"] (a timeout; its clock starts at the fork). A
    point whose warm-up step finished but left no time for a repeat reports that one step
    (repeats = 0). setup_s (tiny step + model building) lets a timeout bound the first step.
    """
    start = time.perf_counter()
    deadline = start + 0.95 * req["limit_s"]  # the parent kills at limit_s
    n, layers, batch = req["n"], req["layers"], req["batch"]
    # One step of a 2-qubit model first: it faults in the framework's code and first-use
    # allocations, so that the added RSS below is the point's own (model, states, autograd).
    tiny_w, tiny_x = random_point(2, 1, 1)
    _step(fw.make(2, 1, tiny_w, 1), torch.tensor(tiny_x, dtype=torch.float64))
    rss0 = _reset_peak()
    w, x_np = random_point(n, layers, batch)
    module = fw.make(n, layers, w, batch)
    x = torch.tensor(x_np, dtype=torch.float64)
    setup_s = time.perf_counter() - start
    progress({"setup_s": setup_s})
    build_peak = _status_mb()["VmHWM"]
    rss1 = _reset_peak()  # from here on the peak is what the steps need beyond the model
    # Warm-up: at least one step, more while they are cheap (first calls compile, allocate).
    warm = []
    while True:
        f, b, _ = _step(module, x)
        warm.append((f, b))
        if sum(a + c for a, c in warm) >= req.get("warmup_s", 0.1) or len(warm) >= 3:
            break
    est = sum(warm[-1])
    want = max(req["min_repeats"], min(req["max_repeats"], math.ceil(req["min_time_s"] / max(est, 1e-9))))
    fits = int((deadline - time.perf_counter()) / max(est, 1e-9))
    reps = min(want, fits)
    res = {"setup_s": setup_s, "warmup_s": sum(a + c for a, c in warm), "est_s": est}
    fwd, bwd, cpu = [], [], []
    for _ in range(reps):
        f, b, c = _step(module, x)
        fwd.append(f)
        bwd.append(b)
        cpu.append(c)
        if time.perf_counter() + est > deadline:
            break
    if not fwd:  # one step only: the last warm-up step stands in
        fwd, bwd = [warm[-1][0]], [warm[-1][1]]
        res["note"] = f"one step only ({est:.3g} s): no repeat fit in the {req['limit_s']:g} s limit"
    tot = [f + b for f, b in zip(fwd, bwd)]
    mem = _status_mb()
    res.update(
        status="ok",
        repeats=reps and len(tot),
        time_s=float(np.median(tot)),
        fwd_s=float(np.median(fwd)),
        bwd_s=float(np.median(bwd)),
        min_s=float(np.min(tot)),
        cpu_s=float(np.median(cpu)) if cpu else None,
        rss0_mb=rss0,
        peak_mb=max(build_peak, mem["VmHWM"]),
        delta_mb=max(build_peak, mem["VmHWM"]) - rss0,
        steps_mb=mem["VmHWM"] - rss1,
    )
    return res


def _gradient(fw, req, torch):
    """Outputs and weight gradient at given weights and inputs (the cross-framework check)."""
    n, layers = req["n"], req["layers"]
    w = np.asarray(req["weights"], dtype=np.float64)
    module = fw.make(n, layers, w, len(req["inputs"]))
    x = torch.tensor(req["inputs"], dtype=torch.float64)
    out = module(x)
    out.sum().backward()
    return {
        "status": "ok",
        "outputs": out.detach().to(torch.float64).numpy().tolist(),
        "grad": np.asarray(fw.weight_grad(module), dtype=np.float64).tolist(),
    }


def _measure_sim(fw, req, progress):
    """One pure-simulation point: build once, run (forward only) until warm, then repeat; medians
    of the wall-clock time and of the process CPU time (all threads) of run()."""
    start = time.perf_counter()
    deadline = start + 0.95 * req["limit_s"]
    n, layers = req["n"], req["layers"]
    w, x = random_point(n, layers, 1)
    sim = fw.sim_make(n, layers, w, x[0], req.get("opts") or {})
    setup_s = time.perf_counter() - start
    progress({"setup_s": setup_s})

    def once():
        c0 = time.process_time()
        t0 = time.perf_counter()
        sim.run()
        return time.perf_counter() - t0, time.process_time() - c0

    warm = [once()]
    while sum(a for a, _ in warm) < req.get("warmup_s", 0.1) and len(warm) < 3:
        warm.append(once())
    est = warm[-1][0]
    want = max(req["min_repeats"], min(req["max_repeats"], math.ceil(req["min_time_s"] / max(est, 1e-9))))
    reps = min(want, int((deadline - time.perf_counter()) / max(est, 1e-9)))
    res = {"setup_s": setup_s, "warmup_s": sum(a for a, _ in warm), "est_s": est}
    wall, cpu = [], []
    for _ in range(reps):
        a, c = once()
        wall.append(a)
        cpu.append(c)
        if time.perf_counter() + est > deadline:
            break
    if not wall:
        wall, cpu = [warm[-1][0]], [warm[-1][1]]
        res["note"] = f"one run only ({est:.3g} s): no repeat fit in the {req['limit_s']:g} s limit"
    mem = _status_mb()
    res.update(status="ok", repeats=reps and len(wall), time_s=float(np.median(wall)), min_s=float(np.min(wall)),
               cpu_s=float(np.median(cpu)), peak_mb=mem["VmHWM"])
    return res


def _sim_state(fw, req):
    """Runs the pure-simulation circuit once and saves its state (numpy complex128 [2^n], wire 0
    the most significant bit) to req["path"], for the driver's overlap check."""
    n, layers = req["n"], req["layers"]
    w, x = random_point(n, layers, 1)
    sim = fw.sim_make(n, layers, w, x[0], req.get("opts") or {})
    sim.run()
    psi = np.ascontiguousarray(sim.state(), dtype=np.complex128).reshape(-1)
    if psi.shape[0] != 2 ** n:
        raise ValueError(f"the state has {psi.shape[0]} amplitudes, not 2^{n}")
    np.save(req["path"], psi)
    return {"status": "ok", "path": req["path"], "norm": float(np.linalg.norm(psi))}


def _classify(exc):
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    if isinstance(exc, MemoryError) or any(
        s in low for s in ("out of memory", "bad_alloc", "memoryerror", "cannot allocate", "memory limit",
                           "not enough memory", "memavailable", "torchq_memory_limit_bytes")
    ):
        return "oom", text
    return "error", text


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        k = os.write(fd, view)
        view = view[k:]


def _child(fw, req, wfd):
    import torch

    torch.set_num_threads(int(req["threads"]))

    def progress(d):
        _write_all(wfd, (json.dumps(dict(d, progress=True)) + "\n").encode())

    try:
        if req["op"] == "point":
            res = _measure(fw, req, torch, progress)
        elif req["op"] == "sim":
            res = _measure_sim(fw, req, progress)
        elif req["op"] == "sim_state":
            res = _sim_state(fw, req)
        else:
            res = _gradient(fw, req, torch)
    except BaseException as e:  # noqa: BLE001 - everything is reported to the driver
        status, text = _classify(e)
        res = {"status": status, "note": text[:500]}
        if status == "error":
            traceback.print_exc()
    _write_all(wfd, (json.dumps(res) + "\n").encode())
    os.close(wfd)
    sys.stderr.flush()
    os._exit(0)


def _rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _run_forked(fw, req):
    """Forks a child for `req`; kills it past req['timeout_s'] or req['mem_limit_mb'].

    The child writes JSON lines: progress lines (e.g. the setup time, so that a timeout can say
    how long the first step ran at least), then its result.
    """
    r, w = os.pipe()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(fw, req, w)
    os.close(w)
    chunks = []
    timeout = float(req["timeout_s"])
    mem_limit = float(req.get("mem_limit_mb", 0) or 0)
    t0 = time.perf_counter()
    killed = None
    max_rss = 0.0
    while True:
        left = timeout - (time.perf_counter() - t0)
        if left <= 0:
            killed = "timeout"
            break
        ready, _, _ = select.select([r], [], [], min(0.02, left))
        if ready:
            data = os.read(r, 1 << 16)
            if not data:
                break
            chunks.append(data)
        rss = _rss_mb(pid)
        max_rss = max(max_rss, rss)
        if mem_limit and rss > mem_limit:
            killed = "oom"
            break
    if killed:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    os.close(r)
    wall = time.perf_counter() - t0
    lines = []
    for x in b"".join(chunks).decode(errors="replace").splitlines():
        try:
            lines.append(json.loads(x))
        except ValueError:
            pass  # a line cut short by the kill
    info = {}
    for x in lines:
        if x.get("progress"):
            info.update({k: v for k, v in x.items() if k != "progress"})
    if killed == "timeout":
        res = {"status": "timeout", "note": f"killed after {timeout:g} s", "wall_s": wall}
        if "setup_s" in info:
            res["setup_s"] = info["setup_s"]
            res["step_over_s"] = max(timeout - info["setup_s"], 0.0)
            res["note"] = f"the first step ran more than {res['step_over_s']:.3g} s (setup {info['setup_s']:.3g} s)"
        return res
    if killed == "oom":
        return {"status": "oom", "note": f"RSS {max_rss:.0f} MiB passed the limit of {mem_limit:.0f} MiB",
                "wall_s": wall}
    final = [x for x in lines if not x.get("progress")]
    try:
        res = final[-1]
    except IndexError:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGKILL:
            return {"status": "oom", "note": "killed by SIGKILL (the kernel's OOM killer?)", "wall_s": wall}
        return {"status": "error", "note": f"the child died (exit status {status})", "wall_s": wall}
    res["wall_s"] = wall
    return res


def serve(fw):
    """The runner's main loop: one JSON request per stdin line, one JSON answer per line."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req["op"] == "describe":
            try:
                res = dict(fw.describe(), status="ok", pid=os.getpid())
            except Exception as e:  # noqa: BLE001
                res = {"status": "error", "note": f"{type(e).__name__}: {e}"}
        elif req["op"] in ("point", "grad", "sim", "sim_state"):
            res = _run_forked(fw, req)
        elif req["op"] == "quit":
            break
        else:
            res = {"status": "error", "note": f"unknown op {req['op']!r}"}
        _PROTO_OUT.write(json.dumps(res) + "\n")
        _PROTO_OUT.flush()


def versions(*names):
    """Installed versions of the named distributions, for describe()."""
    from importlib import metadata

    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            pass
    return out
