"""The idempotency middleware on a small app whose writes claim keys in a fake store."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from pydantic import BaseModel

from akiba_platform.http import Problem, create_app
from akiba_platform.http.app import PUBLIC
from akiba_platform.idempotency import (
    PARAMETER,
    Answer,
    Claim,
    Keeper,
    claim_or_raise,
    exempt,
    fingerprint,
    pending_claim,
    seal,
)
from akiba_platform.testing import FakeIdempotencyStore
from akiba_platform.testing.tokens import TestIssuer


class Thing(BaseModel):
    n: int


router = APIRouter()


async def _record(request: Request, n: int) -> int:
    """What a unit of work does: claim in the transaction, commit, mark the claim recorded."""
    store: FakeIdempotencyStore = request.app.state.idempotency.store
    claim = pending_claim()
    if claim is not None:
        await claim_or_raise(store, claim)
    effects: list[int] = request.app.state.effects
    effects.append(n)
    store.commit()
    if claim is not None:
        claim.recorded = True
    return len(effects)


@router.post("/things", status_code=201)
async def make(thing: Thing, request: Request) -> dict[str, int]:
    if thing.n < 0:
        raise ValueError("a write that fails before it records anything")
    if thing.n == 13:
        await _record(request, thing.n)
        raise Problem(422, "Unlucky", "recorded, then refused")
    return {"id": await _record(request, thing.n), "n": thing.n}


@router.put("/echo")
async def echo(thing: Thing) -> dict[str, int]:
    """A write that records nothing."""
    return {"n": thing.n}


@router.get("/things")
async def things(request: Request) -> list[int]:
    return list(request.app.state.effects)


@router.post("/sign-in", openapi_extra={**PUBLIC, **exempt("issues tokens; records nothing")})
async def sign_in(request: Request) -> dict[str, int]:
    return {"id": await _record(request, 0)}


class Api:
    def __init__(self, client: httpx.AsyncClient, app: Any, issuer: TestIssuer) -> None:
        self.client, self.app, self.issuer = client, app, issuer
        self.store: FakeIdempotencyStore = app.state.idempotency.store
        self.token = issuer.token(str(uuid.uuid4()))

    def headers(self, key: str | None = None, token: str | None = None) -> dict[str, str]:
        h = {"authorization": f"Bearer {token or self.token}"}
        return h if key is None else {**h, "idempotency-key": key}

    async def post(self, n: int, key: str | None = None, **kw: Any) -> httpx.Response:
        return await self.client.post("/things", json={"n": n}, headers=self.headers(key, **kw))

    @property
    def effects(self) -> list[int]:
        return list(self.app.state.effects)


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    app = create_app(title="t", routers=[router])
    issuer = TestIssuer()
    app.state.authorizer = issuer.authorizer
    app.state.idempotency = Keeper(FakeIdempotencyStore(), wait_seconds=0.3)
    app.state.effects = []
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield Api(client, app, issuer)


async def test_a_retry_with_the_same_key_gets_the_first_answer_and_records_nothing(
    api: Api,
) -> None:
    first = await api.post(5, key="k-1")
    again = await api.post(5, key="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() == {"id": 1, "n": 5}
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert api.effects == [5]


async def test_the_same_key_for_another_body_is_a_409_problem(api: Api) -> None:
    await api.post(5, key="k-2")
    r = await api.post(6, key="k-2")
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert "another request" in r.json()["detail"]
    assert api.effects == [5]


async def test_the_same_key_on_another_path_is_a_409(api: Api) -> None:
    await api.post(5, key="k-3")
    r = await api.client.put("/echo", json={"n": 5}, headers=api.headers("k-3"))
    assert r.status_code == 409


async def test_writes_without_a_key_are_not_deduplicated(api: Api) -> None:
    await api.post(5)
    await api.post(5)
    assert api.effects == [5, 5] and api.store.rows == {}


@pytest.mark.parametrize("key", [b"", b"a" * 256, b"with space", "café".encode()])
async def test_a_malformed_key_is_a_400_problem(api: Api, key: bytes) -> None:
    r = await api.client.post(
        "/things", json={"n": 1}, headers={**api.headers(), "idempotency-key": key}
    )
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert api.effects == []


async def test_an_unauthenticated_caller_is_left_to_the_route(api: Api) -> None:
    r = await api.post(1, key="k-4", token="not-a-token")
    assert r.status_code == 201, "this test route is public; a protected one would 401"
    assert api.store.rows == {}


async def test_two_callers_using_the_same_key_each_record(api: Api) -> None:
    other = api.issuer.token(str(uuid.uuid4()))
    await api.post(5, key="shared")
    r = await api.post(5, key="shared", token=other)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert api.effects == [5, 5]


async def test_a_refusal_before_recording_is_not_kept_so_a_retry_runs(api: Api) -> None:
    r = await api.client.post("/things", json={"n": "x"}, headers=api.headers("k-5"))
    assert r.status_code == 422
    assert (await api.post(7, key="k-5")).status_code == 201
    assert api.effects == [7]


async def test_an_error_after_recording_is_kept_and_replayed(api: Api) -> None:
    first = await api.post(13, key="k-6")
    again = await api.post(13, key="k-6")
    assert first.status_code == again.status_code == 422
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert api.effects == [13]


async def test_a_server_error_before_recording_leaves_the_key_free(api: Api) -> None:
    assert (await api.post(-1, key="k-7")).status_code == 500
    assert api.store.rows == {}


async def test_a_success_that_recorded_nothing_is_kept_too(api: Api) -> None:
    first = await api.client.put("/echo", json={"n": 3}, headers=api.headers("k-8"))
    again = await api.client.put("/echo", json={"n": 3}, headers=api.headers("k-8"))
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"


def _claim_of(api: Api, key: str, n: int) -> Claim:
    claims = api.issuer.authorizer.authenticate(api.token).claims
    body = f'{{"n":{n}}}'.encode()
    return Claim(f"{claims.kind}:{claims.subject}", key, fingerprint("POST", "/things", b"", body))


async def test_a_retry_while_the_first_is_in_flight_waits_for_its_answer(api: Api) -> None:
    claim = _claim_of(api, "k-9", 4)
    await api.store.claim(claim)
    api.store.commit()

    async def answer_soon() -> None:
        await asyncio.sleep(0.1)
        await api.store.keep(
            claim, Answer(201, "application/json", seal("k-9", claim.scope, b"{}"))
        )

    task = asyncio.create_task(answer_soon())
    r = await api.post(4, key="k-9")
    await task
    assert (r.status_code, r.content, r.headers["idempotent-replayed"]) == (201, b"{}", "true")
    assert api.effects == []


async def test_a_key_recorded_without_an_answer_is_a_409_never_a_second_write(api: Api) -> None:
    claim = _claim_of(api, "k-10", 4)
    await api.store.claim(claim)
    api.store.commit()
    r = await api.post(4, key="k-10")
    assert r.status_code == 409 and "recorded once" in r.json()["detail"]
    assert api.effects == []


async def test_an_exempt_route_ignores_the_key(api: Api) -> None:
    for _ in range(2):
        await api.client.post("/sign-in", headers=api.headers("k-11"))
    assert api.effects == [0, 0] and api.store.rows == {}


async def test_write_routes_declare_the_header_and_reads_and_exempt_routes_do_not(
    api: Api,
) -> None:
    paths = api.app.openapi()["paths"]

    def declares(path: str, method: str) -> bool:
        return PARAMETER in paths[path][method].get("parameters", [])

    assert declares("/things", "post") and declares("/echo", "put")
    assert "409" in paths["/things"]["post"]["responses"]
    assert not declares("/things", "get") and not declares("/sign-in", "post")
