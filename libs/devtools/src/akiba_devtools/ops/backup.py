"""`akiba backup`: each service database dumped online from one snapshot, with a manifest.

Each service keeps its effects, its consumer positions, its inbox and its outbox in its own
database, so one snapshot per database is a consistent state of that service: the positions
say exactly which events the effects include, and the outbox holds exactly the events of those
effects not yet published. No snapshot across databases is needed, as services only share
state through Kafka.

The snapshot is exported from a read-only repeatable-read transaction; the rows of every table
are counted in it and pg_dump reads the same snapshot (`--snapshot`), so the counts in the
manifest are the dump's own and a restore is verified against them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from akiba_devtools.stack.errors import StackError
from akiba_devtools.stack.postgres import _safe, bin_dir, database_url

MANIFEST = "manifest.json"
FORMAT = 1

# Every ordinary and partitioned table outside the system schemas, as a quoted name.
TABLES = """
select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p') and not c.relispartition
   and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
 order by 1
"""


class BackupError(StackError):
    """A backup or restore that cannot go on; nothing half-done is left as if complete."""


@dataclass(frozen=True)
class DatabaseDump:
    """One database's dump as the manifest records it."""

    name: str
    file: str
    bytes: int
    sha256: str
    seconds: float
    snapshot_at: str
    rows: dict[str, int]


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: enough to check it and to restore it onto another server."""

    created_at: str
    server: str
    server_version: str
    pg_dump_version: str
    databases: list[DatabaseDump] = field(default_factory=list)
    format: int = FORMAT

    @property
    def total_bytes(self) -> int:
        """Bytes of every dump together."""
        return sum(d.bytes for d in self.databases)

    def write(self, folder: Path) -> Path:
        """Write manifest.json into the backup's folder."""
        path = folder / MANIFEST
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """Read a backup's manifest; a clear error if there is none or it is not ours."""
        path = folder / MANIFEST
        try:
            raw: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise BackupError(f"no readable backup manifest at {path}: {exc}") from exc
        if raw.get("format") != FORMAT:
            raise BackupError(f"{path} is not an akiba backup manifest of format {FORMAT}")
        dumps = [DatabaseDump(**d) for d in raw.pop("databases")]
        return cls(**raw, databases=dumps)


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks (dumps can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


async def tool(name: str, *args: str) -> str:
    """Run a PostgreSQL client tool from the embedded wheel; its output, or a BackupError."""
    proc = await asyncio.create_subprocess_exec(
        str(bin_dir() / name),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise BackupError(f"{name} failed (exit {proc.returncode})", text)
    return text


async def backup(server: str, databases: list[str], folder: Path) -> Manifest:
    """Dump each database into `folder` (which must not hold a backup yet); write the manifest."""
    await asyncio.to_thread(_new_folder, folder)
    admin = await asyncpg.connect(database_url(server, "postgres"))
    try:
        version = str(await admin.fetchval("show server_version"))
        present = {r["datname"] for r in await admin.fetch("select datname from pg_database")}
    finally:
        await admin.close()
    missing = [d for d in databases if d not in present]
    if missing:
        raise BackupError(f"no such database on {_safe(server)}: {', '.join(missing)}")
    manifest = Manifest(
        created_at=_now(),
        server=_safe(server),
        server_version=version,
        pg_dump_version=(await tool("pg_dump", "--version")).strip(),
    )
    for name in databases:
        manifest.databases.append(await dump_one(server, name, folder))
    manifest.write(folder)
    return manifest


async def dump_one(server: str, name: str, folder: Path) -> DatabaseDump:
    """pg_dump (custom format) of one database from a snapshot whose rows are counted first."""
    began = time.monotonic()
    file = folder / f"{name}.dump"
    conn = await asyncpg.connect(database_url(server, name))
    try:
        # The exported snapshot lives as long as this transaction: pg_dump must finish inside it.
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = str(await conn.fetchval("select pg_export_snapshot()"))
            taken = _now()
            rows = {
                r["name"]: int(await conn.fetchval(f"select count(*) from {r['name']}"))
                for r in await conn.fetch(TABLES)
            }
            await tool(
                "pg_dump",
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={file}",
                f"--dbname={database_url(server, name)}",
            )
    finally:
        await conn.close()
    return DatabaseDump(
        name=name,
        file=file.name,
        bytes=file.stat().st_size,
        sha256=sha256_of(file),
        seconds=round(time.monotonic() - began, 3),
        snapshot_at=taken,
        rows=rows,
    )


def _new_folder(folder: Path) -> None:
    if (folder / MANIFEST).exists():
        raise BackupError(f"{folder} already holds a backup; choose another folder")
    folder.mkdir(parents=True, exist_ok=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
