"""The stock-on-hand list's query parameters, declared once so central and sites read them alike."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query

from akiba_contracts.fields import LotCode, SearchText
from akiba_stock.onhand import StockOnHandFilter


def _stock_on_hand_filter(
    item_id: Annotated[UUID | None, Query(description="Only this item")] = None,
    location_id: Annotated[UUID | None, Query(description="Only this location")] = None,
    lot_code: Annotated[
        LotCode | None, Query(description="Only batches with this lot code, ignoring case")
    ] = None,
    q: Annotated[
        SearchText | None,
        Query(description="Only items whose code or name contains this text, ignoring case"),
    ] = None,
    expiring_before: Annotated[
        date | None,
        Query(description="Only batches expiring before this day (none without an expiry date)"),
    ] = None,
    on_hold: Annotated[
        bool | None, Query(description="Only lines on hold (true) or not on hold (false)")
    ] = None,
    include_empty: Annotated[bool, Query(description="Also lines whose quantity is zero")] = False,
    program_id: Annotated[
        UUID | None, Query(description="Only items ordered under this program")
    ] = None,
) -> StockOnHandFilter:
    return StockOnHandFilter(
        item_id=item_id, location_id=location_id, lot_code=lot_code, q=q,
        expiring_before=expiring_before, on_hold=on_hold, include_empty=include_empty,
        program_id=program_id,
    )  # fmt: skip


StockOnHandQuery = Annotated[StockOnHandFilter, Depends(_stock_on_hand_filter)]
"""A route parameter: the stock-on-hand lines asked for."""
