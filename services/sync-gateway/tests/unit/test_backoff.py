"""Full-jitter backoff: the ceiling doubles per failure up to the cap, and resets on success."""

from __future__ import annotations

from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.link import LinkDown
from akiba_sync_gateway.sync.loops import delay_after


def _at_ceiling(low: float, high: float) -> float:
    return high


def test_the_delay_ceiling_doubles_with_each_failure_until_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=5.0, uniform=_at_ceiling)
    assert [backoff.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_delay_is_drawn_between_zero_and_the_ceiling() -> None:
    drawn: list[tuple[float, float]] = []
    backoff = Backoff(base=1.0, cap=60.0, uniform=lambda a, b: drawn.append((a, b)) or a)
    backoff.next_delay()
    backoff.next_delay()
    assert drawn == [(0.0, 1.0), (0.0, 2.0)]


def test_a_success_starts_the_next_failure_from_the_base_again() -> None:
    backoff = Backoff(base=1.0, cap=60.0, uniform=_at_ceiling)
    for _ in range(4):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_many_failures_never_overflow_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=30.0, uniform=_at_ceiling, failures=10_000)
    assert backoff.next_delay() == 30.0


def test_a_round_refused_with_retry_after_waits_at_least_that_long() -> None:
    backoff = Backoff(base=0.5, cap=5.0, uniform=_at_ceiling)
    busy = LinkDown("503 Hub busy", retry_after=3.0)
    assert [delay_after(busy, backoff) for _ in range(4)] == [3.0, 3.0, 3.0, 4.0]
    assert delay_after(LinkDown("connection refused"), backoff) == 5.0
    assert delay_after(ValueError("a bug"), backoff) == 5.0
