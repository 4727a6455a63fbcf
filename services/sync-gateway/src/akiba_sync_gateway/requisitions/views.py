"""Reads of the site's requisitions: one, a page of a store's, its open periods."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from akiba_contracts.rights import Right
from akiba_replenish import Period, RequisitionStatus
from akiba_replenish.access import Rights, at_facility
from akiba_replenish.documents import Document
from akiba_replenish.periods import current, next_regular
from akiba_sync_gateway.requisitions import store
from akiba_sync_gateway.requisitions.catalogue import SiteCatalogue


@dataclass(frozen=True)
class Criteria:
    """Which of a store's requisitions to list."""

    facility_id: UUID
    program_id: UUID | None = None
    period_id: UUID | None = None
    status: RequisitionStatus | None = None

    def where(self) -> tuple[str, list[str]]:
        """The SQL filter and its arguments."""
        sql, args = " WHERE facility_id = ?", [str(self.facility_id)]
        for column, value in (
            ("program_id", self.program_id),
            ("period_id", self.period_id),
            ("status", self.status),
        ):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(str(value))
        return sql, args


def page(
    c: sqlite3.Connection, where: Criteria, offset: int, size: int
) -> tuple[list[Document], int]:
    """A page of the store's requisitions, newest first, and how many there are."""
    sql, args = where.where()
    (total,) = c.execute(f"SELECT count(*) FROM requisitions{sql}", args).fetchone()
    rows = c.execute(
        f"SELECT document FROM requisitions{sql} ORDER BY created_at DESC, requisition_id"
        " LIMIT ? OFFSET ?",
        (*args, size, offset),
    ).fetchall()
    return [store.decode(r[0]) for r in rows], int(total)


def one(c: sqlite3.Connection, who: Rights, requisition_id: UUID) -> Document:
    """A requisition the user may see at its store."""
    doc = store.load(c, requisition_id)
    at_facility(
        who, Right.REQUISITION_VIEW, doc.requisition.facility_id, doc.requisition.program_id
    )
    return doc


def open_periods(
    c: sqlite3.Connection, facility_id: UUID, program_id: UUID, today: date
) -> tuple[Period | None, Period | None]:
    """The period a regular requisition would be for, and today's (for an emergency)."""
    cat = SiteCatalogue(c)
    periods = cat.periods(facility_id, program_id)
    statuses = cat.statuses(facility_id, program_id)
    return next_regular(periods, statuses, today), current(periods, today)
