"""Reference-data tables: one generic repository, driven by each record type's table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from akiba_platform import Connection
from akiba_stock import reference as ref

# A filter: SQL with `{}` where its one parameter goes, and the parameter's value.
Where = Sequence[tuple[str, Any]]


@dataclass(frozen=True)
class Table:
    """Where a record type lives and how its pages are ordered."""

    name: str
    key: str
    order_by: str
    label: str


TABLES: dict[type[ref.Reference], Table] = {
    ref.FacilityType: Table("facility_types", "facility_type_id", "code", "facility type"),
    ref.GeographicZone: Table("geographic_zones", "zone_id", "level, code", "zone"),
    ref.Store: Table("stores", "store_id", "code", "store"),
    ref.Item: Table("items", "item_id", "code", "item"),
    ref.BatchRecord: Table(
        "batches", "batch_id", "item_id, expiry_date nulls last, lot_code", "batch"
    ),
    ref.Location: Table("locations", "location_id", "code", "location"),
    ref.AdjustmentReason: Table("adjustment_reasons", "reason_id", "name", "adjustment reason"),
}


def label(kind: type[ref.Reference]) -> str:
    """How messages name a record type."""
    return TABLES[kind].label


_COMMON = {"active": "active = {}", "q": "(code || ' ' || name) ilike {}"}
_CRITERIA: dict[type[ref.Reference], dict[str, str]] = {
    ref.GeographicZone: {"parent_id": "parent_id = {}", "level": "level = {}"},
    ref.Store: {
        "facility_type_id": "facility_type_id = {}",
        "zone_id": "zone_id = {}",
        "managed_by": "managed_by = {}",
    },
    ref.Item: {
        "gtin": "gtin = {}",
        "commodity_type": "commodity_type = {}",
        "program_id": "{} = any(program_ids)",
    },
    ref.BatchRecord: {
        "q": "lot_code ilike {}",
        "item_id": "item_id = {}",
        "expiring_before": "expiry_date < {}",
    },
    ref.Location: {"store_id": "store_id = {}", "cold_chain": "cold_chain = {}"},
    ref.AdjustmentReason: {
        "q": "name ilike {}",
        "category": "category = {}",
        "direction": "direction = {}",
        "program_id": "(cardinality(program_ids) = 0 or {} = any(program_ids))",
        "facility_type_id": "(cardinality(facility_type_ids) = 0 or {} = any(facility_type_ids))",
    },
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(kind: type[ref.Reference], **criteria: Any) -> Where:
    """Filters for a page of `kind`: each given (not None) criterion, all of them must hold."""
    sql = {**_COMMON, **_CRITERIA.get(kind, {})}
    return [
        (sql[name], _like(value) if name == "q" else value)
        for name, value in criteria.items()
        if value is not None
    ]


class ReferenceRepository(Protocol):
    """What reference handlers and views need from storage."""

    async def get(self, kind: type[ref.R], record_id: UUID, *, lock: bool = False) -> ref.R | None:
        """One record, optionally locked for update."""
        ...

    async def add(self, record: ref.Reference) -> None:
        """Insert a new record (DuplicateReference if a unique code or name is taken)."""
        ...

    async def add_many(self, records: Sequence[ref.Reference]) -> None:
        """Insert many records of one type in order (parents before children)."""
        ...

    async def update(self, record: ref.Reference) -> None:
        """Write a record's new state."""
        ...

    async def page(
        self, kind: type[ref.R], where: Where, page: int, size: int
    ) -> tuple[list[ref.R], int]:
        """One page of records matching every filter, and how many match in all."""
        ...

    async def missing(self, kind: type[ref.Reference], ids: Sequence[UUID]) -> list[UUID]:
        """Which of these ids name no record."""
        ...

    async def lowest_child_level(self, zone_id: UUID) -> int | None:
        """The lowest level among a zone's children, None without children."""
        ...


def _columns(kind: type[ref.Reference]) -> list[str]:
    return [f.name for f in fields(kind)]


def _values(record: ref.Reference) -> list[Any]:
    return [list(v) if isinstance(v, tuple) else v for v in astuple(record)]


def _record(kind: type[ref.R], row: asyncpg.Record) -> ref.R:
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}
    return kind(**values)


def _insert(kind: type[ref.Reference]) -> str:
    cols = _columns(kind)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    return f"insert into {TABLES[kind].name} ({', '.join(cols)}) values ({marks})"


def _where(where: Where) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    sql = " and ".join(cond.format(f"${i}") for i, (cond, _) in enumerate(where, start=1))
    return f" where {sql}", [value for _, value in where]


class AsyncpgReferenceRepository:
    """ReferenceRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, kind: type[ref.R], record_id: UUID, *, lock: bool = False) -> ref.R | None:
        """One record by id; `lock` holds it until the transaction ends."""
        t = TABLES[kind]
        row = await self._conn.fetchrow(
            f"select {', '.join(_columns(kind))} from {t.name} where {t.key} = $1"
            + (" for update" if lock else ""),
            record_id,
        )
        return None if row is None else _record(kind, row)

    async def add(self, record: ref.Reference) -> None:
        """Insert; a taken unique code or name becomes DuplicateReference."""
        await self._write(record, _insert(type(record)))

    async def add_many(self, records: Sequence[ref.Reference]) -> None:
        """Insert many records of one type in order (parents before children)."""
        if records:
            sql = _insert(type(records[0]))
            await self._conn.executemany(sql, [_values(r) for r in records])

    async def update(self, record: ref.Reference) -> None:
        """Overwrite every column of the record's row."""
        t = TABLES[type(record)]
        cols = _columns(type(record))
        sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(cols, start=1) if c != t.key)
        sql = f"update {t.name} set {sets}, updated_at = clock_timestamp() where {t.key} = $1"
        await self._write(record, sql)

    async def _write(self, record: ref.Reference, sql: str) -> None:
        try:
            await self._conn.execute(sql, *_values(record))
        except asyncpg.UniqueViolationError as exc:
            what = label(type(record))
            raise ref.DuplicateReference(f"that {what} exists already: {exc.detail}") from None
        except asyncpg.ForeignKeyViolationError as exc:
            raise ref.InvalidReferenceData(f"unknown reference: {exc.detail}") from None

    async def page(
        self, kind: type[ref.R], where: Where, page: int, size: int
    ) -> tuple[list[ref.R], int]:
        """A page in the table's natural order (then by id, so pages never overlap)."""
        t = TABLES[kind]
        cond, args = _where(where)
        total = await self._conn.fetchval(f"select count(*) from {t.name}{cond}", *args)
        n = len(args)
        rows = await self._conn.fetch(
            f"select {', '.join(_columns(kind))} from {t.name}{cond}"
            f" order by {t.order_by}, {t.key} limit ${n + 1} offset ${n + 2}",
            *args,
            size,
            page * size,
        )
        return [_record(kind, r) for r in rows], int(total)

    async def missing(self, kind: type[ref.Reference], ids: Sequence[UUID]) -> list[UUID]:
        """Ids with no row, in the order given."""
        t = TABLES[kind]
        found = await self._conn.fetch(
            f"select {t.key} from {t.name} where {t.key} = any($1::uuid[])", list(ids)
        )
        known = {r[0] for r in found}
        return [i for i in ids if i not in known]

    async def lowest_child_level(self, zone_id: UUID) -> int | None:
        """The minimum level of the zone's children."""
        level = await self._conn.fetchval(
            "select min(level) from geographic_zones where parent_id = $1", zone_id
        )
        return None if level is None else int(level)
