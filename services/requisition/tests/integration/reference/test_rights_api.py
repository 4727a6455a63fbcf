"""Who may read and change reference data: administrators, and ISA at the facility."""

from __future__ import annotations

from uuid import uuid4

from .conftest import Api


async def test_without_a_token_it_is_401_and_without_the_right_403(api: Api) -> None:
    assert (await api.client.get("/programs")).status_code == 401
    _, nobody = api.issuer.user("FACILITIES_MANAGE")
    for method, path in (("GET", "/programs"), ("GET", "/templates"), ("POST", "/schedules")):
        r = await api.call(method, path, {"code": "S", "name": "S"}, token=nobody)
        assert r.status_code == 403, (path, r.text)
        assert "PROGRAMS_MANAGE" in r.json()["detail"]


async def test_ideal_stock_amounts_are_read_and_set_only_at_the_facility_of_the_right(
    api: Api,
) -> None:
    here, elsewhere = uuid4(), uuid4()
    _, viewer = api.issuer.user(f"IDEAL_STOCK_AMOUNT_VIEW|{here}|{uuid4()}")
    assert (await api.call("GET", f"/facilities/{here}/ideal-stock-amounts", token=viewer)).json()[
        "total"
    ] == 0
    r = await api.call("GET", f"/facilities/{elsewhere}/ideal-stock-amounts", token=viewer)
    assert r.status_code == 403, r.text
    body = {"orderable_id": str(uuid4()), "period_id": str(uuid4()), "amount": 1}
    r = await api.call("POST", f"/facilities/{here}/ideal-stock-amounts", body, token=viewer)
    assert r.status_code == 403 and "IDEAL_STOCK_AMOUNT_EDIT" in r.json()["detail"], r.text
    r = await api.call("POST", "/ideal-stock-amounts/bulk", {"rows": []}, token=viewer)
    assert r.status_code == 403, r.text


async def test_program_administrators_do_not_hold_ideal_stock_amounts(api: Api) -> None:
    r = await api.call("GET", f"/facilities/{uuid4()}/ideal-stock-amounts")
    assert r.status_code == 403, r.text
