"""An order's status follows from its lines and shipments; a back-order closes only with a
reason and with no shipment in preparation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from akiba_contracts.payloads import OrderStatus
from akiba_fulfillment.domain.errors import Invalid, OrderConflict, StaleVersion
from akiba_fulfillment.domain.orders import Order, OrderLine, Progress, ordered_units, status_of

NOW = datetime.now(UTC)
IDLE = Progress(preparing=False, all_received=True)
PREPARING = Progress(preparing=True, all_received=True)
IN_TRANSIT = Progress(preparing=False, all_received=False)


def _line(ordered: int = 50, **kw: int) -> OrderLine:
    return OrderLine(uuid4(), 5, ordered, **kw)


def _order(*lines: OrderLine) -> Order:
    return Order(
        uuid4(), "ORD-000001", None, None, None, False, uuid4(), uuid4(), OrderStatus.ORDERED,
        False, 1, "t", NOW, NOW, None, lines,
    )  # fmt: skip


def test_an_order_nothing_happened_to_is_ordered() -> None:
    assert status_of((_line(),), IDLE) == (OrderStatus.ORDERED, False)


def test_a_shipment_in_preparation_makes_it_fulfilling() -> None:
    assert status_of((_line(),), PREPARING) == (OrderStatus.FULFILLING, False)


def test_a_partial_shipment_leaves_a_back_order() -> None:
    assert status_of((_line(shipped=20),), IN_TRANSIT) == (OrderStatus.SHIPPED, True)


def test_everything_shipped_but_not_received_is_shipped_without_back_order() -> None:
    assert status_of((_line(shipped=50),), IN_TRANSIT) == (OrderStatus.SHIPPED, False)


def test_everything_shipped_and_received_is_received() -> None:
    assert status_of((_line(shipped=50, received=45, rejected=5),), IDLE) == (
        OrderStatus.RECEIVED, False)  # fmt: skip


def test_a_received_part_with_the_rest_still_due_stays_shipped() -> None:
    assert status_of((_line(shipped=20, received=20),), IDLE) == (OrderStatus.SHIPPED, True)


def test_closing_the_remainder_of_an_order_nothing_shipped_of_cancels_it() -> None:
    order = _order(_line())

    closed = order.closed("no stock", IDLE, NOW)

    assert (closed.status, closed.lines[0].cancelled, closed.closed_reason) == (
        OrderStatus.CANCELLED, 50, "no stock")  # fmt: skip
    assert closed.version == 2


def test_closing_a_received_back_order_makes_the_order_received() -> None:
    closed = _order(_line(shipped=20, received=20)).closed("stock-out", IDLE, NOW)
    assert (closed.status, closed.back_ordered, closed.lines[0].remaining) == (
        OrderStatus.RECEIVED, False, 0)  # fmt: skip


def test_a_back_order_is_not_closed_while_a_shipment_is_prepared() -> None:
    with pytest.raises(OrderConflict):
        _order(_line(shipped=20)).closed("stock-out", PREPARING, NOW)


def test_nothing_due_cannot_be_closed() -> None:
    with pytest.raises(OrderConflict):
        _order(_line(shipped=50)).closed("why", IDLE, NOW)


def test_a_change_against_another_version_is_stale() -> None:
    with pytest.raises(StaleVersion):
        _order(_line()).check_version(2)


def test_units_are_whole_packs() -> None:
    assert ordered_units(3, 10) == 30
    with pytest.raises(Invalid):
        ordered_units(-1, 10)
