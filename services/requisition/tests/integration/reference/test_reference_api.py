"""Every kind of reference record through the real app: create, list, read, change by version,
each change published whole to the outbox under its compaction key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from .conftest import Api


@dataclass(frozen=True)
class Kind:
    """Where one kind lives, how to make one, how to change it, where it is published."""

    made: Callable[[Api], Awaitable[tuple[str, dict[str, Any]]]]  # collection path, body
    path: Callable[[dict[str, Any]], str]  # the record's own path
    change: dict[str, Any]
    topic: str
    key: Callable[[dict[str, Any]], str]


async def _program(api: Api) -> tuple[str, dict[str, Any]]:
    return "/programs", {"code": api.code(), "name": "Family planning"}


async def _program_orderable(api: Api) -> tuple[str, dict[str, Any]]:
    program = await api.program()
    return f"/programs/{program['program_id']}/orderables", {"orderable_id": str(uuid4())}


async def _approved(api: Api) -> tuple[str, dict[str, Any]]:
    program, item = await api.program(), str(uuid4())
    await api.made(f"/programs/{program['program_id']}/orderables", {"orderable_id": item})
    body = {"facility_type_id": str(uuid4()), "orderable_id": item, "max_periods_of_stock": 3}
    return f"/programs/{program['program_id']}/approved-products", body


async def _schedule(api: Api) -> tuple[str, dict[str, Any]]:
    return "/schedules", {"code": api.code(), "name": "Quarterly"}


async def _period(api: Api) -> tuple[str, dict[str, Any]]:
    schedule = await api.schedule()
    body = {"name": "Jan 2026", "start_date": "2026-01-01", "end_date": "2026-01-31"}
    return f"/schedules/{schedule['schedule_id']}/periods", body


async def _group(api: Api) -> tuple[str, dict[str, Any]]:
    program, schedule = await api.program(), await api.schedule()
    body = {"group_id": str(uuid4()), "program_id": program["program_id"]}
    return "/group-schedules", {**body, "schedule_id": schedule["schedule_id"]}


async def _template(api: Api) -> tuple[str, dict[str, Any]]:
    program = await api.program()
    return "/templates", {"program_id": program["program_id"], **TEMPLATE}


async def _amount(api: Api) -> tuple[str, dict[str, Any]]:
    schedule = await api.schedule()
    period = await api.made(f"/schedules/{schedule['schedule_id']}/periods", MARCH)
    rights = (f"IDEAL_STOCK_AMOUNT_{r}|{FACILITY}" for r in ("EDIT", "VIEW"))
    api.token = api.issuer.user(*rights)[1]
    body = {"orderable_id": str(uuid4()), "period_id": period["period_id"], "amount": 100}
    return f"/facilities/{FACILITY}/ideal-stock-amounts", body


FACILITY = uuid4()
DECIMALS = {"price_per_pack", "max_periods_of_stock", "min_periods_of_stock"}
MARCH = {"name": "March 2026", "start_date": "2026-03-01", "end_date": "2026-03-31"}
TEMPLATE = {
    "name": "Simple",
    "columns": {
        "requested_quantity": {"source": "USER_INPUT"},
        "requested_quantity_explanation": {"source": "USER_INPUT"},
    },
}
KINDS = {
    "program": Kind(
        _program, lambda r: f"/programs/{r['program_id']}",
        {"code": "X-1", "name": "Family planning", "report_only": True}, "requisition.programs",
        lambda r: r["program_id"],
    ),
    "program orderable": Kind(
        _program_orderable, lambda r: f"/programs/{r['program_id']}/orderables/{r['orderable_id']}",
        {"price_per_pack": "12.5", "category": "Vaccines"}, "requisition.programs",
        lambda r: f"{r['program_id']}:{r['orderable_id']}",
    ),
    "approved product": Kind(
        _approved,
        lambda r: f"/programs/{r['program_id']}/approved-products/{r['facility_type_id']}/"
        f"{r['orderable_id']}",
        {"max_periods_of_stock": 4, "min_periods_of_stock": "1.5"}, "requisition.programs",
        lambda r: f"{r['facility_type_id']}:{r['program_id']}:{r['orderable_id']}",
    ),
    "schedule": Kind(
        _schedule, lambda r: f"/schedules/{r['schedule_id']}",
        {"code": "Q-1", "name": "Quarterly", "description": "Four a year"},
        "requisition.schedules", lambda r: r["schedule_id"],
    ),
    "period": Kind(
        _period, lambda r: f"/schedules/{r['schedule_id']}/periods/{r['period_id']}",
        {"name": "Q1 2026", "start_date": "2026-01-01", "end_date": "2026-03-31"},
        "requisition.schedules", lambda r: r["period_id"],
    ),
    "group schedule": Kind(
        _group, lambda r: f"/group-schedules/{r['group_id']}/{r['program_id']}",
        {}, "requisition.schedules", lambda r: f"{r['group_id']}:{r['program_id']}",
    ),
    "template": Kind(
        _template, lambda r: f"/templates/{r['template_id']}",
        {**TEMPLATE, "name": "Renamed"}, "requisition.templates", lambda r: r["template_id"],
    ),
    "ideal stock amount": Kind(
        _amount,
        lambda r: f"/facilities/{r['facility_id']}/ideal-stock-amounts/{r['orderable_id']}/"
        f"{r['period_id']}",
        {"amount": 150}, "requisition.ideal-stock-amounts",
        lambda r: f"{r['facility_id']}:{r['orderable_id']}:{r['period_id']}",
    ),
}  # fmt: skip


def _holds(record: dict[str, Any], change: dict[str, Any]) -> bool:
    """Whether the record shows every changed field (decimals compared as numbers)."""

    def same(k: str, v: Any) -> bool:
        if isinstance(v, dict):
            return all(same(f"{k}.{n}", x) for n, x in v.items())
        shown = record[k] if "." not in k else record[k.split(".")[0]][k.split(".")[1]]
        if k in DECIMALS:
            return Decimal(shown) == Decimal(str(v))
        return bool(shown == v)

    return all(same(k, v) for k, v in change.items() if k != "columns")


async def _change(api: Api, kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    """The change to make: for a group schedule, another schedule."""
    if kind.topic == "requisition.schedules" and "group_id" in record:
        return {"schedule_id": (await api.schedule())["schedule_id"]}
    return kind.change


@pytest.mark.parametrize("name", KINDS)
async def test_each_kind_is_created_listed_read_and_changed_by_version(api: Api, name: str) -> None:
    kind = KINDS[name]
    collection, body = await kind.made(api)
    created = await api.made(collection, body)
    assert created["version"] == 1
    listed = await api.call("GET", collection if name != "group schedule" else "/group-schedules")
    assert listed.status_code == 200, listed.text
    assert created in listed.json()["items"]
    read = await api.call("GET", kind.path(created))
    assert (read.json(), read.headers["etag"]) == (created, '"1"')
    change = await _change(api, kind, created)
    changed = await api.call("PUT", kind.path(created), change, if_match=read.headers["etag"])
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.headers["etag"] == '"2"'
    assert _holds(changed.json(), change)
    assert (await api.call("GET", kind.path(created))).json() == changed.json()


@pytest.mark.parametrize("name", KINDS)
async def test_each_change_is_published_whole_under_its_key(api: Api, name: str) -> None:
    kind = KINDS[name]
    collection, body = await kind.made(api)
    created = await api.made(collection, body)
    await api.call("PUT", kind.path(created), await _change(api, kind, created), if_match=1)
    events = [(k, e) for k, e in await api.events(kind.topic) if k == kind.key(created)]
    assert [e["version"] for _, e in events] == [1, 2]
    assert {k: v for k, v in events[0][1].items() if k in created} == created
    assert all(e["changed_at"] for _, e in events)


@pytest.mark.parametrize("name", KINDS)
async def test_a_change_needs_the_current_version(api: Api, name: str) -> None:
    kind = KINDS[name]
    collection, body = await kind.made(api)
    created = await api.made(collection, body)
    change = await _change(api, kind, created)
    missing = await api.call("PUT", kind.path(created), change)
    assert missing.status_code == 428, missing.text
    assert "If-Match" in missing.json()["detail"]
    stale = await api.call("PUT", kind.path(created), change, if_match=7)
    assert stale.status_code == 409, stale.text
    assert "version 1, not 7" in stale.json()["detail"]
    assert (await api.call("GET", kind.path(created))).json()["version"] == 1


@pytest.mark.parametrize("name", KINDS)
async def test_an_unknown_record_is_404(api: Api, name: str) -> None:
    kind = KINDS[name]
    collection, body = await kind.made(api)
    created = await api.made(collection, body)
    other = {k: str(uuid4()) if k.endswith("_id") and k != "facility_id" else v
             for k, v in created.items()}  # fmt: skip
    r = await api.call("GET", kind.path(other))
    assert r.status_code == 404, r.text
    r = await api.call("PUT", kind.path(other), await _change(api, kind, created), if_match=1)
    assert r.status_code == 404, r.text


async def test_a_change_that_changes_nothing_keeps_the_version_and_publishes_nothing(
    api: Api,
) -> None:
    program = await api.program()
    body = {k: program[k] for k in ("code", "name")}
    r = await api.call("PUT", f"/programs/{program['program_id']}", body, if_match=1)
    assert r.json()["version"] == 1
    assert len(await api.events("requisition.programs")) == 1


async def test_deactivating_needs_no_version_and_publishes_the_inactive_record(api: Api) -> None:
    program = await api.program()
    r = await api.call("POST", f"/programs/{program['program_id']}/deactivate")
    assert r.status_code == 200, r.text
    assert (r.json()["active"], r.json()["version"], r.headers["etag"]) == (False, 2, '"2"')
    (_, first), (_, last) = await api.events("requisition.programs")
    assert (first["active"], last["active"], last["version"]) == (True, False, 2)


async def test_lists_are_paged_with_their_total(api: Api) -> None:
    for _ in range(3):
        await api.program()
    first = (await api.call("GET", "/programs", size=2)).json()
    second = (await api.call("GET", "/programs", size=2, page=1)).json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
    assert first["items"][1]["code"] < second["items"][0]["code"]
    assert (await api.call("GET", "/programs", size=501)).status_code == 422


async def test_a_search_finds_programs_by_code_or_name(api: Api) -> None:
    await api.program(name="Malaria control")
    other = await api.program()
    found = (await api.call("GET", "/programs", q="malaria")).json()["items"]
    assert [p["name"] for p in found] == ["Malaria control"]
    found = (await api.call("GET", "/programs", q=other["code"].lower())).json()["items"]
    assert [p["program_id"] for p in found] == [other["program_id"]]
    assert (await api.call("GET", "/programs", q="100%_")).json()["total"] == 0
