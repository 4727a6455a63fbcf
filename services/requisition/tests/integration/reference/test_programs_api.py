"""Programs, their orderables and approved products: the rules the API keeps."""

from __future__ import annotations

from uuid import uuid4

from .conftest import Api


async def test_a_taken_program_code_is_409(api: Api) -> None:
    program = await api.program()
    r = await api.call("POST", "/programs", {"code": program["code"], "name": "Again"})
    assert r.status_code == 409, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert len(await api.events("requisition.programs")) == 1


async def test_renaming_a_program_to_a_taken_code_is_409(api: Api) -> None:
    first, second = await api.program(), await api.program()
    body = {"code": first["code"], "name": "Clash"}
    r = await api.call("PUT", f"/programs/{second['program_id']}", body, if_match=1)
    assert r.status_code == 409, r.text


async def test_a_program_orderable_is_added_once_and_its_price_kept_to_four_places(
    api: Api,
) -> None:
    program = await api.program()
    path, item = f"/programs/{program['program_id']}/orderables", str(uuid4())
    added = await api.made(path, {"orderable_id": item, "price_per_pack": 2.5, "category": "Vax"})
    assert (added["price_per_pack"], added["full_supply"]) == ("2.5000", True)
    again = await api.call("POST", path, {"orderable_id": item})
    assert again.status_code == 409, again.text
    fine = {"orderable_id": str(uuid4()), "price_per_pack": 0.00001}
    too_fine = await api.call("POST", path, fine)
    assert too_fine.status_code == 422, too_fine.text
    listed = (await api.call("GET", path, category="Vax")).json()
    assert [i["orderable_id"] for i in listed["items"]] == [item]


async def test_an_unknown_program_is_404_for_its_orderables(api: Api) -> None:
    path = f"/programs/{uuid4()}/orderables"
    assert (await api.call("POST", path, {"orderable_id": str(uuid4())})).status_code == 404
    assert (await api.call("GET", path)).status_code == 404


async def test_only_the_programs_orderables_can_be_approved(api: Api) -> None:
    program = await api.program()
    path = f"/programs/{program['program_id']}/approved-products"
    body = {"facility_type_id": str(uuid4()), "orderable_id": str(uuid4())}
    r = await api.call("POST", path, {**body, "max_periods_of_stock": 3})
    assert r.status_code == 422, r.text
    assert "not one of the program's orderables" in r.json()["detail"]


async def test_an_approved_products_minimum_cannot_exceed_its_maximum(api: Api) -> None:
    program, item = await api.program(), str(uuid4())
    await api.made(f"/programs/{program['program_id']}/orderables", {"orderable_id": item})
    path = f"/programs/{program['program_id']}/approved-products"
    body = {"facility_type_id": str(uuid4()), "orderable_id": item}
    r = await api.call("POST", path, {**body, "max_periods_of_stock": 1, "min_periods_of_stock": 2})
    assert r.status_code == 422, r.text
    assert "cannot exceed the maximum" in r.json()["detail"]
    r = await api.call("POST", path, {**body, "max_periods_of_stock": -1})
    assert r.status_code == 422, r.text
    made = await api.made(path, {**body, "max_periods_of_stock": "3", "emergency_order_point": 0.5})
    assert (made["max_periods_of_stock"], made["emergency_order_point"]) == ("3.00", "0.50")


async def test_approved_products_are_listed_by_facility_type(api: Api) -> None:
    program, hc, disp = await api.program(), str(uuid4()), str(uuid4())
    items = [str(uuid4()) for _ in range(2)]
    for item in items:
        await api.made(f"/programs/{program['program_id']}/orderables", {"orderable_id": item})
    path = f"/programs/{program['program_id']}/approved-products"
    for facility_type, item in ((hc, items[0]), (hc, items[1]), (disp, items[0])):
        body = {"facility_type_id": facility_type, "orderable_id": item}
        await api.made(path, {**body, "max_periods_of_stock": 3})
    at_hc = (await api.call("GET", path, facility_type_id=hc)).json()
    assert sorted(i["orderable_id"] for i in at_hc["items"]) == sorted(items)
    assert (await api.call("GET", path, orderable_id=items[0])).json()["total"] == 2


async def test_a_deactivated_approval_is_published_and_filtered(api: Api) -> None:
    program, item, hc = await api.program(), str(uuid4()), str(uuid4())
    await api.made(f"/programs/{program['program_id']}/orderables", {"orderable_id": item})
    path = f"/programs/{program['program_id']}/approved-products"
    await api.made(path, {"facility_type_id": hc, "orderable_id": item, "max_periods_of_stock": 3})
    r = await api.call("POST", f"{path}/{hc}/{item}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False, r.text
    assert (await api.call("GET", path, active=True)).json()["total"] == 0
    key = f"{hc}:{program['program_id']}:{item}"
    published = [e for k, e in await api.events("requisition.programs") if k == key]
    assert [e["active"] for e in published] == [True, False]
