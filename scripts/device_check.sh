#!/usr/bin/env bash
# Builds torchq against whatever PyTorch this machine has (e.g. a lent GPU machine with a CUDA
# build of torch) and runs what needs no Debian packages: the Python suite, the C++ examples
# (training, TorchScript from Python loaded in C++), and a check that CUDA tensors are refused
# with a clear message. Not part of CI. Output goes to ${OUT:-/tmp/torchq-device}.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/torchq-device}
mkdir -p "$OUT"
B=${BUILD_DIR:-/tmp/torchq-device-build}
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
# The system compiler: its libstdc++ is the one the Python process loads. (A toolchain that links
# its own libstdc++ statically into the library, as /opt/gcc on the lent GPU machines does, gives
# the library a second, uninitialised copy of the C++ runtime and crashes in Python.)
CXX_COMPILER=${CXX_COMPILER:-/usr/bin/g++}
cmake -S . -B "$B" -G Ninja -DCMAKE_CXX_COMPILER="$CXX_COMPILER" -DTORCHQ_BUILD_OPS=ON -DTORCHQ_BUILD_TESTS=OFF -DTORCHQ_BUILD_BENCHMARKS=OFF \
      -DPython3_EXECUTABLE="$(command -v python3)" > "$OUT/configure.log" 2>&1 || { tail -30 "$OUT/configure.log"; exit 1; }
cmake --build "$B" -j "$(nproc)" > "$OUT/build.log" 2>&1 || { grep -E "error" -A3 "$OUT/build.log" | head -40; exit 1; }
echo "build: OK"
export TORCHQ_OPS_LIBRARY="$B/ops/libtorchq_ops.so" PYTHONPATH="$PWD/python"
python3 - <<'PY'
import torch, torchq
c = torchq.Circuit(2, num_inputs=2); c.ry(0, c.input(0)); c.cnot(0, 1); c.rx(1, c.weight())
layer = torchq.QuantumLayer(c, [torchq.PauliZ(0), torchq.PauliZ(1)], dtype=torch.float64)
print("cpu forward:", layer(torch.randn(3, 2, dtype=torch.float64)).shape)
if torch.cuda.is_available():
    try:
        torch.ops.torchq.expval(layer.program, layer.observables, layer.weights.detach().cuda(),
                                torch.randn(3, 2, dtype=torch.float64, device="cuda"))
        print("cuda: NOT REFUSED")
    except Exception as e:
        print("cuda tensors refused:", type(e).__name__, str(e).splitlines()[0])
PY
"$B/examples/hybrid_train" 5 | tail -2
python3 examples/export_torchscript.py "$OUT/deploy" > /dev/null && \
  "$B/examples/deploy_torchscript" "$OUT/deploy/model.pt" "$OUT/deploy/reference.pt" "$OUT/deploy/finetuned.pt" | tail -2
# PennyLane is not on every machine: its comparison files are left out when it cannot be imported.
ignore=()
python3 -c 'import pennylane' 2>/dev/null || for f in tests/python/test_pennylane.py tests/python/test_algorithms.py tests/python/test_templates.py tests/python/test_noise.py; do ignore+=(--ignore "$f"); done
python3 -m pytest -q -p no:cacheprovider tests/python "${ignore[@]}" 2>&1 | tail -15
