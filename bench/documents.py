"""Documents of 1,000 lines over HTTP: a goods-received delivery, then an issue of what it brought.

Posted one at a time to the real inventory API process of the **http** phase, at a national
warehouse of its own with 1,000 items. Each delivery brings a new lot of every item (1,000 new
batches, as a delivery mostly does); the issue that follows takes part of each line's quantity
out of the batches the delivery's answer names. Every document carries a new Idempotency-Key,
as a client posting a thousand lines keys it so that a retry cannot post it twice. Timed from
the request's first byte to the last byte of the answer (the whole document, every line).
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import psutil

from bench.http_load import Client, cpu_seconds

LINES = 1_000
RUNS = 10
WARM_UPS = 2
TARGET_SECONDS = 0.5  # issue 17: "multi-line documents (1,000 lines) posted in < 0.5 s"


@dataclass(frozen=True)
class National:
    """The warehouse the documents are posted at, and its items."""

    store: UUID
    items: list[UUID]


@dataclass
class Posted:
    """Seconds and server CPU seconds per timed document, and every line acknowledged."""

    receive: list[float] = field(default_factory=list)
    receive_cpu: list[float] = field(default_factory=list)
    issue: list[float] = field(default_factory=list)
    issue_cpu: list[float] = field(default_factory=list)
    acknowledged: int = 0  # lines answered 201, warm-ups included

    def figures(self) -> dict[str, float]:
        """p50 and max seconds, server CPU, and whether the target is met (by the slowest)."""
        out: dict[str, float] = {"documents timed (each kind)": len(self.receive)}
        for name, wall, cpu in (
            ("goods received", self.receive, self.receive_cpu),
            ("issue", self.issue, self.issue_cpu),
        ):
            out[f"{name} p50 s"] = statistics.median(wall)
            out[f"{name} max s"] = max(wall)
            out[f"{name} server CPU s per doc (p50)"] = statistics.median(cpu)
            out[f"{name} < {TARGET_SECONDS} s, every run (1 = met)"] = float(
                max(wall) < TARGET_SECONDS
            )
        return out


async def reference_data(pool: asyncpg.Pool[Any]) -> National:
    """The warehouse and its 1,000 items (batches come with the deliveries)."""
    national = National(uuid.uuid4(), [uuid.uuid4() for _ in range(LINES)])
    async with pool.acquire() as conn:
        await conn.copy_records_to_table(
            "stores",
            records=[(national.store, "NW0001", "National warehouse")],
            columns=("store_id", "code", "name"),
        )
        await conn.copy_records_to_table(
            "items",
            records=[(x, f"NI{i:05d}", f"National item {i}") for i, x in enumerate(national.items)],
            columns=("item_id", "code", "name"),
        )
    return national


async def run(
    url: str, headers: dict[str, str], national: National, server: psutil.Process
) -> Posted:
    """WARM_UPS then RUNS deliveries, each followed by an issue from its batches."""
    rng = random.Random(17)
    posted = Posted()
    client = await Client.open(url, headers)
    try:
        for run in range(WARM_UPS + RUNS):
            goods = _goods(national, run, rng)
            wall, cpu, answer = await _post(client, f"/stores/{national.store}/goods-received",
                                            goods, server)  # fmt: skip
            lines = answer["lines"]
            if len(lines) != LINES:
                raise AssertionError(f"a delivery of {LINES} lines answered {len(lines)}")
            posted.acknowledged += len(lines)
            if run >= WARM_UPS:
                posted.receive.append(wall)
                posted.receive_cpu.append(cpu)
            issue = _issue(lines, run, rng)
            wall, cpu, answer = await _post(client, f"/stores/{national.store}/issues", issue,
                                            server)  # fmt: skip
            if len(answer) != LINES:
                raise AssertionError(f"an issue of {LINES} lines answered {len(answer)}")
            posted.acknowledged += len(answer)
            if run >= WARM_UPS:
                posted.issue.append(wall)
                posted.issue_cpu.append(cpu)
    finally:
        await client.close()
    return posted


async def check(pool: asyncpg.Pool[Any], national: National, posted: Posted) -> int:
    """The warehouse's ledger rows, which must be the lines acknowledged: no more, no fewer."""
    rows = int(
        await pool.fetchval(
            "select count(*) from stock_movements where store_id = $1", national.store
        )
    )
    if rows != posted.acknowledged:
        raise AssertionError(f"{rows} ledger rows for {posted.acknowledged} acknowledged lines")
    return rows


def _goods(national: National, run: int, rng: random.Random) -> dict[str, Any]:
    return {
        "supplier": "Bench supplier",
        "reference_kind": "purchase_order",
        "reference_number": f"PO-BENCH-{run:04d}",
        "lines": [
            {
                "item_id": str(item),
                "lot_code": f"D{run:04d}",
                "expiry_date": "2031-01-31",
                "quantity": rng.randint(10, 1_000),
            }
            for item in national.items
        ],
    }


def _issue(received: list[dict[str, Any]], run: int, rng: random.Random) -> dict[str, Any]:
    return {
        "reference": f"ISSUE-BENCH-{run:04d}",
        "destination": "bench district store",
        "lines": [
            {
                "item_id": ln["item_id"],
                "batch_id": ln["batch_id"],
                "quantity": rng.randint(1, ln["quantity"]),
            }
            for ln in received
        ],
    }


async def _post(
    client: Client, path: str, body: dict[str, Any], server: psutil.Process
) -> tuple[float, float, Any]:
    """One document under a new Idempotency-Key: seconds, server CPU seconds, the answer."""
    data = json.dumps(body).encode()
    key = b"idempotency-key: %s\r\n" % str(uuid.uuid4()).encode()
    cpu0, began = cpu_seconds(server), time.perf_counter()
    status, text = await client.post(path, data, key)
    wall, cpu = time.perf_counter() - began, cpu_seconds(server) - cpu0
    if status != 201:
        raise AssertionError(f"POST {path}: {status}: {text[:500]!r}")
    return wall, cpu, json.loads(text)
