"""One DistributedDataParallel worker, launched by torchrun (tests/python/test_deploy_ddp.py):

    torchrun --standalone --nproc_per_node=2 tests/python/ddp_worker.py OUT_DIR

Each rank trains the same hybrid model (Linear -> tanh -> torchq QuantumLayer -> Linear) with
SGD on its share of the same global batches (gloo, CPU), then saves its final weights to
OUT_DIR/rank<r>.pt. DDP averages the gradients over ranks, so with equal shares every step is
the step a single process takes on the whole global batch: the test checks exactly that, against
``train_single_process`` run in the test's own process.

The model, the data and the training loop are module-level functions so the test builds the
single-process reference from the very same code.
"""

import os
import sys

import torch
import torch.distributed as dist
from torch import nn

import torchq

GLOBAL_BATCH = 8
STEPS = 4
LR = 0.2


def build_model() -> nn.Module:
    """The same initial weights on every rank and in the reference (fixed seed)."""
    torch.manual_seed(7)
    c = torchq.Circuit(3, num_inputs=3)
    torchq.angle_embedding(c, [0, 1, 2], rotation="Y")
    torchq.strongly_entangling_layers(c, 2, [0, 1, 2])
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(q) for q in range(3)], dtype=torch.float64)
    return nn.Sequential(nn.Linear(4, 3), nn.Tanh(), layer, nn.Linear(3, 2)).double()


def global_batches():
    """STEPS global batches (inputs [GLOBAL_BATCH, 4], targets [GLOBAL_BATCH, 2]), seeded."""
    g = torch.Generator().manual_seed(11)
    return [
        (torch.randn(GLOBAL_BATCH, 4, dtype=torch.float64, generator=g),
         torch.randn(GLOBAL_BATCH, 2, dtype=torch.float64, generator=g))
        for _ in range(STEPS)
    ]


def train(model: nn.Module, rank: int, world_size: int) -> None:
    """SGD on rows [rank*share, (rank+1)*share) of each global batch; mean-squared error."""
    share = GLOBAL_BATCH // world_size
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    for x, y in global_batches():
        rows = slice(rank * share, (rank + 1) * share)
        opt.zero_grad()
        nn.functional.mse_loss(model(x[rows]), y[rows]).backward()
        opt.step()


def train_single_process() -> dict:
    model = build_model()
    train(model, rank=0, world_size=1)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def main(out_dir: str) -> None:
    dist.init_process_group("gloo")
    rank, world_size = dist.get_rank(), dist.get_world_size()
    if GLOBAL_BATCH % world_size:
        raise SystemExit(f"ddp_worker: GLOBAL_BATCH={GLOBAL_BATCH} must divide by the world size {world_size}")
    model = nn.parallel.DistributedDataParallel(build_model())
    train(model, rank, world_size)
    # Saved from every rank: the test checks that all ranks ended with the same weights.
    torch.save({k: v.detach().clone() for k, v in model.module.state_dict().items()},
               os.path.join(out_dir, f"rank{rank}.pt"))
    dist.barrier()
    print(f"ddp_worker rank {rank}/{world_size}: done ({torchq.library_path()})", flush=True)
    # Leave without tearing the process group down: torch 2.13's ProcessGroupGloo destructor joins
    # its run-loop thread while holding the GIL, and that thread may need the GIL to free the
    # barrier's captured Python thread-local state: a deadlock seen about once in ten runs (gdb:
    # ~ProcessGroupGloo -> thread::join; pt_gloo_runloop -> ~AsyncBarrierWork -> take_gil). The
    # results are saved and every rank passed the barrier, so nothing is lost.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
