"""Bad input is a 4xx problem, never a 5xx: bounded contracts, documented refusals, real apps.

The class: every string and number a client sends is bounded in every service's OpenAPI (so
the request is refused before a database sees it), and every operation documents its refusals
as problem documents. The instances the fuzzer found are kept as tests of their own, through
each service's real app on a real PostgreSQL database.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from akiba_contracts.fields import INT8_MAX
from akiba_devtools.discovery import discover, discover_sites
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.http.problems import PROBLEM_JSON
from akiba_platform.services import ServiceSpec
from akiba_platform.testing.tokens import TestIssuer

SERVICES = {s.name: s for s in discover()}
BEYOND_INT8 = 2**63
UNFORMATTED = {None, "email", "password"}
RIGHTS = ("FACILITIES_MANAGE", "ORDERABLES_MANAGE", "USERS_MANAGE", "USER_ROLES_MANAGE")


def _openapi(module: str) -> dict[str, Any]:
    app_module = importlib.import_module(f"{module}.api.app")
    settings = importlib.import_module(f"{module}.settings").Settings()
    document: dict[str, Any] = app_module.create_app(settings).openapi()
    return document


DOCUMENTS = {s.name: _openapi(s.module) for s in [*SERVICES.values(), *discover_sites()]}


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _unbounded(schema: dict[str, Any], document: dict[str, Any], where: str) -> Iterator[str]:
    """Where a value a client sends has no bound, or its pattern lets a control character in."""
    schema = _resolve(schema, document)
    for alternative in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _unbounded(alternative, document, where)
    kind = schema.get("type")
    if kind == "string" and "enum" not in schema and schema.get("format") in UNFORMATTED:
        pattern = schema.get("pattern")
        if "maxLength" not in schema or pattern is None:
            yield f"{where}: string without maxLength and pattern"
        elif any(re.search(pattern, f"a{c}b") for c in ("\x00", "\x1b", "\x85")):
            yield f"{where}: pattern {pattern!r} lets control characters in"
    if kind == "integer" and not (
        {"minimum", "exclusiveMinimum"} & set(schema)
        and schema.get("maximum", BEYOND_INT8) <= INT8_MAX
    ):
        yield f"{where}: integer without a minimum and a maximum within bigint"
    if kind == "array":
        if "maxItems" not in schema:
            yield f"{where}: array without maxItems"
        yield from _unbounded(schema.get("items", {}), document, f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        yield from _unbounded(prop, document, f"{where}.{name}")


def _inputs(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in op.get("parameters", []):
                yield f"{where} {parameter['in']} {parameter['name']}", parameter["schema"]
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                yield f"{where} body ({media})", content.get("schema", {})


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_string_and_number_a_client_sends_is_bounded(name: str) -> None:
    document = DOCUMENTS[name]
    found = [u for where, s in _inputs(document) for u in _unbounded(s, document, where)]
    assert found == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_operation_documents_its_refusals_as_problem_documents(name: str) -> None:
    missing = []
    for path, operations in DOCUMENTS[name]["paths"].items():
        for method, op in operations.items():
            responses = op["responses"]
            wanted = ["4XX"] + (["401", "403"] if "x-akiba-public" not in op else [])
            wanted += ["404"] if "{" in path else []
            for status in wanted:
                if PROBLEM_JSON not in responses.get(status, {}).get("content", {}):
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


class Api:
    """One service's real app on a fresh database, called with every right it checks."""

    def __init__(self, client: httpx.AsyncClient, issuer: TestIssuer) -> None:
        _, token = issuer.user(*RIGHTS)
        self.client, self.issuer = client, issuer
        self.headers = {"authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers)

    def as_site(self, site_id: str) -> None:
        token = self.issuer.token(site_id, kind="site", site_id=site_id, username=None)
        self.headers = {"authorization": f"Bearer {token}"}

    async def post(self, path: str, body: Any) -> httpx.Response:
        return await self.client.post(path, json=body, headers=self.headers)


def _app(spec: ServiceSpec, *args: Any) -> Any:
    app_module = importlib.import_module(f"{spec.module}.api.app")
    settings = importlib.import_module(f"{spec.module}.settings").Settings()
    return app_module.create_app(settings, *args)


@pytest.fixture
async def api(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Api]:
    spec = SERVICES[request.param]
    migrations = importlib.import_module(f"{spec.module}.bootstrap").MIGRATIONS
    pool = await create_pool(await databases.create({spec.name: migrations}))
    issuer = TestIssuer()
    app = _app(spec, pool, issuer.authorizer)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                yield Api(client, issuer)
    finally:
        await pool.close()


def _refused(response: httpx.Response) -> bool:
    return response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize("api", ["inventory"], indirect=True)
async def test_a_page_number_beyond_the_database_integer_is_a_422(api: Api) -> None:
    assert _refused(await api.get("/facility-types", page=2432902008176639999))
    assert (await api.get("/facility-types", page=10_000_000)).status_code == 200


@pytest.mark.parametrize("api", ["inventory"], indirect=True)
async def test_a_nul_character_in_a_text_field_is_a_422(api: Api) -> None:
    body = {"code": "HC-NUL", "name": "Health\x00centre"}
    assert _refused(await api.post("/facility-types", body))


@pytest.mark.parametrize("api", ["inventory"], indirect=True)
async def test_a_nul_character_in_a_search_is_a_422(api: Api) -> None:
    assert _refused(await api.get("/stores", q="\x00o"))


@pytest.mark.parametrize("api", ["inventory"], indirect=True)
async def test_an_integer_above_its_column_is_a_422(api: Api) -> None:
    body = {"code": "HC-BIG", "name": "Health centre", "display_order": 2**31}
    assert _refused(await api.post("/facility-types", body))
    assert _refused(await api.get("/geographic-zones", level=2**31))


@pytest.mark.parametrize("api", ["auth"], indirect=True)
async def test_a_nul_character_in_a_sign_in_is_a_422(api: Api) -> None:
    form = {"grant_type": "password", "username": "admin\x00", "password": "whatever"}
    assert _refused(await api.client.post("/oauth/token", data=form))


@pytest.mark.parametrize("api", ["auth"], indirect=True)
async def test_a_nul_character_in_a_role_description_is_a_422(api: Api) -> None:
    body = {"name": "Clerk", "type": "REPORTS", "description": "counts\x00stock"}
    assert _refused(await api.post("/roles", body))


@pytest.mark.parametrize("api", ["sync-hub"], indirect=True)
async def test_a_feed_cursor_beyond_bigint_is_a_422(api: Api) -> None:
    site = "9c4a3555-291f-5271-bb79-710e478c3526"
    api.as_site(site)
    assert _refused(await api.get(f"/sites/{site}/feed", after=BEYOND_INT8))
