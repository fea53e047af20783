"""`make fuzz MINUTES=N`: every fuzz target for its share of N minutes, one after the other,
each in its own pytest process with its memory bounded (unbounded memory is a crash too).

    python -m tests.fuzz.run --minutes 30 [--only feel-parse,codec]

Prints, per target, how long it ran and what it found: "no failure", or the failure that
Hypothesis shrank, with the file holding the minimized input (.fuzz-found/<target>-last.bin).
Exits 1 if any target failed."""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGETS = {
    "feel-parse": "tests/fuzz/test_fuzz_feel.py::test_fuzz_feel_parse",
    "feel-evaluate": "tests/fuzz/test_fuzz_feel.py::test_fuzz_feel_evaluate",
    "bpmn": "tests/fuzz/test_fuzz_bpmn.py::test_fuzz_bpmn_load",
    "dmn": "tests/fuzz/test_fuzz_dmn.py::test_fuzz_dmn_load_and_evaluate",
    "codec": "tests/fuzz/test_fuzz_codec.py::test_fuzz_command_decoder",
    "engine": "tests/fuzz/test_fuzz_engine.py::test_fuzz_engine_wrong_commands",
    "signing": "tests/fuzz/test_fuzz_signing.py::test_fuzz_signed_command_intake",
    "topics": "tests/fuzz/test_fuzz_topics.py::test_fuzz_tenant_job_topics",
}
MEMORY_LIMIT = 4 * 1024**3  # bytes of address space per target process


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_target(name: str, seconds: float) -> tuple[bool, str]:
    env = dict(os.environ, HONEYFLOW_FUZZ_SECONDS=str(seconds))
    env.setdefault("HONEYFLOW_FUZZ_OUT", str(REPO / ".fuzz-found"))
    command = [
        sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
        "-o", f"timeout={int(seconds) + 600}", TARGETS[name],
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, preexec_fn=_limit_memory
    )
    output = done.stdout + done.stderr
    if done.returncode == 0:
        rounds = [line for line in output.splitlines() if line.startswith("fuzz: ")]
        return True, rounds[-1] if rounds else "passed"
    found = Path(env["HONEYFLOW_FUZZ_OUT"]) / f"{name}-last.bin"
    return False, f"{output[-6000:]}\nminimized input: {found}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="in total, split evenly")
    parser.add_argument("--only", default="", help="comma-separated target names")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(TARGETS)
    seconds = args.minutes * 60 / len(names)
    failed = 0
    for name in names:
        started = time.monotonic()
        ok, report = run_target(name, seconds)
        took = time.monotonic() - started
        print(f"== {name}: {'ok' if ok else 'FAILED'} after {took:.0f} s: {report}", flush=True)
        failed += not ok
    print(f"fuzz: {len(names) - failed}/{len(names)} targets without a failure, "
          f"{seconds:.0f} s each")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
