"""The migration runner: ordered files, applied once, edits to landed files refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_platform.migrations import MigrationError, migrate


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, sql in files.items():
        (tmp_path / f"{name}.sql").write_text(sql)
    return tmp_path


async def test_migrations_apply_in_order_once(databases: Databases, tmp_path: Path) -> None:
    dsn = await databases.create()
    folder = _folder(
        tmp_path, **{"0001_a": "create table a (x int);", "0002_b": "insert into a values (1);"}
    )
    assert await migrate(dsn, {"svc": folder}) == ["svc/0001_a.sql", "svc/0002_b.sql"]
    assert await migrate(dsn, {"svc": folder}) == []
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("select count(*) from a") == 1
    finally:
        await conn.close()


async def test_an_edited_landed_migration_is_refused(databases: Databases, tmp_path: Path) -> None:
    dsn = await databases.create()
    folder = _folder(tmp_path, **{"0001_a": "create table a (x int);"})
    await migrate(dsn, {"svc": folder})
    (folder / "0001_a.sql").write_text("create table a (x bigint);")
    with pytest.raises(MigrationError, match=r"0001_a\.sql changed after it was applied"):
        await migrate(dsn, {"svc": folder})


async def test_processes_migrating_at_once_apply_each_file_once(
    databases: Databases, tmp_path: Path
) -> None:
    dsn = await databases.create()
    folder = _folder(tmp_path, **{"0001_a": "create table a (x int); select pg_sleep(0.2);"})
    results = await asyncio.gather(*(migrate(dsn, {"svc": folder}) for _ in range(4)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]


async def test_a_failing_migration_leaves_nothing_half_applied(
    databases: Databases, tmp_path: Path
) -> None:
    dsn = await databases.create()
    folder = _folder(tmp_path, **{"0001_bad": "create table a (x int); select * from nowhere;"})
    with pytest.raises(asyncpg.UndefinedTableError):
        await migrate(dsn, {"svc": folder})
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("select to_regclass('a')") is None
    finally:
        await conn.close()
