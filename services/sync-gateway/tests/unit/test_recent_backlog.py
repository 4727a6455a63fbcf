"""The backlog reported with pushes is read at most once a second, and a failed read is retried."""

from __future__ import annotations

import asyncio

import pytest

from akiba_sync_gateway.adapters.outbox import Backlog
from akiba_sync_gateway.sync.link import RecentBacklog


class Counter:
    """A backlog source that counts its reads and can be made to fail or to wait."""

    def __init__(self) -> None:
        self.reads = 0
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def __call__(self) -> Backlog:
        self.reads += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise OSError("database is locked")
        return Backlog(self.reads, None)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_reads_within_the_window_share_one_count_and_a_later_one_counts_again() -> None:
    source, clock = Counter(), Clock()
    backlog = RecentBacklog(source, seconds=1.0, monotonic=clock)
    first = await backlog()
    clock.now += 0.5
    assert await backlog() == first
    clock.now += 0.6
    assert (await backlog()).pending == 2
    assert source.reads == 2


async def test_requests_made_while_a_read_is_running_wait_for_that_read() -> None:
    source, clock = Counter(), Clock()
    source.gate = asyncio.Event()
    backlog = RecentBacklog(source, seconds=1.0, monotonic=clock)
    lanes = [asyncio.ensure_future(backlog()) for _ in range(4)]
    await asyncio.sleep(0)
    source.gate.set()
    assert {b.pending for b in await asyncio.gather(*lanes)} == {1}
    assert source.reads == 1


async def test_a_failed_read_is_not_kept_the_next_request_reads_again() -> None:
    source, clock = Counter(), Clock()
    backlog = RecentBacklog(source, seconds=60.0, monotonic=clock)
    source.fail = True
    with pytest.raises(OSError):
        await backlog()
    source.fail = False
    assert (await backlog()).pending == 2
