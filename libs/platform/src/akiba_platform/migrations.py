"""A small migration runner: ordered plain SQL files, an advisory lock, a checksum per file."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every process migrating one database.
_LOCK_KEY = 0x414B4942

PLATFORM_MIGRATIONS = Path(str(resources.files("akiba_platform") / "migrations_sql"))


class MigrationError(RuntimeError):
    """A landed migration file was edited, or one failed to apply."""


@dataclass(frozen=True)
class Migration:
    """One SQL file of one namespace."""

    namespace: str
    version: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file, to notice edits to landed migrations."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load(namespace: str, folder: Path) -> list[Migration]:
    """Read `NNNN_name.sql` files of a folder in order."""
    return [Migration(namespace, p.name, p.read_text()) for p in sorted(folder.glob("*.sql"))]


async def migrate(dsn: str, folders: dict[str, Path]) -> list[str]:
    """Apply what is missing (platform tables first); return the versions applied."""
    todo = load("platform", PLATFORM_MIGRATIONS)
    for namespace, folder in folders.items():
        todo += load(namespace, folder)
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await conn.execute("select pg_advisory_lock($1)", _LOCK_KEY)
        try:
            return await _apply(conn, todo)
        finally:
            await conn.execute("select pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await conn.close()


async def _apply(conn: asyncpg.Connection[Any], todo: list[Migration]) -> list[str]:
    await conn.execute(
        """create table if not exists schema_migrations (
               namespace text not null, version text not null, checksum text not null,
               applied_at timestamptz not null default now(), primary key (namespace, version))"""
    )
    rows = await conn.fetch("select namespace, version, checksum from schema_migrations")
    applied = {(r["namespace"], r["version"]): r["checksum"] for r in rows}
    done: list[str] = []
    for m in todo:
        known = applied.get((m.namespace, m.version))
        if known is not None:
            if known != m.checksum:
                raise MigrationError(f"{m.namespace}/{m.version} changed after it was applied")
            continue
        async with conn.transaction():
            await conn.execute(m.sql)
            await conn.execute(
                "insert into schema_migrations (namespace, version, checksum) values ($1, $2, $3)",
                m.namespace,
                m.version,
                m.checksum,
            )
        log.info("migration applied", extra={"migration": f"{m.namespace}/{m.version}"})
        done.append(f"{m.namespace}/{m.version}")
    return done
