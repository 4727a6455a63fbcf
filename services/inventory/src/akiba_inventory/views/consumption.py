"""AMC, MOS and SOH per store and item from the ledger, set-based, for routes and alerts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from akiba_platform import Connection
from akiba_stock.alerts import BatchState, Thresholds
from akiba_stock.consumption import (
    CONSUMPTION_KINDS,
    DEFAULT_LOOK_BACK_MONTHS,
    LookBack,
    amc,
    months_of_stock,
)

Pair = tuple[UUID, UUID]

# The most specific settings row per pair: store + program, store, program, then the default.
_SETTINGS = """
select p.store_id, p.item_id, x.look_back_months, x.min_mos, x.max_mos, x.expiring_within_days
  from unnest($1::uuid[], $2::uuid[]) as p(store_id, item_id)
  left join lateral (
    select t.* from stock_settings t
     where (t.store_id is null or t.store_id = p.store_id)
       and (t.program_id is null or t.program_id in
            (select unnest(i.program_ids) from items i where i.item_id = p.item_id))
     order by t.store_id is null, t.program_id is null, t.program_id
     limit 1) x on true
"""

# Per pair: SOH, units consumed in [w_start, w_end), and the whole days [d_from, d_to) that
# closed with nothing on hand, from the running item balances (the closing balance of a day is
# that of its last movement; `opening` carries the balance from before the first whole day).
_FIGURES = """
with p as (
  select * from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[],
                       $5::timestamptz[], $6::timestamptz[])
      as p(store_id, item_id, w_start, w_end, d_from, d_to)
)
select p.store_id, p.item_id, coalesce(soh.q, 0) as soh, coalesce(used.q, 0) as consumed,
       coalesce(outs.days, 0) as stockout_days
  from p
  left join lateral (
    select sum(s.quantity) as q from stock_on_hand s
     where s.store_id = p.store_id and s.item_id = p.item_id) soh on true
  left join lateral (
    select -sum(m.quantity) as q from stock_movements m
     where m.store_id = p.store_id and m.item_id = p.item_id
       and m.occurred_at >= p.w_start and m.occurred_at < p.w_end
       and m.movement_type = any($7::text[])) used on true
  left join lateral (
    select sum(greatest(0, coalesce(c.next_day, c.end_day) - greatest(c.day, c.first_day)))
             filter (where c.balance <= 0) as days
      from (select d.day, d.balance, lead(d.day) over (order by d.day) as next_day,
                   (p.d_from at time zone 'UTC')::date as first_day,
                   (p.d_to at time zone 'UTC')::date as end_day
              from (select (p.d_from at time zone 'UTC')::date - 1 as day,
                           coalesce((select o.item_balance from stock_movements o
                                      where o.store_id = p.store_id and o.item_id = p.item_id
                                        and o.occurred_at < p.d_from
                                      order by o.occurred_at desc, o.store_sequence desc
                                      limit 1), 0) as balance
                    union all
                    select * from (
                      select distinct on (1) (m.occurred_at at time zone 'UTC')::date,
                             m.item_balance
                        from stock_movements m
                       where m.store_id = p.store_id and m.item_id = p.item_id
                         and m.occurred_at >= p.d_from and m.occurred_at < p.d_to
                       order by 1, m.occurred_at desc, m.store_sequence desc) daily
                   ) d
           ) c) outs on true
"""

_BATCHES = """
select s.store_id, s.item_id, s.batch_id, b.expiry_date, sum(s.quantity) as soh
  from unnest($1::uuid[], $2::uuid[]) as p(store_id, item_id)
  join stock_on_hand s on s.store_id = p.store_id and s.item_id = p.item_id
  join batches b on b.batch_id = s.batch_id
 group by s.store_id, s.item_id, s.batch_id, b.expiry_date
 order by b.expiry_date nulls last, s.batch_id
"""


@dataclass(frozen=True)
class StockSettings:
    """The look-back and alert thresholds that apply to one item in one store."""

    look_back_months: Decimal = DEFAULT_LOOK_BACK_MONTHS
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class ItemFigures:
    """SOH, consumption, AMC and MOS of one item in one store over its look-back window."""

    store_id: UUID
    item_id: UUID
    window: LookBack
    soh: int
    consumed: int
    stockout_days: int
    amc: Decimal | None
    mos: Decimal | None
    thresholds: Thresholds


async def stock_settings(conn: Connection, pairs: list[Pair]) -> dict[Pair, StockSettings]:
    """The settings each pair uses (built-in defaults if even the default row is gone)."""
    rows = await conn.fetch(_SETTINGS, [p[0] for p in pairs], [p[1] for p in pairs])
    return {(r["store_id"], r["item_id"]): _settings(r) for r in rows}


def _settings(r: Any) -> StockSettings:
    if r["look_back_months"] is None:
        return StockSettings()
    return StockSettings(
        r["look_back_months"],
        Thresholds(r["min_mos"], r["max_mos"], r["expiring_within_days"]),
    )


async def figures(conn: Connection, pairs: list[Pair], now: datetime) -> dict[Pair, ItemFigures]:
    """AMC (stock-out adjusted) and MOS of every pair over its window ending `now`."""
    if not pairs:
        return {}
    settings = await stock_settings(conn, pairs)
    windows = {p: LookBack(now, settings[p].look_back_months) for p in pairs}
    days = {p: _day_bounds(w) for p, w in windows.items()}
    rows = await conn.fetch(
        _FIGURES,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        [windows[p].start for p in pairs],
        [windows[p].end for p in pairs],
        [days[p][0] for p in pairs],
        [days[p][1] for p in pairs],
        sorted(k.value for k in CONSUMPTION_KINDS),
    )
    out = {}
    for r in rows:
        pair = (r["store_id"], r["item_id"])
        out[pair] = _figures(r, windows[pair], settings[pair].thresholds)
    return out


def _day_bounds(window: LookBack) -> tuple[datetime, datetime]:
    """[first whole day, day after the last) as UTC instants."""
    first, last = window.whole_days()
    start = datetime.combine(first, time(), UTC)
    return start, max(start, datetime.combine(last + timedelta(days=1), time(), UTC))


def _figures(r: Any, window: LookBack, thresholds: Thresholds) -> ItemFigures:
    soh, consumed, out = int(r["soh"]), int(r["consumed"]), int(r["stockout_days"])
    monthly = amc(consumed, window, out)
    return ItemFigures(
        store_id=r["store_id"],
        item_id=r["item_id"],
        window=window,
        soh=soh,
        consumed=consumed,
        stockout_days=out,
        amc=monthly,
        mos=months_of_stock(soh, monthly),
        thresholds=thresholds,
    )


async def batch_states(conn: Connection, pairs: list[Pair]) -> dict[Pair, list[BatchState]]:
    """Each pair's batches with their expiry and SOH (over all locations), first expiry first."""
    rows = await conn.fetch(_BATCHES, [p[0] for p in pairs], [p[1] for p in pairs])
    out: dict[Pair, list[BatchState]] = defaultdict(list)
    for r in rows:
        out[(r["store_id"], r["item_id"])].append(
            BatchState(r["batch_id"], r["expiry_date"], int(r["soh"]))
        )
    return out


async def item_consumption(
    conn: Connection, store_id: UUID, item_id: UUID, now: datetime
) -> ItemFigures | None:
    """One item's figures in one store; None when the store or the item does not exist."""
    known = await conn.fetchval(
        "select exists (select 1 from stores where store_id = $1)"
        " and exists (select 1 from items where item_id = $2)",
        store_id,
        item_id,
    )
    if not known:
        return None
    return (await figures(conn, [(store_id, item_id)], now))[(store_id, item_id)]


_SUMMARY_ITEMS = """
with x as (select item_id from stock_on_hand where store_id = $1
           union select item_id from active_alerts where store_id = $1)
select i.item_id, i.code as item_code, i.name as item_name, count(*) over () as total
  from x join items i using (item_id)
 order by i.code
 limit $2 offset $3
"""


async def store_summary(
    conn: Connection, store_id: UUID, now: datetime, page: int, size: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the store's items (by code) with SOH, AMC, MOS, nearest expiry and alerts."""
    items = await conn.fetch(_SUMMARY_ITEMS, store_id, size, page * size)
    pairs = [(store_id, r["item_id"]) for r in items]
    figs = await figures(conn, pairs, now)
    batches = await batch_states(conn, pairs)
    alerts = await conn.fetch(
        "select item_id, kind, batch_id from active_alerts"
        " where store_id = $1 and item_id = any($2::uuid[]) order by kind, batch_id",
        store_id,
        [p[1] for p in pairs],
    )
    by_item: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for a in alerts:
        by_item[a["item_id"]].append({"kind": a["kind"], "batch_id": a["batch_id"]})
    rows = []
    for r in items:
        pair = (store_id, r["item_id"])
        expiries = [b.expiry_date for b in batches.get(pair, []) if b.soh > 0 and b.expiry_date]
        rows.append(
            {
                "item_id": r["item_id"],
                "item_code": r["item_code"],
                "item_name": r["item_name"],
                "stock_on_hand": figs[pair].soh,
                "amc": figs[pair].amc,
                "months_of_stock": figs[pair].mos,
                "nearest_expiry": min(expiries, default=None),
                "alerts": by_item.get(r["item_id"], []),
            }
        )
    return rows, int(items[0]["total"]) if items else 0
