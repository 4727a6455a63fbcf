"""The fake idempotency store passes the stores' behaviour suite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from akiba_platform.idempotency import Claim
from akiba_platform.testing import FakeIdempotencyStore
from akiba_platform.testing.idempotency_behaviour import *  # noqa: F403


class FakeHarness:
    """The fake with its staged claims committed or dropped."""

    def __init__(self) -> None:
        self.store = FakeIdempotencyStore()

    async def claim(self, claim: Claim, *, commit: bool) -> bool:
        claimed = await self.store.claim(claim)
        self.store.commit() if commit else self.store.rollback()
        return claimed

    async def age(self, by: timedelta) -> None:
        self.store.age(by)


@pytest.fixture
def idempotency() -> FakeHarness:
    return FakeHarness()
