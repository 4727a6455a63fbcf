"""Upstream: a site pushes the events it recorded."""

from __future__ import annotations

import logging
import time
from typing import Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Request
from starlette.requests import ClientDisconnect

from akiba_contracts.sync import PUSH_BATCH_LIMIT, PushResponse
from akiba_platform import idempotency
from akiba_platform.auth import requires_site
from akiba_platform.http import Problem
from akiba_sync_hub import metrics
from akiba_sync_hub.api import contact
from akiba_sync_hub.api.admission import InFlightDep, Place
from akiba_sync_hub.api.deps import IngressDep, SettingsDep
from akiba_sync_hub.domain.status import Contact
from akiba_sync_hub.ingress import KafkaUnavailable, NotYet

log = logging.getLogger(__name__)
router = APIRouter(tags=["sync"])

_SITE = requires_site("site_id")
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "maxItems": PUSH_BATCH_LIMIT,
                    "items": {"type": "object", "description": "A structured CloudEvent"},
                }
            }
        },
    }
}


# No Idempotency-Key: a push is idempotent by the events' own ids. A push repeated after a
# timeout is forwarded again, and inventory's inbox and each store's sequence apply every
# event once. (The key's middleware would also read the whole body before the byte limit.)
_EXEMPT = idempotency.exempt("idempotent by event ids (inventory's inbox, store sequences)")


@router.post(
    "/sites/{site_id}/events",
    response_model=PushResponse,
    dependencies=_SITE["dependencies"],
    openapi_extra={**_SITE["openapi_extra"], **_BODY, **_EXEMPT},
)
async def push(
    site_id: UUID,
    request: Request,
    ingress: IngressDep,
    settings: SettingsDep,
    contacts: contact.ContactsDep,
    report: contact.Report,
    in_flight: InFlightDep,
) -> PushResponse:
    """Forward the site's events to Kafka; the answer lists what is on Kafka and what is refused."""
    # Whatever the answer, the push is the site's last contact, with the backlog it reported.
    refused = 0
    try:
        with in_flight.admitted() as place:
            response = await _forward(site_id, request, ingress, settings, place)
        refused = len(response.refused)
    finally:
        contacts.note(Contact(site_id, push=True, reported=report, refused=refused))
    return response


async def _forward(
    site_id: UUID, request: Request, ingress: IngressDep, settings: SettingsDep, place: Place
) -> PushResponse:
    started = time.perf_counter()
    body = await _body(request, settings.push_max_bytes, place)
    events = _events(body, settings.push_batch_limit)
    try:
        response = await ingress.push(site_id, events)
    except KafkaUnavailable as exc:
        raise Problem(
            503,
            "Kafka unavailable",
            f"nothing was accepted; push again later ({exc})",
            headers={"Retry-After": "1"},
        ) from None
    except NotYet as exc:
        metrics.pushed.add(len(events), {"outcome": "deferred"})
        raise Problem(
            503,
            "Site not known here yet",
            f"nothing was accepted; push again later ({exc})",
            headers={"Retry-After": "2"},
        ) from None
    metrics.pushed.add(len(response.accepted), {"outcome": "accepted"})
    metrics.pushed.add(len(response.refused), {"outcome": "refused"})
    metrics.push_duration.record(time.perf_counter() - started)
    return response


async def _body(request: Request, limit: int, place: Place) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem(413, "Push too large", f"a push body may hold at most {limit} bytes")
    body = bytearray()
    try:
        async for chunk in request.stream():
            place.hold(len(chunk))
            body += chunk
            if len(body) > limit:
                raise Problem(413, "Push too large", f"a push body may hold at most {limit} bytes")
    except ClientDisconnect:
        # The site hung up (a dropped link, its own timeout): its doing, not the hub's, so no
        # traceback at ERROR. It sends the same events again; none of these was accepted.
        log.info("a site hung up mid-push after %d bytes; nothing was accepted", len(body))
        # 499, as proxies log a request its client closed; nobody reads this answer.
        raise Problem(499, "Client closed request", "nothing was accepted") from None
    return bytes(body)


def _events(body: bytes, limit: int) -> list[Any]:
    try:
        events = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise Problem(422, "Invalid push", f"the body is not JSON: {exc}") from None
    if not isinstance(events, list):
        raise Problem(422, "Invalid push", "the body must be a JSON array of CloudEvents")
    if len(events) > limit:
        raise Problem(413, "Push too large", f"a push may carry at most {limit} events")
    return events
