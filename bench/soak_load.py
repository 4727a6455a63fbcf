"""The soak's load: every simulated site records on its own clock and pushes like its gateway.

No gateway processes: one asyncio loop plays all the sites over the hub's real push protocol
(`POST /sites/{id}/events` with the site's own token, `SiteStockRecorded` CloudEvents numbered
by each store's sequence). A site records a document when its clock says so; like the
gateway's forwarder it has at most one push in flight, sends everything recorded since in its
next push, and sends the same events again after a failure or a 503 (Retry-After) until the hub
acknowledges them. Open loop: recording never waits for the hub, so a slow hub shows as
latency and backlog, not as a lower offered rate.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import orjson

from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads.edge import SiteDocumentType, SiteMovementLine, SiteStockRecorded
from akiba_contracts.payloads.inventory import MovementType
from akiba_contracts.sync import PUSH_BATCH_LIMIT
from bench.soak_http import Answer, Http
from bench.soak_schedule import SiteClock, due
from bench.soak_world import SimSite

ISSUE_SHARE = 0.2  # the rest are receipts
LOTS = 3
# The gateway's defaults (akiba_sync_gateway.settings): a push unanswered after 30 s failed;
# retries wait a random time up to 0.5 s doubling per failure, at most 60 s ("full jitter").
TIMEOUT = 30.0
BACKOFF_BASE, BACKOFF_MAX = 0.5, 60.0


@dataclass(frozen=True)
class Movement:
    """One ledger line the site recorded: where central must put it."""

    movement_id: UUID
    store_id: UUID
    sequence: int
    quantity: int


@dataclass(frozen=True)
class Document:
    """A recorded document waiting to be acknowledged, and when its site recorded it."""

    recorded: float  # the loop's clock
    recorded_wall: float  # time.time(), to compare with the ledger's recorded_at
    event_id: str
    body: bytes
    movements: tuple[Movement, ...]


@dataclass
class SiteState:
    """A site's gateway as far as pushing goes: its stores' next sequences and its outbox."""

    site: SimSite
    next_sequence: dict[UUID, int]
    outbox: list[Document] = field(default_factory=list)
    pushing: bool = False
    turn: int = 0
    hub: int = 0  # which of the hub's API processes the site reaches


@dataclass
class Tally:
    """What the load did and what the hub answered."""

    recorded_docs: int = 0
    recorded_lines: int = 0
    pushes: int = 0
    acked_docs: int = 0
    # movement -> (recorded, acknowledged), wall clock, against the ledger's recorded_at
    acked_at: dict[UUID, tuple[float, float]] = field(default_factory=dict)
    acked: list[Movement] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    push_seconds: list[float] = field(default_factory=list)  # request written to answer read
    slot_seconds: list[float] = field(default_factory=list)  # waiting for a connection slot
    ack_seconds: list[float] = field(default_factory=list)  # recorded to acknowledged, per doc
    late_seconds: float = 0.0  # how far the recording loop fell behind its clock, at worst
    given_up: int = 0  # documents a 4xx answer left unacknowledged
    details: dict[str, str] = field(default_factory=dict)  # the first detail of each problem


class Load:
    """All the sites' recording and pushing against one hub."""

    def __init__(
        self,
        hub_ports: list[int],
        sites: list[SimSite],
        clocks: list[SiteClock],
        items: list[UUID],
        lines: int = 1,
        seed: int = 16,
        connections: int = 1024,
    ) -> None:
        # Sites are spread over the hub's API processes as an ingress would, by site.
        self._hubs = [Http(p, limit=max(1, connections // len(hub_ports))) for p in hub_ports]
        self._sites = [
            SiteState(s, dict.fromkeys(s.store_ids, 1), hub=i % len(hub_ports))
            for i, s in enumerate(sites)
        ]
        self._clocks = clocks
        self._items = items
        self._lines = lines
        self._rng = random.Random(seed)
        self._tasks: set[asyncio.Task[None]] = set()
        self._expiry = date.today() + timedelta(days=400)
        self.tally = Tally()
        self.started = 0.0  # the loop's clock at the run's zero

    @property
    def connections(self) -> int:
        """Connections the generator opened to the hub."""
        return sum(h.opened for h in self._hubs)

    @property
    def sites_recorded(self) -> int:
        """Sites that recorded at least one document."""
        return sum(1 for s in self._sites if s.turn)

    @property
    def backlog(self) -> int:
        """Documents recorded and not yet acknowledged, over all sites."""
        return sum(len(s.outbox) for s in self._sites)

    async def run(self, seconds: float) -> None:
        """Record on every site's clock for `seconds`, then wait for every push to finish."""
        try:
            await self._record(seconds)
            while self._tasks:
                await asyncio.gather(*list(self._tasks))
        finally:
            for task in self._tasks:
                task.cancel()  # stopped early: no push outlives the run
            for h in self._hubs:
                h.close()

    async def _record(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.started = loop.time() + 0.2
        for at, i in due(self._clocks, seconds):
            wait = self.started + at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            else:
                self.tally.late_seconds = max(self.tally.late_seconds, -wait)
            state = self._sites[i]
            state.outbox.append(self._document(state, self.started + at))
            if not state.pushing:
                state.pushing = True
                task = asyncio.create_task(self._push(state))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _document(self, state: SiteState, recorded: float) -> Document:
        """One stock document at one of the site's stores (round robin), next in its sequence."""
        rng = self._rng
        store = state.site.store_ids[state.turn % len(state.site.store_ids)]
        state.turn += 1
        issue = rng.random() < ISSUE_SHARE
        kind = MovementType.ISSUE if issue else MovementType.RECEIPT
        lines = [
            SiteMovementLine(
                movement_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                item_id=rng.choice(self._items),
                lot_code=f"LOT-{rng.randrange(LOTS)}",
                expiry_date=self._expiry,
                movement_type=kind,
                quantity=-rng.randint(1, 20) if issue else rng.randint(1, 500),
            )
            for _ in range(self._lines)
        ]
        now = datetime.now(UTC)
        first = state.next_sequence[store]
        state.next_sequence[store] = first + len(lines)
        payload = SiteStockRecorded(
            document_id=uuid.uuid4(),
            store_id=store,
            document_type=SiteDocumentType.ISSUE if issue else SiteDocumentType.RECEIPT,
            occurred_at=now,
            recorded_at=now,
            actor="soak-clerk",
            reference=f"SOAK-{self.tally.recorded_docs:09d}",
            source="soak",
            lines=lines,
        )
        site = state.site.site_id
        event = new_event(
            source=f"/akiba/sites/{site}",
            type=payload.event_type,
            subject=f"stores/{store}",
            data=payload,
            partitionkey=str(store),
            siteid=str(site),
            storeseq=first,
        )
        self.tally.recorded_docs += 1
        self.tally.recorded_lines += len(lines)
        moves = tuple(
            Movement(ln.movement_id, store, first + k, ln.quantity) for k, ln in enumerate(lines)
        )
        return Document(recorded, time.time(), event.id, encode(event), moves)

    async def _push(self, state: SiteState) -> None:
        """Push the site's outbox, oldest first, until it is empty; one push in flight."""
        try:
            while state.outbox:
                batch = state.outbox[:PUSH_BATCH_LIMIT]
                await self._until_answered(state, batch)
                del state.outbox[: len(batch)]
        finally:
            state.pushing = False

    async def _until_answered(self, state: SiteState, batch: list[Document]) -> None:
        site = state.site
        body = b"[" + b",".join(d.body for d in batch) + b"]"
        path = f"/sites/{site.site_id}/events"
        http = self._hubs[state.hub]
        failures = 0
        while True:
            headers = {
                "authorization": f"Bearer {site.token}",
                "content-type": "application/json",
                "akiba-site-backlog": str(len(state.outbox)),
            }
            try:
                answer = await asyncio.wait_for(http.post(path, headers, body), TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                self.tally.answers[f"no answer ({type(exc).__name__})"] += 1
                failures += 1
                await asyncio.sleep(self._backoff(failures))
                continue
            self.tally.pushes += 1
            self.tally.push_seconds.append(answer.seconds)
            self.tally.slot_seconds.append(answer.waited)
            outcome, detail = _outcome(answer)
            self.tally.answers[outcome] += 1
            if detail:
                self.tally.details.setdefault(outcome, detail)
            if answer.status == 200:
                self._acknowledged(batch, answer)
                return
            if answer.status >= 500 or answer.status == 429:
                failures += 1
                after = answer.headers.get("retry-after", "")
                await asyncio.sleep(float(after) if after.isdigit() else self._backoff(failures))
                continue
            self.tally.given_up += len(batch)  # a 4xx: the gateway would not resend it either
            return

    def _backoff(self, failures: int) -> float:
        return self._rng.uniform(0.0, min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (failures - 1)))

    def _acknowledged(self, batch: list[Document], answer: Answer) -> None:
        found = orjson.loads(answer.body)
        accepted = set(found["accepted"])
        self.tally.refused += [r["reason"] for r in found["refused"]]
        wall, now = time.time(), asyncio.get_running_loop().time()
        for d in batch:
            if d.event_id not in accepted:
                continue
            self.tally.acked_docs += 1
            self.tally.ack_seconds.append(now - d.recorded)
            for m in d.movements:
                self.tally.acked_at[m.movement_id] = (d.recorded_wall, wall)
                self.tally.acked.append(m)


def _outcome(answer: Answer) -> tuple[str, str]:
    """The status with a problem's title (a 503 says whether Kafka or the site was behind), and
    its detail."""
    if answer.status == 200:
        return "200", ""
    try:
        problem = orjson.loads(answer.body)
        title, detail = str(problem.get("title", "")), str(problem.get("detail", ""))
    except (orjson.JSONDecodeError, AttributeError):
        title, detail = "", answer.body[:200].decode(errors="replace")
    return f"{answer.status} {title}".strip(), detail
