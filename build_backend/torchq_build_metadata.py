"""Build-time metadata for the torchq wheel (a scikit-build-core dynamic-metadata provider).

libtorchq_ops.so links the LibTorch of the torch it was built against, and LibTorch has no
stable C++ ABI between releases: a wheel that said ``torch>=2.1`` would install beside a torch it
cannot load. So the wheel requires exactly the torch found at build time (its public version,
without a local label such as ``+cpu``, so CPU and CUDA builds of that release both satisfy it).
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["dynamic_metadata", "build_torch_requirement"]


def build_torch_requirement() -> str:
    """``torch==X.Y.Z`` for the torch importable now (the one the build links)."""
    import torch  # noqa: PLC0415 - imported at build time only

    return "torch==" + torch.__version__.split("+", 1)[0]


def dynamic_metadata(settings: Mapping[str, Any], project: Mapping[str, Any]) -> dict[str, Any]:
    """The ``dependencies`` field: the build's torch, pinned, and numpy."""
    return {"dependencies": [build_torch_requirement(), "numpy"]}
