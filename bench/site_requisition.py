"""Initiating a requisition at a site (issue #13 at the edge), next to a raw baseline measured
in the same run: a 1,000-line stock-based requisition drafted offline by the site's gateway
from a year of the store's own ledger, averaging 3 periods.

- initiate: `POST /requisitions/initiate` on a real `akiba_sync_gateway serve --roles api`
  process over HTTP (httpx, one at a time, the response read in full), then `DELETE` with
  If-Match so the next run drafts it again;
- raw: the statements its figures come from (`requisitions/figures.py`: the store's days of
  the periods averaged, its net movement since, and stock on hand), in the same chunks,
  straight on a sqlite3 connection to the same file, between each initiate and its delete
  (the same load on the box).

Every line of every initiate is checked against the figures computed from the generated rows
(bench/site_ledger.py); a mismatch fails the bench.
"""

from __future__ import annotations

import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psutil

from akiba_platform.runtime import tune_gc
from akiba_sync_gateway.adapters.db import connect
from akiba_sync_gateway.ids import id_chunks
from akiba_sync_gateway.requisitions.figures import _DAYS, _SINCE  # the very statements it runs
from bench import gateway, site_ledger
from bench.http_load import free_port
from bench.measure import Stopwatch
from bench.site_requisition_world import ITEMS, PASSWORD, USERNAME, SiteWorld, build

RUNS = 30
WARM_UP = 2
PERIODS_READ = 3  # the template's periods_to_average: last month and the two before it
TARGET_S = 0.5
# As SiteLedgerFigures.on_hand runs it (the balance now, per item).
_ON_HAND = (
    "SELECT item_id, sum(quantity) FROM stock_on_hand WHERE store_id = ?"
    " AND item_id IN ({items}) GROUP BY item_id"
)
LEDGER = {
    "beginning_balance": "opening",
    "total_received_quantity": "received",
    "total_consumed_quantity": "consumed",
    "total_losses_and_adjustments": "adjusted",
    "stock_on_hand": "closing",
    "total_stockout_days": "stockout_days",
}


async def run(runs: int = RUNS) -> tuple[dict[str, float], dict[str, Any]]:
    """Build the site, then initiate `runs` times after a warm-up, each next to the raw reads."""
    with tempfile.TemporaryDirectory(prefix="akiba-site-req-bench-") as tmp:
        path = str(Path(tmp) / "gateway.sqlite3")
        watch = Stopwatch()
        w = build(path, random.Random(13))
        built = watch.elapsed()[0]
        # As a service process runs (run_roles): the year of rows kept for the checks is frozen
        # out of the collector's walks, which would otherwise land in the raw timings.
        tune_gc()
        port = free_port()
        proc = gateway.start(path, w.site, port)
        try:
            url = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                await gateway.wait_ready(client, proc)
                form = {"grant_type": "password", "username": USERNAME, "password": PASSWORD}
                token = (await client.post("/oauth/token", data=form)).json()["access_token"]
                client.headers["authorization"] = f"Bearer {token}"
                await _skip_to_last_month(client, w)
                figures = await _initiate(client, w, psutil.Process(proc.pid), runs)
        finally:
            proc.terminate()
            proc.wait(30)
        figures["site file MB"] = _megabytes(path)
    figures["set-up s (feed, credentials, ledger)"] = built
    # _check raised at the first line unlike the ledger: reaching here, all of them matched.
    checked = (WARM_UP + runs) * ITEMS
    return figures, {"site_requisition_lines_equal_to_the_ledger": checked}


def _body(w: SiteWorld) -> dict[str, str]:
    return {"facility_id": str(w.store), "program_id": str(w.program)}


async def _call(
    client: httpx.AsyncClient, method: str, path: str, expect: int, **kw: Any
) -> httpx.Response:
    r = await client.request(method, path, **kw)
    if r.status_code != expect:
        raise AssertionError(f"{method} {path}: {r.status_code} {r.text[:500]}")
    return r


async def _skip_to_last_month(client: httpx.AsyncClient, w: SiteWorld) -> None:
    """Initiate and skip the periods before last month's (set-up, through the API): last
    month's is then the open one, and its requisition reads three whole months."""
    for period in w.periods[:-2]:
        r = await _call(client, "POST", "/requisitions/initiate", 201, json=_body(w))
        if r.json()["period_id"] != str(period.period_id):
            raise AssertionError(f"initiated {r.json()['period_id']}, not {period.period_id}")
        path = f"/requisitions/{r.json()['requisition_id']}/skip"
        await _call(client, "POST", path, 200, headers={"if-match": r.headers["etag"]})
    r = await _call(client, "GET", "/requisitions/periods", 200, params=_body(w))
    if r.json()["regular"]["period_id"] != str(w.periods[-2].period_id):
        raise AssertionError(f"the open period is {r.json()['regular']}, not last month's")


async def _initiate(
    client: httpx.AsyncClient, w: SiteWorld, server: psutil.Process, runs: int
) -> dict[str, float]:
    """POST /requisitions/initiate, the raw reads, then DELETE (If-Match), after a warm-up."""
    spans = [(p.start, p.end) for p in w.periods[-1 - PERIODS_READ : -1]]
    expected = site_ledger.expected(w.rows, spans)
    took: list[float] = []
    raw: list[float] = []
    deletes: list[float] = []
    server_cpu, size, days = 0.0, 0, 0
    conn = connect(w.path)
    try:
        for i in range(WARM_UP + runs):
            cpu0, began = _cpu(server), time.perf_counter()
            r = await _call(client, "POST", "/requisitions/initiate", 201, json=_body(w))
            wall, cpu = time.perf_counter() - began, _cpu(server) - cpu0
            raw_wall, days = _raw(conn, w, spans[0][0], spans[-1][1] + timedelta(days=1))
            began = time.perf_counter()
            path = f"/requisitions/{r.json()['requisition_id']}"
            await _call(client, "DELETE", path, 204, headers={"if-match": r.headers["etag"]})
            if i >= WARM_UP:
                took.append(wall)
                raw.append(raw_wall)
                deletes.append(time.perf_counter() - began)
                server_cpu += cpu
                size = len(r.content)
            _check(r.json(), w, expected, spans)
    finally:
        conn.close()
    return {
        "runs": len(took),
        "ledger rows of the store (a year)": len(w.rows),
        "lines with stock-out days last month": sum(
            f[-1].stockout_days > 0 for f in expected.values()
        ),
        "initiate p50 ms": _q(took, 0.5) * 1000,
        "initiate p90 ms": _q(took, 0.9) * 1000,
        "initiate max ms": max(took) * 1000,
        f"initiate p90 / target {TARGET_S * 1000:.0f} ms": _q(took, 0.9) / TARGET_S,
        "gateway CPU ms per initiate": server_cpu / len(took) * 1000,
        "response KB": size / 1000,
        "delete p50 ms": _q(deletes, 0.5) * 1000,
        f"raw: days rows read ({PERIODS_READ} periods)": days,
        "raw: days + stock on hand statements p50 ms": _q(raw, 0.5) * 1000,
        "raw: days + stock on hand statements p90 ms": _q(raw, 0.9) * 1000,
        "initiate p50 / raw p50": _q(took, 0.5) / _q(raw, 0.5),
        "initiate p90 / raw p90": _q(took, 0.9) / _q(raw, 0.9),
    }


def _raw(conn: sqlite3.Connection, w: SiteWorld, first: date, after: date) -> tuple[float, int]:
    """The statements of SiteLedgerFigures.over for the same store and items, rows fetched, in
    one read transaction: seconds, and the rows of days read."""
    store, days = str(w.store), 0
    began = time.perf_counter()
    conn.execute("BEGIN")
    for chunk in id_chunks(w.items):
        marks = ",".join("?" * len(chunk))
        span = (store, first.isoformat(), after.isoformat(), *chunk)
        days += len(conn.execute(_DAYS.format(items=marks), span).fetchall())
        conn.execute(_SINCE.format(items=marks), (store, after.isoformat(), *chunk)).fetchall()
        conn.execute(_ON_HAND.format(items=marks), (store, *chunk)).fetchall()
    conn.execute("COMMIT")
    return time.perf_counter() - began, days


def _check(
    doc: dict[str, Any],
    w: SiteWorld,
    expected: dict[UUID, list[site_ledger.Expected]],
    spans: Sequence[tuple[Any, Any]],
) -> None:
    """Last month's requisition, every item, each line's ledger columns and average consumption
    equal to what the generated rows say."""
    if doc["period_id"] != str(w.periods[-2].period_id) or len(doc["lines"]) != ITEMS:
        raise AssertionError(f"{len(doc['lines'])} lines for {doc['period_id']}")
    for line in doc["lines"]:
        figures = expected[UUID(line["orderable_id"])]
        want = {k: getattr(figures[-1], v) for k, v in LEDGER.items()}
        want["average_consumption"] = site_ledger.average_consumption(figures, spans)
        got = {k: line[k] for k in want}
        if got != want:
            raise AssertionError(f"item {line['orderable_id']}: drafted {got}, the ledger {want}")


def _megabytes(path: str) -> float:
    return os.path.getsize(path) / 1e6


def _cpu(p: psutil.Process) -> float:
    t = p.cpu_times()
    return float(t.user + t.system)


def _q(samples: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(q * len(s)) - 1))]
