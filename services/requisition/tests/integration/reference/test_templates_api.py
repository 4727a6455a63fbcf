"""Requisition templates: validated whole, every problem named, one per facility type."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from .conftest import Api

SIMPLE = {
    "requested_quantity": {"source": "USER_INPUT"},
    "requested_quantity_explanation": {"source": "USER_INPUT"},
}


def _body(program: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"program_id": program["program_id"], "name": "T", "columns": SIMPLE, **fields}


async def test_an_invalid_template_is_422_naming_every_problem(api: Api) -> None:
    program = await api.program()
    columns = {
        "stock_on_hand": {"source": "CALCULATED"},
        "total_consumed_quantity": {"source": "CALCULATED"},
        "made_up": {"source": "USER_INPUT"},
        "orderable_code": {"source": "USER_INPUT"},
        "average_consumption": {"source": "CALCULATED"},
    }
    r = await api.call("POST", "/templates", _body(program, columns=columns))
    assert r.status_code == 422, r.text
    problems = [e["msg"] for e in r.json()["errors"]]
    assert "made_up is not a requisition column" in problems
    assert "orderable_code cannot take its value from USER_INPUT" in problems
    assert "consumed quantity and stock on hand cannot both be calculated" in problems
    assert "average consumption needs the number of periods to average" in problems
    assert "a requisition needs the requested or the calculated order quantity" in problems
    assert all(p in r.json()["detail"] for p in problems)
    assert await api.events("requisition.templates") == []


async def test_a_template_for_an_unknown_program_is_422(api: Api) -> None:
    r = await api.call("POST", "/templates", _body({"program_id": str(uuid4())}))
    assert r.status_code == 422, r.text


async def test_a_template_keeps_its_columns_sources_and_display(api: Api) -> None:
    program = await api.program()
    columns = {**SIMPLE, "remarks": {"source": "USER_INPUT", "displayed": False}}
    made = await api.made("/templates", _body(program, columns=columns, periods_to_average=3))
    assert made["columns"]["remarks"] == {"source": "USER_INPUT", "displayed": False}
    assert made["columns"]["requested_quantity"] == {"source": "USER_INPUT", "displayed": True}
    ((_, published),) = await api.events("requisition.templates")
    assert published["columns"] == made["columns"] and published["periods_to_average"] == 3


async def test_a_program_has_one_default_and_one_template_per_facility_type(api: Api) -> None:
    program, hc, disp = await api.program(), str(uuid4()), str(uuid4())
    await api.made("/templates", _body(program))
    second_default = await api.call("POST", "/templates", _body(program))
    assert second_default.status_code == 409, second_default.text
    await api.made("/templates", _body(program, facility_type_ids=[hc]))
    clash = await api.call("POST", "/templates", _body(program, facility_type_ids=[disp, hc]))
    assert clash.status_code == 409 and hc in clash.json()["detail"], clash.text
    await api.made("/templates", _body(program, facility_type_ids=[disp], active=False))
    criteria = {"program_id": program["program_id"], "facility_type_id": hc}
    found = await api.call("GET", "/templates", **criteria)
    assert found.json()["total"] == 1


async def test_an_update_that_breaks_the_template_is_422_and_changes_nothing(api: Api) -> None:
    program = await api.program()
    made = await api.made("/templates", _body(program))
    broken = {"name": "T", "columns": {"requested_quantity": {"source": "USER_INPUT"}}}
    r = await api.call("PUT", f"/templates/{made['template_id']}", broken, if_match=1)
    assert r.status_code == 422, r.text
    assert [e["msg"] for e in r.json()["errors"]] == [
        "a displayed requested quantity needs its explanation displayed"
    ]
    assert (await api.call("GET", f"/templates/{made['template_id']}")).json() == made


async def test_a_program_stays_report_only_while_a_template_needs_it(api: Api) -> None:
    program = await api.program(report_only=True)
    await api.made("/templates", _body(program, columns={}, name="Report"))
    body = {"code": program["code"], "name": program["name"], "report_only": False}
    r = await api.call("PUT", f"/programs/{program['program_id']}", body, if_match=1)
    assert r.status_code == 422, r.text
    assert "template Report: a requisition needs" in r.json()["errors"][0]["msg"]
