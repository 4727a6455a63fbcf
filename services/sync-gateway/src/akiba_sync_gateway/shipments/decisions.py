"""Central's word on the site's orders and inbound shipments, from the feed: each order's latest
state, each shipment shipped to a store of the site, central's receipt of it (which syncs our
proof), and the proofs central refused."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from akiba_contracts.payloads import (
    OrderChanged,
    ShipmentReceived,
    ShipmentShipped,
    SiteShipmentRefused,
)
from akiba_contracts.sync import FeedEntry
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at
from akiba_sync_gateway.shipments import shapes, store


def apply_order(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Keep an order a store of the site placed, at its latest version."""
    store.save_order(c, shapes.order(OrderChanged.model_validate(e.data)))


def apply_shipped(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Expect a shipment: kept as it left, unless the site already holds it (received here)."""
    p = ShipmentShipped.model_validate(e.data)
    if store.shipment(c, p.shipment_id) is None:
        store.save_shipment(c, shapes.shipped(p), central_version=p.version)


def apply_receipt(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Central received the shipment: our proof taken below that version is synced, and
    central's record of the receipt is the shipment's from now on."""
    p = ShipmentReceived.model_validate(e.data)
    c.execute(
        "UPDATE outbox SET state = 'synced', synced_at = ? WHERE store_id = ?"
        " AND state = 'forwarded' AND first_sequence < ?",
        (at(now), store.lane(p.shipment_id), p.version),
    )
    held = store.shipment(c, p.shipment_id)
    if held is not None:
        store.save_shipment(c, shapes.confirmed(held.doc, p), central_version=p.version)


def apply_refusal(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Central refused our proof: never sent again, shown in the sync status and on the
    shipment until central's next word on it."""
    r = SiteShipmentRefused.model_validate(e.data)
    outbox.record_error(c, "rejection", r.reason, now, r.event_id)
    outbox.refuse(c, r.event_id, "shipment", r.reason)
    store.refuse(c, r.shipment_id, r.reason)
