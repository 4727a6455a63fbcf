"""Demo users, roles and site load only where the environment says this is a demo."""

from __future__ import annotations

import pytest

from akiba_auth import demo
from akiba_auth.bootstrap import MIGRATIONS
from akiba_contracts.envelope import decode
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.demo import NotADemo

from .conftest import fast_settings


async def _usernames(dsn: str) -> list[str]:
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        return [r["username"] for r in await pool.fetch("select username from users")]
    finally:
        await pool.close()


async def test_the_demo_is_refused_without_akiba_demo_and_nothing_is_loaded(
    databases: Databases,
) -> None:
    dsn = await databases.create({"auth": MIGRATIONS})
    with pytest.raises(NotADemo, match="AKIBA_DEMO=1"):
        await demo.seed(fast_settings(dsn))
    assert await _usernames(dsn) == []


async def test_with_akiba_demo_the_demo_users_are_loaded(databases: Databases) -> None:
    dsn = await databases.create({"auth": MIGRATIONS})
    await demo.seed(fast_settings(dsn, demo=True))
    assert {"administrator", "storeroom"} <= set(await _usernames(dsn))


async def test_the_demo_publishes_its_tree_when_it_creates_it_and_not_again(
    databases: Databases,
) -> None:
    dsn = await databases.create({"auth": MIGRATIONS})
    for _ in range(2):
        await demo.seed(fast_settings(dsn, demo=True))
    pool = await create_pool(dsn, min_size=1, max_size=1)
    try:
        rows = await pool.fetch(
            "select key, value from outbox where topic = 'auth.supervision' order by id"
        )
    finally:
        await pool.close()
    assert [r["key"] for r in rows] == [str(n.node_id) for n in demo.NODES] + [
        str(demo.GROUP.group_id)
    ]
    group = decode(rows[-1]["value"]).data or {}
    assert group["node_id"] == str(demo.DISTRICT)
    assert group["facility_ids"] == [str(demo.HF)]
