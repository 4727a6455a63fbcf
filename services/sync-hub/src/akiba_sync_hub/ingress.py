"""Push: check each site event at the door, then put the accepted ones on Kafka before answering."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from akiba_contracts.envelope import CloudEvent, encode, new_event
from akiba_contracts.payloads.edge import SiteWriteRefused
from akiba_contracts.sync import PushRefusal, PushResponse
from akiba_platform import Record, kafka, send_batched
from akiba_platform.auth import SiteDirectory
from akiba_sync_hub.domain.writes import DirectoryBehind, SiteView, WriteRefused, check_site_write
from akiba_sync_hub.routing import ROUTES, Unplaceable, first_error

log = logging.getLogger(__name__)
REFUSALS = "sites.refusals"
SOURCE = "/akiba/sync-hub"


class KafkaUnavailable(Exception):
    """The events could not be put on Kafka: nothing is acknowledged, the site sends them again."""


class NotYet(Exception):
    """The hub has not yet read the site's latest record: nothing accepted, push again later."""


@dataclass(frozen=True)
class Accepted:
    """An event that passed the door, as sent, and the topic and key it goes to."""

    event_id: str
    topic: str
    key: str
    body: bytes


@dataclass(frozen=True)
class Refused:
    """An event that did not, why, and the store it would have written if readable."""

    event_id: str
    reason: str
    store_id: UUID | None = None


class Ingress:
    """Checks pushes against auth's sites and produces what passes (idempotent, acks=all).

    The producer starts on the first push, so the API comes up (and says it is not ready)
    while Kafka is away, and a process that is never pushed to never connects.
    """

    def __init__(self, sites: SiteDirectory, bootstrap: str) -> None:
        self._sites = sites
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()

    async def close(self) -> None:
        """Flush and stop the producer, if it ever started."""
        if self._producer is not None:
            await self._producer.stop()
        await asyncio.gather(*self._retiring, return_exceptions=True)

    def _discard(self, producer: AIOKafkaProducer | None) -> None:
        """Replace a producer that failed: after a broker restart aiokafka's idempotent
        producer can stay out of sequence for good (OutOfOrderSequenceNumber on every send),
        so the next push starts a new one, with a new producer id."""
        if producer is None or self._producer is not producer:
            return
        self._producer = None
        task = asyncio.create_task(_stop_quietly(producer))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _started(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                producer = kafka.producer(self._bootstrap)
                await producer.start()
                self._producer = producer
        return self._producer

    async def push(self, site_id: UUID, raw: Sequence[Any]) -> PushResponse:
        """Forward the acceptable events in push order; refuse and report the others.

        NotYet (nothing accepted) if the hub's view of the site is behind the site's own.
        """
        view = self._site_view(site_id)  # once a push: a site with many stores built it per event
        try:
            outcomes = [self.check(site_id, item, view) for item in raw]
        except DirectoryBehind as exc:
            raise NotYet(str(exc)) from None
        accepted = [o for o in outcomes if isinstance(o, Accepted)]
        refused = [o for o in outcomes if isinstance(o, Refused)]
        producer = None
        try:
            producer = await self._started()
            # Batched in push order on one idempotent producer: each store's (and each
            # requisition's) partition keeps the order the site sent them in.
            records = [Record(a.topic, a.key.encode(), a.body) for a in accepted]
            records += [_alert(site_id, r) for r in refused]
            await asyncio.gather(*await send_batched(producer, records))
        except KafkaError as exc:
            self._discard(producer)
            raise KafkaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return PushResponse(
            accepted=[a.event_id for a in accepted],
            refused=[PushRefusal(event_id=r.event_id, reason=r.reason) for r in refused],
        )

    def check(self, site_id: UUID, item: Any, view: SiteView | None) -> Accepted | Refused:
        """Whether one pushed item may go to the topic, the site being as `view` shows it."""
        event_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        try:
            event = CloudEvent.model_validate(item)
        except ValidationError as exc:
            return Refused(event_id, f"not a CloudEvent: {first_error(exc)}")
        return _check_event(site_id, event, item, view)

    def _site_view(self, site_id: UUID) -> SiteView | None:
        site = self._sites.sites.get(site_id)
        if site is None:
            return None
        return SiteView(site.active, frozenset(site.store_ids), site.version or 0)


def _check_event(
    site_id: UUID, event: CloudEvent, item: Any, view: SiteView | None
) -> Accepted | Refused:
    """The door checks who writes which store, and that the event can be placed on its
    topic; what it does there is for the service that applies it to judge."""
    route = ROUTES.get(event.type)
    if route is None:
        return Refused(event.id, f"event type {event.type} is not accepted from sites")
    try:
        place = route.place(event)
    except Unplaceable as exc:
        return Refused(event.id, f"invalid {event.type}: {exc}", exc.store_id)
    version = getattr(event, "siteversion", None)
    try:
        check_site_write(site_id, event.siteid, place.store_id, version, view)
    except WriteRefused as exc:
        return Refused(event.id, str(exc), place.store_id)
    # The event goes on as the site sent it: its consumer reads and judges it when applying.
    return Accepted(event.id, route.topic, place.key, orjson.dumps(item))


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout=30)
    except Exception:
        log.warning("a failed producer did not stop cleanly", exc_info=True)


def _alert(site_id: UUID, r: Refused) -> Record:
    payload = SiteWriteRefused(
        site_id=site_id,
        event_id=r.event_id,
        store_id=r.store_id,
        reason=r.reason,
        refused_at=datetime.now(UTC),
    )
    key = payload.partition_key()
    event = new_event(
        source=SOURCE,
        type=payload.event_type,
        subject=f"sites/{site_id}",
        data=payload,
        partitionkey=key,
    )
    return Record(REFUSALS, key.encode(), encode(event))
