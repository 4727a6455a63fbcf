"""The site's copies of its stores' orders and inbound shipments (SQLite), and each shipment's
outbox lane: its proof goes in its own lane, so no store's documents wait behind it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.fulfillment_http import OrderResponse, ShipmentResponse
from akiba_contracts.payloads import OrderStatus, ShipmentStatus
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at

M = TypeVar("M", OrderResponse, ShipmentResponse)


class InboundNotFound(LookupError):
    """No order or shipment with this id for the site's stores (404)."""


def lane(shipment_id: UUID) -> str:
    """The outbox lane of one shipment's proof of delivery."""
    return f"shipment:{shipment_id}"


def save_order(c: sqlite3.Connection, doc: OrderResponse) -> None:
    """Keep an order's state unless a later one is kept already."""
    c.execute(
        "INSERT INTO requested_orders (order_id, requesting_facility_id, status, version,"
        " created_at, document) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " status = excluded.status, version = excluded.version, document = excluded.document"
        " WHERE excluded.version >= requested_orders.version",
        (str(doc.order_id), str(doc.requesting_facility_id), doc.status.value, doc.version,
         at(doc.created_at), doc.model_dump_json()),
    )  # fmt: skip


@dataclass(frozen=True)
class Inbound:
    """A shipment as the site holds it."""

    doc: ShipmentResponse
    central_version: int
    refusal: str | None


def shipment(c: sqlite3.Connection, shipment_id: UUID) -> Inbound | None:
    """One inbound shipment, if the site has it."""
    row = c.execute(
        "SELECT document, central_version, refusal FROM inbound_shipments WHERE shipment_id = ?",
        (str(shipment_id),),
    ).fetchone()
    if row is None:
        return None
    return Inbound(ShipmentResponse.model_validate_json(row[0]), int(row[1]), row[2])


def save_shipment(
    c: sqlite3.Connection, doc: ShipmentResponse, central_version: int, refusal: str | None = None
) -> None:
    """Keep a shipment's document as the site shows it."""
    assert doc.shipped_at is not None
    c.execute(
        "INSERT INTO inbound_shipments (shipment_id, receiving_facility_id, status, version,"
        " central_version, shipped_at, refusal, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET status = excluded.status, version = excluded.version,"
        " central_version = excluded.central_version, refusal = excluded.refusal,"
        " document = excluded.document",
        (str(doc.shipment_id), str(doc.receiving_facility_id), doc.status.value, doc.version,
         central_version, at(doc.shipped_at), refusal, doc.model_dump_json()),
    )  # fmt: skip


def refuse(c: sqlite3.Connection, shipment_id: UUID, reason: str) -> None:
    """Central refused our proof: shown on the shipment until central's next word on it."""
    c.execute(
        "UPDATE inbound_shipments SET refusal = ? WHERE shipment_id = ?", (reason, str(shipment_id))
    )


def queue(c: sqlite3.Connection, event: CloudEvent, shipment_id: UUID, base: int) -> None:
    """Queue a proof for the forwarder in the shipment's lane, at the version it was taken on."""
    outbox.queue(c, event, lane(shipment_id), base, 1)


def order(c: sqlite3.Connection, order_id: UUID) -> OrderResponse | None:
    """One order a store of the site placed, if the site has it."""
    row = c.execute(
        "SELECT document FROM requested_orders WHERE order_id = ?", (str(order_id),)
    ).fetchone()
    return None if row is None else OrderResponse.model_validate_json(row[0])


def orders(
    c: sqlite3.Connection, store: UUID, status: OrderStatus | None, page: int, size: int
) -> tuple[list[OrderResponse], int]:
    """A page of a store's orders, newest first."""
    where = " WHERE requesting_facility_id = ?1 AND (?2 IS NULL OR status = ?2)"
    return _page(c, "requested_orders", where, store, status, page, size, OrderResponse)


def shipments(
    c: sqlite3.Connection, store: UUID, status: ShipmentStatus | None, page: int, size: int
) -> tuple[list[ShipmentResponse], int]:
    """A page of the shipments coming to a store, newest first."""
    where = " WHERE receiving_facility_id = ?1 AND (?2 IS NULL OR status = ?2)"
    return _page(c, "inbound_shipments", where, store, status, page, size, ShipmentResponse)


def _page(
    c: sqlite3.Connection,
    table: str,
    where: str,
    store: UUID,
    status: OrderStatus | ShipmentStatus | None,
    page: int,
    size: int,
    model: type[M],
) -> tuple[list[M], int]:
    args: tuple[str, str | None] = (str(store), None if status is None else status.value)
    (total,) = c.execute(f"SELECT count(*) FROM {table}{where}", args).fetchone()
    order_by = "created_at" if table == "requested_orders" else "shipped_at"
    rows = c.execute(
        f"SELECT document FROM {table}{where} ORDER BY {order_by} DESC LIMIT ?3 OFFSET ?4",
        (*args, size, page * size),
    ).fetchall()
    return [model.model_validate_json(r[0]) for r in rows], int(total)
