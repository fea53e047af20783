"""Where one request's time goes, hop by hop: timestamps logged by the client, the `Worker` and
the engine process of a benchmark, and the breakdown read back from them.

`install()` patches the running process (the request channel, the job feed, the `Worker` and
the engine runtime, whichever it imports) to append one line per event to
`$HONEYFLOW_LATENCY_TRACE/<pid>.log` (wall clock, so the processes' lines compare). The
benchmarks' child processes install it through `benchmarks/trace_boot/sitecustomize.py`
(on their PYTHONPATH). Nothing here is imported by the product: it measures, it never decides.

Events (tab-separated, time in ms):
  S rid t kind key i    the client produces request `rid` (`i`: a create's variable i)
  R rid t               its answer reaches the reader thread of the reply partition
  W rid t               the caller waiting on it is running again (synchronous `wait`)
  J key t               the worker takes job `key` from its job topic
  C rid t keys          the worker claims those jobs with request `rid`
  H key t i             a handler starts on job `key`
  F rid t a             the engine takes request `rid` from its consumer (`a`: the record's
                        timestamp, the broker's append time if the topic says LogAppendTime)
  Q request t ms        a request of the engine's Kafka clients was answered after `ms`
  B n t0 t1 t2 t3 t4 t5 count   the engine's batch `n`: processing began t0, commit began
                        t1 (begin_transaction), records handed to the producer t2 (sent
                        once their partitions are in the transaction: AddPartitionsToTxn),
                        commit_transaction called t3 (after send_offsets_to_transaction,
                        where the offsets are in the transaction), returned t4 (records
                        acknowledged, EndTxn answered), store applied t5; `count` commands
  b rid n               request `rid` was processed in batch `n`
"""

from __future__ import annotations

import contextvars
import itertools
import os
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV = "HONEYFLOW_LATENCY_TRACE"
_lock = threading.Lock()
_out: Any = None


def _now() -> float:
    return time.time() * 1000


def _log(*fields: object) -> None:
    line = "\t".join(f"{f:.3f}" if isinstance(f, float) else str(f) for f in fields) + "\n"
    with _lock:
        _out.write(line)


def install(directory: str | None = None) -> None:
    """Patch what this process has (or will have) imported; lines go to `directory`."""
    global _out
    directory = directory or os.environ.get(ENV)
    if not directory or _out is not None:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    _out = open(Path(directory) / f"{os.getpid()}.log", "a", buffering=1)  # noqa: SIM115
    _patch_requests()
    _patch_jobs()
    _patch_worker()
    _patch_engine()


def _rid(headers: Any) -> str | None:
    for name, value in headers or ():
        if name == "honeyflow-request-id":
            return value.decode("ascii") if isinstance(value, bytes) else str(value)
    return None


def _patch_requests() -> None:
    from clients import kafka_requests as kr

    channel = kr.RequestChannel
    produce, answer, wait = channel._produce, channel._answer, channel.wait

    def traced_produce(self: Any, request_id: str, command: Any, partition_id: int) -> None:
        value = command.value
        variables = getattr(value, "variables", None) or {}
        i = variables.get("i", "") if isinstance(variables, dict) else ""
        kind = f"{command.value_type.value}.{command.intent.value}"
        _log("S", request_id, _now(), kind, command.key, i)
        produce(self, request_id, command, partition_id)

    def traced_answer(self: Any, message: Any, me: bytes, outcomes: Any) -> None:
        if message.error() is None:
            headers = dict(message.headers() or [])
            if headers.get(kr.CLIENT_ID_HEADER) == me:
                _log("R", _rid(message.headers()), _now())
        answer(self, message, me, outcomes)

    def traced_wait(self: Any, pending: Any, timeout: float | None) -> Any:
        try:
            return wait(self, pending, timeout)
        finally:
            _log("W", pending.request_id, _now())

    channel._produce = traced_produce  # type: ignore[method-assign]
    channel._answer = traced_answer  # type: ignore[method-assign]
    channel.wait = traced_wait  # type: ignore[method-assign]


def _patch_jobs() -> None:
    from clients import kafka_jobs as kj

    feed = kj.JobFeed
    send_claims, claim = feed._send_claims, feed._claim

    def traced_send_claims(self: Any, messages: list[Any], *args: Any) -> Any:
        now = _now()
        for message in messages:
            key = kj._job_key(message)
            if key is not None:
                _log("J", key, now)
        return send_claims(self, messages, *args)

    def traced_claim(self: Any, partition_id: int, job_keys: list[int], *args: Any) -> Any:
        pending = claim(self, partition_id, job_keys, *args)
        _log("C", pending.request_id, _now(), ",".join(map(str, job_keys)))
        return pending

    feed._send_claims = traced_send_claims  # type: ignore[method-assign]
    feed._claim = traced_claim  # type: ignore[method-assign]


def _patch_worker() -> None:
    from clients import worker as w

    handle = w.Worker._handle

    def traced_handle(self: Any, task: Any, job: Any) -> None:
        _log("H", job.key, _now(), (job.variables or {}).get("i", ""))
        handle(self, task, job)

    w.Worker._handle = traced_handle  # type: ignore[method-assign]


_batch: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("hf_trace_batch")
_batches = itertools.count(1)


def _patch_engine() -> None:
    try:
        from aiokafka import AIOKafkaProducer

        from processors.kafka import runtime as rt
    except ImportError:
        return
    runtime = rt.EngineRuntime
    keep, process, commit = runtime._keep, runtime._process, runtime._commit

    def traced_keep(self: Any, fetched: dict[Any, list[Any]]) -> None:
        now = _now()
        for messages in fetched.values():
            for message in messages:
                rid = _rid(message.headers)
                if rid is not None:
                    _log("F", rid, now, float(message.timestamp))
        keep(self, fetched)

    def traced_process(self: Any, processor: Any, messages: list[Any], *args: Any) -> Any:
        _batch.set({"t0": _now(), "rids": [_rid(m.headers) for m in messages]})
        return process(self, processor, messages, *args)

    async def traced_commit(self: Any, owned: Any, batch: Any, next_offset: Any) -> None:
        state = _batch.get(None)
        if state is not None:
            state["t1"] = _now()
        await commit(self, owned, batch, next_offset)
        if state is None:
            return
        n = next(_batches)
        t0, t1 = state["t0"], state["t1"]
        sent = state.get("t2", t1)
        offsets = state.get("t3", sent)
        committed = state.get("t4", offsets)
        rids = [rid for rid in state["rids"] if rid is not None]
        _log("B", n, t0, t1, sent, offsets, committed, _now(), len(state["rids"]))
        for rid in rids:
            _log("b", rid, n)

    def timed(method: Any, before: str | None, after: str) -> Any:
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            state = _batch.get(None)
            if state is not None and before is not None:
                state[before] = _now()
            result = await method(self, *args, **kwargs)
            if state is not None:
                state[after] = _now()
            return result

        return call

    from processors.kafka import transaction_batches as tb

    tb.TransactionBatches.send = timed(  # type: ignore[method-assign]
        tb.TransactionBatches.send, None, "t2"
    )
    runtime._keep = traced_keep  # type: ignore[method-assign]
    runtime._process = traced_process  # type: ignore[method-assign]
    runtime._commit = traced_commit  # type: ignore[method-assign]
    from aiokafka import conn

    connection_send = conn.AIOKafkaConnection.send

    def traced_send(self: Any, request: Any, expect_response: bool = True) -> Any:
        started = _now()
        sent = connection_send(self, request, expect_response)
        if not expect_response:
            return sent

        async def answered() -> Any:
            try:
                return await sent
            finally:
                _log("Q", type(request).__name__.split("_v")[0], started, _now() - started)

        return answered()

    conn.AIOKafkaConnection.send = traced_send  # type: ignore[method-assign]
    producer = AIOKafkaProducer
    producer.commit_transaction = timed(  # type: ignore[method-assign]
        producer.commit_transaction, "t3", "t4"
    )


# Reading the lines back


@dataclass
class Trace:
    sent: dict[str, tuple[float, str, int, str]] = field(default_factory=dict)
    replied: dict[str, float] = field(default_factory=dict)
    woken: dict[str, float] = field(default_factory=dict)
    job_read: dict[int, float] = field(default_factory=dict)
    claim_keys: dict[str, list[int]] = field(default_factory=dict)
    handled: dict[int, tuple[float, str]] = field(default_factory=dict)
    fetched: dict[str, float] = field(default_factory=dict)
    appended: dict[str, float] = field(default_factory=dict)
    requests: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    batches: dict[int, tuple[float, ...]] = field(default_factory=dict)
    batch_of: dict[str, int] = field(default_factory=dict)
    since: float = 0.0
    until: float = float("inf")
    """Only the creates produced in this window are broken down."""


def read(directory: Path, since: float = 0.0, until: float = float("inf")) -> Trace:
    trace = Trace(since=since, until=until)
    for path in directory.glob("*.log"):
        pid = path.stem
        for line in path.read_text().splitlines():
            f = line.split("\t")
            kind = f[0]
            if kind == "S":
                trace.sent[f[1]] = (float(f[2]), f[3], int(f[4]), f[5])
            elif kind == "R":
                trace.replied[f[1]] = float(f[2])
            elif kind == "W":
                trace.woken[f[1]] = float(f[2])
            elif kind == "J":
                trace.job_read.setdefault(int(f[1]), float(f[2]))
            elif kind == "C":
                trace.claim_keys[f[1]] = [int(k) for k in f[3].split(",") if k]
            elif kind == "H":
                trace.handled[int(f[1])] = (float(f[2]), f[3])
            elif kind == "F":
                trace.fetched.setdefault(f[1], float(f[2]))
                trace.appended.setdefault(f[1], float(f[3]))
            elif kind == "Q":
                trace.requests.setdefault(f[1], []).append((float(f[2]), float(f[3])))
            elif kind == "B":
                n = int(f"{pid}{int(f[1]):09d}")
                trace.batches[n] = tuple(float(x) for x in f[2:9])
            elif kind == "b":
                trace.batch_of[f[1]] = int(f"{pid}{int(f[2]):09d}")
    return trace


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def breakdown(trace: Trace) -> list[tuple[str, list[float]]]:
    """Per hop of a create-with-result's path through the worker, the values in ms."""
    hops: dict[str, list[float]] = defaultdict(list)
    creates = {
        rid: s
        for rid, s in trace.sent.items()
        if s[1].startswith("PROCESS_INSTANCE_CREATION.CREATE")
        and s[3]
        and trace.since <= s[0] <= trace.until
    }
    job_of_i = {i: key for key, (_, i) in trace.handled.items() if i}
    claim_of_job = {k: rid for rid, keys in trace.claim_keys.items() for k in keys}
    complete_of_job = {s[2]: rid for rid, s in trace.sent.items() if s[1] == "JOB.COMPLETE"}

    def engine(prefix: str, rid: str, visible_at: float | None) -> float | None:
        """The engine's hops of request `rid`; the time its batch committed."""
        sent = trace.sent[rid][0]
        fetched = trace.fetched.get(rid)
        n = trace.batch_of.get(rid)
        if fetched is None or n is None or n not in trace.batches:
            return None
        t0, t1, t2, t3, t4, t5, _ = trace.batches[n]
        appended = trace.appended.get(rid, 0.0)
        if sent - 1 <= appended <= fetched + 1:  # the topic stamps the broker's append time
            hops[f"{prefix}: produced -> broker appended"].append(appended - sent)
            hops[f"{prefix}: -> engine has it"].append(fetched - appended)
        else:
            hops[f"{prefix}: produced -> engine has it"].append(fetched - sent)
        hops[f"{prefix}: -> its batch starts"].append(t0 - fetched)
        hops[f"{prefix}: -> batch processed"].append(t1 - t0)
        hops[f"{prefix}: -> records handed to the producer"].append(t2 - t1)
        hops[f"{prefix}: -> offsets sent (send_offsets_to_transaction)"].append(t3 - t2)
        hops[f"{prefix}: -> committed (commit_transaction)"].append(t4 - t3)
        hops[f"{prefix}: -> store applied"].append(t5 - t4)
        if visible_at is not None:
            hops[f"{prefix}: committed -> next reader has it"].append(visible_at - t4)
        return t5

    totals = []
    for rid, (sent, _, _, i) in creates.items():
        key = job_of_i.get(i)
        if key is None or rid not in trace.woken:
            continue
        claim = claim_of_job.get(key)
        complete = complete_of_job.get(key)
        if claim is None or complete is None or key not in trace.job_read:
            continue
        if claim not in trace.replied or complete not in trace.sent or rid not in trace.replied:
            continue
        if engine("create", rid, trace.job_read[key]) is None:
            continue
        hops["worker: job read -> claim produced"].append(
            trace.sent[claim][0] - trace.job_read[key]
        )
        engine("claim", claim, trace.replied[claim])
        handler = trace.handled[key][0]
        hops["worker: claim answer read -> handler starts"].append(handler - trace.replied[claim])
        hops["worker: handler starts -> COMPLETE produced"].append(
            trace.sent[complete][0] - handler
        )
        engine("complete", complete, trace.replied[rid])
        hops["client: result read -> waiting thread runs"].append(
            trace.woken[rid] - trace.replied[rid]
        )
        totals.append(trace.woken[rid] - sent)
    hops["total: create produced -> thread has the result"] = totals
    return list(hops.items())


def print_breakdown(trace: Trace) -> None:
    rows = breakdown(trace)
    print("  hop                                                   p50     p99    mean   (ms)")
    for name, values in rows:
        if values:
            print(
                f"  {name:<52} {statistics.median(values):6.1f}  {_pct(values, 0.99):6.1f}"
                f"  {statistics.fmean(values):6.1f}"
            )
    n = len(rows[-1][1]) if rows else 0
    print(f"  ({n} instances traced)")
    print("  the engine's Kafka requests in the same minutes, ms p50 / p99 (count):")
    for name, calls in sorted(trace.requests.items()):
        durations = [ms for at, ms in calls if trace.since <= at <= trace.until]
        if durations:
            print(
                f"    {name}: {statistics.median(durations):.1f} / {_pct(durations, 0.99):.1f}"
                f" ({len(durations)})"
            )
