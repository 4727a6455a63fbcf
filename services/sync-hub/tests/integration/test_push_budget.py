"""A hub whose pushes under way hold its budget of body bytes turns the next push away at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest

from akiba_contracts.envelope import encode

from .conftest import Hub, on_topic_now, site_changed, stock_document

EVENTS = "sites.inventory-events"


@pytest.fixture
def hub_settings() -> dict[str, Any]:
    """2 KiB of pushes in flight at most: a document is about 1 kB."""
    return {"sync_max_push_bytes_in_flight": 2048}


async def test_a_push_past_the_byte_budget_gets_503_while_a_push_alone_may_exceed_it(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    held = [stock_document(site, store, seq=n) for n in (1, 2, 3)]
    late = stock_document(site, store, seq=4)
    halfway, go_on = asyncio.Event(), asyncio.Event()

    async def trickle() -> AsyncIterator[bytes]:
        body = b"[" + b",".join(encode(e) for e in held) + b"]"
        yield body[:1500]
        halfway.set()
        await go_on.wait()
        yield body[1500:]

    headers = {"authorization": f"Bearer {hub.site_token(site)}"}
    first = asyncio.create_task(
        hub.client.post(f"/sites/{site}/events", content=trickle(), headers=headers)
    )
    await halfway.wait()

    busy = await hub.push(site, [late])

    assert (busy.status_code, busy.headers["retry-after"]) == (503, "1"), busy.text
    assert "bytes" in busy.json()["detail"]
    assert await on_topic_now(hub.bootstrap, EVENTS, late.id) == []
    go_on.set()
    assert (await first).json()["accepted"] == [e.id for e in held]  # 3 kB, but alone
    again = await hub.push(site, [late])
    assert again.json()["accepted"] == [late.id]
    assert len(await on_topic_now(hub.bootstrap, EVENTS, late.id)) == 1
