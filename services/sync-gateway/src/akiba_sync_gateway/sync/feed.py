"""Pulls the site feed and applies each page with its cursor in one transaction.

Entries are upserts of the latest value per (kind, key), so a page applied twice changes
nothing new: an interrupted pull is simply repeated from the committed cursor.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import partial
from uuid import UUID

from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import EdgeDocumentsApplied, EdgeEventRejected
from akiba_contracts.payloads.inventory import StockLevelChanged
from akiba_contracts.payloads.reference import (
    BatchChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
)
from akiba_contracts.sync import FEED_PAGE_LIMIT, FeedEntry, FeedKind, FeedPage
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.ids import at, key
from akiba_sync_gateway.requisitions import decisions
from akiba_sync_gateway.shipments import decisions as shipments
from akiba_sync_gateway.sync.link import Downlink

# Each entry is applied with the time and the reading site's own id (acknowledgements must name
# it to hand the site a store).
Apply = Callable[[sqlite3.Connection, FeedEntry, datetime, str], None]


def _facility(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    f = FacilityChanged.model_validate(e.data)
    c.execute(
        "INSERT INTO stores (store_id, code, name, facility_type_id, active) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET code = excluded.code, name = excluded.name,"
        " facility_type_id = excluded.facility_type_id, active = excluded.active",
        (str(f.store_id), f.code, f.name, key(f.facility_type_id) or None, f.active),
    )


def _item(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    o = OrderableChanged.model_validate(e.data)
    c.execute(
        "INSERT INTO items (item_id, code, name, active, version, program_ids, pack_size,"
        " pack_rounding_threshold, round_to_zero) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET code = excluded.code, name = excluded.name,"
        " active = excluded.active, version = excluded.version,"
        " program_ids = excluded.program_ids, pack_size = excluded.pack_size,"
        " pack_rounding_threshold = excluded.pack_rounding_threshold,"
        " round_to_zero = excluded.round_to_zero",
        (
            str(o.item_id),
            o.code,
            o.name,
            o.active,
            o.version,
            json.dumps([str(p) for p in o.program_ids]),
            o.net_content,
            o.pack_rounding_threshold,
            o.round_to_zero,
        ),
    )


def _batch(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    b = BatchChanged.model_validate(e.data)
    # A lot the site created offline has central's id for the same (item, lot code) by design.
    c.execute(
        "INSERT INTO batches (batch_id, item_id, lot_code, expiry_date) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (item_id, lot_code) DO UPDATE SET expiry_date = excluded.expiry_date",
        (str(b.batch_id), str(b.item_id), b.lot_code, b.expiry_date and b.expiry_date.isoformat()),
    )


def _location(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    loc = LocationChanged.model_validate(e.data)
    c.execute(
        "INSERT INTO locations (location_id, store_id, code, name, active) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET code = excluded.code, name = excluded.name,"
        " active = excluded.active",
        (str(loc.location_id), str(loc.store_id), loc.code, loc.name, loc.active),
    )


def _reason(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    c.execute(
        "INSERT INTO reasons (reason_id, data) VALUES (?, ?)"
        " ON CONFLICT DO UPDATE SET data = excluded.data",
        (e.key, json.dumps(e.data)),
    )


def _other(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    c.execute(
        "INSERT INTO reference (kind, key, data) VALUES (?, ?, ?)"
        " ON CONFLICT DO UPDATE SET data = excluded.data",
        (e.kind.value, e.key, json.dumps(e.data)),
    )


def _site(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    s = SiteChanged.model_validate(e.data)
    managed = [str(i) for i in s.store_ids] if s.active else []
    # A store given up is no longer ready: if it comes back, central hands it over again.
    c.execute(
        f"UPDATE stores SET managed = 0, ready = 0 WHERE managed = 1"
        f" AND store_id NOT IN ({','.join('?' * len(managed))})",
        managed,
    )
    for store_id in managed:
        c.execute(
            "INSERT INTO stores (store_id, managed, site_version) VALUES (?, 1, ?)"
            " ON CONFLICT DO UPDATE SET managed = 1, site_version = excluded.site_version",
            (store_id, s.version),
        )


def _stock_level(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    s = StockLevelChanged.model_validate(e.data)
    # The opening snapshot of a store the site has not written yet; once the site records,
    # it is the store's only writer and central's levels only echo what it sent.
    written = c.execute(
        "SELECT 1 FROM ledger WHERE store_id = ? LIMIT 1", (str(s.store_id),)
    ).fetchone()
    if written is not None or s.batch_id is None:
        return
    c.execute(
        "INSERT INTO stock_on_hand (store_id, item_id, batch_id, location_id, quantity,"
        " store_sequence) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " quantity = excluded.quantity, store_sequence = excluded.store_sequence",
        (str(s.store_id), str(s.item_id), str(s.batch_id), key(s.location_id),
         s.quantity_on_hand, s.store_sequence),
    )  # fmt: skip
    c.execute(
        "UPDATE stores SET next_sequence = max(next_sequence, ?) WHERE store_id = ?",
        (s.store_sequence + 1, str(s.store_id)),
    )


def _ack(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    a = EdgeDocumentsApplied.model_validate(e.data)
    if site and str(a.site_id) != site:
        # Central's word on a store another site now writes: not ours to write any more.
        c.execute("UPDATE stores SET ready = 0 WHERE store_id = ?", (str(a.store_id),))
        return
    outbox.acknowledge(c, a.store_id, a.next_sequence, now)


def _rejection(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    r = EdgeEventRejected.model_validate(e.data)
    outbox.record_error(c, "rejection", r.reason, now, r.event_id)
    if r.voided:  # central skipped it: the site's ledger must not keep what central refused
        outbox.void(c, r.event_id, r.reason, now)
    else:  # refused and not applied (a conflict, a store it no longer writes…): never synced
        outbox.refuse(c, r.event_id, r.kind.value if r.kind else "refused", r.reason)


APPLY: dict[FeedKind, Apply] = {
    FeedKind.FACILITY: _facility,
    FeedKind.ORDERABLE: _item,
    FeedKind.BATCH: _batch,
    FeedKind.LOCATION: _location,
    FeedKind.ADJUSTMENT_REASON: _reason,
    FeedKind.FACILITY_TYPE: _other,
    FeedKind.GEOGRAPHIC_ZONE: _other,
    FeedKind.SITE: _site,
    FeedKind.STOCK_LEVEL: _stock_level,
    FeedKind.ACK: _ack,
    FeedKind.REJECTION: _rejection,
    # What drafting a requisition here reads, kept as the feed sent it.
    FeedKind.PROGRAM: _other,
    FeedKind.PROGRAM_ORDERABLE: _other,
    FeedKind.APPROVED_PRODUCT: _other,
    FeedKind.SCHEDULE: _other,
    FeedKind.PERIOD: _other,
    FeedKind.GROUP_SCHEDULE: _other,
    FeedKind.TEMPLATE: _other,
    FeedKind.REQUISITION_GROUP: _other,
    FeedKind.IDEAL_STOCK_AMOUNT: _other,
    FeedKind.REQUISITION: decisions.apply_state,
    FeedKind.REQUISITION_REFUSAL: decisions.apply_refusal,
    # Orders the site's stores placed and the shipments coming to them.
    FeedKind.ORDER: shipments.apply_order,
    FeedKind.INBOUND_SHIPMENT: shipments.apply_shipped,
    FeedKind.SHIPMENT_RECEIPT: shipments.apply_receipt,
    FeedKind.SHIPMENT_REFUSAL: shipments.apply_refusal,
}


def apply_page(
    c: sqlite3.Connection, *, after: int, page: FeedPage, now: datetime, site_id: str = ""
) -> int:
    """Apply a page and move the cursor; a page for another cursor (a racing pull) is skipped."""
    (cursor,) = c.execute("SELECT cursor FROM feed_cursor").fetchone()
    if cursor != after:
        return 0
    for entry in page.entries:
        if entry.data is not None:  # a deleted record: nothing the site can act on yet
            APPLY[entry.kind](c, entry, now, site_id)
    c.execute("UPDATE feed_cursor SET cursor = ?", (page.cursor,))
    outbox.set_state(c, "last_pull_at", at(now))
    return len(page.entries)


class Puller:
    """Pulls pages until the feed has no more."""

    def __init__(
        self,
        db: Database,
        downlink: Downlink,
        clock: Callable[[], datetime],
        site_id: UUID | None = None,
    ) -> None:
        self._db, self._downlink, self._clock = db, downlink, clock
        self._site = str(site_id) if site_id else ""

    async def pull_once(self, limit: int = FEED_PAGE_LIMIT) -> int:
        """Pull and apply everything after the committed cursor; return the entries applied."""
        applied = 0
        while True:
            after = await self._db.read(_cursor)
            page = await self._downlink.feed(after, limit)
            applied += await self._db.write(
                partial(apply_page, after=after, page=page, now=self._clock(), site_id=self._site)
            )
            if not page.more:
                return applied


def _cursor(c: sqlite3.Connection) -> int:
    (cursor,) = c.execute("SELECT cursor FROM feed_cursor").fetchone()
    return int(cursor)
