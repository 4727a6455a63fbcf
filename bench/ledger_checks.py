"""The ledger's own consistency, whoever wrote it: sequences, running balances, SOH = Σ ledger.

Computed by PostgreSQL over the whole database, so they hold for HTTP writes and edge ingest
alike; the phases that know which rows they expect check those on top.
"""

from __future__ import annotations

from typing import Any

import asyncpg

# Stores whose ledger is not 1..n without gaps with next_sequence at n + 1.
_GAPS = """
select count(*)
  from stores s
  left join (select store_id, count(*) as n, min(store_sequence) as lo, max(store_sequence) as hi
               from stock_movements group by store_id) m using (store_id)
 where coalesce(m.n, 0) <> s.next_sequence - 1 or (m.n > 0 and (m.lo <> 1 or m.hi <> m.n))
"""

# Rows whose running balances differ from the sums in stock-card order (the service's order).
_BALANCES = """
select count(*)
  from (select item_balance, batch_balance,
               sum(quantity) over (partition by store_id, item_id
                                   order by occurred_at, store_sequence) as ib,
               sum(quantity) over (partition by store_id, item_id, batch_id
                                   order by occurred_at, store_sequence) as bb
          from stock_movements) x
 where item_balance <> ib or batch_balance <> bb
"""

# Stock lines whose quantity is not the ledger's sum for the line (a line the ledger never
# touched must not exist unless empty). Null batch or location as a zero id: a full join
# needs equality.
_ON_HAND = """
with z as (select '00000000-0000-0000-0000-000000000000'::uuid as z),
     m as (select store_id, item_id, coalesce(batch_id, z) as b, coalesce(location_id, z) as l,
                  sum(quantity) as q
             from stock_movements, z group by 1, 2, 3, 4),
     s as (select store_id, item_id, coalesce(batch_id, z) as b, coalesce(location_id, z) as l,
                  quantity as q
             from stock_on_hand, z)
select count(*)
  from m full join s using (store_id, item_id, b, l)
 where m.q is distinct from s.q and not (m.q is null and s.q = 0)
"""


async def run(pool: asyncpg.Pool[Any]) -> dict[str, int]:
    """Counts that must be zero (all but the row count), from one pass of each query."""
    one = "select count(*) from "
    return {
        "ledger_rows": int(await pool.fetchval(one + "stock_movements")),
        "stores_with_sequence_gaps": int(await pool.fetchval(_GAPS)),
        "rows_with_wrong_running_balances": int(await pool.fetchval(_BALANCES)),
        "stock_lines_differing_from_ledger": int(await pool.fetchval(_ON_HAND)),
        "dead_letters": int(await pool.fetchval(one + "inbox where dead_letter")),
        "edge_documents_held": int(await pool.fetchval(one + "edge_pending")),
        "edge_documents_refused": int(await pool.fetchval(one + "edge_rejections")),
    }


def failures(found: dict[str, int]) -> list[str]:
    """The checks above that are not zero (the row count is not a check)."""
    return [k for k, v in found.items() if k != "ledger_rows" and v]
