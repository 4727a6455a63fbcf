"""How much push work a process takes on at once; past that, a push is turned away at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends

from akiba_platform.http import Problem
from akiba_sync_hub import metrics
from akiba_sync_hub.api.deps import state

RETRY_AFTER_SECONDS = 1


class InFlight:
    """The pushes under way in this process and the body bytes they hold (one event loop: no
    lock needed).

    Each push holds its body, its checked events and a place in the producer's queue until
    Kafka acknowledges; unbounded, an overload with eager retries grew the process past
    1.5 GB and timed its producer out. Turned away with 503 and Retry-After instead, the
    gateway sends the same events again later, and they are deduplicated by id and sequence.
    """

    def __init__(self, limit: int, max_bytes: int) -> None:
        self.limit, self.max_bytes = limit, max_bytes
        self.count = self.bytes = 0

    @contextmanager
    def admitted(self) -> Iterator[Place]:
        """A place for one push; a 503 Problem when every place is taken."""
        if self.count >= self.limit:
            raise _busy(f"{self.limit} pushes are under way here")
        place = Place(self)
        self.count += 1
        try:
            yield place
        finally:
            self.count -= 1
            self.bytes -= place.held


class Place:
    """One admitted push's share of the bytes in flight."""

    def __init__(self, pushes: InFlight) -> None:
        self._pushes = pushes
        self.held = 0

    def hold(self, size: int) -> None:
        """Count `size` more bytes of this push's body; a 503 Problem if with them the pushes
        under way would hold more than the process's budget (a push alone always fits, up to
        the largest body accepted)."""
        pushes = self._pushes
        others = pushes.bytes - self.held
        if others and pushes.bytes + size > pushes.max_bytes:
            raise _busy(f"pushes under way here hold {others} bytes")
        pushes.bytes += size
        self.held += size


def _busy(why: str) -> Problem:
    metrics.turned_away.add(1)
    return Problem(
        503,
        "Hub busy",
        f"{why}; nothing was accepted, push again later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


InFlightDep = Annotated[InFlight, Depends(state("in_flight"))]
