"""The gateway's clock seam: the wall clock, shifted only when an offset is configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from akiba_sync_gateway.bootstrap import clock_of
from akiba_sync_gateway.settings import Settings


def test_the_clock_is_the_wall_clock_unless_an_offset_is_configured() -> None:
    assert abs(clock_of(Settings())() - datetime.now(UTC)) < timedelta(seconds=5)


def test_an_offset_shifts_every_reading_by_that_many_seconds() -> None:
    shifted = clock_of(Settings(clock_offset_seconds=-3 * 86400))()
    assert abs(shifted - (datetime.now(UTC) - timedelta(days=3))) < timedelta(seconds=5)
