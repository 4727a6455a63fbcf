"""Requisitions (issue #13's "Measure"), each next to a raw baseline from the same run.

- Initiating a 1,000-line stock-based requisition of a store with a year of ledger by day,
  through HTTP on a real process (averaging 3 periods), next to the two SQL statements its
  figures come from run straight on PostgreSQL.
- Approving 20 requisitions of 300 lines in one `POST /requisitions/batch-approve`.
- Projecting inventory's movements into the ledger by day (bench/requisition_ledger.py).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from akiba_inventory.settings import Settings
from akiba_platform.db import Connection
from akiba_platform.runtime import tune_gc
from akiba_requisition.adapters.figures import _DAYS, _OPENING  # the very statements it runs
from bench import requisition_ledger
from bench.env import Env
from bench.measure import Measurement
from bench.requisition_world import ITEMS, World, build

RUNS = 30
WARM_UP = 2
PERIODS_READ = 3  # the template's periods_to_average: last month and the two before it
BATCH, BATCH_LINES, BATCH_REPEATS = 20, 300, 5
INITIATE_TARGET_S, BATCH_TARGET_S = 0.5, 2.0


@dataclass
class RequisitionResult:
    """Figures per measurement, the projection's phases and the checks."""

    measured: list[Measurement]
    figures: dict[str, dict[str, float]]
    checks: dict[str, Any]


async def run(
    env: Env,
    settings: Settings,
    *,
    runs: int = RUNS,
    movements: int = 200_000,
    min_seconds: float = 3.0,
    ingest_rate: float | None = None,
) -> RequisitionResult:
    """Set the world up, then initiate, batch-approve and project."""
    rng = random.Random(13)
    async with AsyncExitStack() as cleanup:
        w = await build(env, cleanup, rng)
        await _skip_to_last_month(w)
        initiated, checks = await _initiate(w, runs)
        approved, ok = await _batch_approve(w, rng)
        checks["requisition_batch_results_all_200"] = ok
        ledger = await requisition_ledger.run(
            env, settings, w.dsn, w.pool, movements, min_seconds, ingest_rate
        )
    checks.update(ledger.checks)
    return RequisitionResult(
        ledger.measured,
        {
            f"requisition initiate ({ITEMS:,} lines, {PERIODS_READ} periods)": initiated,
            f"requisition batch approve ({BATCH} x {BATCH_LINES} lines)": approved,
            "requisition movement projection (lines/s)": ledger.figures,
        },
        checks,
    )


def _initiate_body(w: World, **extra: Any) -> dict[str, Any]:
    return {"facility_id": str(w.facility), "program_id": str(w.program), **extra}


async def _skip_to_last_month(w: World) -> None:
    """Initiate and skip the periods before last month's (set-up): last month's is then the
    open one, and its requisition reads three whole months whatever today's date."""
    for period in w.periods[:-2]:
        r = await w.call("POST", "/requisitions/initiate", _initiate_body(w), user=w.user,
                         expect=201)  # fmt: skip
        doc = r.json()
        if doc["period_id"] != str(period.period_id):
            raise AssertionError(f"initiated {doc['period_id']}, expected {period.period_id}")
        await w.call("POST", f"/requisitions/{doc['requisition_id']}/skip", user=w.user,
                     version=doc["version"])  # fmt: skip


async def _initiate(w: World, runs: int) -> tuple[dict[str, float], dict[str, Any]]:
    """POST /requisitions/initiate, then DELETE it (If-Match), `runs` times after a warm-up;
    between the two, the raw statements, so both see the same load on the machine."""
    last_month = str(w.periods[-2].period_id)
    took: list[float] = []
    raw: list[float] = []
    deletes: list[float] = []
    server_cpu = 0.0
    lines_ok, size = True, 0
    # As a service process runs (run_roles): without it, full collections walking the bench
    # process's objects doubled the time to decode the raw statements' 44,000 rows.
    tune_gc()
    async with w.pool.acquire() as conn:
        for i in range(WARM_UP + runs):
            cpu0, began = _cpu(w), time.perf_counter()
            r = await w.call("POST", "/requisitions/initiate", _initiate_body(w), user=w.user,
                             expect=201)  # fmt: skip
            wall, cpu = time.perf_counter() - began, _cpu(w) - cpu0
            doc = r.json()
            lines_ok &= len(doc["lines"]) == ITEMS and doc["period_id"] == last_month
            raw_wall, days = await _raw_figures(w, conn)
            began = time.perf_counter()
            await w.call("DELETE", f"/requisitions/{doc['requisition_id']}", user=w.user,
                         expect=204, version=doc["version"])  # fmt: skip
            if i >= WARM_UP:
                took.append(wall)
                raw.append(raw_wall)
                deletes.append(time.perf_counter() - began)
                server_cpu += cpu
                size = len(r.content)
    figures = {
        "runs": len(took),
        "ledger-by-day rows of the store (a year)": w.ledger_rows,
        "initiate p50 ms": _q(took, 0.5) * 1000,
        "initiate p90 ms": _q(took, 0.9) * 1000,
        "initiate max ms": max(took) * 1000,
        "initiate p90 / target 500 ms": _q(took, 0.9) / INITIATE_TARGET_S,
        "server CPU ms per initiate": server_cpu / len(took) * 1000,
        "response KB": size / 1000,
        "delete p50 ms": _q(deletes, 0.5) * 1000,
        "raw: days rows read (3 periods)": days,
        "raw: the 2 figures statements p50 ms": _q(raw, 0.5) * 1000,
        "raw: the 2 figures statements p90 ms": _q(raw, 0.9) * 1000,
        "initiate p50 / raw p50": _q(took, 0.5) / _q(raw, 0.5),
        "initiate p90 / raw p90": _q(took, 0.9) / _q(raw, 0.9),
    }
    return figures, {"requisition_initiated_lines_all_1000": lines_ok}


async def _raw_figures(w: World, conn: Connection) -> tuple[float, int]:
    """The opening sum and the days of the 3 periods, for the same store and items, as
    adapters/figures.py runs them: seconds, and the rows of days read."""
    first, last = w.periods[-1 - PERIODS_READ].start, w.periods[-2].end
    began = time.perf_counter()
    await conn.fetch(_OPENING, w.facility, w.items, first)
    days = await conn.fetch(_DAYS, w.facility, w.items, first, last)
    return time.perf_counter() - began, len(days)


async def _batch_approve(w: World, rng: random.Random) -> tuple[dict[str, float], bool]:
    """20 authorized requisitions of 300 lines at the district node, approved in one call, with
    an approved quantity on every line; `BATCH_REPEATS` times with fresh requisitions."""
    took: list[float] = []
    server_cpu = 0.0
    ok = True
    for _ in range(BATCH_REPEATS):
        docs = await _waiting(w, rng)
        body = {"requisitions": [
            {"requisition_id": d["requisition_id"], "version": d["version"],
             "lines": [{"orderable_id": x["orderable_id"], "approved_quantity": rng.randint(1, 900)}
                       for x in d["lines"]]}
            for d in docs
        ]}  # fmt: skip
        cpu0, began = _cpu(w), time.perf_counter()
        r = await w.call("POST", "/requisitions/batch-approve", body, user=w.user)
        took.append(time.perf_counter() - began)
        server_cpu += _cpu(w) - cpu0
        results = r.json()["results"]
        ok &= len(results) == BATCH and all(
            x["status"] == 200 and x["requisition_status"] == "IN_APPROVAL" for x in results
        )
        ok &= await _approved_saved(w, body["requisitions"])
    return {
        "repeats": BATCH_REPEATS,
        "lines per call": BATCH * BATCH_LINES,
        "batch approve p50 s": statistics.median(took),
        "batch approve max s": max(took),
        "batch approve max / target 2 s": max(took) / BATCH_TARGET_S,
        "server CPU s per batch": server_cpu / BATCH_REPEATS,
        "ms per requisition (p50)": statistics.median(took) / BATCH * 1000,
    }, ok


async def _waiting(w: World, rng: random.Random) -> list[dict[str, Any]]:
    """Emergency requisitions of 300 chosen products, submitted and authorized (set-up)."""

    async def one() -> dict[str, Any]:
        chosen = [str(i) for i in rng.sample(w.items, BATCH_LINES)]
        body = _initiate_body(w, emergency=True, orderable_ids=chosen)
        r = await w.call("POST", "/requisitions/initiate", body, user=w.user, expect=201)
        doc: dict[str, Any] = r.json()
        for step in ("submit", "authorize"):
            path = f"/requisitions/{doc['requisition_id']}/{step}"
            doc = (await w.call("POST", path, user=w.user, version=doc["version"])).json()
        if doc["status"] != "AUTHORIZED" or doc["node_id"] != str(w.district):
            raise AssertionError(
                f"{doc['status']} at {doc['node_id']}: not waiting at the district"
            )
        return doc

    docs: list[dict[str, Any]] = []
    for _ in range(BATCH // 4):
        docs += await asyncio.gather(*(one() for _ in range(4)))
    return docs


async def _approved_saved(w: World, sent: Sequence[dict[str, Any]]) -> bool:
    """Every approved quantity sent is the one stored."""
    rows = await w.pool.fetch(
        "select requisition_id::text, orderable_id::text, approved from requisition_lines"
        " where requisition_id = any($1::uuid[])",
        [d["requisition_id"] for d in sent],
    )
    stored = {(r[0], r[1]): r[2] for r in rows}
    wanted = {
        (d["requisition_id"], x["orderable_id"]): x["approved_quantity"]
        for d in sent
        for x in d["lines"]
    }
    return stored == wanted


def _cpu(w: World) -> float:
    t = w.server.cpu_times()
    return float(t.user + t.system)


def _q(samples: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]
