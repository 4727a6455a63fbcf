"""Whatever answers in central's place, the HTTP link raises one of its own errors (LinkDown)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from akiba_contracts.envelope import encode
from akiba_sync_gateway.sync.link import (
    HttpDownlink,
    HttpUplink,
    LinkDown,
    PushTooLarge,
    UnreadableAnswer,
)
from akiba_sync_gateway.testing import FakeDownlink, FakeHub

from ..hub import Central, event


@dataclass
class Link:
    central: Central
    up: HttpUplink
    down: HttpDownlink

    def push_body(self, seq: int = 1) -> list[bytes]:
        store = next(iter(self.central.hub.stores))
        return [encode(event(self.central.hub.site_id, store, seq))]


@pytest.fixture
async def link() -> AsyncIterator[Link]:
    hub = FakeHub(uuid.uuid4(), {uuid.uuid4()})
    central = Central(hub, FakeDownlink([]))
    up, down, client = central.links()
    async with client:
        yield Link(central, up, down)


async def test_a_captive_portals_page_in_answer_to_a_push_is_an_unreadable_answer(
    link: Link,
) -> None:
    await link.up.push(link.push_body(1))  # a token while the link is still good
    link.central.portal = True
    with pytest.raises(UnreadableAnswer, match=r"200 text/html.* is not a push response.*Sign in"):
        await link.up.push(link.push_body(2))


async def test_a_captive_portals_page_in_answer_to_a_feed_or_credentials_is_unreadable(
    link: Link,
) -> None:
    await link.up.push(link.push_body(1))
    link.central.portal = True
    with pytest.raises(UnreadableAnswer, match="not a feed page"):
        await link.down.feed(0, 10)
    with pytest.raises(UnreadableAnswer, match="not the site's credentials"):
        await link.down.credentials()


async def test_a_token_answer_that_is_a_page_or_has_no_access_token_is_unreadable(
    link: Link,
) -> None:
    link.central.portal = True
    with pytest.raises(UnreadableAnswer, match=r"oauth/token: 200 text/html.* not a token"):
        await link.up.push(link.push_body())
    link.central.portal = False
    link.central.answer = b'{"token_type": "Bearer", "expires_in": 300}'
    with pytest.raises(UnreadableAnswer, match="access_token: Field required"):
        await link.up.push(link.push_body())
    assert link.central.hub.received == []


async def test_json_of_the_wrong_shape_is_an_unreadable_answer(link: Link) -> None:
    await link.up.push(link.push_body(1))
    link.central.answer = b'{"accepted": "all of them"}'
    with pytest.raises(UnreadableAnswer):
        await link.up.push(link.push_body(2))


async def test_a_413_is_push_too_large_with_the_bytes_sent_and_the_answer(link: Link) -> None:
    link.central.hub.max_bytes = 100
    body = link.push_body()
    with pytest.raises(PushTooLarge, match="at most 100 bytes") as raised:
        await link.up.push(body)
    assert raised.value.size == len(body[0]) + 2
    assert isinstance(raised.value, LinkDown)


async def test_a_busy_hubs_retry_after_is_carried_by_the_link_error_and_nothing_is_taken(
    link: Link,
) -> None:
    link.central.busy = "7"
    with pytest.raises(LinkDown, match="503") as raised:
        await link.up.push(link.push_body(1))
    assert raised.value.retry_after == 7.0
    assert link.central.hub.received == []
    link.central.busy = "Wed, 21 Oct 2065 07:28:00 GMT"  # a date is not read: the backoff's
    with pytest.raises(LinkDown) as raised:
        await link.up.push(link.push_body(1))
    assert raised.value.retry_after is None
    link.central.busy = None
    await link.up.push(link.push_body(1))  # the same events, sent again, go through
    assert len(link.central.hub.received) == 1
