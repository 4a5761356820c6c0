"""The documents tell the truth about the code (issue #10, part 4).

Each check reads a document and compares what it claims with what the built library and the
repository hold, so a change that makes a document wrong fails here:
  * the README's operator list names every registered torch.ops.torchq schema, and nothing else;
  * the README and python/torchq/ops.py call differentiable exactly the ops that have a backward;
  * every repository path the README and docs/architecture.md mention exists;
  * no C++ header or source carries benchmark timings (they live in benchmarks/README.md).
"""

import re
from pathlib import Path

import torch

import torchq  # noqa: F401 - loads the op library

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()


def registered_ops():
    return sorted({s.name.split("::", 1)[1] for s in torch._C._jit_get_all_schemas() if s.name.startswith("torchq::")})


def readme_operator_block() -> str:
    m = re.search(r"### Operators[^\n]*\n```\n(.*?)```", README, re.S)
    assert m, "README.md has no '### Operators' section with a code block"
    return m.group(1)


def test_readme_lists_every_registered_op_and_nothing_else():
    listed = set(re.findall(r"^([A-Za-z_]\w*)\(", readme_operator_block(), re.M))
    registered = set(registered_ops())
    assert registered - listed == set(), f"ops missing from the README's operator list: {sorted(registered - listed)}"
    assert listed - registered == set(), f"README lists ops that do not exist: {sorted(listed - registered)}"


def differentiable_ops():
    """Public ops with a backward op of their own (`_<name>_backward`)."""
    ops = set(registered_ops())
    return {name for name in ops if not name.startswith("_") and f"_{name}_backward" in ops}


def test_readme_and_ops_module_name_exactly_the_differentiable_ops():
    want = differentiable_ops()
    assert {"expval", "var", "probs", "state", "expval_estimated"} <= want
    m = re.search(r"^\* ((?:`\w+`(?:, | and )?)+) are differentiable", README, re.M)
    assert m, "the README's operator notes must say which ops are differentiable"
    said = set(re.findall(r"`(\w+)`", m.group(1)))
    assert said == want, f"README says {sorted(said)} are differentiable; the ops with a backward are {sorted(want)}"

    ops_doc = (ROOT / "python" / "torchq" / "ops.py").read_text()
    m = re.search(r"^((?:\w+(?:, | and ))+\w+) are differentiable", ops_doc, re.M)
    assert m, "python/torchq/ops.py's docstring must say which ops are differentiable"
    said = set(re.findall(r"\w+", m.group(1))) - {"and"}
    assert said == want, f"ops.py says {sorted(said)} are differentiable; the ops with a backward are {sorted(want)}"
    assert "not differentiable" not in ops_doc.replace("sample", ""), "ops.py calls an op not differentiable"


PATH = re.compile(r"`((?:torchq|ops|layers|python|tests|examples|benchmarks|scripts|docs|cmake|build_backend)/[\w./\-<>*]+)`")


def test_every_path_the_documents_mention_exists():
    missing = []
    for name, text in (("README.md", README), ("docs/architecture.md", ARCHITECTURE)):
        for path in sorted(set(PATH.findall(text))):
            if any(ch in path for ch in "<>*"):  # a pattern such as ops/cpu/<op>_kernel.cpp
                continue
            path = path.split("::")[0].rstrip(".,:")
            if not (ROOT / path).exists():
                missing.append(f"{name}: {path}")
    assert not missing, "documents mention paths that do not exist:\n" + "\n".join(missing)


def test_ensure_loaded_counts_the_registered_schemas():
    # The C++ API's ensure_loaded() returns the number of schemas; its test (tests/cpp_torch) checks
    # it against this registry, and the README says so.
    assert len(registered_ops()) >= 19


# A measurement: "took 12 ms", "runs in 3.5 µs", "costs 40 us" (not an interval such as "every 100 ms").
TIMING = re.compile(r"\b(?:took|takes|ran|runs in|measured|costs?)\b[^.;]*?\b\d+(?:\.\d+)?\s?(?:ms|µs|us|s)\b")


def test_no_benchmark_timings_in_source_comments():
    offenders = []
    for folder in ("torchq", "ops", "layers"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".h", ".cpp"):
                continue
            for i, line in enumerate(path.read_text().splitlines(), 1):
                if ("//" in line or line.lstrip().startswith("*")) and TIMING.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not offenders, "timings belong in benchmarks/README.md, where a rerun updates them:\n" + "\n".join(offenders)
