"""`akiba backup` and `akiba restore` against the real PostgreSQL: what they record and refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from akiba_devtools.ops.backup import BackupError, Manifest, backup, sha256_of
from akiba_devtools.ops.restore import restore
from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing.plugin import Databases


async def _database_with_rows(databases: Databases, rows: int) -> tuple[str, str]:
    dsn = await databases.create()
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "create table notes (id bigint generated always as identity, body text);"
            f" insert into notes (body) select 'n' || g from generate_series(1, {rows}) g"
        )
    finally:
        await conn.close()
    server, name = dsn.rsplit("/", 1)
    return server, name


async def test_a_backup_records_each_database_s_rows_size_and_checksum(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> None:
    server, name = await _database_with_rows(databases, 250)
    manifest = await backup(server, [name], tmp_path / "b")
    (dump,) = manifest.databases
    assert dump.rows["public.notes"] == 250
    assert dump.rows["public.outbox"] == 0
    assert dump.bytes == (tmp_path / "b" / dump.file).stat().st_size > 0
    assert dump.sha256 == sha256_of(tmp_path / "b" / dump.file)
    assert Manifest.read(tmp_path / "b") == manifest
    assert manifest.server_version in manifest.pg_dump_version


async def test_a_backup_refuses_a_folder_that_holds_one_and_an_unknown_database(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> None:
    server, name = await _database_with_rows(databases, 1)
    await backup(server, [name], tmp_path / "b")
    with pytest.raises(BackupError, match="already holds a backup"):
        await backup(server, [name], tmp_path / "b")
    with pytest.raises(BackupError, match="no such database"):
        await backup(server, ["akiba_no_such_db"], tmp_path / "c")


async def test_a_restore_refuses_a_damaged_dump_before_writing_anything(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> None:
    server, name = await _database_with_rows(databases, 10)
    manifest = await backup(server, [name], tmp_path / "b")
    dump = tmp_path / "b" / manifest.databases[0].file
    body = bytearray(dump.read_bytes())
    body[len(body) // 2] ^= 0xFF  # one flipped byte, as a bad disk or copy leaves it
    dump.write_bytes(bytes(body))
    with pytest.raises(BackupError, match="is damaged"):
        await restore(tmp_path / "b", server)


async def test_a_restore_refuses_a_database_that_already_has_tables(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> None:
    server, name = await _database_with_rows(databases, 10)
    await backup(server, [name], tmp_path / "b")
    with pytest.raises(BackupError, match=r"already has \d+ tables"):
        await restore(tmp_path / "b", server)


async def test_a_restore_refuses_a_manifest_of_another_format(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 99, "databases": []}))
    with pytest.raises(BackupError, match="not an akiba backup manifest"):
        await restore(tmp_path, "postgresql://nowhere")
