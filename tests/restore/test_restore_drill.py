"""The restore drill: a backup under load, the server lost, a restore onto a fresh one, convergence.

Inventory takes HTTP receipts (ledger + outbox in one transaction) while its relay publishes them
and its projector builds stock levels from the topic. `akiba backup` runs mid-load; the load goes
on; then the processes are killed and the database is dropped. A new PostgreSQL server (its own
port and data folder) gets `akiba restore`, then the command restore prints (the ledger's
movements the backup lacks, from the topic), then the same processes. The restored system must
hold every acknowledged receipt that reached Kafka exactly once, in the ledger, in stock on hand
and in the projection; what it cannot regain (acknowledged, never published) is counted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import shlex
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from akiba_contracts.catalogue import all_topics
from akiba_contracts.envelope import decode
from akiba_devtools.ops.backup import Manifest
from akiba_devtools.stack.postgres import database_url
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.pg_server import fresh_server
from akiba_inventory.consumers import projector
from tests.e2e.conftest import Inventory

MOVEMENTS = "inventory.stock-movements"
BIN = Path(sys.executable).parent
LINES = """
select s.item_id, s.batch_id, s.quantity, coalesce(l.quantity_on_hand, 0) as projected
  from stock_on_hand s left join stock_levels l
    on (l.store_id, l.item_id) = (s.store_id, s.item_id) and l.batch_id = s.batch_id
   and l.location_id is not distinct from s.location_id
 where s.store_id = $1 order by 1, 2
"""


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Load:
    """Receipts posted by a few concurrent clerks until told to stop."""

    inventory: Inventory
    acknowledged: dict[UUID, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def clerk(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            quantity = rng.randint(1, 20)
            r = await self.inventory.receive(quantity, lot=f"LOT-{rng.randint(1, 3)}")
            if r.status_code == 201:
                self.acknowledged[UUID(r.json()["movement_id"])] = quantity
            else:
                self.refused.append(f"{r.status_code} {r.text}")

    async def until(self, count: int) -> None:
        await wait_until(lambda: len(self.acknowledged) >= count, timeout=120, what=f"{count} acks")


async def _run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run a command to the end; its output and how long it took (it must succeed)."""
    began = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *map(str, args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env
    )
    out, _ = await proc.communicate()
    text = out.decode()
    assert proc.returncode == 0, f"{args} failed:\n{text}"
    return text, time.monotonic() - began


async def _rows(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def _ledger(dsn: str, store: UUID) -> dict[UUID, tuple[int, int]]:
    """movement id -> (store sequence, quantity) of the store's ledger."""
    rows = await _rows(
        dsn,
        "select movement_id, store_sequence, quantity from stock_movements where store_id = $1",
        store,
    )
    return {r["movement_id"]: (r["store_sequence"], r["quantity"]) for r in rows}


async def _topic_ends(bootstrap: str, *, starts: bool = False) -> dict[TopicPartition, int]:
    """The end (or first) offset of every partition of the movements topic."""
    (topic,) = [t for t in all_topics() if t.name == MOVEMENTS]
    parts = [TopicPartition(MOVEMENTS, p) for p in range(topic.partitions)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(parts)
        found = await (consumer.beginning_offsets if starts else consumer.end_offsets)(parts)
        return dict(found)
    finally:
        await consumer.stop()


async def _published(
    bootstrap: str, since: dict[TopicPartition, int], store: UUID
) -> list[tuple[str, UUID]]:
    """(event id, movement id) of every movement of the store on the topic since the offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(since))
        ends = await consumer.end_offsets(list(since))
        for tp, offset in since.items():
            consumer.seek(tp, offset)
        found = []
        while [tp for tp in since if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for r in (r for part in batch.values() for r in part):
                event = decode(r.value or b"")
                data = event.data or {}
                if event.type.endswith("stock-movement.recorded.v1") and data.get(
                    "store_id"
                ) == str(store):
                    found.append((event.id, UUID(data["movement_id"])))
        return found
    finally:
        await consumer.stop()


async def _group_offsets(bootstrap: str, group: str) -> dict[int, int]:
    """partition -> offset the consumer group committed on the movements topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == MOVEMENTS}


async def _published_rows(dsn: str, store: UUID, at_least: int) -> bool:
    """Whether at least that many of the store's movements have left the outbox."""
    rows = await _rows(
        dsn,
        "select (select count(*) from stock_movements where store_id = $1)"
        f" - (select count(*) from outbox where topic = '{MOVEMENTS}') as n",
        store,
    )
    return int(rows[0]["n"]) >= at_least


async def _converged(dsn: str, store: UUID) -> bool:
    """Nothing waits in the outbox, and the projection from the topic equals stock on hand."""
    lines = await _rows(dsn, LINES, store)
    waiting = await _rows(dsn, "select 1 from outbox limit 1")
    return bool(lines) and not waiting and all(r["quantity"] == r["projected"] for r in lines)


async def test_a_backup_taken_under_load_restores_onto_a_fresh_server_and_converges(
    inventory: Inventory, tmp_path: Path
) -> None:
    inventory.process("api,relay,project")
    await inventory.api_ready()
    start = await _topic_ends(inventory.bootstrap)
    load = Load(inventory)
    clerks = [asyncio.create_task(load.clerk(n)) for n in range(4)]

    # 1. Backup mid-load, with the `akiba` command an operator runs.
    await load.until(100)
    server, name = inventory.dsn.rsplit("/", 1)
    folder = tmp_path / "backup"
    _, backup_seconds = await _run(
        BIN / "akiba", "backup", "--to", folder, "--database", name, "--pg-url", server
    )
    acked_at_backup = len(load.acknowledged)
    await load.until(acked_at_backup + 150)
    # The drill needs events published after the backup (to re-read and to regain); a relay
    # can pause while any write transaction on the server is older than its rows.
    await wait_until(
        lambda: _published_rows(inventory.dsn, inventory.store_id, acked_at_backup + 100),
        timeout=120,
        what="100 receipts after the backup published",
    )

    # 2. The server is lost: processes killed mid-flight, the database dropped.
    load.stop.set()
    await asyncio.gather(*clerks)
    for p in inventory.processes:
        p.kill()
    inventory.processes.clear()
    assert not load.refused, load.refused[:3]
    before = await _ledger(inventory.dsn, inventory.store_id)
    unpublished = {
        UUID(decode(r["value"]).data["movement_id"])  # type: ignore[index]
        for r in await _rows(inventory.dsn, f"select value from outbox where topic = '{MOVEMENTS}'")
    }
    on_topic = await _published(inventory.bootstrap, start, inventory.store_id)
    group = inventory.groups + projector.NAME
    group_offsets = await _group_offsets(inventory.bootstrap, group)
    await _rows(database_url(server, "postgres"), f'drop database "{name}" with (force)')

    # 3. A fresh server, the restore, the catch-up it prints, the same processes.
    with fresh_server(tmp_path / "pg-b", free_port()) as fresh:
        restored = dataclasses.replace(inventory, dsn=database_url(fresh, name), processes=[])
        try:
            out, restore_seconds = await _run(
                *(BIN / "akiba", "restore", folder, "--pg-url", fresh),
                *("--align-groups", inventory.groups, "--bootstrap", inventory.bootstrap),
            )
            aligned = await _group_offsets(inventory.bootstrap, group)
            firsts = await _topic_ends(inventory.bootstrap, starts=True)
            backed_up = await _ledger(restored.dsn, inventory.store_id)
            stored = {
                r["partition"]: r["next_offset"]
                for r in await _rows(
                    restored.dsn,
                    "select partition, next_offset from consumer_positions"
                    " where consumer = $1 and topic = $2",
                    projector.NAME,
                    MOVEMENTS,
                )
            }
            outbox_in_backup = len(await _rows(restored.dsn, "select 1 from outbox"))
            sequences = await _rows(restored.dsn, "select last_value from pg_sequences")
            command = next(ln.strip() for ln in out.splitlines() if "replay ledger" in ln)
            env = {
                **os.environ,
                "AKIBA_DATABASE_URL": restored.dsn,
                "AKIBA_KAFKA_BOOTSTRAP_SERVERS": inventory.bootstrap,
            }
            program, *arguments = shlex.split(command)
            _, catch_up_seconds = await _run(BIN / program, *arguments, env=env)
            began = time.monotonic()
            restored.process("api,relay,project")
            await restored.api_ready()
            await wait_until(
                lambda: _converged(restored.dsn, inventory.store_id),
                timeout=120,
                what="the restored system to converge",
            )
            converge_seconds = time.monotonic() - began
            after = await _ledger(restored.dsn, inventory.store_id)
            lines = await _rows(restored.dsn, LINES, inventory.store_id)
            # The restored store numbers new receipts after everything the topic holds.
            fresh_receipt = (await restored.receive(7)).json()
            await wait_until(
                lambda: _converged(restored.dsn, inventory.store_id), what="the new receipt"
            )
            published_after = await _published(inventory.bootstrap, start, inventory.store_id)
        finally:
            for p in restored.processes:
                p.stop()

    manifest = Manifest.read(folder)
    loaded = float(out.splitlines()[0].split()[-2])
    published_ids = {m for _, m in on_topic}
    lost = set(load.acknowledged) - set(after)
    events_per_movement: dict[UUID, set[str]] = {}
    for event_id, movement in published_after:
        events_per_movement.setdefault(movement, set()).add(event_id)
    republished = len(published_after) - len({e for e, _ in published_after})
    doubled = [m for m, ids in events_per_movement.items() if len(ids) > 1]
    print(
        f"\nrestore drill: {len(load.acknowledged)} receipts acknowledged,"
        f" {acked_at_backup} before the backup finished\n"
        f"  backup under load   {backup_seconds:6.2f} s  {manifest.total_bytes / 1e6:.2f} MB"
        f" ({len(backed_up)} movements, {outbox_in_backup} outbox rows unpublished in it)\n"
        f"  restore             {restore_seconds:6.2f} s  (pg_restore + verify {loaded:.2f} s;"
        " the rest waits for the killed members' sessions to end, then sets the groups back)\n"
        f"  ledger catch-up     {catch_up_seconds:6.2f} s"
        f"  ({len(after) - len(backed_up)} movements from the topic)\n"
        f"  converge            {converge_seconds:6.2f} s"
        f"  (projector resumed at {stored}, its group had committed"
        f" { ({p: group_offsets[p] for p in stored}) })\n"
        f"  lost {len(lost)} (acknowledged, never published), doubled {len(doubled)} of"
        f" {len(events_per_movement)} movements, {republished} events published twice"
    )

    # Every sequence moved on by the gap: no number handed out before the loss is given again.
    assert sequences and all(r["last_value"] >= 1_000_000 for r in sequences)
    # The restore started from an older position than Kafka's group: the drill tests the seek.
    assert stored and all(offset < group_offsets[p] for p, offset in stored.items())
    # ...and `--align-groups` set the group back to the database's positions.
    assert {p: aligned[p] for p in stored} == stored
    assert all(aligned[tp.partition] == o for tp, o in firsts.items() if tp.partition not in stored)
    # Every acknowledged receipt that reached Kafka is back, with its sequence and quantity.
    assert set(load.acknowledged) & published_ids <= set(after)
    assert {m: before[m] for m in after} == after
    # What is lost never reached Kafka and was written after the backup: counted, explained.
    assert lost <= unpublished - set(backed_up)
    assert set(before) - set(after) == lost
    # Nothing doubled: one event id per movement and stock equal to the ledger, line by line.
    assert not doubled, "a movement published under two event ids"
    ledger_total = sum(q for _, q in after.values())
    assert sum(r["quantity"] for r in lines) == ledger_total
    assert all(r["quantity"] == r["projected"] for r in lines)
    assert ledger_total == sum(load.acknowledged.values()) - sum(load.acknowledged[m] for m in lost)
    # Numbering goes on after every sequence the topic carried before the loss (a lost receipt's
    # number, which no consumer ever saw, is the only one given again).
    assert fresh_receipt["store_sequence"] == max(seq for seq, _ in after.values()) + 1
    assert fresh_receipt["store_sequence"] > max(before[m][0] for m in published_ids)
