"""The app factory: probes, problem+json errors, request ids, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from akiba_platform.http import Probe, Problem, create_app


class Thing(BaseModel):
    n: int = Field(gt=0)


class ThingMissing(Exception):
    """A domain error the app maps to 404."""


router = APIRouter()


@router.post("/things")
async def make(thing: Thing) -> Thing:
    if thing.n == 13:
        raise ThingMissing("no thing 13")
    if thing.n == 7:
        raise Problem(409, "Thing taken", "seven is taken", thing=7)
    return thing


async def _down() -> None:
    raise ConnectionRefusedError("database down")


async def _up() -> None:
    return None


def _client(*probes: Probe) -> httpx.AsyncClient:
    app = create_app(title="t", routers=[router], probes=list(probes), errors={ThingMissing: 404})
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(Probe("database", _up)) as c:
        yield c


async def test_health_answers_while_the_process_lives(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}


async def test_ready_is_503_naming_the_unreachable_dependency() -> None:
    async with _client(Probe("database", _down), Probe("kafka", _up)) as c:
        r = await c.get("/ready")
    assert r.status_code == 503
    checks = r.json()["checks"]
    assert checks == {"database": "ConnectionRefusedError: database down", "kafka": "ok"}


async def test_invalid_input_is_a_422_problem_document(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"n": 0})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["instance"] == "/things"
    assert body["errors"][0]["loc"] == ["body", "n"]


async def test_a_mapped_domain_error_gets_its_status_and_a_readable_title(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post("/things", json={"n": 13})
    assert (r.status_code, r.json()["title"], r.json()["detail"]) == (
        404,
        "Thing missing",
        "no thing 13",
    )


async def test_a_problem_raised_by_a_route_keeps_its_extensions(client: httpx.AsyncClient) -> None:
    r = await client.post("/things", json={"n": 7})
    assert r.status_code == 409 and r.json()["thing"] == 7


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    r = await client.get("/nowhere")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_every_response_carries_the_request_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/health", headers={"x-request-id": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert len((await client.get("/health")).headers["x-request-id"]) == 32


async def test_request_latency_is_exposed_for_prometheus(client: httpx.AsyncClient) -> None:
    from akiba_platform.settings import ServiceSettings
    from akiba_platform.telemetry import setup_telemetry

    setup_telemetry(ServiceSettings())
    await client.get("/health")
    text = (await client.get("/metrics")).text
    assert "akiba_http_server_duration_seconds_count{" in text and 'route="/health"' in text


async def test_requests_are_measured_and_traced_once_by_ours_not_by_fastapis_own_too(
    client: httpx.AsyncClient,
) -> None:
    from akiba_platform.settings import ServiceSettings
    from akiba_platform.telemetry import setup_telemetry

    setup_telemetry(ServiceSettings())
    await client.post("/things", json={"n": 1})
    text = (await client.get("/metrics")).text
    ours = [line for line in text.splitlines() if line.startswith("akiba_http_server_duration")]
    assert any('route="/things"' in line and 'method="POST"' in line for line in ours)
    assert "http_server_request_duration" not in text  # FastAPI's native OpenTelemetry
    assert "http_server_active_requests" not in text
