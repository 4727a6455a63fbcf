"""New ledger entries' ids: version 7 UUIDs that grow with the millisecond they were made."""

from __future__ import annotations

from datetime import UTC, date, datetime
from time import time_ns
from uuid import RFC_4122, uuid4

from akiba_stock.commands import ReceiveStock
from akiba_stock.ids import new_id
from akiba_stock.ledger import LedgerEntry, LedgerKind, StockLine
from akiba_stock.model import new_batch, receive


def test_ids_are_version_7_with_the_millisecond_first_and_never_repeat() -> None:
    before = time_ns() // 1_000_000
    ids = [new_id() for _ in range(1_000)]
    after = time_ns() // 1_000_000
    assert all(i.version == 7 and i.variant == RFC_4122 for i in ids)
    assert len(set(ids)) == len(ids)
    made = [i.int >> 80 for i in ids]
    assert made == sorted(made) and before <= made[0] and made[-1] <= after


def test_the_random_part_is_random() -> None:
    # 74 random bits: the 12 after the version and the 62 after the variant all vary.
    ids = [new_id().int for _ in range(2_000)]
    varying = 0
    for other in ids[1:]:
        varying |= ids[0] ^ other
    assert varying & (0xFFF << 64) == 0xFFF << 64
    assert varying & ((1 << 62) - 1) == (1 << 62) - 1


def test_receipts_and_ledger_entries_get_time_ordered_ids() -> None:
    cmd = ReceiveStock(
        store_id=uuid4(), item_id=uuid4(), lot_code="L1", expiry_date=date(2028, 1, 31),
        quantity=10, occurred_at=None, actor="amina",
    )  # fmt: skip
    movement = receive(cmd, new_batch(cmd), 1, datetime.now(UTC))
    line = StockLine(uuid4(), uuid4(), uuid4(), None)
    entry = LedgerEntry(line, LedgerKind.RECEIPT, 5, datetime.now(UTC), 1)
    assert (movement.movement_id.version, entry.entry_id.version) == (7, 7)
