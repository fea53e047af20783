"""Parse + validate time of BPMN files: the largest file of the MIWG corpus, a typical
executable process, and the whole corpus. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/bpmn_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import bpmn

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HONEYFLOW_SHARED", REPO / ".." / "shared"))
CORPUS = SHARED / "corpus" / "bpmn-miwg"
TYPICAL = REPO / "tests" / "bpmn" / "fixtures" / "subprocesses.bpmn"


def measure(data: bytes, runs: int) -> tuple[float, float]:
    """Mean and standard deviation in milliseconds of `runs` parse+validate calls."""
    bpmn.parse_bpmn(data)  # warm-up: imports, FEEL caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        bpmn.parse_bpmn(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.mean(times), statistics.pstdev(times)


def report(label: str, data: bytes, runs: int) -> None:
    mean, spread = measure(data, runs)
    result = bpmn.parse_bpmn(data)
    if result.definitions is not None:
        elements = sum(len(p.elements) for p in result.definitions.processes)
        outcome = f"{elements} flow nodes"
    else:
        outcome = f"{len(result.problems)} problem(s)"
    print(f"{label:<58} {len(data) / 1024:8.1f} KiB  {mean:8.2f} ms ± {spread:5.2f}  ({outcome})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"parse + validate, mean of {args.runs} runs")
    report(f"typical executable process ({TYPICAL.name})", TYPICAL.read_bytes(), args.runs)
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}; set HONEYFLOW_SHARED")
        return
    files = sorted(CORPUS.rglob("*.bpmn"))
    largest = max(files, key=lambda p: p.stat().st_size)
    report(
        f"largest corpus file ({largest.parent.name}/{largest.name})",
        largest.read_bytes(),
        args.runs,
    )
    # The largest file is not executable (validation stops at "no executable process");
    # the largest executable one exercises the whole builder and every rule.
    executable = [p for p in files if b'isExecutable="true"' in p.read_bytes()]
    biggest = max(executable, key=lambda p: p.stat().st_size)
    report(
        f"largest executable corpus file ({biggest.parent.name}/{biggest.name})",
        biggest.read_bytes(),
        args.runs,
    )
    start = time.perf_counter()
    for path in files:
        bpmn.parse_bpmn(path.read_bytes(), source_name=path.name)
    total = time.perf_counter() - start
    print(f"whole corpus: {len(files)} files in {total * 1000:.0f} ms")


if __name__ == "__main__":
    main()
