"""When each simulated site records: a country's peak spread over its sites.

Sites are not alike (a district store records more than a health post), so each site gets its
own rate, log-uniform within `spread` times either side of the mean, scaled so that the rates
add up to the target. A site records one document every `1 / rate` seconds from a random phase
within its first interval, so the sites' clocks are not in step and the aggregate is flat.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteClock:
    """One site's recording: the first document at `phase` seconds, then every `interval`."""

    phase: float
    interval: float


def clocks(sites: int, rate: float, seed: int = 16, spread: float = 4.0) -> list[SiteClock]:
    """Each site's clock, such that the sites together record `rate` documents per second."""
    if sites < 1 or rate <= 0 or spread < 1:
        raise ValueError("need at least one site, a positive rate and a spread of at least 1")
    rng = random.Random(seed)
    weights = [spread ** rng.uniform(-1.0, 1.0) for _ in range(sites)]
    total = sum(weights)
    out = []
    for w in weights:
        interval = total / (rate * w)  # the site's share of the rate is w / total
        out.append(SiteClock(rng.uniform(0.0, interval), interval))
    return out


def due(sites: list[SiteClock], seconds: float) -> Iterator[tuple[float, int]]:
    """(time, site index) of every document recorded before `seconds`, in time order."""
    heap = [(c.phase, i) for i, c in enumerate(sites) if c.phase < seconds]
    heapq.heapify(heap)
    while heap:
        at, i = heap[0]
        yield at, i
        following = at + sites[i].interval
        if following < seconds:
            heapq.heapreplace(heap, (following, i))
        else:
            heapq.heappop(heap)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of the values; 0.0 if there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
