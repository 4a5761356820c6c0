"""Small batches on 1 and 2 threads: the median and p90 time of one expval call (wall clock).

    python3 benchmarks/small_batches.py

A batch loop that makes the caller wait for late threads shows up as 2 threads much slower than
1 on a busy machine (benchmarks/README.md, "Small batches on several threads").
"""
import time, statistics, torch, torchq, sys
n, B = 10, 32
c = torchq.Circuit(n, num_inputs=n)
torchq.angle_embedding(c, list(range(n)))
torchq.strongly_entangling_layers(c, 2, list(range(n)))
p = c.to_program(); o = torchq.observables_table([torchq.PauliZ(i) for i in range(n)])
w = torch.rand(c.num_weights, dtype=torch.float64); x = torch.rand(B, n, dtype=torch.float64)
for threads in (1, 2, 1, 2):
    torch.set_num_threads(threads)
    ts = []
    for _ in range(200):
        t = time.perf_counter(); torchq.expval(p, o, w, x); ts.append(time.perf_counter() - t)
    ts.sort()
    print(f"threads={threads} batch={B} n={n}: median {statistics.median(ts)*1e3:.3f} ms  p90 {ts[int(.9*len(ts))]*1e3:.3f} ms")
x2 = torch.rand(2, n, dtype=torch.float64)
for threads in (1, 2):
    torch.set_num_threads(threads)
    ts = []
    for _ in range(300):
        t = time.perf_counter(); torchq.expval(p, o, w, x2); ts.append(time.perf_counter() - t)
    ts.sort()
    print(f"threads={threads} batch=2: median {statistics.median(ts)*1e3:.3f} ms  p90 {ts[int(.9*len(ts))]*1e3:.3f} ms")
