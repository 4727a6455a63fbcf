"""The machine's figures a bench run reports next to its own (bench/machine.py)."""

from __future__ import annotations

from bench import machine


def test_a_loopback_round_trip_is_timed_with_this_sides_cpu_under_its_wall_time() -> None:
    wall, cpu = machine.loopback(round_trips=500)
    assert 0 < cpu <= wall
    assert wall < 10_000  # µs: a loopback round trip, not a timeout


def test_the_start_and_the_end_are_reported_side_by_side() -> None:
    start = {"loopback µs": 20.0}
    end = {"loopback µs": 30.0}
    assert machine.both(start, end) == {"loopback µs: start": 20.0, "loopback µs: end": 30.0}
