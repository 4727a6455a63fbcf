"""Reference-data tables: one generic repository, driven by each record type's table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from akiba_platform import Connection
from akiba_replenish.templates import Column, Source
from akiba_requisition.domain import reference as ref
from akiba_requisition.domain.errors import DuplicateReference, InvalidReferenceData

# A filter: SQL with `{}` where its one parameter goes, and the parameter's value.
Where = Sequence[tuple[str, Any]]
_ISA = ("facility_id", "orderable_id", "period_id", "amount")
# A facility's amounts by item, then in the order of their periods.
_ISA_ORDER = (
    "facility_id, orderable_id,"
    " (select p.start_date from periods p where p.period_id = ideal_stock_amounts.period_id)"
)


@dataclass(frozen=True)
class Table:
    """Where a record type lives, what names a row and how pages are ordered."""

    name: str
    keys: tuple[str, ...]
    order_by: str
    stamped: bool = True  # has an updated_at column


TABLES: dict[type[ref.Reference], Table] = {
    ref.Program: Table("programs", ("program_id",), "code"),
    ref.ProgramOrderable: Table(
        "program_orderables", ("program_id", "orderable_id"), "display_order"
    ),
    ref.ApprovedProduct: Table(
        "approved_products", ("facility_type_id", "program_id", "orderable_id"), "program_id"
    ),
    ref.Schedule: Table("schedules", ("schedule_id",), "code"),
    ref.Period: Table("periods", ("period_id",), "schedule_id, start_date", stamped=False),
    ref.GroupSchedule: Table(
        "group_schedules", ("group_id", "program_id"), "group_id", stamped=False
    ),
    ref.RequisitionTemplate: Table("templates", ("template_id",), "program_id, name"),
    ref.IdealStockAmount: Table("ideal_stock_amounts", _ISA[:3], _ISA_ORDER, stamped=False),
}

_CRITERIA: dict[type[ref.Reference], dict[str, str]] = {
    ref.Program: {"active": "active = {}", "q": "(code || ' ' || name) ilike {}"},
    ref.ProgramOrderable: {
        "program_id": "program_id = {}",
        "active": "active = {}",
        "full_supply": "full_supply = {}",
        "category": "category = {}",
    },
    ref.ApprovedProduct: {
        "program_id": "program_id = {}",
        "facility_type_id": "facility_type_id = {}",
        "orderable_id": "orderable_id = {}",
        "active": "active = {}",
    },
    ref.Schedule: {"q": "(code || ' ' || name) ilike {}"},
    ref.Period: {
        "schedule_id": "schedule_id = {}",
        "ending_from": "end_date >= {}",
        "starting_until": "start_date <= {}",
    },
    ref.GroupSchedule: {
        "group_id": "group_id = {}",
        "program_id": "program_id = {}",
        "schedule_id": "schedule_id = {}",
    },
    ref.RequisitionTemplate: {
        "program_id": "program_id = {}",
        "facility_type_id": "{} = any(facility_type_ids)",
        "active": "active = {}",
        "q": "name ilike {}",
    },
    ref.IdealStockAmount: {
        "facility_id": "facility_id = {}",
        "orderable_id": "orderable_id = {}",
        "period_id": "period_id = {}",
    },
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(kind: type[ref.Reference], **criteria: Any) -> Where:
    """Filters for a page of `kind`: each given (not None) criterion, all of them must hold."""
    sql = _CRITERIA[kind]
    return [
        (sql[name], _like(value) if name == "q" else value)
        for name, value in criteria.items()
        if value is not None
    ]


@dataclass(frozen=True)
class ProgramItem:
    """An item of a program as the items read model (inventory's) tells it."""

    program_id: UUID
    orderable_id: UUID
    code: str


class ReferenceRepository(Protocol):
    """What reference handlers, views and the demo seed need from storage."""

    async def get(
        self, kind: type[ref.R], key: Sequence[UUID], *, lock: bool = False
    ) -> ref.R | None:
        """One record by its key, optionally locked for update."""
        ...

    async def add(self, record: ref.Reference) -> None:
        """Insert a new record (DuplicateReference if its key or code is taken)."""
        ...

    async def add_many(self, records: Sequence[ref.Reference]) -> None:
        """Insert many new records of one type."""
        ...

    async def update(self, record: ref.Reference) -> None:
        """Write a record's new state."""
        ...

    async def page(
        self, kind: type[ref.R], where: Where, page: int, size: int
    ) -> tuple[list[ref.R], int]:
        """One page of records matching every filter, and how many match in all."""
        ...

    async def missing(
        self, kind: type[ref.Reference], keys: Sequence[tuple[UUID, ...]]
    ) -> list[tuple[UUID, ...]]:
        """Which of these keys name no record."""
        ...

    async def periods(self, schedule_id: UUID) -> list[ref.Period]:
        """Every period of a schedule."""
        ...

    async def templates(self, program_id: UUID) -> list[ref.RequisitionTemplate]:
        """Every template of a program."""
        ...

    async def put_amounts(
        self, amounts: Sequence[ref.IdealStockAmount]
    ) -> list[ref.IdealStockAmount]:
        """Insert or change ideal stock amounts (keys unique); return those that changed."""
        ...

    async def program_items(self, program_ids: Sequence[UUID]) -> list[ProgramItem]:
        """Active items inventory says these programs order (its items' program_ids)."""
        ...


def _columns(kind: type[ref.Reference]) -> list[str]:
    return [f.name for f in fields(kind)]


def _value(name: str, value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if name == "columns":
        return {n: {"source": c.source.value, "displayed": c.displayed} for n, c in value.items()}
    return value


def _values(record: ref.Reference) -> list[Any]:
    return [_value(f.name, getattr(record, f.name)) for f in fields(record)]


def _field(name: str, value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if name == "columns":
        return {n: Column(Source(c["source"]), bool(c["displayed"])) for n, c in value.items()}
    return value


def _record(kind: type[ref.R], row: asyncpg.Record) -> ref.R:
    return kind(**{k: _field(k, v) for k, v in row.items()})


def _insert(kind: type[ref.Reference]) -> str:
    cols = _columns(kind)
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    return f"insert into {TABLES[kind].name} ({', '.join(cols)}) values ({marks})"


def _by_key(t: Table, first: int = 1) -> str:
    return " and ".join(f"{k} = ${i}" for i, k in enumerate(t.keys, start=first))


def _where(where: Where) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    sql = " and ".join(cond.format(f"${i}") for i, (cond, _) in enumerate(where, start=1))
    return f" where {sql}", [value for _, value in where]


class AsyncpgReferenceRepository:
    """ReferenceRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(
        self, kind: type[ref.R], key: Sequence[UUID], *, lock: bool = False
    ) -> ref.R | None:
        """One record by its key; `lock` holds it until the transaction ends."""
        t = TABLES[kind]
        # "no key update": a lock that lets others insert rows referring to this one.
        row = await self._conn.fetchrow(
            f"select {', '.join(_columns(kind))} from {t.name} where {_by_key(t)}"
            + (" for no key update" if lock else ""),
            *key,
        )
        return None if row is None else _record(kind, row)

    async def add(self, record: ref.Reference) -> None:
        """Insert; a taken key or code becomes DuplicateReference."""
        await self._write(record, _insert(type(record)), _values(record))

    async def add_many(self, records: Sequence[ref.Reference]) -> None:
        """Insert many records of one type."""
        if records:
            sql = _insert(type(records[0]))
            await self._conn.executemany(sql, [_values(r) for r in records])

    async def update(self, record: ref.Reference) -> None:
        """Overwrite every column of the record's row but its key."""
        t = TABLES[type(record)]
        values = dict(zip(_columns(type(record)), _values(record), strict=True))
        rest = [c for c in values if c not in t.keys]
        sets = [f"{c} = ${i}" for i, c in enumerate(rest, start=len(t.keys) + 1)]
        sets += ["updated_at = clock_timestamp()"] if t.stamped else []
        sql = f"update {t.name} set {', '.join(sets)} where {_by_key(t)}"
        await self._write(record, sql, [values[k] for k in t.keys] + [values[c] for c in rest])

    async def _write(self, record: ref.Reference, sql: str, args: list[Any]) -> None:
        try:
            await self._conn.execute(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            raise DuplicateReference(f"that {record.what} exists already: {exc.detail}") from None
        except asyncpg.ForeignKeyViolationError as exc:
            raise InvalidReferenceData(f"unknown reference: {exc.detail}") from None

    async def page(
        self, kind: type[ref.R], where: Where, page: int, size: int
    ) -> tuple[list[ref.R], int]:
        """A page in the table's natural order (then by key, so pages never overlap)."""
        t = TABLES[kind]
        cond, args = _where(where)
        total = await self._conn.fetchval(f"select count(*) from {t.name}{cond}", *args)
        n = len(args)
        rows = await self._conn.fetch(
            f"select {', '.join(_columns(kind))} from {t.name}{cond}"
            f" order by {t.order_by}, {', '.join(t.keys)} limit ${n + 1} offset ${n + 2}",
            *args,
            size,
            page * size,
        )
        return [_record(kind, r) for r in rows], int(total)

    async def missing(
        self, kind: type[ref.Reference], keys: Sequence[tuple[UUID, ...]]
    ) -> list[tuple[UUID, ...]]:
        """Keys with no row, in the order given."""
        t = TABLES[kind]
        arrays = ", ".join(f"${i}::uuid[]" for i in range(1, len(t.keys) + 1))
        found = await self._conn.fetch(
            f"select {', '.join(t.keys)} from {t.name}"
            f" where ({', '.join(t.keys)}) in (select * from unnest({arrays}))",
            *([k[i] for k in keys] for i in range(len(t.keys))),
        )
        known = {tuple(r) for r in found}
        return [k for k in keys if tuple(k) not in known]

    async def periods(self, schedule_id: UUID) -> list[ref.Period]:
        """Every period of the schedule, by start."""
        found, _ = await self.page(ref.Period, where(ref.Period, schedule_id=schedule_id), 0, 10**6)
        return found

    async def templates(self, program_id: UUID) -> list[ref.RequisitionTemplate]:
        """Every template of the program."""
        criteria = where(ref.RequisitionTemplate, program_id=program_id)
        found, _ = await self.page(ref.RequisitionTemplate, criteria, 0, 10**6)
        return found

    async def put_amounts(
        self, amounts: Sequence[ref.IdealStockAmount]
    ) -> list[ref.IdealStockAmount]:
        """Upsert in key order (so concurrent loads cannot deadlock); unchanged rows stay."""
        ordered = sorted(amounts, key=lambda a: a.key)
        try:
            rows = await self._conn.fetch(
                """insert into ideal_stock_amounts as i
                          (facility_id, orderable_id, period_id, amount)
                   select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[])
                   on conflict (facility_id, orderable_id, period_id) do update
                      set amount = excluded.amount, version = i.version + 1
                    where i.amount <> excluded.amount
                   returning facility_id, orderable_id, period_id, amount, version""",
                *([getattr(a, f) for a in ordered] for f in _ISA),
            )
        except asyncpg.ForeignKeyViolationError as exc:
            raise InvalidReferenceData(f"unknown reference: {exc.detail}") from None
        return [_record(ref.IdealStockAmount, r) for r in rows]

    async def program_items(self, program_ids: Sequence[UUID]) -> list[ProgramItem]:
        """From the orderables read model, by program then item code."""
        rows = await self._conn.fetch(
            """select p.program_id, o.orderable_id, o.code
                 from orderables o, unnest(o.program_ids) p (program_id)
                where o.active and p.program_id = any($1::uuid[])
                order by p.program_id, o.code""",
            list(program_ids),
        )
        return [ProgramItem(r["program_id"], r["orderable_id"], r["code"]) for r in rows]
