"""Client addresses under a real uvicorn: X-Forwarded-For counts only from named proxies."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, Request

from akiba_platform.http import create_app
from akiba_platform.runtime import api_role
from akiba_platform.settings import ServiceSettings

router = APIRouter()


@router.get("/whoami")
async def whoami(request: Request) -> dict[str, str | None]:
    """The address a rate limiter would count this request against."""
    return {"address": request.client.host if request.client else None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def _serving(forwarded_allow_ips: str) -> AsyncIterator[httpx.AsyncClient]:
    port, stop = _free_port(), asyncio.Event()
    role = api_role(
        create_app(title="t", routers=[router]),
        "127.0.0.1",
        port,
        forwarded_allow_ips=forwarded_allow_ips,
    )
    task = asyncio.create_task(role(stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(200):
                try:
                    await client.get("/health")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.02)
            yield client
    finally:
        stop.set()
        await task


async def _address(client: httpx.AsyncClient, forwarded_for: str) -> str:
    r = await client.get("/whoami", headers={"x-forwarded-for": forwarded_for})
    return str(r.json()["address"])


async def test_by_default_x_forwarded_for_does_not_change_the_client_address() -> None:
    async with _serving(ServiceSettings().forwarded_allow_ips) as client:
        assert await _address(client, "203.0.113.9") == "127.0.0.1"


async def test_a_named_proxy_s_x_forwarded_for_gives_the_client_address() -> None:
    async with _serving("127.0.0.1") as client:
        assert await _address(client, "203.0.113.9") == "203.0.113.9"


async def test_a_proxy_not_named_is_not_believed() -> None:
    async with _serving("10.1.2.3") as client:
        assert await _address(client, "203.0.113.9") == "127.0.0.1"
