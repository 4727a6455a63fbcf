"""One writer per store: a store written at a site takes its requisitions' store-side steps there
only (central's API answers 409); approval, supply and release stay central."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.payloads import SiteChanged

World = Any  # the `world` fixture (conftest.World)
CREATE, AUTHORIZE, APPROVE = "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_APPROVE"


def site(site_id: UUID, *stores: UUID, version: int) -> SiteChanged:
    """Auth's record of a site and the stores written there."""
    return SiteChanged(
        site_id=site_id, name="clinic", active=True, store_ids=list(stores),
        changed_at=datetime.now(UTC), version=version,
    )  # fmt: skip


async def _step(w: World, doc: dict[str, Any], step: str, token: str) -> Any:
    path = f"/requisitions/{doc['requisition_id']}/{step}"
    return await w.call("POST", path, token=token, version=doc["version"])


async def _initiated(w: World, token: str) -> dict[str, Any]:
    body = {"facility_id": str(w.facility), "program_id": str(w.program)}
    r = await w.call("POST", "/requisitions/initiate", body, token=token)
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


async def test_central_refuses_store_side_steps_of_a_site_store_and_keeps_approving(
    world: World,
) -> None:
    await world.build()
    staff = world.user(CREATE, AUTHORIZE, "REQUISITION_DELETE")
    june = await _initiated(world, staff)
    june = (await _step(world, june, "submit", staff)).json()
    june = (await _step(world, june, "authorize", staff)).json()
    july = await _initiated(world, staff)
    clinic = uuid4()
    await world.learn(site(clinic, world.facility, version=3))

    expected = f"this store's requisitions are recorded at its site {clinic}"
    one = f"/requisitions/{july['requisition_id']}"
    edit = {"lines": [{"orderable_id": str(world.items[0]), "requested_quantity": 0,
                       "explanation": "enough"}]}  # fmt: skip
    order = {"facility_id": str(world.facility), "supplying_facility_id": str(world.warehouse),
             "max_months_of_stock": "4", "min_months_of_stock": "2"}  # fmt: skip
    for refused in (
        await _step(world, july, "submit", staff),
        await _step(world, july, "skip", staff),
        await world.call("PUT", f"{one}/lines", edit, token=staff, version=july["version"]),
        await world.call("DELETE", one, token=staff, version=july["version"]),
        await world.call("POST", "/requisitions/initiate", {
            "facility_id": str(world.facility), "program_id": str(world.program),
            "emergency": True, "orderable_ids": [str(world.items[0])]}, token=staff),
        await world.call("POST", "/internal-orders", order, token=staff),
    ):  # fmt: skip
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["detail"] == expected

    district = world.user(APPROVE, nodes=[(APPROVE, world.district)])
    approved = await _step(world, june, "approve", district)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "IN_APPROVAL"


async def test_a_store_its_site_gave_up_is_written_centrally_again(world: World) -> None:
    await world.build()
    staff = world.user(CREATE)
    doc = await _initiated(world, staff)
    clinic = uuid4()
    await world.learn(site(clinic, world.facility, version=1), site(clinic, version=2))
    r = await _step(world, doc, "submit", staff)
    assert r.status_code == 200, r.text


async def test_an_older_site_record_does_not_undo_a_newer_one(world: World) -> None:
    await world.build()
    clinic, depot, other = uuid4(), uuid4(), uuid4()
    await world.learn(
        site(depot, world.facility, other, version=4),
        # The depot hands the store over to the clinic: both records at one version, the
        # clinic's claim read first, then the depot's record without it (and without `other`).
        site(clinic, world.facility, version=5),
        site(depot, version=5),
        site(depot, world.facility, other, version=4),  # replayed late: changes nothing
    )
    rows = await world.pool.fetch("select store_id, site_id from site_stores")
    assert {r["store_id"]: r["site_id"] for r in rows} == {world.facility: clinic, other: None}
    r = await world.call("POST", "/requisitions/initiate", {
        "facility_id": str(world.facility), "program_id": str(world.program)},
        token=world.user(CREATE))  # fmt: skip
    assert r.status_code == 409 and str(clinic) in r.json()["detail"]
