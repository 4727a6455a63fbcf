"""A hub past its pushes in flight turns the next away at once; a site that hangs up is noted."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest

from akiba_contracts.envelope import encode

from .conftest import Hub, on_topic_now, site_changed, stock_document

EVENTS = "sites.inventory-events"


@pytest.fixture
def hub_settings() -> dict[str, Any]:
    """One push in flight at most, so a test can fill the hub with one slow push."""
    return {"sync_max_pushes_in_flight": 1}


async def test_a_push_past_the_limit_gets_503_with_retry_after_and_is_accepted_once_resent(
    hub: Hub,
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    slow, turned_away = stock_document(site, store, seq=1), stock_document(site, store, seq=2)
    halfway, go_on = asyncio.Event(), asyncio.Event()

    async def trickle() -> AsyncIterator[bytes]:
        body = b"[" + encode(slow) + b"]"
        yield body[:10]
        halfway.set()
        await go_on.wait()
        yield body[10:]

    headers = {"authorization": f"Bearer {hub.site_token(site)}"}
    url = f"/sites/{site}/events"
    first = asyncio.create_task(hub.client.post(url, content=trickle(), headers=headers))
    await halfway.wait()

    busy = await hub.push(site, [turned_away])

    assert busy.status_code == 503, busy.text
    assert busy.headers["retry-after"] == "1"
    assert busy.headers["content-type"] == "application/problem+json"
    assert await on_topic_now(hub.bootstrap, EVENTS, turned_away.id) == []
    go_on.set()
    assert (await first).status_code == 200
    again = await hub.push(site, [turned_away])  # what the gateway does after Retry-After
    assert again.status_code == 200, again.text
    assert again.json()["accepted"] == [turned_away.id]
    landed = await on_topic_now(hub.bootstrap, EVENTS, turned_away.id)
    assert [json.loads(r.value)["storeseq"] for r in landed] == [2]


async def test_a_site_hanging_up_mid_push_is_logged_without_a_traceback_and_frees_its_place(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    site, store = uuid4(), uuid4()
    hub.register(site_changed(site, store))
    token = hub.site_token(site).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"/sites/{site}/events", "raw_path": b"", "root_path": "",
        "query_string": b"", "server": ("hub", 80), "client": ("site", 1),
        "headers": [(b"authorization", b"Bearer " + token),
                    (b"content-type", b"application/json")],
    }  # fmt: skip
    arriving = [
        {"type": "http.request", "body": b'[{"id": ', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return arriving.pop(0) if arriving else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with caplog.at_level(logging.INFO):
        await hub.app(scope, receive, send)  # raised ClientDisconnect before

    hung_up = [r for r in caplog.records if "hung up mid-push" in r.getMessage()]
    assert [(r.levelno, r.exc_info) for r in hung_up] == [(logging.INFO, None)]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert sent[0]["status"] == 499
    after = await hub.push(site, [stock_document(site, store)])  # its place in flight was freed
    assert after.status_code == 200, after.text
