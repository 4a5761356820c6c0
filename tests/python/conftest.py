"""Chooses which torchq the tests import, before any test module imports it.

  1. TORCHQ_OPS_LIBRARY set: the source tree python/torchq with that library (developers:
     TORCHQ_OPS_LIBRARY=build-ops/ops/libtorchq_ops.so pytest tests/python).
  2. else the installed package (pip install --no-build-isolation .), as a user gets it;
     scripts/test.sh tests this way.
  3. else, if build-ops/ops/libtorchq_ops.so exists: the source tree with that library.
Otherwise `import torchq` fails with its own message saying how to build.
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
BUILD_OPS_LIB = ROOT / "build-ops" / "ops" / "libtorchq_ops.so"


def _installed_package() -> bool:
    spec = importlib.util.find_spec("torchq")
    # The repository's C++ folder torchq/ has no __init__.py: it is at most a namespace package.
    if spec is None or spec.origin is None or not spec.origin.endswith("__init__.py"):
        return False
    return (Path(spec.origin).parent / "libtorchq_ops.so").is_file()


def _choose() -> str:
    if os.environ.get("TORCHQ_OPS_LIBRARY"):
        sys.path.insert(0, str(ROOT / "python"))
        return f"source tree + {os.environ['TORCHQ_OPS_LIBRARY']}"
    if _installed_package():
        return "installed package"
    if BUILD_OPS_LIB.is_file():
        os.environ["TORCHQ_OPS_LIBRARY"] = str(BUILD_OPS_LIB)
        sys.path.insert(0, str(ROOT / "python"))
        return f"source tree + {BUILD_OPS_LIB}"
    return "none found (import torchq will say how to build)"


_CHOICE = _choose()


def pytest_report_header(config):
    import torchq

    return [f"torchq: {_CHOICE}: {Path(torchq.__file__).parent}, ops from {torchq.library_path()}"]


@pytest.fixture(autouse=True)
def _seed():
    """Every test starts from the same random state, so failures reproduce."""
    torch.manual_seed(1234)
    yield
