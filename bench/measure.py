"""Timing one phase: wall clock, the bench process's CPU and what went through it."""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# Phases shorter than this are flagged: timer and polling noise start to matter.
MIN_SECONDS = 3.0
# How often completion is polled; small against a phase of several seconds.
POLL_SECONDS = 0.02


@dataclass
class Measurement:
    """One phase's figures."""

    name: str
    events: int
    seconds: float
    cpu_seconds: float
    payload_bytes: int = 0
    passes: int = 1
    notes: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Events per second."""
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def mb_per_s(self) -> float:
        """Payload megabytes (10^6) per second."""
        return self.payload_bytes / self.seconds / 1e6 if self.seconds else 0.0

    @property
    def cpu_share(self) -> float:
        """The bench process's CPU time over wall time (1.0 = one core busy)."""
        return self.cpu_seconds / self.seconds if self.seconds else 0.0


class Stopwatch:
    """Wall and process CPU time since start."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def elapsed(self) -> tuple[float, float]:
        """(wall seconds, CPU seconds) so far."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


async def wait_for(check: Callable[[], Awaitable[bool]], *, what: str, timeout: float) -> None:
    """Poll until `check` holds; fail loudly when the deadline passes."""
    deadline = time.perf_counter() + timeout
    while not await check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(POLL_SECONDS)


def top_functions(profiler: cProfile.Profile) -> str:
    """The profile's top functions by cumulative and by own time."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(40)
    return out.getvalue()
