"""What a soak run prints and leaves behind: per-interval samples into a CSV, whether each
series is flat (slope of a least-squares line over the second half of the load), and PNG
plots (matplotlib, imported only when plotting: `pip install -e '.[bench]'`)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass
class Sample:
    """One interval of the run."""

    t_s: float
    """Seconds since the load started (end of the interval)."""
    created_per_s: float
    completed_per_s: float
    p50_ms: float
    """create → completed, instances without an incident, completed in the interval."""
    p99_ms: float
    open_incidents: int
    unfinished: int
    """Started, not completed yet."""
    exporter_lag: int
    """Records of the audit log not yet in the exporter's store."""
    driver_lag: int
    """Records of the audit log the soak driver has not read yet."""
    rss_mb: dict[str, float] = field(default_factory=dict)
    """Resident memory of each engine process."""
    rocksdb_mb: dict[str, float] = field(default_factory=dict)
    """Size on disk of each engine's state directory (RocksDB)."""
    cpu_pct: dict[str, float] = field(default_factory=dict)
    """CPU used in the interval by each process of the run (100 = one core)."""
    load_average: float = math.nan

    def line(self) -> str:
        """The interval on one line, as the run prints it."""
        cpu = " ".join(f"{name} {pct:.0f}" for name, pct in self.cpu_pct.items())
        return (
            f"{self.t_s:5.0f} {self.created_per_s:7.1f} {self.completed_per_s:9.1f}"
            f" {self.p50_ms:7.0f}/{self.p99_ms:<6.0f} {self.open_incidents:6d} {self.unfinished:8d}"
            f" {self.exporter_lag:8d}/{self.driver_lag:<6d}"
            f" {'/'.join(f'{mb:.0f}' for mb in self.rss_mb.values())}"
            f"  {'/'.join(f'{mb:.1f}' for mb in self.rocksdb_mb.values())}"
            f"  {cpu}; load {self.load_average:.1f}"
        )

    def row(self) -> dict[str, float | int]:
        row: dict[str, float | int] = {
            "t_s": round(self.t_s, 1),
            "created_per_s": round(self.created_per_s, 1),
            "completed_per_s": round(self.completed_per_s, 1),
            "p50_ms": round(self.p50_ms, 1),
            "p99_ms": round(self.p99_ms, 1),
            "open_incidents": self.open_incidents,
            "unfinished": self.unfinished,
            "exporter_lag": self.exporter_lag,
            "driver_lag": self.driver_lag,
        }
        row.update({f"rss_mb_{name}": round(mb, 1) for name, mb in self.rss_mb.items()})
        row.update({f"rocksdb_mb_{name}": round(mb, 2) for name, mb in self.rocksdb_mb.items()})
        row.update({f"cpu_pct_{name}": round(pct, 1) for name, pct in self.cpu_pct.items()})
        row["load_average"] = round(self.load_average, 2)
        return row


def percentile(values: Sequence[float], q: float) -> float:
    """The `q` quantile (nearest rank); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Series:
    name: str
    unit: str
    floor: float
    """A change across the second half smaller than this is flat whatever the mean."""


# The series judged for flatness, with the change below which they count as flat: 10 % of
# the mean over the second half, or the floor (noise on a shared machine), whichever is larger.
SERIES = (
    Series("p50_ms", "ms", 100.0),
    Series("p99_ms", "ms", 250.0),
    Series("rss_mb", "MB", 10.0),
    Series("rocksdb_mb", "MB", 2.0),
    Series("exporter_lag", "records", 2000.0),
    Series("unfinished", "instances", 200.0),
)
RELATIVE_TOLERANCE = 0.10


@dataclass(frozen=True)
class Trend:
    name: str
    unit: str
    slope_per_min: float
    mean: float
    change: float
    """slope × the length of the second half: how much the fitted line rises across it."""
    flat: bool

    def line(self) -> str:
        if math.isnan(self.mean):
            return f"{self.name:<22} no samples in the second half"
        verdict = "flat" if self.flat else "NOT flat"
        return (
            f"{self.name:<22} mean {self.mean:10.1f} {self.unit:<9}"
            f" slope {self.slope_per_min:+9.2f} {self.unit}/min,"
            f" change over the second half {self.change:+9.1f}: {verdict}"
        )


def fit_slope(ts: Sequence[float], values: Sequence[float]) -> float:
    """Least-squares slope of `values` over `ts` (per unit of t); 0 for fewer than 2 points."""
    points = [(t, v) for t, v in zip(ts, values, strict=True) if not math.isnan(v)]
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_v = sum(v for _, v in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / spread


def trend(
    name: str, unit: str, floor: float, ts: Sequence[float], values: Sequence[float]
) -> Trend:
    """The trend of a series over the second half of `ts` (the first is warm-up)."""
    if not ts:
        return Trend(name, unit, 0.0, math.nan, 0.0, True)
    half = ts[0] + (ts[-1] - ts[0]) / 2
    kept = [(t, v) for t, v in zip(ts, values, strict=True) if t >= half and not math.isnan(v)]
    if not kept:  # e.g. an engine that exited in the first half
        return Trend(name, unit, math.nan, math.nan, math.nan, True)
    slope = fit_slope([t for t, _ in kept], [v for _, v in kept])
    mean = sum(v for _, v in kept) / len(kept)
    change = slope * (kept[-1][0] - kept[0][0])
    flat = abs(change) <= max(floor, RELATIVE_TOLERANCE * abs(mean))
    return Trend(name, unit, slope * 60, mean, change, flat)


def trends(samples: Sequence[Sample]) -> list[Trend]:
    """One trend per judged series; per engine for memory and RocksDB."""
    ts = [s.t_s for s in samples]
    found: list[Trend] = []
    for series in SERIES:
        if series.name in ("rss_mb", "rocksdb_mb"):
            names = sorted({n for s in samples for n in getattr(s, series.name)})
            for engine in names:
                values = [getattr(s, series.name).get(engine, math.nan) for s in samples]
                found.append(
                    trend(f"{series.name} {engine}", series.unit, series.floor, ts, values)
                )
        else:
            values = [float(getattr(s, series.name)) for s in samples]
            found.append(trend(series.name, series.unit, series.floor, ts, values))
    return found


def write_csv(samples: Sequence[Sample], path: Path) -> None:
    rows = [s.row() for s in samples]
    columns = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        writer.writerows(rows)


def plot(samples: Sequence[Sample], directory: Path, title: str) -> list[Path]:
    """soak.png (every panel) and one PNG per panel; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s.t_s / 60 for s in samples]
    engines = sorted({n for s in samples for n in s.rss_mb})

    def latency(ax: Axes) -> None:
        ax.plot(minutes, [s.p50_ms for s in samples], label="p50")
        ax.plot(minutes, [s.p99_ms for s in samples], label="p99")
        ax.set_ylabel("create → completed (ms)")
        ax.set_title("latency (instances without an incident)")

    def throughput(ax: Axes) -> None:
        ax.plot(minutes, [s.created_per_s for s in samples], label="created/s")
        ax.plot(minutes, [s.completed_per_s for s in samples], label="completed/s")
        ax.plot(minutes, [s.open_incidents for s in samples], label="open incidents")
        ax.set_ylabel("per second / count")
        ax.set_title("load")

    def memory(ax: Axes) -> None:
        for engine in engines:
            ax.plot(minutes, [s.rss_mb.get(engine, math.nan) for s in samples], label=engine)
        ax.set_ylabel("RSS (MB)")
        ax.set_title("engine memory")

    def rocksdb(ax: Axes) -> None:
        for engine in sorted({n for s in samples for n in s.rocksdb_mb}):
            values = [s.rocksdb_mb.get(engine, math.nan) for s in samples]
            ax.plot(minutes, values, label=engine)
        ax.set_ylabel("on disk (MB)")
        ax.set_title("RocksDB state")

    def lag(ax: Axes) -> None:
        ax.plot(minutes, [s.exporter_lag for s in samples], label="exporter")
        ax.plot(minutes, [s.driver_lag for s in samples], label="soak driver (audit log reader)")
        ax.plot(minutes, [s.unfinished for s in samples], label="unfinished instances")
        ax.set_ylabel("records / instances")
        ax.set_title("lag behind the audit log")

    panels = {
        "latency": latency,
        "throughput": throughput,
        "memory": memory,
        "rocksdb": rocksdb,
        "lag": lag,
    }
    written = []
    figure, axes = plt.subplots(len(panels), 1, figsize=(9, 2.6 * len(panels)), sharex=True)
    for ax, draw in zip(axes, panels.values(), strict=True):
        draw(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="upper left")
    axes[-1].set_xlabel("minutes")
    figure.suptitle(title, fontsize="medium")
    figure.tight_layout()
    figure.savefig(directory / "soak.png", dpi=80)
    plt.close(figure)
    written.append(directory / "soak.png")
    for name, draw in panels.items():
        figure, ax = plt.subplots(figsize=(8, 3))
        draw(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", loc="upper left")
        ax.set_xlabel("minutes")
        figure.tight_layout()
        figure.savefig(directory / f"{name}.png", dpi=80)
        plt.close(figure)
        written.append(directory / f"{name}.png")
    return written
