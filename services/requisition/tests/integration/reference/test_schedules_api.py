"""Schedules, periods that never overlap, and the schedule each requisition group follows."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from .conftest import Api


def _period(name: str, start: str, end: str) -> dict[str, Any]:
    return {"name": name, "start_date": start, "end_date": end}


async def test_periods_are_listed_in_order_with_their_length_in_months(api: Api) -> None:
    schedule = await api.schedule()
    path = f"/schedules/{schedule['schedule_id']}/periods"
    await api.made(path, _period("Q2", "2026-04-01", "2026-06-30"))
    await api.made(path, _period("Q1", "2026-01-01", "2026-03-31"))
    await api.made(path, _period("Feb half", "2025-02-01", "2025-02-14"))
    listed = (await api.call("GET", path)).json()["items"]
    assert [(p["name"], p["months"]) for p in listed] == [("Feb half", 1), ("Q1", 3), ("Q2", 3)]
    touching = await api.call("GET", path, ending_from="2026-03-15", starting_until="2026-04-01")
    assert [p["name"] for p in touching.json()["items"]] == ["Q1", "Q2"]


async def test_an_overlapping_period_is_422_naming_the_one_it_overlaps(api: Api) -> None:
    schedule = await api.schedule()
    path = f"/schedules/{schedule['schedule_id']}/periods"
    await api.made(path, _period("March", "2026-03-01", "2026-03-31"))
    r = await api.call("POST", path, _period("Late", "2026-03-31", "2026-04-30"))
    assert r.status_code == 422, r.text
    assert "overlaps the schedule's period March (2026-03-01 to 2026-03-31)" in r.json()["detail"]
    other = await api.schedule()
    late = _period("Late", "2026-03-31", "2026-04-30")
    await api.made(f"/schedules/{other['schedule_id']}/periods", late)


async def test_moving_a_period_onto_another_is_422_and_leaves_it_unchanged(api: Api) -> None:
    schedule = await api.schedule()
    path = f"/schedules/{schedule['schedule_id']}/periods"
    await api.made(path, _period("March", "2026-03-01", "2026-03-31"))
    april = await api.made(path, _period("April", "2026-04-01", "2026-04-30"))
    moved = _period("April", "2026-03-15", "2026-04-30")
    r = await api.call("PUT", f"{path}/{april['period_id']}", moved, if_match=1)
    assert r.status_code == 422, r.text
    assert (await api.call("GET", f"{path}/{april['period_id']}")).json() == april
    renamed = _period("Apr", "2026-04-01", "2026-04-30")
    r = await api.call("PUT", f"{path}/{april['period_id']}", renamed, if_match=1)
    assert (r.status_code, r.json()["name"], r.json()["months"]) == (200, "Apr", 1)


async def test_a_period_ending_before_it_starts_is_422(api: Api) -> None:
    schedule = await api.schedule()
    path = f"/schedules/{schedule['schedule_id']}/periods"
    r = await api.call("POST", path, _period("Backwards", "2026-03-02", "2026-03-01"))
    assert r.status_code == 422, r.text


async def test_a_period_is_found_only_under_its_own_schedule(api: Api) -> None:
    schedule, other = await api.schedule(), await api.schedule()
    march = _period("March", "2026-03-01", "2026-03-31")
    made = await api.made(f"/schedules/{schedule['schedule_id']}/periods", march)
    r = await api.call("GET", f"/schedules/{other['schedule_id']}/periods/{made['period_id']}")
    assert r.status_code == 404, r.text
    r = await api.call("POST", f"/schedules/{uuid4()}/periods", march)
    assert r.status_code == 404, r.text


async def test_a_group_follows_one_schedule_per_program(api: Api) -> None:
    program, schedule = await api.program(), await api.schedule()
    body = {"group_id": str(uuid4()), "program_id": program["program_id"]}
    body["schedule_id"] = schedule["schedule_id"]
    await api.made("/group-schedules", body)
    again = await api.call("POST", "/group-schedules", body)
    assert again.status_code == 409, again.text
    found = await api.call("GET", "/group-schedules", group_id=body["group_id"])
    assert [g["schedule_id"] for g in found.json()["items"]] == [schedule["schedule_id"]]


async def test_a_group_schedule_naming_an_unknown_program_or_schedule_is_422(api: Api) -> None:
    program, schedule = await api.program(), await api.schedule()
    group = str(uuid4())
    bodies = [
        {"group_id": group, "program_id": str(uuid4()), "schedule_id": schedule["schedule_id"]},
        {"group_id": group, "program_id": program["program_id"], "schedule_id": str(uuid4())},
    ]
    for body in bodies:
        r = await api.call("POST", "/group-schedules", body)
        assert r.status_code == 422, r.text
    path = f"/group-schedules/{group}/{program['program_id']}"
    await api.made("/group-schedules", {**bodies[1], "schedule_id": schedule["schedule_id"]})
    r = await api.call("PUT", path, {"schedule_id": str(uuid4())}, if_match=1)
    assert r.status_code == 422, r.text


async def test_of_two_overlapping_periods_added_at_once_one_is_refused(api: Api) -> None:
    for _ in range(5):
        schedule = await api.schedule()
        path = f"/schedules/{schedule['schedule_id']}/periods"
        answers = await asyncio.gather(
            api.call("POST", path, _period("A", "2026-03-01", "2026-03-31")),
            api.call("POST", path, _period("B", "2026-03-15", "2026-04-15")),
        )
        assert sorted(r.status_code for r in answers) == [201, 422]
