"""The supply_lines table."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from typing import Any, Protocol
from uuid import UUID

import asyncpg

from akiba_fulfillment.domain.errors import Conflict, DuplicateSupplyLine
from akiba_fulfillment.domain.supply_lines import SupplyLine
from akiba_platform import Connection

_COLUMNS = [f.name for f in fields(SupplyLine)]
_SELECT = f"select {', '.join(_COLUMNS)} from supply_lines"
ONE_ACTIVE = "supply_lines_one_active"


@dataclass(frozen=True)
class Criteria:
    """Which lines a page holds: every criterion given (not None) must hold."""

    node_id: UUID | None = None
    program_id: UUID | None = None
    supplying_facility_id: UUID | None = None
    active: bool | None = None

    def matches(self, line: SupplyLine) -> bool:
        """Whether the line meets every criterion."""
        return all(getattr(line, column) == value for column, value in self._given())

    def sql(self) -> tuple[str, list[Any]]:
        """A `where` clause (or nothing) and its parameters, numbered from $1."""
        given = self._given()
        conditions = [f"{column} = ${i}" for i, (column, _) in enumerate(given, start=1)]
        where = f" where {' and '.join(conditions)}" if conditions else ""
        return where, [value for _, value in given]

    def _given(self) -> list[tuple[str, Any]]:
        columns = {
            "supervisory_node_id": self.node_id,
            "program_id": self.program_id,
            "supplying_facility_id": self.supplying_facility_id,
            "active": self.active,
        }
        return [(column, value) for column, value in columns.items() if value is not None]


class SupplyLineRepository(Protocol):
    """What supply-line handlers and routes need from storage."""

    async def get(self, supply_line_id: UUID, *, lock: bool = False) -> SupplyLine | None:
        """One line, optionally locked until the transaction ends."""
        ...

    async def active_for(self, node_id: UUID, program_id: UUID) -> SupplyLine | None:
        """The node's active line for the program."""
        ...

    async def add(self, line: SupplyLine) -> None:
        """Insert a new line (DuplicateSupplyLine if its node and program have an active one)."""
        ...

    async def save(self, line: SupplyLine) -> None:
        """Write a line's new state (DuplicateSupplyLine as for `add`)."""
        ...

    async def page(self, criteria: Criteria, page: int, size: int) -> tuple[list[SupplyLine], int]:
        """One page of matching lines in creation order, and how many match in all."""
        ...


def _line(row: asyncpg.Record) -> SupplyLine:
    return SupplyLine(**dict(row.items()))


class AsyncpgSupplyLineRepository:
    """SupplyLineRepository on asyncpg."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, supply_line_id: UUID, *, lock: bool = False) -> SupplyLine | None:
        """One line by id; `lock` holds it until the transaction ends."""
        row = await self._conn.fetchrow(
            f"{_SELECT} where supply_line_id = $1" + (" for update" if lock else ""),
            supply_line_id,
        )
        return None if row is None else _line(row)

    async def active_for(self, node_id: UUID, program_id: UUID) -> SupplyLine | None:
        """The node's active line for the program (the unique index keeps it to one)."""
        row = await self._conn.fetchrow(
            f"{_SELECT} where supervisory_node_id = $1 and program_id = $2 and active",
            node_id,
            program_id,
        )
        return None if row is None else _line(row)

    async def add(self, line: SupplyLine) -> None:
        """Insert every column."""
        marks = ", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))
        sql = f"insert into supply_lines ({', '.join(_COLUMNS)}) values ({marks})"
        await self._write(line, sql, *astuple(line))

    async def save(self, line: SupplyLine) -> None:
        """Overwrite what a revision changes (everything but the id and creation time)."""
        sql = (
            "update supply_lines set supervisory_node_id = $2, program_id = $3,"
            " supplying_facility_id = $4, description = $5, active = $6, version = $7,"
            " updated_at = $8, local_fulfillment = $9 where supply_line_id = $1"
        )
        changed = (line.supervisory_node_id, line.program_id, line.supplying_facility_id)
        state = (line.description, line.active, line.version, line.updated_at,
                 line.local_fulfillment)  # fmt: skip
        await self._write(line, sql, line.supply_line_id, *changed, *state)

    async def _write(self, line: SupplyLine, sql: str, *args: Any) -> None:
        try:
            await self._conn.execute(sql, *args)
        except asyncpg.UniqueViolationError as exc:
            # Two admins activating a line of one node and program at once: the index decides.
            if exc.constraint_name == ONE_ACTIVE:
                raise DuplicateSupplyLine(
                    f"node {line.supervisory_node_id} already has an active supply line for"
                    f" program {line.program_id}"
                ) from None
            raise Conflict(f"supply line {line.supply_line_id} exists already") from None

    async def page(self, criteria: Criteria, page: int, size: int) -> tuple[list[SupplyLine], int]:
        """A page in creation order (then by id, so pages never overlap)."""
        where, args = criteria.sql()
        total = await self._conn.fetchval(f"select count(*) from supply_lines{where}", *args)
        n = len(args)
        rows = await self._conn.fetch(
            f"{_SELECT}{where} order by created_at, supply_line_id limit ${n + 1} offset ${n + 2}",
            *args,
            size,
            page * size,
        )
        return [_line(r) for r in rows], int(total)
