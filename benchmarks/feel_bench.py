"""FEEL evaluation throughput: `make bench-feel` (or `python benchmarks/feel_bench.py`).

Each expression is compiled once and evaluated repeatedly on one core; a plain Python lambda
doing the same work on the same (JSON-ish) variables is the peer baseline. Prints
evaluations per second; asserts nothing (timings belong in a benchmark, never in a test).
"""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bpmn.feel import compile_expression
from bpmn.feel.compiler import compile_node
from bpmn.feel.parser import parse_expression

VARIABLES: dict[str, Any] = {
    "amount": 150,
    "customer": {"vip": True, "name": "Ada"},
    "items": [{"name": f"item {i}", "price": i * 3} for i in range(10)],
    "order": {"date": "2023-12-24"},
}

_LIMIT = datetime.date(2024, 1, 1)

CASES: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("amount > 100", lambda v: v["amount"] > 100),
    ("amount > 100 and customer.vip", lambda v: v["amount"] > 100 and v["customer"]["vip"]),
    ("items[price > 10].name", lambda v: [i["name"] for i in v["items"] if i["price"] > 10]),
    (
        'date(order.date) < date("2024-01-01")',
        lambda v: datetime.date.fromisoformat(v["order"]["date"]) < _LIMIT,
    ),
]


def rate(function: Callable[[], Any], seconds: float = 1.0) -> float:
    """Calls per second of `function`, measured in batches for about `seconds`."""
    batch = 1000
    calls = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for _ in range(batch):
            function()
        calls += batch
        elapsed = time.perf_counter() - start
    return calls / elapsed


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    print(f"{'expression':42} {'FEEL eval/s':>14} {'Python eval/s':>14} {'ratio':>7}")
    for text, baseline in CASES:
        compiled = compile_expression(text)
        feel_result = compiled.evaluate(VARIABLES)
        python_result = baseline(VARIABLES)
        assert feel_result is not None, f"{text} evaluated to null"
        del python_result
        feel_rate = rate(lambda c=compiled: c.evaluate(VARIABLES), seconds)
        python_rate = rate(lambda b=baseline: b(VARIABLES), seconds)
        print(f"{text:42} {feel_rate:14,.0f} {python_rate:14,.0f} {python_rate / feel_rate:6.1f}x")
    cached = rate(lambda: compile_expression("amount > 100 and customer.vip"), seconds / 2)
    print(f"{'compile, cached':42} {cached:14,.0f}")
    uncached = rate(lambda: parse_and_compile("amount > 100 and customer.vip"), seconds / 2)
    print(f"{'compile, uncached (parse + closures)':42} {uncached:14,.0f}")


def parse_and_compile(text: str) -> Any:
    return compile_node(parse_expression(text))


if __name__ == "__main__":
    main()
