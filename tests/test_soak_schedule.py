"""The soak's schedule spreads the country's peak over its sites without bunching."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from bench.soak_schedule import SiteClock, clocks, due, percentile

SITES, RATE, SECONDS = 40_000, 500.0, 600.0


@pytest.fixture(scope="module")
def plan() -> list[SiteClock]:
    return clocks(SITES, RATE)


@pytest.fixture(scope="module")
def times(plan: list[SiteClock]) -> list[tuple[float, int]]:
    return list(due(plan, SECONDS))


def test_the_sites_rates_add_up_to_the_target(plan: list[SiteClock]) -> None:
    assert sum(1 / c.interval for c in plan) == pytest.approx(RATE, rel=1e-9)


def test_sites_differ_by_at_most_the_spread_either_side(plan: list[SiteClock]) -> None:
    intervals = [c.interval for c in plan]
    assert 10 < max(intervals) / min(intervals) <= 16  # busy and quiet sites, a 4x spread


def test_the_run_records_the_target_rate_times_its_length(times: list[tuple[float, int]]) -> None:
    assert len(times) == pytest.approx(RATE * SECONDS, rel=0.01)


def test_every_ten_seconds_carry_the_peak_rate(times: list[tuple[float, int]]) -> None:
    windows = Counter(int(at // 10) for at, _ in times)
    assert len(windows) == SECONDS / 10
    assert all(n == pytest.approx(RATE * 10, rel=0.06) for n in windows.values())


def test_documents_come_in_time_order_each_site_on_its_own_interval(
    plan: list[SiteClock], times: list[tuple[float, int]]
) -> None:
    assert all(a <= b for (a, _), (b, _) in itertools.pairwise(times))
    last: dict[int, float] = {}
    for at, site in times:
        if site in last:
            assert at - last[site] == pytest.approx(plan[site].interval)
        else:
            assert at == plan[site].phase
        last[site] = at


def test_every_site_whose_first_document_falls_in_the_run_records(
    plan: list[SiteClock], times: list[tuple[float, int]]
) -> None:
    pushing = {site for _, site in times}
    assert pushing == {i for i, c in enumerate(plan) if c.phase < SECONDS}
    assert len(pushing) > 0.95 * SITES  # spread across nearly all sites in ten minutes


def test_the_same_seed_gives_the_same_schedule() -> None:
    assert clocks(100, 5.0, seed=3) == clocks(100, 5.0, seed=3)
    assert clocks(100, 5.0, seed=3) != clocks(100, 5.0, seed=4)


def test_an_impossible_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one site"):
        clocks(0, 500.0)
    with pytest.raises(ValueError, match="positive rate"):
        clocks(10, 0.0)


def test_percentile_takes_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([], 0.99) == 0.0
