"""torch.compile of a hybrid model with a torchq layer, with the default backend (Inductor), one
graph (fullgraph=True) and a dynamic batch: after the first compile, new batch sizes must not
recompile, and forward and backward must equal eager.

(tests/python/test_layers.py::test_torch_compile_and_export covers the layer alone with a static
shape and the aot_eager backend.)
"""

import pytest
import torch
from torch import nn

import torchq

F64 = torch.float64
BATCHES = (3, 5, 8, 17)  # >= 2: torch.compile specialises a size-1 dimension, by design


def _model() -> nn.Module:
    torch.manual_seed(3)
    c = torchq.Circuit(3, num_inputs=3)
    torchq.angle_embedding(c, [0, 1, 2], rotation="Y")
    torchq.strongly_entangling_layers(c, 2, [0, 1, 2])
    layer = torchq.QuantumLayer(c, [torchq.PauliZ(q) for q in range(3)], dtype=F64)
    return nn.Sequential(nn.Linear(4, 3), nn.Tanh(), layer, nn.Linear(3, 2)).double()


def _forward_backward(model: nn.Module, x: torch.Tensor, dynamic_batch: bool = False):
    """Outputs, and the gradients of a loss for every parameter and for the inputs."""
    model.zero_grad()
    x = x.detach().clone().requires_grad_(True)
    if dynamic_batch:
        # Declared dynamic from the first call on: if tracing had to specialise the batch size,
        # compiling would fail rather than quietly compile for this size only.
        torch._dynamo.mark_dynamic(x, 0)
    y = model(x)
    (y.square().sum() + y[:, 0].sum()).backward()
    return y.detach(), [p.grad.clone() for p in model.parameters()] + [x.grad.clone()]


@pytest.fixture
def fresh_dynamo():
    torch._dynamo.reset()
    torch._dynamo.utils.counters.clear()
    yield
    torch._dynamo.reset()


def test_compile_fullgraph_dynamic_batch_matches_eager_without_recompiling(fresh_dynamo):
    model = _model()
    compiled = torch.compile(model, fullgraph=True)
    inputs = [torch.randn(b, 4, dtype=F64) for b in BATCHES]
    # error_on_recompile: a second compile (a guard on the batch size failing) raises instead
    # of silently compiling again.
    with torch._dynamo.config.patch(error_on_recompile=True):
        for x in inputs:
            y_eager, g_eager = _forward_backward(model, x)
            y, g = _forward_backward(compiled, x, dynamic_batch=True)
            assert y.shape == (x.shape[0], 2)
            torch.testing.assert_close(y, y_eager, rtol=0, atol=1e-12)
            for a, b in zip(g, g_eager):
                torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    counters = torch._dynamo.utils.counters
    assert not counters["graph_break"], dict(counters["graph_break"])
    assert counters["stats"]["unique_graphs"] == 1, dict(counters["stats"])
