"""Active alerts: which are on, starting and ending them, listing them, and the sweep's turn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from akiba_platform import Connection
from akiba_stock.alerts import ActiveAlert, AlertKind

Pair = tuple[UUID, UUID]


@dataclass(frozen=True)
class StoredAlert:
    """An active alert as stored: identity, id, start and the figures it started with."""

    alert: ActiveAlert
    alert_id: UUID
    started_at: datetime
    stock_on_hand: int
    amc: Decimal | None
    mos: Decimal | None
    expiry_date: date | None


_COLUMNS = (
    "alert_id, kind, store_id, item_id, batch_id, started_at, stock_on_hand, amc, mos, expiry_date"
)


class AlertRepository(Protocol):
    """Active alerts, locked per store, and the periodic sweep's turn."""

    async def lock(self, store_ids: set[UUID]) -> None:
        """Serialise evaluations of these stores (consumer vs sweep) until the transaction ends."""
        ...

    async def active(self, pairs: list[Pair]) -> dict[ActiveAlert, StoredAlert]:
        """The alerts on now for these (store, item) pairs."""
        ...

    async def start(self, alerts: list[StoredAlert]) -> None:
        """Record alerts that started."""
        ...

    async def end(self, alert_ids: list[UUID]) -> None:
        """Forget alerts that ended."""
        ...

    async def pairs_after(self, after: Pair, limit: int) -> list[Pair]:
        """The next (store, item) pairs with stock lines or alerts, in order, after `after`."""
        ...

    async def claim_sweep(self, name: str, now: datetime, every: timedelta) -> bool:
        """Whether this instance takes the sweep now: the last one started `every` ago or more."""
        ...


class AsyncpgAlerts:
    """The active_alerts table on the caller's connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock(self, store_ids: set[UUID]) -> None:
        """Serialise evaluations of these stores (consumer vs sweep) until the transaction ends."""
        await self._conn.execute(
            "select pg_advisory_xact_lock(hashtextextended('akiba.alerts:' || s::text, 0))"
            " from unnest($1::uuid[]) as s order by s",
            sorted(store_ids),
        )

    async def active(self, pairs: list[Pair]) -> dict[ActiveAlert, StoredAlert]:
        """The alerts on now for these (store, item) pairs."""
        rows = await self._conn.fetch(
            f"select {_COLUMNS} from active_alerts"
            " join unnest($1::uuid[], $2::uuid[]) as p(store_id, item_id)"
            " using (store_id, item_id)",
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )
        stored = [_stored(r) for r in rows]
        return {s.alert: s for s in stored}

    async def start(self, alerts: list[StoredAlert]) -> None:
        """Record alerts that started."""
        await self._conn.executemany(
            f"insert into active_alerts ({_COLUMNS})"
            " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                (
                    s.alert_id,
                    s.alert.kind.value,
                    s.alert.store_id,
                    s.alert.item_id,
                    s.alert.batch_id,
                    s.started_at,
                    s.stock_on_hand,
                    s.amc,
                    s.mos,
                    s.expiry_date,
                )
                for s in alerts
            ],
        )

    async def end(self, alert_ids: list[UUID]) -> None:
        """Forget alerts that ended."""
        await self._conn.execute(
            "delete from active_alerts where alert_id = any($1::uuid[])", alert_ids
        )

    async def pairs_after(self, after: Pair, limit: int) -> list[Pair]:
        """The next (store, item) pairs with stock lines or alerts, in order, after `after`."""
        rows = await self._conn.fetch(
            """select store_id, item_id from (
                 (select distinct store_id, item_id from stock_on_hand
                   where (store_id, item_id) > ($1, $2) order by 1, 2 limit $3)
                 union
                 (select distinct store_id, item_id from active_alerts
                   where (store_id, item_id) > ($1, $2) order by 1, 2 limit $3)) x
               order by 1, 2 limit $3""",
            after[0],
            after[1],
            limit,
        )
        return [(r["store_id"], r["item_id"]) for r in rows]

    async def claim_sweep(self, name: str, now: datetime, every: timedelta) -> bool:
        """Whether this instance takes the sweep now: the last one started `every` ago or more."""
        row = await self._conn.fetchrow(
            "insert into alert_sweeps as w (name, last_started_at) values ($1, $2)"
            " on conflict (name) do update set last_started_at = excluded.last_started_at"
            " where w.last_started_at <= $2 - $3::interval returning 1",
            name,
            now,
            every,
        )
        return row is not None


def _stored(r: Any) -> StoredAlert:
    return StoredAlert(
        ActiveAlert(AlertKind(r["kind"]), r["store_id"], r["item_id"], r["batch_id"]),
        r["alert_id"],
        r["started_at"],
        int(r["stock_on_hand"]),
        r["amc"],
        r["mos"],
        r["expiry_date"],
    )


# The filter runs on active_alerts alone, the joins on one page of it: a supervisor sees
# thousands of stores, so their ids are a hashed set (not `= any(array)`, a scan of the array
# per row) and the total is counted once without joining names it does not need.
_FILTER = """
  from active_alerts a
 where ($1::uuid[] is null or a.store_id in (select unnest($1::uuid[])))
   and ($2::text is null or a.kind = $2)
   and ($3::uuid is null or a.item_id = $3)
"""
_LIST = f"""
with page as (
    select a.* {_FILTER}
     order by a.started_at desc, a.alert_id
     limit $4 offset $5
)
select a.alert_id, a.kind, a.store_id, st.code as store_code, a.item_id, i.code as item_code,
       i.name as item_name, a.batch_id, b.lot_code, a.expiry_date, a.started_at,
       a.stock_on_hand, a.amc, a.mos as months_of_stock,
       (select count(*) {_FILTER}) as total
  from page a
  join stores st using (store_id)
  join items i using (item_id)
  left join batches b using (batch_id)
 order by a.started_at desc, a.alert_id
"""


async def alert_page(
    conn: Connection,
    store_ids: list[UUID] | None,
    *,
    kind: str | None = None,
    item_id: UUID | None = None,
    page: int = 0,
    size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """A page of active alerts (newest first) in these stores (None: every store), and the total."""
    rows = await conn.fetch(_LIST, store_ids, kind, item_id, size, page * size)
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total
