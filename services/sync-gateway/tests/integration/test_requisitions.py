"""Requisitions at the site, offline: drafted from the site's own ledger by central's rules,
moved by the facility's steps, each step queued for central in its requisition's own lane,
and central's decisions taken from the feed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest

from akiba_contracts.envelope import decode
from akiba_contracts.payloads import (
    ApprovedProductChanged,
    FacilityChanged,
    GroupScheduleChanged,
    OrderableChanged,
    Payload,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    RequisitionKind,
    RequisitionLineState,
    RequisitionStatusChanged,
    SiteRequisitionRecorded,
    SiteRequisitionRefused,
    TemplateChanged,
    TemplateColumn,
)
from akiba_contracts.rights import Right
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage
from akiba_sync_gateway.adapters import credentials, outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import feed

from ..site import NOW, Site, receipt, seed, sign_in

TODAY = datetime(2026, 7, 15, 12, tzinfo=UTC)
MAY = (date(2026, 5, 1), date(2026, 5, 31))
JUNE = (date(2026, 6, 1), date(2026, 6, 30))
JULY = (date(2026, 7, 1), date(2026, 7, 31))
RIGHTS = [
    Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW, Right.REQUISITION_CREATE,
    Right.REQUISITION_AUTHORIZE, Right.REQUISITION_VIEW, Right.REQUISITION_DELETE,
]  # fmt: skip


class Setup:
    """A site whose store follows a monthly schedule for a program with one approved item."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.facility_type = uuid.uuid4()
        self.schedule = uuid.uuid4()
        self.group = uuid.uuid4()
        self.node = uuid.uuid4()
        self.periods = {span: uuid.uuid4() for span in (MAY, JUNE, JULY)}
        self.cursor = 100

    def entries(self) -> list[FeedEntry]:
        """What the feed brings for requisitions: the store's type, the program and its rules."""
        s = self.site
        payloads: list[tuple[FeedKind, str, Payload]] = [
            (FeedKind.FACILITY, str(s.store_id), FacilityChanged(
                store_id=s.store_id, code="S1", name="Store S1", managed_by="site",
                facility_type_id=self.facility_type, active=True, version=2, changed_at=NOW)),
            (FeedKind.FACILITY, str(s.other_store), FacilityChanged(
                store_id=s.other_store, code="S2", name="District store", managed_by="central",
                active=True, version=2, changed_at=NOW)),
            (FeedKind.ORDERABLE, str(s.item_id), OrderableChanged(
                item_id=s.item_id, code="AMX", name="Amoxicillin", dispensing_unit="tablet",
                net_content=10, pack_rounding_threshold=5, round_to_zero=False, vvm=False,
                cold_chain=False, active=True, version=2, changed_at=NOW)),
            (FeedKind.PROGRAM, str(s.program_id), ProgramChanged(
                program_id=s.program_id, code="EM", name="Essential medicines",
                periods_skippable=True, skip_authorization=False, report_only=False, active=True,
                version=1, changed_at=NOW)),
            (FeedKind.PROGRAM_ORDERABLE, f"{s.program_id}:{s.item_id}", ProgramOrderableChanged(
                program_id=s.program_id, orderable_id=s.item_id, full_supply=True,
                price_per_pack=Decimal("2.50"), category="Antibiotics", display_order=1,
                active=True, version=1, changed_at=NOW)),
            (FeedKind.APPROVED_PRODUCT, f"{self.facility_type}:{s.program_id}:{s.item_id}",
             ApprovedProductChanged(
                facility_type_id=self.facility_type, program_id=s.program_id,
                orderable_id=s.item_id, max_periods_of_stock=Decimal(3), active=True, version=1,
                changed_at=NOW)),
            (FeedKind.REQUISITION_GROUP, str(self.group), RequisitionGroupChanged(
                group_id=self.group, code="RG1", name="District group", node_id=self.node,
                facility_ids=[s.store_id], program_ids=[s.program_id], active=True,
                changed_at=NOW)),
            (FeedKind.GROUP_SCHEDULE, f"{self.group}:{s.program_id}", GroupScheduleChanged(
                group_id=self.group, program_id=s.program_id, schedule_id=self.schedule,
                version=1, changed_at=NOW)),
            (FeedKind.TEMPLATE, "t", TemplateChanged(
                template_id=uuid.uuid4(), program_id=s.program_id, facility_type_ids=[],
                name="Stock based", periods_to_average=2, stock_based=True, active=True,
                version=1, changed_at=NOW,
                columns={"stock_on_hand": TemplateColumn(source="STOCK_CARDS", displayed=True)})),
            *[
                (FeedKind.PERIOD, str(pid), PeriodChanged(
                    period_id=pid, schedule_id=self.schedule, name=start.strftime("%B"),
                    start_date=start, end_date=end, months=1, version=1, changed_at=NOW))
                for (start, end), pid in self.periods.items()
            ],
        ]  # fmt: skip
        return [_entry(i, k, key, p) for i, (k, key, p) in enumerate(payloads, start=1)]

    def central(
        self, rid: UUID, status: str, version: int, *lines: tuple[int, int | None], **extra: Any
    ) -> RequisitionStatusChanged:
        """Central's state of the store's May requisition: each line (calculated, approved)."""
        s = self.site
        return RequisitionStatusChanged(
            requisition_id=rid, kind=RequisitionKind.PROGRAM, facility_id=s.store_id,
            program_id=s.program_id, period_id=self.periods[MAY], emergency=False,
            status=status, version=version, supplying_facility_id=None,
            **{"node_id": None, "actor": "supervisor", "at": NOW, **extra},
            lines=[RequisitionLineState(orderable_id=s.item_id, calculated=c, approved=a)
                   for c, a in lines],
        )  # fmt: skip

    async def pull(self, db: Database, *entries: tuple[FeedKind, str, Payload]) -> None:
        """Apply feed entries as a pull would."""
        page = FeedPage(
            entries=[_entry(self.cursor + i, k, key, p) for i, (k, key, p) in enumerate(entries)],
            cursor=self.cursor + len(entries),
            more=False,
        )
        after, self.cursor = self.cursor, page.cursor
        site_id = str(self.site.site_id)
        await db.write(lambda c: feed.apply_page(c, after=after, page=page, now=NOW,
                                                 site_id=site_id))  # fmt: skip


def _entry(seq: int, kind: FeedKind, key: str, p: Payload) -> FeedEntry:
    return FeedEntry(seq=seq, kind=kind, key=key, event_type=p.event_type,
                     data=p.model_dump(mode="json"))  # fmt: skip


@pytest.fixture
async def setup(db: Database, site: Site) -> Setup:
    """The site after pulls that brought its stock and requisition reference data."""
    await seed(db, site)
    ready = Setup(site)
    page = FeedPage(entries=ready.entries(), cursor=ready.cursor, more=False)
    cursor = len(site.entries())
    await db.write(lambda c: feed.apply_page(c, after=cursor, page=page, now=NOW,
                                             site_id=str(site.site_id)))  # fmt: skip
    creds = site.credentials({"nurse": site.grant(*RIGHTS), "viewer": site.grant(
        Right.STOCK_CARDS_VIEW)})  # fmt: skip
    await db.write(lambda c: credentials.cache_credentials(c, creds))
    return ready


@pytest.fixture
async def api(setup: Setup, db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The local API on that site, its clock on 15 July 2026."""
    app = create_app(Settings(site_id=site.site_id), db, clock=lambda: TODAY)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            c.headers["authorization"] = f"Bearer {await sign_in(c, 'nurse')}"
            yield c


def _on(day: date) -> str:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC).isoformat()


async def _ledger(api: httpx.AsyncClient, site: Site) -> None:
    """May: 100 in, 40 out. June: 50 in, 80 out, 5 damaged."""
    base = f"/stores/{site.store_id}"
    first = await api.post(f"{base}/receipts",
                           json=receipt(site, 100, occurred_at=_on(date(2026, 5, 1))))  # fmt: skip
    assert first.status_code == 201, first.text
    batch = first.json()["batch_id"]

    def line(quantity: int, **extra: Any) -> dict[str, Any]:
        return {"item_id": str(site.item_id), "batch_id": batch, "quantity": quantity, **extra}

    for path, body in [
        ("issues", {"lines": [line(40)], "occurred_at": _on(date(2026, 5, 20))}),
        ("receipts", receipt(site, 50, occurred_at=_on(date(2026, 6, 1)))),
        ("issues", {"lines": [line(80)], "occurred_at": _on(date(2026, 6, 10))}),
        ("adjustments", {"direction": "negative", "occurred_at": _on(date(2026, 6, 15)),
                         "lines": [line(5, reason_id=str(site.damaged))]}),
    ]:  # fmt: skip
        r = await api.post(f"{base}/{path}", json=body)
        assert r.status_code == 201, r.text


def _steps(db: Database, requisition_id: str) -> list[tuple[str, int, str]]:
    rows = db._writer.execute(
        "SELECT body, first_sequence, state FROM outbox JOIN outbox_body USING (outbox_seq)"
        " WHERE store_id = ? ORDER BY outbox_seq",
        (f"requisition:{requisition_id}",),
    ).fetchall()
    out = []
    for body, base, state in rows:
        payload = SiteRequisitionRecorded.model_validate(decode(bytes(body)).data)
        assert payload.expected_version == base
        out.append((payload.step.value, base, state))
    return out


LEDGER = ["beginning_balance", "total_received_quantity", "total_losses_and_adjustments",
          "stock_on_hand", "total_consumed_quantity", "total_stockout_days"]  # fmt: skip
RULES = ["adjusted_consumption", "average_consumption", "maximum_stock_quantity",
         "calculated_order_quantity", "packs_to_ship", "total_cost"]  # fmt: skip


def _columns(line: dict[str, Any], names: list[str]) -> list[Any]:
    return [line[n] for n in names]


def _version(r: httpx.Response) -> dict[str, str]:
    return {"if-match": r.headers["etag"]}


async def test_a_requisition_drafted_offline_takes_its_figures_from_the_site_ledger_line_by_line(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    await _ledger(api, site)
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    periods = await api.get("/requisitions/periods", params=body)
    assert periods.json()["regular"]["period_id"] == str(setup.periods[MAY])

    may = await api.post("/requisitions/initiate", json=body)
    assert may.status_code == 201, may.text
    [line] = may.json()["lines"]
    # A=0, B=100, D=0, E=60: C=40; never out of stock, so N=C=40; P=40; H=3x40; I=120-60.
    assert _columns(line, LEDGER) == [0, 100, 0, 60, 40, 0]
    assert _columns(line, RULES) == [40, 40, 120, 60, 6, "15.00"]

    skipped = await api.post(f"/requisitions/{may.json()['requisition_id']}/skip",
                             headers=_version(may))  # fmt: skip
    assert skipped.json()["status"] == "SKIPPED"

    june = await api.post("/requisitions/initiate", json=body)
    assert june.status_code == 201, june.text
    [line] = june.json()["lines"]
    # A=60, B=50, D=-5, E=25: C=80, N=80; P=ceil((80+40)/2)=60 with May's; H=180; I=155;
    # packs of 10 round up only above 5 left over: 15 packs at 2.50.
    assert _columns(line, LEDGER) == [60, 50, -5, 25, 80, 0]
    assert _columns(line, RULES) == [80, 60, 180, 155, 15, "37.50"]
    assert _steps(db, may.json()["requisition_id"]) == [
        ("INITIATE", 0, "pending"),
        ("SKIP", 1, "pending"),
    ]


async def test_each_step_is_queued_in_its_requisitions_lane_at_the_version_it_was_taken_on(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    await _ledger(api, site)
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    r = await api.post("/requisitions/initiate", json=body)
    rid = r.json()["requisition_id"]
    edit = {"lines": [{"orderable_id": str(site.item_id), "requested_quantity": 70}]}
    unexplained = await api.put(f"/requisitions/{rid}/lines", json=edit, headers=_version(r))
    assert unexplained.status_code == 200  # saved; submitting it without a reason is refused
    refused = await api.post(f"/requisitions/{rid}/submit", headers=_version(unexplained))
    assert refused.status_code == 422 and "say why" in refused.json()["detail"]
    edit["lines"][0]["explanation"] = "a campaign next month"
    r = await api.put(f"/requisitions/{rid}/lines", json=edit, headers=_version(unexplained))
    stale = await api.post(f"/requisitions/{rid}/submit", headers=_version(unexplained))
    assert stale.status_code == 409
    r = await api.post(f"/requisitions/{rid}/submit", headers=_version(r))
    r = await api.post(f"/requisitions/{rid}/authorize", headers=_version(r))
    assert (r.json()["status"], r.json()["version"]) == ("AUTHORIZED", 5)
    assert r.json()["lines"][0]["approved_quantity"] == 70
    assert _steps(db, rid) == [
        ("INITIATE", 0, "pending"), ("EDIT", 1, "pending"), ("EDIT", 2, "pending"),
        ("SUBMIT", 3, "pending"), ("AUTHORIZE", 4, "pending"),
    ]  # fmt: skip
    blocked = await api.delete(f"/requisitions/{rid}", headers=_version(r))
    assert blocked.status_code == 409  # authorized: no longer the store's to delete


async def test_central_decisions_from_the_feed_sync_the_steps_and_bring_approved_quantities(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    await _ledger(api, site)
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    r = await api.post("/requisitions/initiate", json=body)
    rid = UUID(r.json()["requisition_id"])
    r = await api.post(f"/requisitions/{rid}/submit", headers=_version(r))
    r = await api.post(f"/requisitions/{rid}/authorize", headers=_version(r))
    db._writer.execute("UPDATE outbox SET state = 'forwarded' WHERE store_id LIKE 'requisition:%'")

    def state(
        version: int, status: str, approved: int, node_id: UUID | None = None
    ) -> RequisitionStatusChanged:
        return setup.central(rid, status, version, (60, approved), node_id=node_id)

    await setup.pull(db, (FeedKind.REQUISITION, str(rid), state(4, "AUTHORIZED", 60,
                                                               node_id=setup.node)))  # fmt: skip
    assert [s for _, _, s in _steps(db, str(rid))] == ["synced"] * 3
    r = await api.get(f"/requisitions/{rid}")
    assert (r.json()["node_id"], r.json()["version"]) == (str(setup.node), 4)

    await setup.pull(db, (FeedKind.REQUISITION, str(rid), state(6, "APPROVED", 50)))
    await setup.pull(db, (FeedKind.REQUISITION, str(rid), state(5, "IN_APPROVAL", 60)))  # late
    r = await api.get(f"/requisitions/{rid}")
    assert (r.json()["status"], r.json()["version"]) == ("APPROVED", 6)
    assert r.json()["lines"][0]["approved_quantity"] == 50
    assert [h["status"] for h in r.json()["history"]] == ["SUBMITTED", "AUTHORIZED", "APPROVED"]


async def test_a_step_central_refused_is_never_resent_and_shows_in_the_sync_status(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    body = {"facility_id": str(site.store_id), "supplying_facility_id": str(site.other_store),
            "item_ids": [str(site.item_id)]}  # fmt: skip
    r = await api.post("/internal-orders", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "INTERNAL_ORDER" and r.json()["internal_order_status"] == "DRAFT"
    rid = UUID(r.json()["requisition_id"])
    sent = await api.post(f"/internal-orders/{rid}/send", headers=_version(r))
    assert sent.json()["internal_order_status"] == "SENT"
    event_id = db._writer.execute(
        "SELECT event_id FROM outbox WHERE store_id = ? AND first_sequence = 1",
        (f"requisition:{rid}",),
    ).fetchone()[0]
    refusal = SiteRequisitionRefused(
        event_id=event_id, site_id=str(site.site_id), requisition_id=rid,
        facility_id=site.store_id, step="SEND", expected_version=1,
        reason="requisition is at version 3, not 1", refused_at=NOW,
    )  # fmt: skip
    await setup.pull(db, (FeedKind.REQUISITION_REFUSAL, event_id, refusal))
    status = await db.read(lambda c: outbox.status(c, NOW))
    assert status["refused_by_kind"] == {"requisition": 1}
    assert status["last_errors"][0]["message"] == "requisition is at version 3, not 1"


async def test_a_user_without_the_right_at_the_store_cannot_draft_or_read_its_requisitions(
    api: httpx.AsyncClient, setup: Setup, site: Site
) -> None:
    viewer = {"authorization": f"Bearer {await sign_in(api, 'viewer')}"}
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    assert (await api.post("/requisitions/initiate", json=body, headers=viewer)).status_code == 403
    listed = await api.get("/requisitions", params={"facility_id": str(site.store_id)},
                           headers=viewer)  # fmt: skip
    assert listed.status_code == 403
    mine = await api.get("/requisitions", params={"facility_id": str(site.store_id)})
    assert mine.status_code == 200 and mine.json()["total"] == 0


async def test_a_requisition_central_holds_for_the_store_takes_its_period_at_the_site(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    mine = await api.post("/requisitions/initiate", json=body)  # offline, for May
    central = setup.central(uuid.uuid4(), "AUTHORIZED", 4, (30, 30), node_id=setup.node,
                            actor="storemanager")  # fmt: skip
    await setup.pull(db, (FeedKind.REQUISITION, str(central.requisition_id), central))

    gone = await api.get(f"/requisitions/{mine.json()['requisition_id']}")
    assert gone.status_code == 404  # never applied centrally: central's holds the period
    kept = (await api.get(f"/requisitions/{central.requisition_id}")).json()
    assert (kept["status"], kept["version"], kept["lines"][0]["approved_quantity"]) == (
        "AUTHORIZED",
        4,
        30,
    )
    assert kept["lines"][0]["pack_size"] == 10  # the item's pack, as the site knows it
    periods = (await api.get("/requisitions/periods", params=body)).json()
    assert periods["regular"]["period_id"] == str(setup.periods[JUNE])


async def test_a_rejection_from_central_makes_it_editable_again_and_the_resubmission_follows_it(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    await _ledger(api, site)
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    r = await api.post("/requisitions/initiate", json=body)
    rid = UUID(r.json()["requisition_id"])
    r = await api.post(f"/requisitions/{rid}/submit", headers=_version(r))
    r = await api.post(f"/requisitions/{rid}/authorize", headers=_version(r))
    rejected = setup.central(rid, "REJECTED", 5, (60, None),
                             reason="60 is more than the district can spare")  # fmt: skip
    await setup.pull(db, (FeedKind.REQUISITION, str(rid), rejected))

    back = await api.get(f"/requisitions/{rid}")
    assert (back.json()["status"], back.headers["etag"]) == ("REJECTED", '"5"')
    assert back.json()["history"][-1]["reason"] == "60 is more than the district can spare"
    edit = {"lines": [{"orderable_id": str(site.item_id), "requested_quantity": 40,
                       "explanation": "as the district asked"}]}  # fmt: skip
    r = await api.put(f"/requisitions/{rid}/lines", json=edit, headers=_version(back))
    r = await api.post(f"/requisitions/{rid}/submit", headers=_version(r))
    assert (r.json()["status"], r.json()["version"]) == ("SUBMITTED", 7)
    assert _steps(db, str(rid))[-2:] == [("EDIT", 5, "pending"), ("SUBMIT", 6, "pending")]


async def test_a_requisition_deleted_here_is_not_brought_back_by_an_older_state_from_central(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    r = await api.post("/requisitions/initiate", json=body)
    rid = UUID(r.json()["requisition_id"])
    assert (await api.delete(f"/requisitions/{rid}", headers=_version(r))).status_code == 204
    initiated = setup.central(rid, "INITIATED", 1, actor="nurse")
    await setup.pull(db, (FeedKind.REQUISITION, str(rid), initiated))  # its deletion not yet in
    assert (await api.get(f"/requisitions/{rid}")).status_code == 404


async def test_an_initiation_retried_with_its_idempotency_key_records_nothing_new(
    api: httpx.AsyncClient, setup: Setup, site: Site, db: Database
) -> None:
    body = {"facility_id": str(site.store_id), "program_id": str(site.program_id)}
    key = {"idempotency-key": str(uuid.uuid4())}
    first = await api.post("/requisitions/initiate", json=body, headers=key)
    again = await api.post("/requisitions/initiate", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["requisition_id"] == first.json()["requisition_id"]
    (count,) = db._writer.execute(
        "SELECT count(*) FROM outbox WHERE store_id LIKE 'req%'"
    ).fetchone()
    assert count == 1  # one INITIATE on its way to central
