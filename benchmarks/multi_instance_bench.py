"""Multi-instance over large input collections: `make bench-multi-instance` (or
`python benchmarks/multi_instance_bench.py [sizes...]`).

One process instance of a parallel multi-instance script task over n items, in process
(`memory://`), timed from create to completion. Without an output collection the cost is
linear in n (the input collection is evaluated once per body); with one it is not: as in
Zeebe, every inner instance writes the whole output collection (a VARIABLE UPDATED carrying n
items), so those rows grow with n². Prints seconds; asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clients.client import connect

_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="mi" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="each"/>
    <bpmn:scriptTask id="each">
      <bpmn:extensionElements>
        <zeebe:script expression="=item * 2" resultVariable="r"/>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=items" inputElement="item"{output}/>
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""
_OUTPUT = ' outputCollection="out" outputElement="=r"'


def run(size: int, output: bool) -> float:
    with connect("memory://") as client:
        client.deploy(_MODEL.format(output=_OUTPUT if output else "").encode())
        started = time.perf_counter()
        client.create_instance("mi", {"items": list(range(size))})
        elapsed = time.perf_counter() - started
        completed = [
            r
            for r in client.records()
            if r["intent"] == "ELEMENT_COMPLETED" and r["value"]["bpmnElementType"] == "PROCESS"
        ]
        assert completed, "the instance did not complete"
        return elapsed


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 4_000, 20_000]
    print(f"{'items':>8} {'no output collection':>22} {'with output collection':>24}")
    for size in sizes:
        plain = run(size, output=False)
        with_output = f"{run(size, output=True):.2f} s" if size <= 4_000 else "(skipped)"
        print(f"{size:>8} {plain:>20.2f} s {with_output:>24}")


if __name__ == "__main__":
    main()
