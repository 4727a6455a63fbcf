"""Figures and ratios: a table on stdout and a JSON file under bench/results/."""

from __future__ import annotations

import json
import os
import platform
import resource
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.measure import MIN_SECONDS, Measurement

RESULTS = Path(__file__).resolve().parent / "results"

# (label, numerator phase, denominator phase): how close the platform comes to the raw tools.
RATIOS = (
    ("pipeline / raw produce", "pipeline end to end", "raw produce"),
    ("relay process / raw produce", "end to end, own relay", "raw produce"),
    ("pipeline / raw consume", "pipeline end to end", "raw consume"),
    ("pipeline / raw COPY", "pipeline end to end", "raw COPY into outbox"),
    ("relay / raw produce", "relay only", "raw produce"),
    ("consumer / raw consume", "consumer only", "raw consume"),
    ("outbox write / raw COPY", "outbox write", "raw COPY into outbox"),
)


def ratios(measurements: list[Measurement]) -> dict[str, float]:
    """Rate over rate for each pair whose phases both ran."""
    by = {m.name: m for m in measurements}
    return {
        label: by[a].rate / by[b].rate
        for label, a, b in RATIOS
        if a in by and b in by and by[b].rate
    }


def peak_rss_mb() -> float:
    """The bench process's peak resident set (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(measurements: list[Measurement], checks: dict[str, Any]) -> str:
    """The human-readable report."""
    head = (
        f"{'phase':<24}{'events':>10}{'seconds':>9}{'events/s':>11}{'MB/s':>8}{'CPU':>6}"
        f"{'passes':>7}"
    )
    lines = [head, "-" * len(head)]
    for m in measurements:
        short = " *" if m.seconds < MIN_SECONDS else ""
        lines.append(
            f"{m.name:<24}{m.events:>10,}{m.seconds:>9.2f}{m.rate:>11,.0f}"
            f"{m.mb_per_s:>8.1f}{m.cpu_share:>6.0%}{m.passes:>7}{short}"
        )
    lines += ["", "ratios (events/s over events/s)"]
    lines += [f"  {k:<26}{v:>8.3f}" for k, v in ratios(measurements).items()]
    lines += ["", "notes"]
    lines += [f"  {m.name}: {m.notes}" for m in measurements if m.notes]
    flat = {k: v for k, v in checks.items() if not isinstance(v, dict)}
    lines += [f"  checks: {flat}", f"  peak RSS of the bench process: {peak_rss_mb():.0f} MB"]
    for section, figures in checks.items():
        if isinstance(figures, dict):
            lines += ["", section]
            lines += [f"  {k:<44}{v:>12,.2f}" for k, v in figures.items()]
    if any(m.seconds < MIN_SECONDS for m in measurements):
        lines.append(f"  * shorter than {MIN_SECONDS:.0f} s: raise --events for a steadier figure")
    lines.append("  CPU = the bench process's CPU time over wall time (100% = one core)")
    return "\n".join(lines)


def save(measurements: list[Measurement], checks: dict[str, Any], args: dict[str, Any]) -> Path:
    """Write the run's figures to bench/results/<UTC timestamp>.json."""
    RESULTS.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    path = RESULTS / f"{now:%Y%m%dT%H%M%SZ}.json"
    doc = {
        "time": now.isoformat(),
        "args": args,
        "host": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": _cpus(),
        },
        "phases": [_phase(m) for m in measurements],
        "ratios": ratios(measurements),
        "checks": checks,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def _phase(m: Measurement) -> dict[str, Any]:
    return {
        "name": m.name,
        "events": m.events,
        "seconds": round(m.seconds, 4),
        "events_per_s": round(m.rate, 1),
        "mb_per_s": round(m.mb_per_s, 2),
        "cpu_seconds": round(m.cpu_seconds, 3),
        "passes": m.passes,
        "notes": m.notes,
    }


def _cpus() -> int:
    return len(os.sched_getaffinity(0))
