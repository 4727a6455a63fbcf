"""The shipments, shipment_items and shipment_lots tables."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from akiba_contracts.payloads import RejectionReason, ReturnReason, ShipmentKind
from akiba_fulfillment.domain.allocation import Skip
from akiba_fulfillment.domain.shipments import (
    Delivery,
    Receipt,
    Shipment,
    ShipmentItem,
    ShipmentLot,
    ShipmentStatus,
)
from akiba_platform import Connection

_COLUMNS = (
    "shipment_id, shipment_code, order_id, supplying_facility_id, receiving_facility_id, status,"
    " version, created_by, created_at, updated_at, carrier, note, shipped_at, cancel_reason,"
    " delivered_by, received_by, received_at, pod_reference, posted_at_site, kind,"
    " returned_shipment_id"
)
_UPSERT = f"""
insert into shipments as s ({_COLUMNS})
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
        $21)
on conflict (shipment_id) do update
   set status = excluded.status, version = excluded.version, updated_at = excluded.updated_at,
       carrier = excluded.carrier, note = excluded.note, shipped_at = excluded.shipped_at,
       cancel_reason = excluded.cancel_reason, delivered_by = excluded.delivered_by,
       received_by = excluded.received_by, received_at = excluded.received_at,
       pod_reference = excluded.pod_reference, posted_at_site = excluded.posted_at_site
"""
_ITEMS = """
insert into shipment_items (shipment_id, orderable_id, pack_size, quantity, unallocated, skipped,
                            position)
select $1, * from unnest($2::uuid[], $3::int[], $4::bigint[], $5::bigint[], $6::jsonb[], $7::int[])
"""
_LOTS = """
insert into shipment_lots (shipment_id, line_id, orderable_id, batch_id, lot_code, expiry_date,
                           location_id, quantity, pack_size, expiring_soon, confirmed, position,
                           accepted, rejected, rejection_reason, vvm_stage, receipt_note,
                           put_location_id, return_reason, returned_line_id)
select $1, * from unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::date[], $7::uuid[],
                         $8::bigint[], $9::int[], $10::bool[], $11::bool[], $12::int[],
                         $13::bigint[], $14::bigint[], $15::text[], $16::smallint[], $17::text[],
                         $18::uuid[], $19::text[], $20::uuid[])
"""


class AsyncpgShipments:
    """Shipments in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def next_code(self) -> str:
        """A new shipment number."""
        return f"SHP-{await self._conn.fetchval('select nextval($1)', 'shipment_numbers'):06d}"

    async def get(self, shipment_id: UUID, *, lock: bool = False) -> Shipment | None:
        """One shipment with its items and lots, optionally locked."""
        suffix = " for update" if lock else ""
        row = await self._conn.fetchrow(
            f"select {_COLUMNS} from shipments where shipment_id = $1{suffix}", shipment_id
        )
        return None if row is None else (await self._full([row]))[0]

    async def of_order(self, order_id: UUID) -> list[Shipment]:
        """An order's shipments, oldest first."""
        rows = await self._conn.fetch(
            f"select {_COLUMNS} from shipments where order_id = $1"
            " order by created_at, shipment_id",
            order_id,
        )
        return await self._full(list(rows))

    async def statuses(self, order_id: UUID) -> list[ShipmentStatus]:
        """The statuses of an order's shipments (returns are not its progress)."""
        rows = await self._conn.fetch(
            "select status from shipments where order_id = $1 and kind = 'ORDER'", order_id
        )
        return [ShipmentStatus(r["status"]) for r in rows]

    async def page(
        self,
        facility_column: str,
        facility_id: UUID,
        status: ShipmentStatus | None,
        page: int,
        size: int,
    ) -> tuple[list[Shipment], int]:
        """Shipments of a supplier or receiver, newest first, a page at a time."""
        assert facility_column in ("supplying_facility_id", "receiving_facility_id")
        rows = await self._conn.fetch(
            f"select {_COLUMNS}, count(*) over () as total from shipments"
            f" where {facility_column} = $1 and ($2::text is null or status = $2)"
            " order by created_at desc, shipment_id limit $3 offset $4",
            facility_id,
            None if status is None else str(status),
            size,
            page * size,
        )
        total = int(rows[0]["total"]) if rows else 0
        return await self._full(list(rows)), total

    async def save(self, s: Shipment, skipped: dict[UUID, tuple[Skip, ...]] | None = None) -> None:
        """Store a shipment's state, its items and its lots (replacing them)."""
        d = s.delivery
        await self._conn.execute(
            _UPSERT,
            s.shipment_id,
            s.shipment_code,
            s.order_id,
            s.supplying_facility_id,
            s.receiving_facility_id,
            str(s.status),
            s.version,
            s.created_by,
            s.created_at,
            s.updated_at,
            s.carrier,
            s.note,
            s.shipped_at,
            s.cancel_reason,
            d.delivered_by if d else None,
            d.received_by if d else None,
            d.received_at if d else None,
            d.reference if d else None,
            s.posted_at_site,
            str(s.kind),
            s.returned_shipment_id,
        )
        if skipped is not None or not await self._has_items(s.shipment_id):
            await self._conn.execute(
                "delete from shipment_items where shipment_id = $1", s.shipment_id
            )
            it = s.items
            sk = skipped or {}
            await self._conn.execute(
                _ITEMS,
                s.shipment_id,
                [i.orderable_id for i in it],
                [i.pack_size for i in it],
                [i.quantity for i in it],
                [i.unallocated for i in it],
                [json.dumps([_skip(k) for k in sk.get(i.orderable_id, ())]) for i in it],
                list(range(len(it))),
            )
        else:
            await self._conn.execute(
                "update shipment_items i set unallocated = u.n from unnest($2::uuid[],"
                " $3::bigint[]) as u(item, n) where i.shipment_id = $1 and i.orderable_id = u.item",
                s.shipment_id,
                [i.orderable_id for i in s.items],
                [i.unallocated for i in s.items],
            )
        await self._conn.execute("delete from shipment_lots where shipment_id = $1", s.shipment_id)
        lots = s.lots
        rc = [lot.receipt for lot in lots]
        await self._conn.execute(
            _LOTS,
            s.shipment_id,
            [x.line_id for x in lots],
            [x.orderable_id for x in lots],
            [x.batch_id for x in lots],
            [x.lot_code for x in lots],
            [x.expiry_date for x in lots],
            [x.location_id for x in lots],
            [x.quantity for x in lots],
            [x.pack_size for x in lots],
            [x.expiring_soon for x in lots],
            [x.confirmed for x in lots],
            list(range(len(lots))),
            [r.accepted if r else None for r in rc],
            [r.rejected if r else None for r in rc],
            [str(r.reason) if r and r.reason else None for r in rc],
            [r.vvm_stage if r else None for r in rc],
            [r.note if r else None for r in rc],
            [r.location_id if r else None for r in rc],
            [None if x.return_reason is None else str(x.return_reason) for x in lots],
            [x.returned_line_id for x in lots],
        )

    async def returned(self, shipment_id: UUID) -> dict[UUID, int]:
        """Units of each of a shipment's lines already on returns not cancelled."""
        rows = await self._conn.fetch(
            "select r.returned_line_id, sum(r.quantity) as q from shipments s"
            " join shipment_lots r on r.shipment_id = s.shipment_id"
            " where s.returned_shipment_id = $1 and s.status <> 'CANCELLED'"
            " group by r.returned_line_id",
            shipment_id,
        )
        return {r["returned_line_id"]: int(r["q"]) for r in rows}

    async def skipped(self, shipment_id: UUID) -> dict[UUID, list[dict[str, Any]]]:
        """The lots allocation passed over, per item, with the reason (for the pick list)."""
        rows = await self._conn.fetch(
            "select orderable_id, skipped from shipment_items where shipment_id = $1", shipment_id
        )
        return {r["orderable_id"]: json.loads(r["skipped"]) for r in rows}

    async def _has_items(self, shipment_id: UUID) -> bool:
        return bool(
            await self._conn.fetchval(
                "select exists (select 1 from shipment_items where shipment_id = $1)", shipment_id
            )
        )

    async def _full(self, rows: list[Any]) -> list[Shipment]:
        ids = [r["shipment_id"] for r in rows]
        items: dict[UUID, list[ShipmentItem]] = {i: [] for i in ids}
        lots: dict[UUID, list[ShipmentLot]] = {i: [] for i in ids}
        for r in await self._conn.fetch(
            "select shipment_id, orderable_id, pack_size, quantity, unallocated from"
            " shipment_items where shipment_id = any($1::uuid[]) order by shipment_id, position",
            ids,
        ):
            items[r["shipment_id"]].append(
                ShipmentItem(
                    r["orderable_id"], r["pack_size"], int(r["quantity"]), int(r["unallocated"])
                )
            )
        for r in await self._conn.fetch(
            "select * from shipment_lots where shipment_id = any($1::uuid[])"
            " order by shipment_id, position",
            ids,
        ):
            lots[r["shipment_id"]].append(_lot(r))
        return [
            _shipment(r, tuple(items[r["shipment_id"]]), tuple(lots[r["shipment_id"]]))
            for r in rows
        ]


def _skip(k: Skip) -> dict[str, Any]:
    return {
        "batch_id": str(k.lot_id),
        "location_id": None if k.location_id is None else str(k.location_id),
        "reason": str(k.reason),
    }


def _lot(r: Any) -> ShipmentLot:
    receipt = None
    if r["accepted"] is not None:
        reason = r["rejection_reason"]
        receipt = Receipt(
            int(r["accepted"]),
            int(r["rejected"]),
            None if reason is None else RejectionReason(reason),
            r["vvm_stage"],
            r["receipt_note"],
            r["put_location_id"],
        )
    return ShipmentLot(
        line_id=r["line_id"],
        orderable_id=r["orderable_id"],
        batch_id=r["batch_id"],
        lot_code=r["lot_code"],
        expiry_date=r["expiry_date"],
        location_id=r["location_id"],
        quantity=int(r["quantity"]),
        pack_size=r["pack_size"],
        expiring_soon=r["expiring_soon"],
        confirmed=r["confirmed"],
        return_reason=None if r["return_reason"] is None else ReturnReason(r["return_reason"]),
        returned_line_id=r["returned_line_id"],
        receipt=receipt,
    )


def _shipment(r: Any, items: tuple[ShipmentItem, ...], lots: tuple[ShipmentLot, ...]) -> Shipment:
    delivery = None
    if r["received_at"] is not None:
        delivery = Delivery(
            r["delivered_by"], r["received_by"], r["received_at"], r["pod_reference"]
        )
    return Shipment(
        shipment_id=r["shipment_id"],
        shipment_code=r["shipment_code"],
        order_id=r["order_id"],
        supplying_facility_id=r["supplying_facility_id"],
        receiving_facility_id=r["receiving_facility_id"],
        status=ShipmentStatus(r["status"]),
        version=r["version"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        items=items,
        lots=lots,
        carrier=r["carrier"],
        note=r["note"],
        shipped_at=r["shipped_at"],
        cancel_reason=r["cancel_reason"],
        delivery=delivery,
        posted_at_site=r["posted_at_site"],
        kind=ShipmentKind(r["kind"]),
        returned_shipment_id=r["returned_shipment_id"],
    )
