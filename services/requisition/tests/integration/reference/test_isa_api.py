"""Ideal stock amounts: set at a facility, loaded in bulk, published as they change."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from .conftest import Api

MONTHS = [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-28")]


async def _periods(api: Api) -> list[str]:
    schedule = await api.schedule()
    path = f"/schedules/{schedule['schedule_id']}/periods"
    return [
        (await api.made(path, {"name": s, "start_date": s, "end_date": e}))["period_id"]
        for s, e in MONTHS
    ]


def _editor(api: Api, *facilities: UUID) -> str:
    return api.issuer.user(*(f"IDEAL_STOCK_AMOUNT_EDIT|{f}|{uuid4()}" for f in facilities))[1]


def _row(facility: UUID, item: str, period: str, amount: int) -> dict[str, Any]:
    keys = {"facility_id": str(facility), "orderable_id": item, "period_id": period}
    return {**keys, "amount": amount}


async def test_a_load_sets_new_amounts_changes_others_and_publishes_only_what_changed(
    api: Api,
) -> None:
    jan, feb = await _periods(api)
    here, there, item = uuid4(), uuid4(), str(uuid4())
    token = _editor(api, here, there)
    first = [_row(here, item, jan, 100), _row(here, item, feb, 120), _row(there, item, jan, 40)]
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": first}, token=token)
    assert r.json() == {"received": 3, "changed": 3}, r.text
    again = [_row(here, item, jan, 100), _row(here, item, feb, 150)]
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": again}, token=token)
    assert r.json() == {"received": 2, "changed": 1}, r.text
    events = await api.events("requisition.ideal-stock-amounts")
    assert len(events) == 4
    key, last = events[-1]
    assert key == f"{here}:{item}:{feb}"
    assert (last["amount"], last["version"]) == (150, 2)
    reader = api.issuer.user(f"IDEAL_STOCK_AMOUNT_VIEW|{here}")[1]
    listed = await api.call("GET", f"/facilities/{here}/ideal-stock-amounts", token=reader)
    assert [(a["amount"], a["version"]) for a in listed.json()["items"]] == [(100, 1), (150, 2)]


async def test_a_load_is_refused_whole_where_the_right_is_not_held(api: Api) -> None:
    jan, _ = await _periods(api)
    here, elsewhere, item = uuid4(), uuid4(), str(uuid4())
    rows = [_row(here, item, jan, 10), _row(elsewhere, item, jan, 10)]
    token = _editor(api, here)
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": rows}, token=token)
    assert r.status_code == 403, r.text
    assert str(elsewhere) in r.json()["detail"] and str(here) not in r.json()["detail"]
    assert await api.events("requisition.ideal-stock-amounts") == []


async def test_a_load_naming_a_row_twice_or_an_unknown_period_is_422(api: Api) -> None:
    jan, _ = await _periods(api)
    here, item = uuid4(), str(uuid4())
    token = _editor(api, here)
    twice = [_row(here, item, jan, 10), _row(here, item, jan, 20)]
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": twice}, token=token)
    assert r.status_code == 422 and "at most once" in r.json()["detail"], r.text
    unknown = str(uuid4())
    rows = [_row(here, item, unknown, 10)]
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": rows}, token=token)
    assert r.status_code == 422 and unknown in r.json()["detail"], r.text
    rows = [_row(here, item, jan, -1)]
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": rows}, token=token)
    assert r.status_code == 422, r.text
    assert await api.events("requisition.ideal-stock-amounts") == []


async def test_one_amount_is_added_once_at_its_facility(api: Api) -> None:
    jan, _ = await _periods(api)
    here, item = uuid4(), str(uuid4())
    token, path = _editor(api, here), f"/facilities/{here}/ideal-stock-amounts"
    body = {"orderable_id": item, "period_id": jan, "amount": 30}
    made = await api.made(path, body, token=token)
    assert made["facility_id"] == str(here)
    again = await api.call("POST", path, body, token=token)
    assert again.status_code == 409, again.text
    r = await api.call("POST", path, {**body, "period_id": str(uuid4())}, token=token)
    assert r.status_code == 422, r.text
