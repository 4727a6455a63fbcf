"""Fakes of central for tests and the bench: they pass the same behaviour suite as the real link."""

from __future__ import annotations

import json
from uuid import UUID

from akiba_contracts.envelope import decode
from akiba_contracts.sync import FeedEntry, FeedPage, PushRefusal, PushResponse, SiteCredentials
from akiba_sync_gateway.sync.link import LinkDown, PushTooLarge


class FakeHub:
    """An in-memory hub: keeps what it accepted, refuses stores the site does not manage, and
    (as the hub's push_max_bytes) any push body over `max_bytes`."""

    def __init__(self, site_id: UUID, stores: set[UUID], max_bytes: int | None = None) -> None:
        self.site_id, self.stores, self.max_bytes = site_id, stores, max_bytes
        self.received: list[dict[str, object]] = []
        self.down = False

    def push(self, body: bytes) -> PushResponse:
        """Accept or refuse each event of a pushed JSON array."""
        if self.down:
            raise LinkDown("the hub is unreachable")
        if self.max_bytes is not None and len(body) > self.max_bytes:
            detail = f"a push body may hold at most {self.max_bytes} bytes"
            raise PushTooLarge(f"413 for {len(body)} bytes: {detail}", len(body))
        accepted, refused = [], []
        for raw in json.loads(body):
            event = decode(json.dumps(raw))
            data = event.data or {}
            # Where the hub places each kind: a document's store, a step's or a proof's store.
            placed = data.get("store_id") or data.get("facility_id")
            store = UUID(str(placed or data.get("receiving_facility_id")))
            if event.siteid != str(self.site_id) or store not in self.stores:
                refused.append(PushRefusal(event_id=event.id, reason=f"store {store} is not yours"))
            else:
                self.received.append(raw)
                accepted.append(event.id)
        return PushResponse(accepted=accepted, refused=refused)


class FakeUplink:
    """An Uplink straight into a FakeHub."""

    def __init__(self, hub: FakeHub) -> None:
        self.hub = hub
        self.batches: list[int] = []

    async def push(self, events: list[bytes]) -> PushResponse:
        """Push a batch as HttpUplink would send it."""
        self.batches.append(len(events))
        return self.hub.push(b"[" + b",".join(events) + b"]")


class FakeDownlink:
    """A feed served from a list of entries, and fixed credentials."""

    def __init__(self, entries: list[FeedEntry], creds: SiteCredentials | None = None) -> None:
        self.entries, self.creds = entries, creds
        self.down = False

    async def feed(self, after: int, limit: int) -> FeedPage:
        """Entries after the cursor, oldest first."""
        if self.down:
            raise LinkDown("the hub is unreachable")
        page = [e for e in sorted(self.entries, key=lambda e: e.seq) if e.seq > after][:limit]
        more = len([e for e in self.entries if e.seq > after]) > len(page)
        return FeedPage(entries=page, cursor=page[-1].seq if page else after, more=more)

    async def credentials(self) -> SiteCredentials:
        """The site's credentials."""
        if self.down or self.creds is None:
            raise LinkDown("auth is unreachable")
        return self.creds
