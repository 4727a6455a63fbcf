"""The HTTP protocol between a site's sync gateway and the central sync hub (see docs/sync.md).

Upstream, a gateway pushes batches of its CloudEvents (structured JSON, as they will sit on
Kafka) to `POST /sites/{site_id}/events`; the hub answers once every accepted event is on Kafka
(acks=all). Downstream, it pulls `GET /sites/{site_id}/feed?after=<cursor>`: the site's feed is
compacted per (kind, key), so pulling from cursor 0 is a snapshot of the site's scope, not all
history. Site credentials for offline sign-in come from auth: `GET /sites/{site_id}/credentials`.
Every call carries the site's own access token (client_credentials grant, `kind: site`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "BACKLOG_HEADER",
    "FEED_PAGE_LIMIT",
    "OLDEST_UNFORWARDED_HEADER",
    "PUSH_BATCH_LIMIT",
    "FeedEntry",
    "FeedKind",
    "FeedPage",
    "PushRefusal",
    "PushResponse",
    "SiteCredentials",
    "SiteUser",
]

PUSH_BATCH_LIMIT = 500
"""Most events one push may carry (each up to MAX_DOCUMENT_LINES lines)."""

FEED_PAGE_LIMIT = 1000
"""Most entries one feed page returns."""

BACKLOG_HEADER = "Akiba-Site-Backlog"
"""Sent with a push or a pull: how many recorded events the gateway has not forwarded yet."""

OLDEST_UNFORWARDED_HEADER = "Akiba-Site-Oldest-Unforwarded"
"""Sent with a push or a pull while the backlog is not empty: when its oldest was recorded
(ISO 8601 with an offset). Both headers are optional: a gateway that sends neither still syncs."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PushRefusal(_Model):
    """One pushed event the hub would not forward, and why (it is applied nowhere)."""

    event_id: str
    reason: str


class PushResponse(_Model):
    """The hub's answer to a push: accepted events are durably on Kafka; refused never will be."""

    accepted: list[str] = Field(description="Event ids now on Kafka (acks=all), in push order.")
    refused: list[PushRefusal] = Field(default_factory=list)


class FeedKind(StrEnum):
    """What a feed entry carries; `data` is the payload of the named event type."""

    FACILITY_TYPE = "facility-type"  # FacilityTypeChanged
    GEOGRAPHIC_ZONE = "geographic-zone"  # GeographicZoneChanged
    FACILITY = "facility"  # FacilityChanged (the site's own stores and their trading partners)
    ORDERABLE = "orderable"  # OrderableChanged (every item: any store may receive any item)
    BATCH = "batch"  # BatchChanged
    LOCATION = "location"  # LocationChanged (the site's stores only)
    ADJUSTMENT_REASON = "adjustment-reason"  # AdjustmentReasonChanged
    STOCK_LEVEL = "stock-level"  # StockLevelChanged (the site's stores: the opening snapshot)
    ACK = "ack"  # EdgeDocumentsApplied (the site's stores)
    REJECTION = "rejection"  # EdgeEventRejected (events of the site's stores central refused)
    SITE = "site"  # SiteChanged (the site itself: name, active, the stores it manages)
    # What a site needs to draft requisitions offline, and what becomes of them.
    PROGRAM = "program"  # ProgramChanged
    PROGRAM_ORDERABLE = "program-orderable"  # ProgramOrderableChanged
    APPROVED_PRODUCT = "approved-product"  # ApprovedProductChanged
    SCHEDULE = "schedule"  # ScheduleChanged
    PERIOD = "period"  # PeriodChanged
    GROUP_SCHEDULE = "group-schedule"  # GroupScheduleChanged
    TEMPLATE = "template"  # TemplateChanged
    REQUISITION_GROUP = "requisition-group"  # RequisitionGroupChanged (auth's)
    IDEAL_STOCK_AMOUNT = "ideal-stock-amount"  # IdealStockAmountChanged (the site's stores)
    REQUISITION = "requisition"  # RequisitionStatusChanged (the site's stores' requisitions)
    REQUISITION_REFUSAL = "requisition-refusal"  # SiteRequisitionRefused (the site's steps)
    # Orders the site's stores placed and the shipments coming to them, received offline.
    ORDER = "order"  # OrderChanged (orders its stores requested: the latest state)
    INBOUND_SHIPMENT = "inbound-shipment"  # ShipmentShipped (shipped to its stores)
    SHIPMENT_RECEIPT = "shipment-receipt"  # ShipmentReceived (central's proof of delivery)
    SHIPMENT_REFUSAL = "shipment-refusal"  # SiteShipmentRefused (the site's proofs)


class FeedEntry(_Model):
    """The current value of one (kind, key) for the site; `data` None means it was deleted."""

    seq: int = Field(ge=1, description="The entry's position in the site's feed (the cursor).")
    kind: FeedKind
    key: str = Field(description="The record's id, e.g. a store id or an item id.")
    event_type: str | None = Field(description="The CloudEvents type `data` is the payload of.")
    data: dict[str, Any] | None


class FeedPage(_Model):
    """Entries after a cursor, oldest first; pull again from `cursor` while `more`."""

    entries: list[FeedEntry]
    cursor: int = Field(ge=0, description="The last entry's seq (or the request's `after`).")
    more: bool


class SiteUser(_Model):
    """A user who may work at one of the site's stores, as cached for offline sign-in."""

    user_id: UUID
    username: str
    active: bool
    password_hash: str | None = Field(description="argon2id PHC string; None: no password set.")
    home_facility_id: UUID | None
    version: int = Field(ge=1)
    permissions: list[str] = Field(description="As in UserPermissionsChanged.")


class SiteCredentials(_Model):
    """Everything a site needs to sign its users in offline; refreshed while online."""

    site_id: UUID
    store_ids: list[UUID]
    users: list[SiteUser]
    issued_at: AwareDatetime
