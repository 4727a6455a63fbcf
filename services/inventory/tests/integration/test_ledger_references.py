"""The ledger's references, checked per statement (migration 0012): a ledger row names a store,
an item and a batch that exist, or its whole statement is refused as a foreign key would refuse
it; and what the ledger names is never deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_inventory.adapters.ledger import LEDGER_COLUMNS
from akiba_inventory.bootstrap import MIGRATIONS


@pytest.fixture
async def conn(databases: Databases) -> AsyncIterator[asyncpg.Connection[Any]]:
    c: asyncpg.Connection[Any] = await asyncpg.connect(
        await databases.create({"inventory": MIGRATIONS})
    )
    try:
        yield c
    finally:
        await c.close()


class World:
    """One store, one item with one batch, and ledger rows naming them."""

    def __init__(self, conn: asyncpg.Connection[Any]) -> None:
        self.conn = conn
        self.store, self.item, self.batch = uuid4(), uuid4(), uuid4()
        self.sequence = 0

    async def create(self) -> World:
        await self.conn.execute(
            "insert into stores (store_id, code, name) values ($1, $2, 'Store')",
            self.store,
            self.store.hex[:8],
        )
        await self.conn.execute(
            "insert into items (item_id, code, name) values ($1, $2, 'Item')",
            self.item,
            self.item.hex[:8],
        )
        await self.conn.execute(
            "insert into batches (batch_id, item_id, lot_code) values ($1, $2, 'L1')",
            self.batch,
            self.item,
        )
        return self

    def row(self, **names: UUID | None) -> tuple[Any, ...]:
        """A receipt of 5 units, naming the world's store, item and batch unless told."""
        self.sequence += 1
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "movement_id": uuid4(),
            "store_id": names.get("store_id", self.store),
            "store_sequence": self.sequence,
            "item_id": names.get("item_id", self.item),
            "batch_id": names.get("batch_id", self.batch),
            "location_id": None,
            "movement_type": "receipt",
            "quantity": 5,
            "occurred_at": now,
            "recorded_at": now,
            "actor": "test",
            "reason_id": None,
            "reference": None,
            "source": None,
            "item_balance": 5 * self.sequence,
            "batch_balance": 5 * self.sequence,
        }
        return tuple(values[c] for c in LEDGER_COLUMNS)

    async def copy(self, rows: list[tuple[Any, ...]]) -> None:
        await self.conn.copy_records_to_table(
            "stock_movements", records=rows, columns=LEDGER_COLUMNS
        )

    async def count(self) -> int:
        return int(await self.conn.fetchval("select count(*) from stock_movements"))


@pytest.fixture
async def world(conn: asyncpg.Connection[Any]) -> World:
    return await World(conn).create()


async def test_rows_naming_what_exists_are_written(world: World) -> None:
    await world.copy([world.row() for _ in range(20)])
    await world.copy([world.row(batch_id=None)])
    assert await world.count() == 21


@pytest.mark.parametrize(
    ("column", "table"),
    [("store_id", "stores"), ("item_id", "items"), ("batch_id", "batches")],
)
async def test_one_row_naming_what_does_not_exist_refuses_its_whole_statement(
    world: World, column: str, table: str
) -> None:
    unknown = uuid4()
    rows = [world.row() for _ in range(10)] + [world.row(**{column: unknown})]
    with pytest.raises(asyncpg.ForeignKeyViolationError) as refused:
        await world.copy(rows)
    assert refused.value.detail == f'Key ({column})=({unknown}) is not present in table "{table}".'
    assert refused.value.table_name == "stock_movements"
    assert await world.count() == 0


async def test_a_single_row_insert_is_checked_too(world: World) -> None:
    placeholders = ", ".join(f"${i + 1}" for i in range(len(LEDGER_COLUMNS)))
    insert = f"insert into stock_movements ({', '.join(LEDGER_COLUMNS)}) values ({placeholders})"
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await world.conn.execute(insert, *world.row(item_id=uuid4()))
    await world.conn.execute(insert, *world.row())
    assert await world.count() == 1


async def test_an_update_cannot_point_a_ledger_row_at_what_does_not_exist(world: World) -> None:
    await world.copy([world.row()])
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await world.conn.execute("update stock_movements set batch_id = $1", uuid4())
    await world.conn.execute("update stock_movements set item_balance = item_balance")
    assert await world.conn.fetchval("select batch_id from stock_movements") == world.batch


@pytest.mark.parametrize("table", ["stores", "items", "batches"])
async def test_what_the_ledger_names_is_never_deleted(world: World, table: str) -> None:
    await world.copy([world.row()])
    with pytest.raises(asyncpg.RestrictViolationError, match="never deleted"):
        await world.conn.execute(f"delete from {table}")
    assert await world.conn.fetchval(f"select count(*) from {table}") == 1
