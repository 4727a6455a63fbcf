"""`akiba run`: the stack, every service with demo data, URLs printed; Ctrl-C stops it all."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable

from akiba_platform import stack
from akiba_platform.services import ServiceSpec, SiteSpec, discover, discover_sites
from akiba_platform.stack.state import StackConfig


def _env(spec: ServiceSpec, endpoints: stack.StackEndpoints) -> dict[str, str]:
    return {
        **os.environ,
        "AKIBA_DATABASE_URL": endpoints.database_url(spec.database),
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap,
        "AKIBA_HTTP_PORT": str(spec.http_port),
        # `akiba run` is the demo: its services may load demo data (and nothing else sets this).
        "AKIBA_DEMO": "1",
    }


def _start(
    spec: ServiceSpec, endpoints: stack.StackEndpoints, config: StackConfig
) -> subprocess.Popen[bytes]:
    env = _env(spec, endpoints)
    subprocess.run([sys.executable, "-m", spec.module, spec.demo_command], env=env, check=True)
    log = config.paths.state_dir / "logs" / f"{spec.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", spec.module, "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _start_site(site: SiteSpec, config: StackConfig) -> subprocess.Popen[bytes]:
    state = str(config.paths.state_dir)
    env = {**os.environ, **{k: v.replace("{state}", state) for k, v in site.env.items()}}
    log = config.paths.state_dir / "logs" / f"{site.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", site.module, "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def run(args: argparse.Namespace) -> int:
    """Start everything, print where it answers, and stop everything on Ctrl-C."""
    config = StackConfig.from_env()
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops everything as Ctrl-C does
    endpoints = stack.up(config)
    specs = discover()
    procs = {s.name: _start(s, endpoints, config) for s in specs}
    # Sites start once central has its demo data: they sign in to auth and pull from the hub,
    # and retry with backoff until those answer.
    sites = discover_sites()
    procs.update({s.name: _start_site(s, config) for s in sites})
    print(f"postgres   {endpoints.pg_url}\nkafka      {endpoints.kafka_bootstrap}")
    listed: list[tuple[str, int]] = [(s.name, s.http_port) for s in specs]
    for name, port in listed + [(s.name, s.http_port) for s in sites]:
        base = f"http://127.0.0.1:{port}"
        print(f"{name:<10} {base}/docs  (ready: {base}/ready, metrics: {base}/metrics)")
    print(f"logs       {config.paths.state_dir / 'logs'}\nCtrl-C stops everything.")
    try:
        while all(p.poll() is None for p in procs.values()):
            time.sleep(0.5)
        failed = [n for n, p in procs.items() if p.poll() is not None]
        print(f"stopped unexpectedly: {', '.join(failed)} (see the logs)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # Ctrl-C reaches us twice (from the terminal and forwarded by `uv run`): the second
        # must not cut the clean-up short and leave the stack running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("stopping services and the stack…")
        _stop(procs.values())
        if not args.keep_stack:
            stack.down(config)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    alive = [p for p in procs if p.poll() is None]
    for p in alive:
        p.send_signal(signal.SIGTERM)
    for p in alive:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `akiba run`."""
    parser = subparsers.add_parser("run", help="stack + every service + demo data, until Ctrl-C")
    parser.add_argument("--keep-stack", action="store_true", help="leave Kafka/PostgreSQL running")
    parser.set_defaults(handler=run)
