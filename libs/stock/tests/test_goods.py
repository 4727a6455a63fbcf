"""Goods received as the domain sees them: every bad line named at once, then one receipt each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from akiba_stock.commands import GoodsLine, ReceiveGoods
from akiba_stock.errors import InvalidLines, InvalidMovement
from akiba_stock.goods import Known, check, new_lots, receive
from akiba_stock.model import Batch, MovementType

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ITEM, SHELF = uuid4(), uuid4()
EXPIRY = date(2028, 1, 31)


def _line(**overrides: object) -> GoodsLine:
    fields: dict[str, object] = {
        "item_id": ITEM, "lot_code": "L1", "expiry_date": EXPIRY, "quantity": 10,
        "location_id": SHELF,
    }  # fmt: skip
    fields.update(overrides)
    return GoodsLine(**fields)  # type: ignore[arg-type]


def _doc(*lines: GoodsLine, received_at: datetime | None = None) -> ReceiveGoods:
    return ReceiveGoods(
        store_id=uuid4(), document_id=uuid4(), supplier="MSD", reference_kind="purchase_order",
        reference_number="PO-17", received_at=received_at, actor="amina", lines=lines,
    )  # fmt: skip


def _known(lots: dict[tuple[UUID, str], Batch] | None = None) -> Known:
    return Known(items={ITEM}, locations={SHELF}, lots=lots or {})


def test_a_good_document_passes_its_checks() -> None:
    check(_doc(_line(), _line(lot_code="L2")), _known(), NOW)


def test_every_bad_line_is_named_with_its_index_field_and_reason() -> None:
    recorded = {(ITEM, "OLD"): Batch(uuid4(), ITEM, "OLD", date(2027, 6, 30))}
    doc = _doc(
        _line(),
        _line(item_id=uuid4()),
        _line(location_id=uuid4()),
        _line(quantity=-5),
        _line(lot_code="OLD", expiry_date=date(2029, 1, 1)),
    )
    with pytest.raises(InvalidLines) as refused:
        check(doc, _known(recorded), NOW)
    found = [(p.index, p.field, p.kind) for p in refused.value.problems]
    assert found == [
        (1, "item_id", "unknown_item"),
        (2, "location_id", "unknown_location"),
        (3, "quantity", "invalid_quantity"),
        (4, "expiry_date", "expiry_conflict"),
    ]
    assert "2027-06-30" in refused.value.problems[-1].reason


def test_a_lot_named_twice_in_a_document_keeps_its_first_lines_expiry() -> None:
    doc = _doc(_line(lot_code="NEW"), _line(lot_code="NEW", expiry_date=EXPIRY + timedelta(1)))
    with pytest.raises(InvalidLines) as refused:
        check(doc, _known(), NOW)
    assert [p.index for p in refused.value.problems] == [1]


def test_a_line_without_an_expiry_takes_its_lots() -> None:
    check(_doc(_line(), _line(expiry_date=None)), _known(), NOW)


def test_a_delivery_received_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidMovement, match="future"):
        check(_doc(_line(), received_at=NOW + timedelta(hours=1)), _known(), NOW)


def test_new_lots_are_made_once_each_with_their_first_lines_expiry() -> None:
    recorded = {(ITEM, "OLD"): Batch(uuid4(), ITEM, "OLD", EXPIRY)}
    doc = _doc(_line(lot_code="OLD"), _line(lot_code="N"), _line(lot_code="N", expiry_date=None))
    made = new_lots(doc, recorded, lambda _item, _lot: uuid4())
    assert [(b.lot_code, b.expiry_date) for b in made] == [("N", EXPIRY)]


def test_each_line_is_a_receipt_numbered_in_order_with_the_reference_and_supplier() -> None:
    doc = _doc(_line(quantity=3), _line(lot_code="L2", quantity=4), received_at=NOW)
    lots = {(ITEM, b.lot_code): b for b in new_lots(doc, {}, lambda _i, _l: uuid4())}
    moved = receive(doc, lots, 41, NOW)
    assert [(m.store_sequence, m.quantity) for m in moved] == [(41, 3), (42, 4)]
    assert {m.movement_type for m in moved} == {MovementType.RECEIPT}
    assert {(m.reference, m.source) for m in moved} == {("purchase_order:PO-17", "MSD")}
