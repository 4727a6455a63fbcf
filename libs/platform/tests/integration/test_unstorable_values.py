"""A value the database cannot hold is the client's mistake: a 422 problem, never a 500.

The contracts bound every field first; this is the net under them, proved with the errors the
real PostgreSQL and asyncpg raise.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, Request

from akiba_platform.http import create_app
from akiba_platform.http.problems import PROBLEM_JSON

router = APIRouter()


@router.post("/text")
async def store_text(request: Request) -> Any:
    value = (await request.json())["value"]
    return await request.app.state.pool.fetchval("select $1::text", value)


@router.post("/int4")
async def store_int4(request: Request) -> Any:
    value = (await request.json())["value"]
    return await request.app.state.pool.fetchval("select $1::int4", value)


@router.post("/int4-on-the-server")
async def cast_on_the_server(request: Request) -> Any:
    value = (await request.json())["value"]
    return await request.app.state.pool.fetchval("select ($1::int8)::int4", value)


@pytest.fixture
async def client(platform_db: asyncpg.Pool[Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(title="t", routers=[router])
    app.state.pool = platform_db
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/text", "a\x00b"),  # PostgreSQL: CharacterNotInRepertoireError
        ("/text", "\ud800"),  # Python cannot encode a lone surrogate as UTF-8
        ("/int4", 2**40),  # asyncpg refuses to encode the argument
        ("/int4-on-the-server", 2**40),  # PostgreSQL: NumericValueOutOfRangeError
    ],
    ids=["nul", "surrogate", "int4-argument", "int4-cast"],
)
async def test_a_value_the_database_cannot_store_is_a_422_problem(
    client: httpx.AsyncClient, path: str, value: Any
) -> None:
    r = await client.post(path, content=_json(value), headers={"content-type": "application/json"})
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM_JSON)
    assert r.json()["title"] == "Invalid value"


async def test_a_storable_value_still_goes_through(client: httpx.AsyncClient) -> None:
    r = await client.post("/int4", json={"value": 2**31 - 1})
    assert r.json() == 2**31 - 1


def _json(value: Any) -> bytes:
    # json.dumps escapes a lone surrogate as \ud800, which httpx's own encoder would refuse.
    return json.dumps({"value": value}).encode()
