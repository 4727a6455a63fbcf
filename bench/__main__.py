"""`python -m bench`: the platform pipeline and its raw baselines, measured in one run."""

from __future__ import annotations

import argparse
import logging
import signal
from typing import Any

from akiba_contracts.sync import PUSH_BATCH_LIMIT
from akiba_inventory.settings import Settings
from akiba_platform.services import run_async
from akiba_platform.telemetry import setup_telemetry
from bench import (
    auth,
    catchup,
    checks,
    fulfillment,
    gateway,
    http,
    ingest,
    keys,
    machine,
    mixed,
    pipeline,
    raw,
    report,
    requisition,
    scale,
    site_requisition,
    web,
)
from bench.env import Env, bench_env
from bench.events import Workload, build
from bench.measure import Measurement, Stopwatch
from bench.site_requisition_world import ITEMS

# A month offline at a busy site is 1,000,000 events (the figure): about 3 minutes to
# record offline and 3 to catch up on 2 cores. --catchup-events 40000 is a quick try.
CATCHUP_EVENTS = 1_000_000


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000, help="events per phase")
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=3.0,
        help="raw baselines repeat over the same events until they have run this long",
    )
    parser.add_argument("--no-save", action="store_true", help="don't write bench/results/*.json")
    parser.add_argument(
        "--only",
        choices=(
            "pipeline",
            "keys",
            "auth",
            "queries",
            "ingest",
            "http",
            "mixed",
            "requisition",
            "gateway",
            "catchup",
            "site-requisition",
            "fulfillment",
            "web",
        ),
        help="run one part (default: all)",
    )
    parser.add_argument("--scale-rows", type=int, default=10_000_000, help="ledger rows")
    parser.add_argument("--scale-stores", type=int, default=3_000)
    parser.add_argument("--scale-items", type=int, default=10_000)
    parser.add_argument("--ingest-lines", type=int, default=200_000, help="edge ingest lines")
    parser.add_argument(
        "--ingest-lines-per-doc",
        type=int,
        default=10,
        help="lines in each site document of the ingest phase (a catch-up sends one-line ones)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the edge ingest phase and the pipeline's consumer-only phase (slows them)",
    )
    parser.add_argument("--http-clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument(
        "--mixed-seconds", type=float, default=60.0, help="receipts, ingest and reads together"
    )
    parser.add_argument(
        "--mixed-solo-seconds", type=float, default=15.0, help="each of them alone, before"
    )
    parser.add_argument(
        "--requisition-runs", type=int, default=requisition.RUNS, help="timed initiates (≥ 20)"
    )
    parser.add_argument(
        "--requisition-movements",
        type=int,
        default=200_000,
        help="movements projected into requisition's ledger by day",
    )
    parser.add_argument(
        "--site-requisition-runs",
        type=int,
        default=site_requisition.RUNS,
        help="timed initiates at the site's gateway",
    )
    parser.add_argument("--gateway-seconds", type=float, default=5.0, help="per gateway phase")
    parser.add_argument(
        "--catchup-events",
        type=int,
        default=CATCHUP_EVENTS,
        help="offline backlog for the catch-up phase (the issue's month offline is 1,000,000)",
    )
    parser.add_argument(
        "--catchup-batch",
        type=int,
        default=PUSH_BATCH_LIMIT,
        help=f"gateway push batch (at most the hub's {PUSH_BATCH_LIMIT})",
    )
    parser.add_argument(
        "--catchup-ingest",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2],
        help="processes of inventory's edge ingest during the catch-up, one run each"
        " (comma-separated; default 1,2)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.catchup_batch <= PUSH_BATCH_LIMIT:
        parser.error(f"--catchup-batch must be 1..{PUSH_BATCH_LIMIT}: the hub refuses more")
    return args


async def _platform(
    env: Env, settings: Settings, work: Workload, profile: bool
) -> list[Measurement]:
    written = await pipeline.write_outbox(env, work, env.relay_topic, pipeline.OUTBOX_TX)
    relayed = await pipeline.relay_only(env, settings, work)
    consumed, top = await pipeline.consumer_only(env, settings, work, profile=profile)
    if top:
        print(top)
    await env.truncate()
    together = await pipeline.end_to_end(env, settings, work)
    await env.truncate()
    split = await pipeline.end_to_end_split(env, settings, work)
    return [written, relayed, consumed, together, split]


async def _raw(env: Env, settings: Settings, work: Workload, min_s: float) -> list[Measurement]:
    await env.truncate()
    produced = await raw.produce(env, work, min_s)
    consumed = await raw.consume(env, settings.consumer_batch_size, min_s)
    return [produced, consumed, await raw.copy(env, work, min_s)]


async def _site_requisition(runs: int) -> dict[str, Any]:
    figures, checks = await site_requisition.run(runs)
    return {f"site requisition initiate ({ITEMS:,} lines, 3 periods)": figures, **checks}


async def run(
    args: argparse.Namespace, settings: Settings
) -> tuple[list[Measurement], dict[str, Any]]:
    """Build the events, then measure every phase on a fresh database and fresh topics."""
    if args.only == "gateway":  # a site's SQLite only: no stack needed
        return [], {"gateway local record": await gateway.run(args.gateway_seconds)}
    if args.only == "site-requisition":  # a site's SQLite only, too
        return [], await _site_requisition(args.site_requisition_runs)
    if args.only == "catchup":  # its own central and gateway processes
        return [], await _catchups(args)
    watch = Stopwatch()
    work = build(args.events)
    wall, cpu = watch.elapsed()
    built = Measurement("build events (pydantic)", args.events, wall, cpu, work.payload_bytes)
    async with bench_env() as env:
        settings = settings.model_copy(
            update={"database_url": env.dsn, "kafka_bootstrap_servers": env.bootstrap}
        )
        found: dict[str, Any] = {}
        measured: list[Measurement] = []
        if args.only in (None, "pipeline"):
            measured = [built, *await _platform(env, settings, work, args.profile)]
            found = await checks.after_pipeline(env, work)
            measured += await _raw(env, settings, work, args.min_seconds)
        if args.only in (None, "keys"):
            found.update(await keys.run(env))
        if args.only in (None, "queries"):
            server = env.dsn.rsplit("/", 1)[0]
            dsn = await scale.ensure_scale_set(
                server, args.scale_rows, args.scale_stores, args.scale_items
            )
            found["reads on the scale set"] = await scale.latencies_in_a_fresh_process(dsn)
        if args.only in (None, "web"):
            server = env.dsn.rsplit("/", 1)[0]
            dsn = await scale.ensure_scale_set(
                server, args.scale_rows, args.scale_stores, args.scale_items
            )
            found["web app on the scale set"] = await web.run(env.bootstrap, dsn)
        if args.only in (None, "ingest"):
            edge = await ingest.run(
                env, settings, args.ingest_lines, args.min_seconds,
                per_doc=args.ingest_lines_per_doc, profile=args.profile,
            )  # fmt: skip
            measured += edge.measured
            found.update(edge.checks)
            found["edge ingest (lines/s and ratios)"] = edge.figures
            if edge.profile:
                print(edge.profile)
        if args.only in (None, "http"):
            found.update(await http.run(env, args.http_clients, args.http_seconds))
        if args.only in (None, "mixed"):
            found.update(
                await mixed.run(
                    env, settings, clients=args.http_clients, seconds=args.mixed_seconds,
                    solo_seconds=args.mixed_solo_seconds,
                )
            )  # fmt: skip
        if args.only in (None, "requisition"):
            # Edge ingest's rate, when it ran in this run: the projection keeps up with it.
            ingest_figures = found.get("edge ingest (lines/s and ratios)", {})
            req = await requisition.run(
                env,
                settings,
                runs=args.requisition_runs,
                movements=args.requisition_movements,
                min_seconds=args.min_seconds,
                ingest_rate=ingest_figures.get("ingest lines/s (in the bench process)"),
            )
            measured += req.measured
            found.update(req.checks)
            found.update(req.figures)
        if args.only in (None, "fulfillment"):
            shipping, shipping_checks = await fulfillment.run(env)
            found.update(shipping)
            found.update(shipping_checks)
        if args.only in (None, "auth"):
            found["auth per request (µs)"] = auth.token_checks()
            found["auth token endpoint"] = await auth.token_endpoint(env)
        if args.only is None:
            found["gateway local record"] = await gateway.run(args.gateway_seconds)
            found.update(await _site_requisition(args.site_requisition_runs))
    if args.only is None:
        found.update(await _catchups(args))
    return measured, found


async def _catchups(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The catch-up once per number of ingest processes asked for (one run each)."""
    found = {}
    for n in args.catchup_ingest:
        name = "gateway catch-up" + ("" if n == 1 else f", {n} ingest processes")
        found[name] = await catchup.run(args.catchup_events, batch=args.catchup_batch, ingest=n)
    return found


def main(argv: list[str] | None = None) -> None:
    """Run the bench and report."""
    args = _args(argv)
    logging.basicConfig(level=logging.WARNING)
    # A terminated bench unwinds like Ctrl-C, so the processes it started are stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # As a deployed service runs by default: real tracer and meter providers, no exporter.
    settings = Settings(service_name="inventory-bench", otel_exporter="none")
    setup_telemetry(settings)
    start = machine.speed()
    measured, found = run_async(run(args, settings))
    found["the machine (loopback and Python), at the start and the end"] = machine.both(
        start, machine.speed()
    )
    print(report.table(measured, found))
    if not args.no_save:
        print(f"\nsaved {report.save(measured, found, vars(args))}")


if __name__ == "__main__":
    main()
