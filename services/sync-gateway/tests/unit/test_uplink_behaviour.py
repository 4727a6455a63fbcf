"""One behaviour suite for the fake uplink and the real HTTP uplink (against an in-process hub)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from akiba_contracts.envelope import encode
from akiba_sync_gateway.sync.link import LinkDown, Uplink
from akiba_sync_gateway.testing import FakeDownlink, FakeHub, FakeUplink

from ..hub import Central, event


@dataclass
class Rig:
    uplink: Uplink
    hub: FakeHub
    central: Central | None = None


@pytest.fixture(params=["fake", "http"])
async def rig(request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    hub = FakeHub(uuid.uuid4(), {uuid.uuid4()})
    if request.param == "fake":
        yield Rig(FakeUplink(hub), hub)
        return
    central = Central(hub, FakeDownlink([]))
    up, _, client = central.links()
    async with client:
        yield Rig(up, hub, central)


def _store(rig: Rig) -> uuid.UUID:
    return next(iter(rig.hub.stores))


async def test_events_of_managed_stores_come_back_accepted_in_push_order(rig: Rig) -> None:
    events = [event(rig.hub.site_id, _store(rig), seq) for seq in (1, 2, 3)]
    answer = await rig.uplink.push([encode(e) for e in events])
    assert answer.accepted == [e.id for e in events] and answer.refused == []
    assert [r["storeseq"] for r in rig.hub.received] == [1, 2, 3]


async def test_an_event_for_a_store_the_site_does_not_manage_is_refused_with_a_reason(
    rig: Rig,
) -> None:
    mine, theirs = event(rig.hub.site_id, _store(rig), 1), event(rig.hub.site_id, uuid.uuid4(), 1)
    answer = await rig.uplink.push([encode(mine), encode(theirs)])
    assert answer.accepted == [mine.id]
    assert [r.event_id for r in answer.refused] == [theirs.id] and answer.refused[0].reason


async def test_an_unreachable_hub_raises_link_down_and_keeps_nothing(rig: Rig) -> None:
    rig.hub.down = True
    with pytest.raises(LinkDown):
        await rig.uplink.push([encode(event(rig.hub.site_id, _store(rig), 1))])
    assert rig.hub.received == []


async def test_the_http_uplink_renews_a_token_the_hub_no_longer_accepts(rig: Rig) -> None:
    if rig.central is None:
        pytest.skip("only the HTTP uplink carries tokens")
    await rig.uplink.push([encode(event(rig.hub.site_id, _store(rig), 1))])
    rig.central.valid.clear()  # revoked, or auth's key rotated
    answer = await rig.uplink.push([encode(event(rig.hub.site_id, _store(rig), 2))])
    assert len(answer.accepted) == 1 and rig.central.tokens_issued == 2
