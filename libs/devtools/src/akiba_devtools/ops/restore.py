"""`akiba restore`: a backup onto a server whose databases are absent or empty, then verified.

Per database: the dump's checksum is checked against the manifest, the database is created
(or found empty), pg_restore loads it in one transaction (a failure leaves it empty, never
half-loaded), every table's row count is compared with the count the backup took in the same
snapshot, the outbox's rows are made publishable on this server (their recorded transaction
ids are the old server's), and every sequence is moved on by a gap.

The gap is there because the restored database is older than the one lost: numbers its
sequences handed out after the backup (order and shipment numbers, permission and site
versions, the sites' feed positions) were already seen by users, sites and other services, and
must not be handed out again to something else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from akiba_devtools.ops.backup import TABLES, BackupError, DatabaseDump, Manifest, sha256_of, tool
from akiba_devtools.stack.postgres import _safe, database_url

SEQUENCE_GAP = 1_000_000

_SEQUENCES = """
select quote_ident(schemaname) || '.' || quote_ident(sequencename) as name,
       coalesce(last_value, start_value) as value
  from pg_sequences
"""

# Publishing clocks may run a little behind the database's: read the topic from a bit earlier.
CLOCK_MARGIN = timedelta(minutes=10)


def _inventory_catch_up(dump: DatabaseDump) -> str:
    since = datetime.fromisoformat(dump.snapshot_at) - CLOCK_MARGIN
    return f"akiba-inventory replay ledger --since {since.isoformat(timespec='seconds')}"


# What a service must run before it takes traffic again (its own commands, see operations.md),
# by the migration namespace that names the service whose database it is, whatever its name.
AFTER_RESTORE: dict[str, Callable[[DatabaseDump], str]] = {
    "inventory": _inventory_catch_up,
}


@dataclass(frozen=True)
class Restored:
    """One database restored and verified."""

    name: str
    seconds: float
    tables: int
    rows: int
    sequences: int
    then: str | None
    """The command the service needs before it takes traffic, if any."""


async def restore(
    folder: Path,
    server: str,
    *,
    only: list[str] | None = None,
    sequence_gap: int = SEQUENCE_GAP,
) -> list[Restored]:
    """Restore the backup in `folder` (all its databases, or `only` these) onto `server`."""
    manifest = Manifest.read(folder)
    dumps = [d for d in manifest.databases if only is None or d.name in only]
    unknown = set(only or ()) - {d.name for d in dumps}
    if unknown:
        raise BackupError(f"the backup holds no database {', '.join(sorted(unknown))}")
    for d in dumps:  # every file is checked before anything is written
        actual = sha256_of(folder / d.file)
        if actual != d.sha256:
            raise BackupError(f"{d.file} is damaged: sha256 {actual}, manifest says {d.sha256}")
    for d in dumps:
        await _empty_database(server, d.name)
    out = []
    for d in dumps:
        began = time.monotonic()
        url = database_url(server, d.name)
        await tool(
            "pg_restore",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-acl",
            f"--dbname={url}",
            str(folder / d.file),
        )
        sequences, services = await _verify_and_advance(url, d.rows, sequence_gap)
        rows = sum(d.rows.values())
        then = next((AFTER_RESTORE[s](d) for s in services if s in AFTER_RESTORE), None)
        seconds = time.monotonic() - began
        out.append(Restored(d.name, seconds, len(d.rows), rows, sequences, then))
    return out


async def _empty_database(server: str, name: str) -> None:
    """Create the database, or accept it if it exists without a single table."""
    admin = await asyncpg.connect(database_url(server, "postgres"))
    try:
        if not await admin.fetchval("select 1 from pg_database where datname = $1", name):
            await admin.execute(f'create database "{name}"')
            return
    finally:
        await admin.close()
    conn = await asyncpg.connect(database_url(server, name))
    try:
        tables = await conn.fetch(TABLES)
    finally:
        await conn.close()
    if tables:
        raise BackupError(
            f"database {name} on {_safe(server)} already has {len(tables)} tables;"
            " restore only onto an empty one (drop it first if you mean to replace it)"
        )


async def _verify_and_advance(url: str, expected: dict[str, int], gap: int) -> tuple[int, set[str]]:
    """Compare every table's rows with the backup's counts; move every sequence on by `gap`.

    Returns how many sequences moved and the migration namespaces (services) found.
    """
    conn: asyncpg.Connection[Any] = await asyncpg.connect(url)
    try:
        found = {
            r["name"]: int(await conn.fetchval(f"select count(*) from {r['name']}"))
            for r in await conn.fetch(TABLES)
        }
        if found != expected:
            wrong = sorted(
                f"{t}: {found.get(t, 'missing')} rows, backup had {expected.get(t, 'none')}"
                for t in set(found) | set(expected)
                if found.get(t) != expected.get(t)
            )
            name = url.rsplit("/", 1)[-1]
            raise BackupError(f"{name} does not match its backup", "\n".join(wrong))
        if "public.outbox" in found:
            # The relay publishes rows whose writing transaction is below the oldest running
            # one; the restored rows carry the old server's transaction ids, which a fresh
            # server may not reach for months. All of them committed: mark them as old.
            await conn.execute("update outbox set xid = '0'::xid8")
        sequences = await conn.fetch(_SEQUENCES)
        for s in sequences:
            await conn.execute("select setval($1::regclass, $2)", s["name"], s["value"] + gap)
        services: set[str] = set()
        if "public.schema_migrations" in found:
            rows = await conn.fetch("select distinct namespace from schema_migrations")
            services = {r["namespace"] for r in rows}
        return len(sequences), services
    finally:
        await conn.close()
