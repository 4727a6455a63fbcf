"""How many pushes a process handles at once; past that, a push is turned away at once."""

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
    """Counts the pushes under way in this process (one event loop: no lock needed).

    Each push holds its body, its checked events and a place in the producer's queue until
    Kafka acknowledges; unbounded, an overload with eager retries grew the process past
    1.5 GB and timed its producer out. Turned away with 503 and Retry-After instead, the
    gateway sends the same events again later, and they are deduplicated by id and sequence.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold a place for one push; a 503 Problem when every place is taken."""
        if self.count >= self.limit:
            metrics.turned_away.add(1)
            raise Problem(
                503,
                "Hub busy",
                f"{self.limit} pushes are under way here; nothing was accepted, push again later",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1


InFlightDep = Annotated[InFlight, Depends(state("in_flight"))]
