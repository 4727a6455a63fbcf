"""Without a span exporter no server span is made, and a caller's trace still carries on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from akiba_platform.http import create_app, middleware
from akiba_platform.telemetry import current_traceparent

router = APIRouter()
CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@router.get("/trace", openapi_extra={"x-akiba-public": True})
async def seen() -> dict[str, str | None]:
    """What an event written now would carry."""
    return {"traceparent": current_traceparent()}


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(middleware, "telemetry_on", lambda: True)
    monkeypatch.setattr(middleware, "spans_exported", lambda: False)
    app = create_app(title="t", routers=[router])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_the_callers_traceparent_is_what_the_request_writes_on(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/trace", headers={"traceparent": CALLER})
    assert r.json()["traceparent"] == CALLER


async def test_without_a_caller_trace_nothing_is_carried_and_nothing_leaks_to_the_next(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/trace", headers={"traceparent": CALLER})
    assert (await client.get("/trace")).json()["traceparent"] is None
