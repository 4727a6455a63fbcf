"""What drafting a requisition reads at the site: requisition's reference data as the feed
brought it (programs, schedules, templates, approved products, groups, ideal stock amounts),
the site's stores and items, and the store's earlier requisitions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel

from akiba_contracts.payloads import (
    ApprovedProductChanged,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    TemplateChanged,
)
from akiba_contracts.sync import FeedKind
from akiba_replenish import Period, RequisitionStatus
from akiba_replenish.documents import Pack
from akiba_replenish.drafting import Product
from akiba_sync_gateway.ids import id_chunks

M = TypeVar("M", bound=BaseModel)


class NotKnownHere(Exception):
    """Something a requisition needs has not reached this site yet (or does not exist)."""


class SiteCatalogue:
    """Reads inside the writer's (or reader's) transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _all(self, kind: FeedKind, model: type[M], where: str = "", *args: str) -> list[M]:
        rows = self.conn.execute(
            f"SELECT data FROM reference WHERE kind = ?{where}", (kind.value, *args)
        ).fetchall()
        return [model.model_validate_json(r[0]) for r in rows]

    def _one(self, kind: FeedKind, model: type[M], key: str) -> M | None:
        row = self.conn.execute(
            "SELECT data FROM reference WHERE kind = ? AND key = ?", (kind.value, key)
        ).fetchone()
        return None if row is None else model.model_validate_json(row[0])

    def program(self, program_id: UUID) -> ProgramChanged | None:
        """The program as requisition last published it."""
        return self._one(FeedKind.PROGRAM, ProgramChanged, str(program_id))

    def facility_type(self, facility_id: UUID) -> UUID | None:
        """The store's facility type (a store the site knows)."""
        row = self.conn.execute(
            "SELECT facility_type_id FROM stores WHERE store_id = ? AND active = 1",
            (str(facility_id),),
        ).fetchone()
        return UUID(row[0]) if row and row[0] else None

    def known_inactive(self, facility_id: UUID) -> bool:
        """Whether the site knows the store as inactive (most suppliers it never hears of)."""
        row = self.conn.execute(
            "SELECT 1 FROM stores WHERE store_id = ? AND active = 0", (str(facility_id),)
        ).fetchone()
        return row is not None

    def periods(self, facility_id: UUID, program_id: UUID) -> list[Period]:
        """The periods of the schedule the store's requisition group follows for the program."""
        groups = sorted(
            (
                g
                for g in self._all(FeedKind.REQUISITION_GROUP, RequisitionGroupChanged)
                if g.active and facility_id in g.facility_ids and program_id in g.program_ids
            ),
            key=lambda g: g.code,
        )
        if not groups:
            raise NotKnownHere(f"store {facility_id} is in no requisition group for the program")
        key = f"{groups[0].group_id}:{program_id}"
        follows = self._one(FeedKind.GROUP_SCHEDULE, GroupScheduleChanged, key)
        if follows is None:
            raise NotKnownHere(f"requisition group {groups[0].group_id} follows no schedule")
        found = self._all(
            FeedKind.PERIOD,
            PeriodChanged,
            " AND json_extract(data, '$.schedule_id') = ?",
            str(follows.schedule_id),
        )
        return sorted(
            (Period(p.period_id, p.start_date, p.end_date, p.months) for p in found),
            key=lambda p: p.start,
        )

    def templates(self, program_id: UUID) -> list[TemplateChanged]:
        """The program's templates."""
        return self._all(
            FeedKind.TEMPLATE,
            TemplateChanged,
            " AND json_extract(data, '$.program_id') = ?",
            str(program_id),
        )

    def products(
        self, facility_type_id: UUID, program_id: UUID, only: Sequence[UUID] | None
    ) -> list[Product]:
        """The items the store's type is approved to order under the program, in the program's
        display order (as central lists them)."""
        approved = [
            a
            for a in self._all(
                FeedKind.APPROVED_PRODUCT,
                ApprovedProductChanged,
                " AND json_extract(data, '$.facility_type_id') = ?"
                " AND json_extract(data, '$.program_id') = ?",
                str(facility_type_id),
                str(program_id),
            )
            if a.active and (only is None or a.orderable_id in only)
        ]
        settings = {
            p.orderable_id: p
            for p in self._all(
                FeedKind.PROGRAM_ORDERABLE,
                ProgramOrderableChanged,
                " AND json_extract(data, '$.program_id') = ?",
                str(program_id),
            )
        }
        packs = self.packs([a.orderable_id for a in approved])
        chosen = []
        for a in approved:
            po = settings.get(a.orderable_id)
            if a.orderable_id not in packs or (po is not None and not po.active):
                continue
            code, size, threshold, to_zero = packs[a.orderable_id]
            product = Product(
                a.orderable_id,
                po.full_supply if po else True,
                Pack(size, threshold, to_zero, po.price_per_pack if po else None),
                a.max_periods_of_stock,
                a.min_periods_of_stock,
            )
            order = po.display_order if po else None
            chosen.append(((order is None, order or 0, code), product))
        return [p for _, p in sorted(chosen, key=lambda x: x[0])]

    def items(self, ids: Sequence[UUID]) -> list[Product]:
        """Active items by id (an internal order outside programs), by code."""
        packs = self.packs(ids)
        return [
            Product(i, True, Pack(size, threshold, to_zero, None), _ZERO, None)
            for i, (_, size, threshold, to_zero) in sorted(packs.items(), key=lambda x: x[1][0])
        ]

    def packs(self, ids: Sequence[UUID]) -> dict[UUID, tuple[str, int, int, bool]]:
        """Active items whose pack facts the site holds: code, size, threshold, round to zero."""
        out = {}
        for chunk in id_chunks(ids):
            rows = self.conn.execute(
                "SELECT item_id, code, pack_size, pack_rounding_threshold, round_to_zero"
                f" FROM items WHERE active = 1 AND pack_size IS NOT NULL"
                f" AND item_id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            out.update({UUID(r[0]): (r[1], r[2], r[3], bool(r[4])) for r in rows})
        return out

    def store_items(self, facility_id: UUID) -> list[UUID]:
        """Every item the store holds or has moved."""
        rows = self.conn.execute(
            "SELECT item_id FROM stock_on_hand WHERE store_id = ?"
            " UNION SELECT item_id FROM ledger WHERE store_id = ?",
            (str(facility_id), str(facility_id)),
        ).fetchall()
        return [UUID(r[0]) for r in rows]

    def ideal_amounts(self, facility_id: UUID, period_id: UUID) -> dict[UUID, int]:
        """The store's ideal stock amounts for the period, per item."""
        found = self._all(
            FeedKind.IDEAL_STOCK_AMOUNT,
            IdealStockAmountChanged,
            " AND json_extract(data, '$.facility_id') = ?"
            " AND json_extract(data, '$.period_id') = ?",
            str(facility_id),
            str(period_id),
        )
        return {i.orderable_id: i.amount for i in found}

    def statuses(self, facility_id: UUID, program_id: UUID) -> dict[UUID, RequisitionStatus]:
        """The status of the store's regular requisition of each period."""
        rows = self.conn.execute(
            "SELECT period_id, status FROM requisitions WHERE facility_id = ? AND program_id = ?"
            " AND kind = 'PROGRAM' AND emergency = 0",
            (str(facility_id), str(program_id)),
        ).fetchall()
        return {UUID(r[0]): RequisitionStatus(r[1]) for r in rows}


_ZERO = Decimal(0)  # an item outside programs has no periods of stock to keep
