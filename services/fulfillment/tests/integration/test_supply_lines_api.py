"""The supply-line admin API through the real app on a real database."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from akiba_platform.http.problems import PROBLEM_JSON

from .conftest import Api

PATH = "/supply-lines"


def _put_body(line: dict[str, Any], **changes: Any) -> dict[str, Any]:
    keys = ("supervisory_node_id", "program_id", "supplying_facility_id", "description", "active")
    return {**{k: line[k] for k in keys}, **changes}


async def test_a_new_line_is_201_with_its_etag_and_location_and_reads_back(api: Api) -> None:
    body = api.body()

    r = await api.call("POST", PATH, body)

    assert r.status_code == 201, r.text
    line = r.json()
    assert {k: line[k] for k in body} == body
    assert (line["active"], line["version"]) == (True, 1)
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{PATH}/{line['supply_line_id']}"
    got = await api.call("GET", r.headers["location"])
    assert got.status_code == 200 and got.json() == line and got.headers["etag"] == '"1"'


async def test_each_change_writes_the_lines_full_state_to_the_outbox_keyed_by_its_id(
    api: Api,
) -> None:
    line = await api.line()
    line_id = line["supply_line_id"]

    await api.call("POST", f"{PATH}/{line_id}/deactivate")

    (topic, key, created), (_, _, deactivated) = await api.events()
    assert (topic, key) == ("fulfillment.supply-lines", line_id)
    fields = ("supervisory_node_id", "program_id", "supplying_facility_id", "description")
    assert {k: created[k] for k in fields} == {k: line[k] for k in fields}
    assert (created["active"], created["version"]) == (True, 1)
    assert (deactivated["active"], deactivated["version"]) == (False, 2)
    assert set(created) == {
        *fields,
        "supply_line_id",
        "active",
        "local_fulfillment",
        "version",
        "changed_at",
    }


async def test_a_line_whose_supplier_fulfils_locally_says_so_in_its_record(api: Api) -> None:
    line = await api.line(local_fulfillment=True)

    assert line["local_fulfillment"] is True
    [(_, _, created)] = await api.events()
    assert created["local_fulfillment"] is True


async def test_an_update_with_the_current_etag_makes_the_next_version(api: Api) -> None:
    line = await api.line()
    supplier = str(uuid4())

    r = await api.call(
        "PUT",
        f"{PATH}/{line['supply_line_id']}",
        _put_body(line, supplying_facility_id=supplier, description=None),
        headers={"if-match": '"1"'},
    )

    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    assert (r.json()["version"], r.json()["supplying_facility_id"]) == (2, supplier)
    assert r.json()["description"] is None
    assert r.json()["updated_at"] > r.json()["created_at"] == line["created_at"]
    assert [e[2]["version"] for e in await api.events()] == [1, 2]


async def test_an_update_with_a_stale_etag_is_409_and_changes_nothing(api: Api) -> None:
    line = await api.line()
    path = f"{PATH}/{line['supply_line_id']}"
    first = await api.call(
        "PUT", path, _put_body(line, description="A"), headers={"if-match": '"1"'}
    )
    assert first.status_code == 200, first.text

    r = await api.call("PUT", path, _put_body(line, description="B"), headers={"if-match": '"1"'})

    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM_JSON
    assert "version 2" in r.json()["detail"]
    assert (await api.call("GET", path)).json()["description"] == "A"


async def test_an_update_without_if_match_is_428_and_a_malformed_one_422(api: Api) -> None:
    line = await api.line()
    path = f"{PATH}/{line['supply_line_id']}"

    missing = await api.call("PUT", path, _put_body(line))
    malformed = await api.call("PUT", path, _put_body(line), headers={"if-match": "one"})

    assert missing.status_code == 428 and missing.headers["content-type"] == PROBLEM_JSON
    assert malformed.status_code == 422 and malformed.headers["content-type"] == PROBLEM_JSON


async def test_a_weak_etag_names_the_same_version(api: Api) -> None:
    line = await api.line()
    path = f"{PATH}/{line['supply_line_id']}"

    r = await api.call("PUT", path, _put_body(line, description="C"), headers={"if-match": 'W/"1"'})

    assert r.status_code == 200 and r.json()["version"] == 2


async def test_the_same_terms_again_answer_the_line_unchanged(api: Api) -> None:
    line = await api.line()

    r = await api.call(
        "PUT", f"{PATH}/{line['supply_line_id']}", _put_body(line), headers={"if-match": '"1"'}
    )

    assert r.status_code == 200 and r.json() == line
    assert len(await api.events()) == 1


async def test_a_second_active_line_for_a_node_and_program_is_409(api: Api) -> None:
    line = await api.line()
    same = {k: line[k] for k in ("supervisory_node_id", "program_id")}

    r = await api.call("POST", PATH, {**api.body(), **same})

    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM_JSON
    assert line["supply_line_id"] in r.json()["detail"]
    other_program = await api.call("POST", PATH, {**api.body(), "program_id": str(uuid4())})
    assert other_program.status_code == 201
    assert len(await api.events()) == 2


async def test_deactivating_frees_the_node_and_program_for_a_new_line(api: Api) -> None:
    line = await api.line()
    same = {k: line[k] for k in ("supervisory_node_id", "program_id")}

    r = await api.call("POST", f"{PATH}/{line['supply_line_id']}/deactivate")
    again = await api.call("POST", f"{PATH}/{line['supply_line_id']}/deactivate")
    replacement = await api.call("POST", PATH, {**api.body(), **same})

    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    assert (r.json()["active"], r.json()["version"]) == (False, 2)
    assert again.status_code == 200 and again.json() == r.json()
    assert replacement.status_code == 201
    reactivate = await api.call(
        "PUT",
        f"{PATH}/{line['supply_line_id']}",
        _put_body(r.json(), active=True),
        headers={"if-match": '"2"'},
    )
    assert reactivate.status_code == 409


async def test_deactivating_with_a_stale_etag_is_409(api: Api) -> None:
    line = await api.line()
    path = f"{PATH}/{line['supply_line_id']}"
    await api.call("PUT", path, _put_body(line, description="D"), headers={"if-match": '"1"'})

    r = await api.call("POST", f"{path}/deactivate", headers={"if-match": '"1"'})

    assert r.status_code == 409
    assert (await api.call("GET", path)).json()["active"] is True


async def test_the_list_filters_by_node_program_supplier_and_activity_a_page_at_a_time(
    api: Api,
) -> None:
    node, supplier = str(uuid4()), str(uuid4())
    lines = [
        await api.line(supervisory_node_id=node, supplying_facility_id=supplier) for _ in "abc"
    ]
    await api.line()
    await api.call("POST", f"{PATH}/{lines[0]['supply_line_id']}/deactivate")

    by_node = (await api.call("GET", PATH, node_id=node)).json()
    active = (await api.call("GET", PATH, node_id=node, active="true")).json()
    first_page = (await api.call("GET", PATH, supplying_facility_id=supplier, size=2)).json()
    second_page = await api.call("GET", PATH, supplying_facility_id=supplier, size=2, page=1)
    program = (await api.call("GET", PATH, program_id=lines[1]["program_id"])).json()

    ids = [x["supply_line_id"] for x in lines]
    assert [x["supply_line_id"] for x in by_node["items"]] == ids and by_node["total"] == 3
    assert [x["supply_line_id"] for x in active["items"]] == ids[1:]
    assert (first_page["total"], len(first_page["items"]), first_page["size"]) == (3, 2, 2)
    assert [x["supply_line_id"] for x in second_page.json()["items"]] == ids[2:]
    assert [x["supply_line_id"] for x in program["items"]] == [ids[1]]
    assert (await api.call("GET", PATH)).json()["total"] == 4


async def test_bad_input_is_a_422_problem_never_a_server_error(api: Api) -> None:
    line = await api.line()
    bad = [
        ("POST", PATH, {**api.body(), "description": "   "}, {}),  # the domain's rule
        ("POST", PATH, {**api.body(), "description": "x" * 1001}, {}),
        ("POST", PATH, {**api.body(), "description": "nul\x00here"}, {}),
        ("POST", PATH, {**api.body(), "supervisory_node_id": "not-a-uuid"}, {}),
        ("POST", PATH, {**api.body(), "surprise": 1}, {}),
        ("GET", PATH, None, {"page": 2**63}),
        ("GET", PATH, None, {"size": 501}),
        ("GET", PATH, None, {"active": "maybe"}),
        ("GET", f"{PATH}/nope", None, {}),
    ]
    for method, path, body, params in bad:
        r = await api.call(method, path, body, **params)
        assert r.status_code == 422, (method, path, body, params, r.text)
        assert r.headers["content-type"] == PROBLEM_JSON
    assert (await api.call("GET", f"{PATH}/{line['supply_line_id']}")).status_code == 200


async def test_an_unknown_line_is_404(api: Api) -> None:
    path = f"{PATH}/{uuid4()}"

    assert (await api.call("GET", path)).status_code == 404
    assert (await api.call("POST", f"{path}/deactivate")).status_code == 404
    put = await api.call("PUT", path, api.body(), headers={"if-match": '"1"'})
    assert put.status_code == 404 and put.headers["content-type"] == PROBLEM_JSON


async def test_every_route_refuses_a_caller_without_the_right_and_one_without_a_token(
    api: Api,
) -> None:
    line = await api.line()
    path = f"{PATH}/{line['supply_line_id']}"
    _, clerk = api.issuer.user("ORDERS_VIEW|" + str(uuid4()), "FACILITIES_MANAGE")
    routes = [
        ("POST", PATH, api.body()),
        ("GET", PATH, None),
        ("GET", path, None),
        ("PUT", path, _put_body(line)),
        ("POST", f"{path}/deactivate", None),
    ]

    for method, route, body in routes:
        forbidden = await api.call(method, route, body, token=clerk, headers={"if-match": '"1"'})
        anonymous = await api.client.request(method, route, json=body)
        assert forbidden.status_code == 403, (method, route)
        assert anonymous.status_code == 401, (method, route)
        assert anonymous.headers["content-type"] == PROBLEM_JSON
    assert len(await api.events()) == 1


async def test_a_retried_create_with_its_idempotency_key_makes_one_line(api: Api) -> None:
    body, key = api.body(), {"idempotency-key": str(uuid4())}

    first = await api.call("POST", PATH, body, headers=key)
    retry = await api.call("POST", PATH, body, headers=key)
    other = await api.call("POST", PATH, api.body(), headers=key)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["idempotent-replayed"] == "true"
    assert other.status_code == 409
    assert len(await api.events()) == 1
