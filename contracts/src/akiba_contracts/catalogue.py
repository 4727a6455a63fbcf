"""The topic catalogue: the one source of truth for topic names, keys, partitions and retention."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from akiba_contracts.payloads import (
    AdjustmentReasonChanged,
    AlertEnded,
    AlertStarted,
    ApprovedProductChanged,
    BatchChanged,
    DeadLetterDecided,
    EdgeDocumentsApplied,
    EdgeEventRejected,
    EdgeStoreResumed,
    EdgeStoreStalled,
    FacilityChanged,
    FacilityTypeChanged,
    GeographicZoneChanged,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    LocationChanged,
    OrderableChanged,
    OrderChanged,
    Payload,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    RequisitionReleased,
    RequisitionStatusChanged,
    ScheduleChanged,
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentReceived,
    ShipmentShipped,
    SigningKeyPublished,
    SiteChanged,
    SiteRequisitionRecorded,
    SiteRequisitionRefused,
    SiteShipmentReceived,
    SiteShipmentRefused,
    SiteStockRecorded,
    SiteStockRecordedV1,
    SiteWriteRefused,
    StockLevelChanged,
    StockMovementRecorded,
    StockReserved,
    SupervisoryNodeChanged,
    SupplyLineChanged,
    TemplateChanged,
    UserPermissionsChanged,
)

__all__ = ["TOPICS", "Topic", "all_topics", "dlq_name", "dlq_topic", "topic", "topic_for"]

DAY_MS = 24 * 60 * 60 * 1000
DLQ_SUFFIX = ".dlq"
DLQ_PARTITIONS = 3


@dataclass(frozen=True, slots=True)
class Topic:
    """One Kafka topic: its owner, key, partitions, retention and the event types on it."""

    name: str
    owner: str
    key: str
    partitions: int
    cleanup_policy: Literal["delete", "compact"]
    retention_ms: int | None
    event_types: tuple[str, ...]
    description: str

    @property
    def is_dlq(self) -> bool:
        """Whether this is a dead-letter topic."""
        return self.name.endswith(DLQ_SUFFIX)


def _reference(name: str, key: str, payload: type[Payload], what: str) -> Topic:
    """A compacted reference-data topic of inventory's, keyed by the record's id."""
    return Topic(
        name=f"inventory.{name}",
        owner="inventory",
        key=key,
        # Low volume; a read-model builder assigns itself every partition and reads them all.
        partitions=3,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(payload.event_type,),
        description=f"{what}; the latest record per {key} is current (full state, compacted).",
    )


def _requisition(name: str, key: str, payloads: tuple[type[Payload], ...], what: str) -> Topic:
    """A compacted reference-data topic of requisition's: one record per key is current."""
    return Topic(
        name=f"requisition.{name}",
        owner="requisition",
        key=key,
        partitions=3,  # low volume, like inventory's reference topics
        cleanup_policy="compact",
        retention_ms=None,
        event_types=tuple(p.event_type for p in payloads),
        description=f"{what}; the latest record per key is current (full state, compacted).",
    )


# Partition counts cannot shrink and growing them re-maps keys (breaking per-key order), so they
# are fixed up front. 12 divides evenly among 1, 2, 3, 4, 6 or 12 consumer instances and is far
# from the per-broker partition limits of a small cluster.
TOPICS: tuple[Topic, ...] = (
    Topic(
        name="inventory.stock-movements",
        owner="inventory",
        key="store_id",
        partitions=12,
        cleanup_policy="delete",
        # The ledger in inventory's database is the record; the topic only has to outlast the
        # longest consumer outage or integrator catch-up we plan for (a month), and the relay can
        # republish older entries from the ledger.
        retention_ms=30 * DAY_MS,
        event_types=(StockMovementRecorded.event_type,),
        description=(
            "Every stock ledger entry, in each store's order (keyed by store, so one store's "
            "movements share a partition)."
        ),
    ),
    Topic(
        name="inventory.stock-levels",
        owner="inventory",
        key="store_id:item_id:batch_id:location_id (absent batch or location: empty)",
        partitions=12,
        cleanup_policy="compact",
        # Compaction keeps the latest level of every stock line forever, so a new consumer can
        # build the whole current SOH from the topic; time-based retention does not apply.
        retention_ms=None,
        event_types=(StockLevelChanged.event_type,),
        description=(
            "Current quantity on hand per stock line (store, item, batch, location); the latest "
            "record per key is the level."
        ),
    ),
    Topic(
        name="inventory.alerts",
        owner="inventory",
        key="store_id:item_id, or store_id:item_id:batch_id for expiry alerts",
        partitions=12,
        # Compacted: at most one alert is active per key (the evaluator's precedence), and an
        # alert's end is written before the next one's start, so the latest record per key is
        # that key's current alert (started) or none (ended). A new dashboard or integrator
        # rebuilds every active alert from the topic, however old; the history of short-lived
        # alerts is what compaction drops, and the alerts table is not the place for it either.
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(AlertStarted.event_type, AlertEnded.event_type),
        description=(
            "Stock alerts (low stock, overstock, out of stock, negative stock per item; expiring "
            "soon, expired per batch) as they start and end; the latest record per key is current."
        ),
    ),
    # Auth's read models travel compacted: every service rebuilds them from the topic at start
    # and keeps authorizing from memory while auth is down. Few partitions: low volume, and a
    # reader that assigns itself every partition reads them all.
    Topic(
        name="auth.permissions",
        owner="auth",
        key="user_id",
        partitions=3,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(UserPermissionsChanged.event_type,),
        description="Each user's effective permissions; the latest record per user is current.",
    ),
    Topic(
        name="auth.signing-keys",
        owner="auth",
        key="kid",
        partitions=1,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(SigningKeyPublished.event_type,),
        description="Public keys that verify access tokens, with their retirement time.",
    ),
    Topic(
        name="auth.sites",
        owner="auth",
        key="site_id",
        partitions=3,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(SiteChanged.event_type,),
        description="Sites (sync gateways) and the stores each one manages.",
    ),
    Topic(
        name="requisition.events",
        owner="requisition",
        key="requisition_id",
        partitions=12,
        cleanup_policy="delete",
        # Fulfillment creates orders from releases and sites follow their decisions: a year
        # covers an order's life and any reader's rebuild; the database keeps the history.
        retention_ms=365 * DAY_MS,
        event_types=(RequisitionStatusChanged.event_type, RequisitionReleased.event_type),
        description="Every step of every requisition (status changes) and each release to an"
        " order, with the lines fulfillment needs; keyed by requisition, in order.",
    ),
    Topic(
        name="auth.supervision",
        owner="auth",
        # Node and group ids are both random UUIDs, so the two kinds of record never share a key.
        key="node_id or group_id",
        partitions=3,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(SupervisoryNodeChanged.event_type, RequisitionGroupChanged.event_type),
        description=(
            "The supervision tree: supervisory nodes (with their parent and facility) and "
            "requisition groups (the facilities a node supervises for which programs), each "
            "record the full state; the latest record per key (node_id or group_id) is current. "
            "Records of different keys may arrive in any order (a group before its node)."
        ),
    ),
    # Inventory's reference data: every service and site keeps a read model from these.
    _reference("facility-types", "facility_type_id", FacilityTypeChanged, "Facility types"),
    _reference("geographic-zones", "zone_id", GeographicZoneChanged, "The geographic zone tree"),
    _reference("facilities", "store_id", FacilityChanged, "Stores (facilities)"),
    _reference("orderables", "item_id", OrderableChanged, "Items (orderables)"),
    _reference("batches", "batch_id", BatchChanged, "Batches (lots) with their expiry"),
    _reference("locations", "location_id", LocationChanged, "Locations (shelves, bins) in stores"),
    _reference(
        "adjustment-reasons", "reason_id", AdjustmentReasonChanged, "Stock adjustment reasons"
    ),
    # Requisition's reference data. Each kind's key names one thing, so compaction keeps the
    # latest record of every program, program item, approved product, period…
    _requisition(
        "programs",
        "program_id (programs), program_id:orderable_id (program orderables), "
        "facility_type_id:program_id:orderable_id (approved products)",
        (ProgramChanged, ProgramOrderableChanged, ApprovedProductChanged),
        "Programs, the items each orders (price, category) and the items each facility type is"
        " approved to order under a program (max/min periods of stock, emergency order point)",
    ),
    _requisition(
        "schedules",
        "schedule_id (schedules), period_id (periods), group_id:program_id (group schedules)",
        (ScheduleChanged, PeriodChanged, GroupScheduleChanged),
        "Processing schedules, their periods and the schedule each requisition group follows"
        " for a program",
    ),
    _requisition("templates", "template_id", (TemplateChanged,), "Requisition templates"),
    _requisition(
        "ideal-stock-amounts",
        "facility_id:orderable_id:period_id",
        (IdealStockAmountChanged,),
        "Ideal stock amounts per facility, item and period",
    ),
    # Written by the sync gateways (the topic's first segment must be its owner, hence "sites").
    Topic(
        name="sites.inventory-events",
        owner="sites",
        key="store_id",
        partitions=12,
        cleanup_policy="delete",
        # Sites keep every event until central acknowledges it, so the topic only has to outlast
        # an outage of inventory's ingestion, like inventory.stock-movements.
        retention_ms=30 * DAY_MS,
        event_types=(SiteStockRecorded.event_type, SiteStockRecordedV1.event_type),
        description=(
            "Stock documents recorded at edge sites, with `siteid` and `storeseq` (the first "
            "line's ledger sequence); keyed by store, so one store's documents share a partition."
        ),
    ),
    Topic(
        name="sites.requisition-events",
        owner="sites",
        key="requisition_id",
        partitions=12,
        cleanup_policy="delete",
        # Sites keep every step until central's decision comes back, so the topic only has to
        # outlast an outage of requisition's site consumer.
        retention_ms=30 * DAY_MS,
        event_types=(SiteRequisitionRecorded.event_type,),
        description=(
            "Requisition steps recorded at edge sites (initiate, edit, submit, authorize, send, "
            "skip, delete), each with the version it was taken on and `siteid`; keyed by "
            "requisition, so one requisition's steps apply in order."
        ),
    ),
    Topic(
        name="requisition.site-refusals",
        owner="requisition",
        key="requisition_id",
        partitions=3,
        cleanup_policy="delete",
        retention_ms=90 * DAY_MS,
        event_types=(SiteRequisitionRefused.event_type,),
        description=(
            "Site requisition steps requisition could not apply (a stale version, a step its "
            "status does not allow, unknown reference data); each also went to "
            "sites.requisition-events.dlq and reaches the sending site through its feed."
        ),
    ),
    Topic(
        name="inventory.edge-rejections",
        owner="inventory",
        key="site_id (the claimed one; unknown when absent)",
        partitions=3,
        cleanup_policy="delete",
        retention_ms=90 * DAY_MS,
        event_types=(EdgeEventRejected.event_type,),
        description=(
            "Site documents inventory refused (a store the site does not write, unreadable or "
            "invalid content, a sequence another document holds, too far ahead); each also went "
            "to sites.inventory-events.dlq and reaches the sending site through its feed."
        ),
    ),
    Topic(
        name="inventory.edge-acks",
        owner="inventory",
        key="store_id",
        partitions=3,
        # Compacted: the latest acknowledgement per store is how far central's ledger goes, so
        # the sync hub can rebuild every site's acknowledgements from the topic alone.
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(EdgeDocumentsApplied.event_type,),
        description=(
            "How far central has applied each site-managed store's documents (its next "
            "sequence); the sync hub forwards them to the store's site."
        ),
    ),
    Topic(
        name="inventory.edge-stalls",
        owner="inventory",
        key="store_id",
        partitions=3,
        # Compacted like alerts: the latest record per store says whether it is stalled now.
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(EdgeStoreStalled.event_type, EdgeStoreResumed.event_type),
        description=(
            "Site-managed stores whose documents have waited too long (behind a gap, or for "
            "central to see the site's right to write them), and when they move again."
        ),
    ),
    Topic(
        name="sites.refusals",
        owner="sites",
        key="site_id",
        partitions=3,
        cleanup_policy="delete",
        retention_ms=90 * DAY_MS,
        event_types=(SiteWriteRefused.event_type,),
        description=(
            "Site events the sync hub refused at the door (a store the site does not manage, a "
            "site id other than the token's, unreadable content): an alert for operations."
        ),
    ),
    # Fulfillment's reference data: requisition routes approval by it (approval ends at the node
    # whose line names the supplier), and orders go to the supplier it names.
    Topic(
        name="fulfillment.supply-lines",
        owner="fulfillment",
        key="supply_line_id",
        partitions=3,
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(SupplyLineChanged.event_type,),
        description=(
            "Supply lines: which facility supplies each supervisory node for each program (full "
            "state, compacted); the latest record per supply_line_id is current."
        ),
    ),
    Topic(
        name="fulfillment.orders",
        owner="fulfillment",
        key="order_id",
        partitions=12,
        cleanup_policy="delete",
        # Requesting facilities and their sites follow their orders' steps; a year covers an
        # order's life, the database keeps the history.
        retention_ms=365 * DAY_MS,
        event_types=(OrderChanged.event_type,),
        description=(
            "Every step of every order (created, allocated, shipped, received, closed), each the "
            "order's full state with what was shipped, received, rejected and is still due."
        ),
    ),
    Topic(
        name="fulfillment.shipments",
        owner="fulfillment",
        key="shipment_id",
        partitions=12,
        cleanup_policy="delete",
        retention_ms=365 * DAY_MS,
        event_types=(
            ShipmentAllocated.event_type,
            ShipmentCancelled.event_type,
            ShipmentShipped.event_type,
            ShipmentReceived.event_type,
        ),
        description=(
            "A shipment's life in order: lots allocated FEFO (inventory reserves them), "
            "cancelled (released), shipped (issued at the supplier; the receiver expects it) and "
            "received (proof of delivery: accepted stock enters the receiver's ledger, rejected "
            "quantities and reasons go back to the supplier)."
        ),
    ),
    Topic(
        name="sites.shipment-events",
        owner="sites",
        key="shipment_id",
        partitions=12,
        cleanup_policy="delete",
        # Sites keep each proof until central's word on the shipment comes back, so the topic
        # only has to outlast an outage of fulfillment's site consumer.
        retention_ms=30 * DAY_MS,
        event_types=(SiteShipmentReceived.event_type,),
        description=(
            "Proofs of delivery confirmed at edge sites (offline or not) for shipments to the "
            "stores they manage, each with the shipment version it was taken on and `siteid`; "
            "the accepted stock is already in the site's ledger."
        ),
    ),
    Topic(
        name="fulfillment.site-refusals",
        owner="fulfillment",
        key="shipment_id",
        partitions=3,
        cleanup_policy="delete",
        retention_ms=90 * DAY_MS,
        event_types=(SiteShipmentRefused.event_type,),
        description=(
            "Site proofs of delivery fulfillment could not apply (an unknown shipment, a stale "
            "version, lines that do not add up); each also went to sites.shipment-events.dlq and "
            "reaches the sending site through its feed."
        ),
    ),
    Topic(
        name="inventory.reservations",
        owner="inventory",
        key="shipment_id",
        partitions=12,
        cleanup_policy="delete",
        retention_ms=30 * DAY_MS,
        event_types=(StockReserved.event_type,),
        description=(
            "Inventory's answer to each allocated shipment: per line what it reserved (at most "
            "what was available; the rest is short) and the line's level after it."
        ),
    ),
    Topic(
        name="ops.dlq-decisions",
        owner="ops",
        key="<dlq topic>:<partition>:<offset> of the dead letter",
        # Operators decide about a handful of dead letters; `akiba dlq` reads the whole topic.
        partitions=1,
        # Compacted: the latest record per dead letter is its state (replayed or discarded) and
        # carries every earlier decision about it, so nothing of the audit trail is lost.
        cleanup_policy="compact",
        retention_ms=None,
        event_types=(DeadLetterDecided.event_type,),
        description=(
            "Who replayed or discarded which dead letter, when and why (`akiba dlq replay|"
            "discard`); the latest record per dead letter holds its whole history."
        ),
    ),
)


def dlq_name(topic: Topic | str) -> str:
    """The dead-letter topic name of a topic: `<topic>.dlq`."""
    name = topic.name if isinstance(topic, Topic) else topic
    return f"{name}{DLQ_SUFFIX}"


def dlq_topic(topic: Topic | str) -> Topic:
    """The dead-letter topic of a topic; its consumers write failed records there unchanged."""
    source = topic if isinstance(topic, Topic) else _by_name(TOPICS, topic)
    return Topic(
        name=dlq_name(source),
        owner=source.owner,
        key=source.key,
        # Dead letters are rare and nobody needs them in parallel; a few partitions suffice.
        partitions=min(DLQ_PARTITIONS, source.partitions),
        # Always "delete": a dead letter is a distinct failure, never superseded by a newer one.
        cleanup_policy="delete",
        # Kept until an operator replays or discards them (-1: no time limit; None would be the
        # broker's default, a week): a dead letter may be the only trace of an effect a
        # consumer failed to apply, and the volume is tiny.
        retention_ms=-1,
        event_types=source.event_types,
        description=f"Records from {source.name} that a consumer could not process.",
    )


def all_topics(include_dlq: bool = True) -> tuple[Topic, ...]:
    """Every catalogue topic, each followed by its dead-letter topic unless excluded."""
    if not include_dlq:
        return TOPICS
    return tuple(t for main in TOPICS for t in (main, dlq_topic(main)))


def topic_for(event_type: str) -> Topic:
    """The catalogue topic that carries an event type."""
    for candidate in TOPICS:
        if event_type in candidate.event_types:
            return candidate
    raise KeyError(f"no catalogue topic carries {event_type!r}")


def topic(name: str) -> Topic:
    """The catalogue topic (or dead-letter topic) with this name."""
    return _by_name(all_topics(), name)


def _by_name(topics: tuple[Topic, ...], name: str) -> Topic:
    for candidate in topics:
        if candidate.name == name:
            return candidate
    known = ", ".join(t.name for t in topics)
    raise KeyError(f"no topic named {name!r} in the catalogue; known topics: {known}")
