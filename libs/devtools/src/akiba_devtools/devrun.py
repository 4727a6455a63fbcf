"""`akiba run`: the stack, every service with demo data, URLs printed; Ctrl-C stops it all.

Whatever ends it (Ctrl-C, SIGTERM, SIGHUP, stdout's reader going away, even SIGKILL), nothing
it started keeps running: see `supervisor.py`. It stops the stack components it started
itself, and leaves alone a stack that was already running (or `--keep-stack`).
`--instances` runs services as several processes (`scale.py`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from akiba_devtools import stack
from akiba_devtools.discovery import discover, discover_apps, discover_sites, roles_of
from akiba_devtools.scale import Instance, Scale, ScaleError, instances, metrics_ports
from akiba_devtools.stack.state import StackConfig
from akiba_devtools.supervisor import Children, Watchdog, say, supervised
from akiba_platform.services import ServiceSpec, SiteSpec


def _env(spec: ServiceSpec, endpoints: stack.StackEndpoints) -> dict[str, str]:
    return {
        **os.environ,
        "AKIBA_DATABASE_URL": endpoints.database_url(spec.database),
        # The servers, and on a cluster the replication its topics get (3 copies, 2 in sync).
        **endpoints.kafka_env(),
        # `akiba run` is the demo: its services may load demo data (and nothing else sets this).
        "AKIBA_DEMO": "1",
        # The web app signs users in from 127.0.0.1 for them and names the browser's address
        # in X-Forwarded-For: auth's per-address limits must count the browser, not the app.
        "AKIBA_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }


def _start(
    children: Children,
    spec: ServiceSpec,
    processes: list[Instance],
    endpoints: stack.StackEndpoints,
    config: StackConfig,
) -> None:
    env = _env(spec, endpoints)
    logs = config.paths.state_dir / "logs"
    log = logs / f"{spec.name}.log"
    if children.run(spec.name, [sys.executable, "-m", spec.module, spec.demo_command], env, log):
        raise SystemExit(f"{spec.name} {spec.demo_command} failed (see {log})")
    for p in processes:
        argv = [sys.executable, "-m", spec.module, *p.argv()]
        children.start(p.name, argv, {**env, **p.env()}, logs / f"{p.name}.log")


def plan(specs: list[ServiceSpec], scale: Scale) -> dict[str, list[Instance]]:
    """Every service's processes, by service name (ports as `scale.py` says)."""
    roles = {spec.name: roles_of(spec) for spec in specs}
    scale.check(roles)
    metrics = metrics_ports()
    return {
        s.name: instances(s.name, roles[s.name], scale, http_port=s.http_port, metrics=metrics)
        for s in specs
    }


def _start_site(children: Children, site: SiteSpec, config: StackConfig) -> None:
    state = str(config.paths.state_dir)
    env = {**os.environ, **{k: v.replace("{state}", state) for k, v in site.env.items()}}
    argv = [sys.executable, "-m", site.module, "serve"]
    children.start(site.name, argv, env, config.paths.state_dir / "logs" / f"{site.name}.log")


def _ours(config: StackConfig) -> list[str]:
    """The stack components `akiba run` is about to start: those not running already."""
    # A cluster's nodes are kafka-1, kafka-2...: one component, `kafka`.
    names = [
        c.name.partition("-")[0] for c in stack.status(config) if not (c.running or c.external)
    ]
    return sorted(set(names))


def _announce(
    endpoints: stack.StackEndpoints,
    processes: list[Instance],
    sites: list[SiteSpec],
    apps: list[SiteSpec],
    c: StackConfig,
) -> None:
    say(f"postgres   {endpoints.pg_url}\nkafka      {endpoints.kafka_bootstrap}")
    listed = [(p.name, p.http_port) for p in processes] + [(s.name, s.http_port) for s in sites]
    for name, port in listed:
        if port is not None:
            base = f"http://127.0.0.1:{port}"
            say(f"{name:<10} {base}/docs  (ready: {base}/ready, metrics: {base}/metrics)")
    for p in processes:
        if p.metrics_port is not None:
            say(f"{p.name:<10} {','.join(p.roles)}  (metrics: http://127.0.0.1:{p.metrics_port})")
    for app in apps:
        say(f"{app.name:<10} http://127.0.0.1:{app.http_port}/app/  (sign in as a demo user)")
    say(f"logs       {c.paths.state_dir / 'logs'}\nCtrl-C stops everything.")


def run(args: argparse.Namespace) -> int:
    """Start everything, print where it answers, and stop everything when asked."""
    config = dataclasses.replace(StackConfig.from_env(), brokers=args.brokers)
    specs = discover()
    try:
        processes = plan(specs, Scale.parse(args.instances))
    except ScaleError as exc:
        raise SystemExit(f"--instances: {exc}") from exc
    ours = [] if args.keep_stack else _ours(config)

    def start(children: Children, watchdog: Watchdog) -> None:
        watchdog.stack(ours)
        endpoints = stack.up(config)
        for spec in specs:
            _start(children, spec, processes[spec.name], endpoints, config)
        # Sites start once central has its demo data: they sign in to auth and pull from the
        # hub, and retry with backoff until those answer.
        sites = discover_sites()
        for site in sites:
            _start_site(children, site, config)
        # The web app needs no data of its own: it starts with the sites.
        apps = discover_apps()
        for app in apps:
            _start_site(children, app, config)
        everyone = [p for spec in specs for p in processes[spec.name]]
        _announce(endpoints, everyone, sites, apps, config)

    def finish() -> None:
        if ours:
            stack.down(config, only=ours)

    return supervised(start, finish)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `akiba run`."""
    parser = subparsers.add_parser("run", help="stack + every service + demo data, until Ctrl-C")
    parser.add_argument("--keep-stack", action="store_true", help="leave Kafka/PostgreSQL running")
    parser.add_argument(
        "--instances",
        action="append",
        default=[],
        metavar="N|SERVICE=N|SERVICE.ROLE=N",
        help="processes per service (all its roles in each), or a role in N processes of its"
        " own; repeatable, e.g. --instances 2 --instances inventory.project=3",
    )
    parser.add_argument(
        "--brokers",
        type=int,
        choices=range(1, 10),
        metavar="N",
        help="Kafka nodes (default: as many as are running, else 1); 3 = a replicated cluster",
    )
    parser.set_defaults(handler=run)
