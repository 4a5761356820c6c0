"""Builds a hybrid model with a torchq layer, scripts it and saves it for C++.

    python examples/export_torchscript.py OUT_DIR

Writes OUT_DIR/model.pt (the scripted model) and OUT_DIR/reference.pt (inputs, outputs and the
gradients of outputs.sum() for each parameter), which examples/deploy_torchscript.cpp checks.
"""
import os
import sys
from typing import List

import torch

import torchq


class Reference(torch.nn.Module):
    """Holds the reference tensors as attributes of a scripted module (readable from C++)."""

    def __init__(self, inputs: torch.Tensor, outputs: torch.Tensor, grads: List[torch.Tensor]):
        super().__init__()
        self.inputs = inputs
        self.outputs = outputs
        self.grads = grads

    def forward(self) -> torch.Tensor:
        return self.outputs


def build_model(num_qubits: int = 3, num_layers: int = 2) -> torch.nn.Module:
    c = torchq.Circuit(num_qubits, num_inputs=num_qubits)
    torchq.angle_embedding(c, list(range(num_qubits)), rotation="Y")
    torchq.strongly_entangling_layers(c, num_layers, list(range(num_qubits)))
    observables = [torchq.PauliZ(q) for q in range(num_qubits)]
    return torch.nn.Sequential(
        torch.nn.Linear(4, num_qubits),
        torch.nn.Tanh(),
        torchq.QuantumLayer(c, observables, dtype=torch.float64),
        torch.nn.Linear(num_qubits, 2),
    ).double()


def main(out_dir: str) -> None:
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1)
    model = build_model()
    scripted = torch.jit.script(model)
    inputs = torch.randn(5, 4, dtype=torch.float64)
    outputs = scripted(inputs)
    outputs.sum().backward()
    grads = [p.grad.detach().clone() for p in scripted.parameters()]
    scripted.zero_grad()
    scripted.save(os.path.join(out_dir, "model.pt"))
    torch.jit.script(Reference(inputs, outputs.detach(), grads)).save(os.path.join(out_dir, "reference.pt"))
    print(f"saved {out_dir}/model.pt and reference.pt")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/deploy")
