"""A client retrying a receipt after a timeout never doubles stock: inventory as a real process."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import httpx
import orjson

from akiba_devtools.testing import wait_until
from akiba_devtools.testing.raw_http import post_and_hang_up

from .conftest import Inventory


async def _authorized(inventory: Inventory) -> None:
    """Until the API has the clerk's permissions from auth's topic (a bad body is then 422)."""

    async def passes() -> bool:
        async with httpx.AsyncClient(base_url=inventory.url) as c:
            r = await c.post(
                f"/stores/{inventory.store_id}/receipts",
                json={},
                headers={"authorization": f"Bearer {inventory.token}"},
            )
        return r.status_code == 422

    await wait_until(passes, what="the clerk's permissions at inventory")


def _receipt(inventory: Inventory, quantity: int) -> bytes:
    return orjson.dumps({"item_id": str(inventory.item_id), "lot_code": "LOT-1",
                         "expiry_date": "2030-06-30", "quantity": quantity})  # fmt: skip


async def _rows(inventory: Inventory) -> int:
    return int(await inventory.fetchval("select count(*) from stock_movements"))


async def _hang_up(inventory: Inventory, key: str, quantity: int) -> None:
    headers = {"authorization": f"Bearer {inventory.token}", "idempotency-key": key}
    path = f"/stores/{inventory.store_id}/receipts"
    await post_and_hang_up(inventory.port, path, headers, _receipt(inventory, quantity))


async def test_a_receipt_resent_after_a_dropped_connection_is_recorded_once(
    inventory: Inventory,
) -> None:
    await inventory.started(inventory.process("api"))
    await inventory.api_ready()
    await _authorized(inventory)
    key = str(uuid4())
    await _hang_up(inventory, key, 40)
    await wait_until(lambda: _rows(inventory), what="the first receipt recorded")
    again = await inventory.receive(40, **{"idempotency-key": key})
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    recorded = await inventory.fetchval("select movement_id::text from stock_movements")
    assert again.json()["movement_id"] == recorded
    await asyncio.sleep(0.5)
    assert await _rows(inventory) == 1


async def test_a_receipt_resent_at_once_while_the_first_may_be_running_is_recorded_once(
    inventory: Inventory,
) -> None:
    await inventory.started(inventory.process("api"))
    await inventory.api_ready()
    await _authorized(inventory)
    key = str(uuid4())
    await _hang_up(inventory, key, 25)
    again = await inventory.receive(25, **{"idempotency-key": key})
    assert again.status_code == 201
    await asyncio.sleep(0.5)
    assert await _rows(inventory) == 1
    recorded = await inventory.fetchval("select movement_id::text from stock_movements")
    assert again.json()["movement_id"] == recorded


async def test_a_crash_between_the_commit_and_the_answer_is_a_409_never_a_second_receipt(
    inventory: Inventory,
) -> None:
    crashing = inventory.process("api", AKIBA_CRASH_AT="idempotency-before-answer")
    await inventory.started(crashing)
    await inventory.api_ready()
    await _authorized(inventory)
    key = str(uuid4())
    await _hang_up(inventory, key, 60)
    assert await asyncio.to_thread(crashing.wait, 60) == 137
    assert await _rows(inventory) == 1
    await inventory.started(inventory.process("api", AKIBA_IDEMPOTENCY_WAIT_SECONDS="0.5"))
    await inventory.api_ready()
    await _authorized(inventory)
    again = await inventory.receive(60, **{"idempotency-key": key})
    assert again.status_code == 409 and "recorded once" in again.json()["detail"]
    assert (await inventory.receive(60, **{"idempotency-key": str(uuid4())})).status_code == 201
    assert await _rows(inventory) == 2
