"""Requisition documents in the site's SQLite file: one row each, the document as JSON."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from akiba_contracts.envelope import CloudEvent
from akiba_contracts.payloads import RequisitionKind
from akiba_replenish import Change, Line, Requisition, RequisitionStatus
from akiba_replenish.documents import Document, Figures, LineInfo, Pack
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at, moment, opt, uuid_or_none

LANE = "requisition:"
"""The outbox lane of a requisition's steps: its own, so they go in its order and no store
acknowledgement (which counts ledger sequences) ever marks them synced."""


class RequisitionNotFound(Exception):
    """No such requisition at this site (404)."""


class AlreadyInitiated(Exception):
    """The store has a regular requisition for that program and period already (409)."""


def lane(requisition_id: UUID) -> str:
    """The outbox lane of one requisition."""
    return f"{LANE}{requisition_id}"


def load(conn: sqlite3.Connection, requisition_id: UUID) -> Document:
    """The requisition, or RequisitionNotFound."""
    row = conn.execute(
        "SELECT document FROM requisitions WHERE requisition_id = ?", (str(requisition_id),)
    ).fetchone()
    if row is None:
        raise RequisitionNotFound(f"requisition {requisition_id} is not one of this site's")
    return decode(row[0])


def add(conn: sqlite3.Connection, doc: Document, central_version: int = 0) -> None:
    """Store a new requisition (at the version central holds, for a copy of central's);
    AlreadyInitiated if its period has one."""
    r = doc.requisition
    try:
        conn.execute(
            "INSERT INTO requisitions (requisition_id, facility_id, program_id, period_id, kind,"
            " emergency, status, version, central_version, created_at, document)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                str(r.requisition_id),
                str(r.facility_id),
                opt(r.program_id),
                opt(r.period_id),
                doc.kind.value,
                r.emergency,
                r.status.value,
                r.version,
                central_version,
                at(doc.created_at),
                encode_doc(doc),
            ),
        )
    except sqlite3.IntegrityError:
        raise AlreadyInitiated("the store has a requisition for that period already") from None


def save(conn: sqlite3.Connection, doc: Document, central_version: int | None = None) -> None:
    """Store a requisition's new state; with the version central reported, central's word
    replaces any refusal it sent before."""
    r = doc.requisition
    conn.execute(
        "UPDATE requisitions SET status = ?1, version = ?2, document = ?3,"
        " central_version = coalesce(?4, central_version),"
        " refusal = CASE WHEN ?4 IS NULL THEN refusal END WHERE requisition_id = ?5",
        (r.status.value, r.version, encode_doc(doc), central_version, str(r.requisition_id)),
    )


def remove(conn: sqlite3.Connection, requisition_id: UUID) -> None:
    """Forget a deleted requisition."""
    conn.execute("DELETE FROM requisitions WHERE requisition_id = ?", (str(requisition_id),))


def queue(conn: sqlite3.Connection, event: CloudEvent, requisition_id: UUID, base: int) -> None:
    """Queue a step for the forwarder in the requisition's lane, at the version it was taken on."""
    outbox.queue(conn, event, lane(requisition_id), base, 1)


def encode_doc(doc: Document) -> str:
    """The document as JSON."""
    r = doc.requisition
    return json.dumps(
        {
            "kind": doc.kind.value,
            "created_by": doc.created_by,
            "created_at": at(doc.created_at),
            "template_id": opt(doc.template_id),
            "max_months": _num(doc.max_months_of_stock),
            "min_months": _num(doc.min_months_of_stock),
            "comment": doc.comment,
            "requisition": {
                "id": str(r.requisition_id),
                "facility_id": str(r.facility_id),
                "program_id": opt(r.program_id),
                "period_id": opt(r.period_id),
                "emergency": r.emergency,
                "internal": r.internal,
                "status": r.status.value,
                "version": r.version,
                "node_id": opt(r.node_id),
                "supplier": opt(r.supplying_facility_id),
                "history": [
                    [c.status.value, c.actor, at(c.at), opt(c.node_id), c.reason] for c in r.history
                ],
            },
            "lines": [_line(r.lines[o], doc.info[o]) for o in r.lines],
        }
    )


def _line(line: Line, info: LineInfo) -> dict[str, Any]:
    p = info.pack
    return {
        "id": str(line.orderable_id),
        "calculated": line.calculated,
        "requested": line.requested,
        "explanation": line.explanation,
        "approved": line.approved,
        "remarks": line.remarks,
        "position": info.position,
        "full_supply": info.full_supply,
        "pack": [p.size, p.threshold, p.round_to_zero, _num(p.price)],
        "figures": {
            k: _num(v) if isinstance(v, Decimal) else v
            for k, v in vars(info.figures).items()
            if v is not None
        },
    }


def decode(text: str) -> Document:
    """A document back from its JSON."""
    d = json.loads(text)
    q = d["requisition"]
    lines, info = {}, {}
    for x in d["lines"]:
        o = UUID(x["id"])
        lines[o] = Line(
            o, x["calculated"], x["requested"], x["explanation"], x["approved"], x["remarks"]
        )
        size, threshold, to_zero, price = x["pack"]
        figures = Figures(**{k: _figure(v) for k, v in x["figures"].items()})
        info[o] = LineInfo(
            x["position"], x["full_supply"], figures, Pack(size, threshold, to_zero, _dec(price))
        )
    history = [
        Change(RequisitionStatus(s), actor, _when(when), uuid_or_none(node), reason)
        for s, actor, when, node, reason in q["history"]
    ]
    r = Requisition(
        UUID(q["id"]),
        UUID(q["facility_id"]),
        uuid_or_none(q["program_id"]),
        uuid_or_none(q["period_id"]),
        q["emergency"],
        lines,
        internal=q["internal"],
        status=RequisitionStatus(q["status"]),
        version=q["version"],
        node_id=uuid_or_none(q["node_id"]),
        supplying_facility_id=uuid_or_none(q["supplier"]),
        history=history,
    )
    return Document(
        RequisitionKind(d["kind"]),
        r,
        info,
        d["created_by"],
        _when(d["created_at"]),
        template_id=uuid_or_none(d["template_id"]),
        max_months_of_stock=_dec(d["max_months"]),
        min_months_of_stock=_dec(d["min_months"]),
        comment=d["comment"],
    )


def _figure(value: int | str) -> Any:
    # Months of stock and AMC are Decimals (kept as text); every other figure is an integer.
    return Decimal(value) if isinstance(value, str) else value


def _num(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _when(text: str) -> datetime:
    found = moment(text)
    assert found is not None
    return found
