"""Finds and loads libtorchq_ops.so, the LibTorch operator library (torch.ops.torchq.*).

Where the library comes from, in order:
  1. the file named by the environment variable TORCHQ_OPS_LIBRARY (a build tree, for developers);
  2. libtorchq_ops.so beside this package (what `pip install --no-build-isolation .` installs).
The ops register with the dispatcher when the library loads, so it is loaded once per process:
if the ops are already registered (loaded by C++ or an earlier import), nothing is loaded again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import torch

ENV_VAR = "TORCHQ_OPS_LIBRARY"
_LIB_NAMES = ("libtorchq_ops.so", "libtorchq_ops.dylib", "torchq_ops.dll")

_BUILD_HINT = (
    "Build it in one of two ways:\n"
    "  * install the package (builds the library into it): at the torchq repository root run\n"
    "      pip install --no-build-isolation .\n"
    "  * or build the library with CMake and point torchq at it:\n"
    "      cmake -S . -B build-ops -G Ninja -DTORCHQ_BUILD_OPS=ON -DTORCHQ_BUILD_TESTS=OFF "
    "-DTORCHQ_BUILD_BENCHMARKS=OFF\n"
    "      cmake --build build-ops --target torchq_ops\n"
    f"      export {ENV_VAR}=$PWD/build-ops/ops/libtorchq_ops.so"
)

_loaded_path: Optional[str] = None


def ops_registered() -> bool:
    """True when torch.ops.torchq already has the torchq operators."""
    try:
        torch.ops.torchq.program_info  # noqa: B018 - attribute lookup resolves the schema
    except (AttributeError, RuntimeError):
        return False
    return True


def _candidate() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ImportError(
                f"torchq: {ENV_VAR}={env!r} does not name an existing file.\n"
                f"Unset it to use the library installed with the package, or fix the path.\n{_BUILD_HINT}"
            )
        return path
    here = Path(__file__).resolve().parent
    for name in _LIB_NAMES:
        if (here / name).is_file():
            return here / name
    raise ImportError(
        f"torchq: the operator library libtorchq_ops.so was not found beside the package ({here}) "
        f"and {ENV_VAR} is not set.\n{_BUILD_HINT}"
    )


def load_library() -> str:
    """Loads the op library once and returns its path (or a note that the ops were already there)."""
    global _loaded_path
    if _loaded_path is not None:
        return _loaded_path
    if ops_registered():
        _loaded_path = "<already registered>"
        return _loaded_path
    path = _candidate()
    try:
        torch.ops.load_library(str(path))
    except (OSError, RuntimeError) as e:
        raise ImportError(
            f"torchq: loading {path} failed: {e}\n"
            f"The library must be built against the installed torch ({torch.__version__}, "
            f"Python {sys.version_info.major}.{sys.version_info.minor}); rebuild it.\n{_BUILD_HINT}"
        ) from e
    if not ops_registered():
        raise ImportError(f"torchq: {path} loaded but registered no torch.ops.torchq operators.\n{_BUILD_HINT}")
    _loaded_path = str(path)
    return _loaded_path


def library_path() -> Optional[str]:
    """The path the op library was loaded from (None before loading)."""
    return _loaded_path
