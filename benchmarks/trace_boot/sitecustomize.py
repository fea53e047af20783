"""Installs `benchmarks.latency_trace` in a benchmark's child processes (engine, Worker)
when HONEYFLOW_LATENCY_TRACE names a directory; this directory is put on their PYTHONPATH
by `readme_bench --trace`. Does nothing otherwise."""

import os

if os.environ.get("HONEYFLOW_LATENCY_TRACE"):
    from benchmarks import latency_trace

    latency_trace.install()
