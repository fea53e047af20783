"""The soak driver's account of every instance, kept from the audit log (`<prefix>events`):
which instances started (by their variable `i`), which completed and how often, which hit
an incident and which incidents are open, and whose message subscription is open and waits
for the load generator's message. Pure: records in, figures out (tests feed it the records
of the in-process engine)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OpenIncident:
    key: int
    process_instance_key: int
    job_key: int
    created_ms: int
    """The engine's timestamp of INCIDENT CREATED."""


@dataclass(frozen=True)
class Completion:
    at_ms: int
    """The engine's timestamp of the process's ELEMENT_COMPLETED."""
    latency_ms: float
    """From the create's send time (this machine's clock, as the engine's)."""
    had_incident: bool


@dataclass(frozen=True)
class Verdict:
    """Every instance the driver asked for, accounted for at the end of a run."""

    sent: int
    started: int
    completed_once: int
    refused: list[int]
    """Creates the engine rejected (reported, not lost: the user was told)."""
    never_started: list[int]
    """Creates accepted (or unanswered) with no PROCESS_INSTANCE_CREATION in the log."""
    started_twice: list[int]
    completed_twice: list[int]
    on_incident: list[int]
    """Not completed, but waiting on an incident still open: accounted for."""
    lost: list[int]
    """Started, not completed when the drain ended, no open incident: lost, or stuck."""

    @property
    def ok(self) -> bool:
        return not (self.never_started or self.started_twice or self.completed_twice or self.lost)

    def lines(self) -> list[str]:
        def some(items: list[int]) -> str:
            shown = ", ".join(str(i) for i in items[:10])
            return f"{len(items)}" + (
                f" (i = {shown}{' …' if len(items) > 10 else ''})" if items else ""
            )

        return [
            f"instances sent {self.sent}, started {self.started}, completed exactly once"
            f" {self.completed_once}",
            f"refused by the engine: {some(self.refused)}",
            f"accepted but never started: {some(self.never_started)}",
            f"started twice: {some(self.started_twice)}",
            f"completed more than once: {some(self.completed_twice)}",
            f"still waiting on an open incident: {some(self.on_incident)}",
            f"NOT ACCOUNTED FOR (started, not completed at the end, no open incident):"
            f" {some(self.lost)}",
        ]


@dataclass
class Ledger:
    sent_ms: dict[int, float] = field(default_factory=dict)
    """i → wall-clock ms its create was sent (the driver writes it)."""
    refused: set[int] = field(default_factory=set)
    """i of creates the engine rejected (the driver writes it)."""
    key_of: dict[int, int] = field(default_factory=dict)
    i_of: dict[int, int] = field(default_factory=dict)
    starts: Counter[int] = field(default_factory=Counter)
    completions: Counter[int] = field(default_factory=Counter)
    """Process instance key → ELEMENT_COMPLETED events of its process."""
    had_incident: set[int] = field(default_factory=set)
    open_incidents: dict[int, OpenIncident] = field(default_factory=dict)
    incidents_created: int = 0
    incidents_resolved: int = 0
    subscriptions: list[str] = field(default_factory=list)
    """Correlation keys whose message subscription opened and wait for a message (the
    driver takes them)."""
    recent: list[Completion] = field(default_factory=list)
    """Completions since the sampler last took them."""
    records: int = 0

    def feed(self, record: dict[str, Any]) -> None:
        """One record of the audit log, as JSON-decoded; only events count."""
        self.records += 1
        if record["recordType"] != "EVENT":
            return
        kind, intent, value = record["valueType"], record["intent"], record["value"]
        if kind == "PROCESS_INSTANCE":
            if intent == "ELEMENT_COMPLETED" and value["bpmnElementType"] == "PROCESS":
                self._completed(value["processInstanceKey"], record["timestamp"])
        elif kind == "PROCESS_INSTANCE_CREATION" and intent == "CREATED":
            i = value["variables"].get("i")
            if isinstance(i, int):
                key = value["processInstanceKey"]
                self.starts[i] += 1
                self.key_of[i] = key
                self.i_of[key] = i
        elif kind == "MESSAGE_SUBSCRIPTION" and intent == "CREATED":
            self.subscriptions.append(value["correlationKey"])
        elif kind == "INCIDENT" and intent == "CREATED":
            instance = value["processInstanceKey"]
            self.incidents_created += 1
            self.had_incident.add(instance)
            self.open_incidents[record["key"]] = OpenIncident(
                record["key"], instance, value["jobKey"], record["timestamp"]
            )
        elif kind == "INCIDENT" and intent == "RESOLVED":
            self.incidents_resolved += 1
            self.open_incidents.pop(record["key"], None)

    def _completed(self, key: int, at_ms: int) -> None:
        self.completions[key] += 1
        i = self.i_of.get(key)
        if i is None or self.completions[key] > 1 or i not in self.sent_ms:
            return
        latency = at_ms - self.sent_ms[i]
        self.recent.append(Completion(at_ms, latency, key in self.had_incident))

    def take_subscriptions(self) -> list[str]:
        taken, self.subscriptions = self.subscriptions, []
        return taken

    def take_completions(self) -> list[Completion]:
        taken, self.recent = self.recent, []
        return taken

    @property
    def completed(self) -> int:
        return len(self.completions)

    def unfinished(self) -> int:
        """Started instances not completed yet."""
        return sum(1 for key in self.i_of if key not in self.completions)

    def verdict(self) -> Verdict:
        waiting = {incident.process_instance_key for incident in self.open_incidents.values()}
        never_started: list[int] = []
        on_incident: list[int] = []
        lost: list[int] = []
        for i in sorted(self.sent_ms):
            if i in self.refused:
                continue
            key = self.key_of.get(i)
            if key is None:
                never_started.append(i)
            elif key not in self.completions:
                (on_incident if key in waiting else lost).append(i)
        return Verdict(
            sent=len(self.sent_ms),
            started=len(self.key_of),
            completed_once=sum(1 for n in self.completions.values() if n == 1),
            refused=sorted(self.refused),
            never_started=never_started,
            started_twice=sorted(i for i, n in self.starts.items() if n > 1),
            completed_twice=sorted(
                self.i_of.get(k, -k) for k, n in self.completions.items() if n > 1
            ),
            on_incident=on_incident,
            lost=lost,
        )
