"""The local stack: real PostgreSQL and Apache Kafka without Docker, behind up/down/status."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from akiba_devtools.stack import kafka, postgres
from akiba_devtools.stack.errors import (
    ExternalServiceError,
    JavaError,
    KafkaStartError,
    MavenFetchError,
    MavenMissingError,
    PortInUseError,
    PostgresStartError,
    StackError,
    StackStopError,
)
from akiba_devtools.stack.state import (
    ComponentRecord,
    ComponentStatus,
    Ports,
    StackConfig,
    StackPaths,
    Started,
    locked,
    replication_for,
    write_record,
)

__all__ = [
    "ComponentStatus",
    "ExternalServiceError",
    "JavaError",
    "KafkaStartError",
    "MavenFetchError",
    "MavenMissingError",
    "PortInUseError",
    "Ports",
    "PostgresStartError",
    "StackConfig",
    "StackEndpoints",
    "StackError",
    "StackPaths",
    "StackStopError",
    "Started",
    "down",
    "endpoints",
    "start",
    "status",
    "up",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StackEndpoints:
    """Where the stack answers: a PostgreSQL server URL and Kafka bootstrap servers."""

    pg_url: str
    kafka_bootstrap: str
    kafka_brokers: int = 1

    def kafka_env(self) -> dict[str, str]:
        """What services need to use this Kafka: its servers and the replication it allows."""
        factor, min_isr = replication_for(self.kafka_brokers)
        return {
            "AKIBA_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "AKIBA_KAFKA_REPLICATION_FACTOR": str(factor),
            "AKIBA_KAFKA_MIN_INSYNC_REPLICAS": str(min_isr),
        }

    def database_url(self, service: str) -> str:
        """DSN of a service's database: 'inventory' -> .../akiba_inventory."""
        name = service if service.startswith("akiba_") else f"akiba_{service.replace('-', '_')}"
        return postgres.database_url(self.pg_url, name)


def endpoints(config: StackConfig | None = None) -> StackEndpoints:
    """The endpoints for this configuration, without starting anything."""
    config = config or StackConfig.from_env()
    count = 1 if config.external_kafka_bootstrap else kafka.brokers(config)
    return StackEndpoints(postgres.base_url(config), kafka.bootstrap(config), count)


def up(config: StackConfig | None = None) -> StackEndpoints:
    """Start PostgreSQL and Kafka (both at once) unless already running; safe to repeat."""
    return start(config)[0]


def start(config: StackConfig | None = None) -> tuple[StackEndpoints, list[str]]:
    """As `up`, also naming the components this call started (not found running, not external)."""
    config = config or StackConfig.from_env()
    with locked(config.paths), ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(component.up, config) for component in (postgres, kafka)]
        errors = [exc for f in futures if isinstance(exc := f.exception(), BaseException)]
        started = []
        for future in futures:
            if future.exception() is None:
                outcome = future.result()
                _remember(config, outcome)
                if not (outcome.external or outcome.already_running):
                    started.append(outcome.name)
        for extra in errors[1:]:
            log.error("error: %s", extra)  # only one can be raised; say the other too
        if errors:
            raise errors[0]
    return endpoints(config), started


def down(config: StackConfig | None = None, only: Collection[str] | None = None) -> list[str]:
    """Stop our local Kafka and PostgreSQL (or only the named ones); returns what was stopped."""
    config = config or StackConfig.from_env()
    stopped = []
    with locked(config.paths):
        for component in (kafka, postgres):
            name = component.__name__.rsplit(".", 1)[-1]
            if only is not None and name not in only:
                continue
            if component.down(config):
                stopped.append(name)
                log.info("%s stopped", name)
            write_record(config.paths, name, None)
    return stopped


def wipe(config: StackConfig | None = None) -> list[Path]:
    """Stop the stack and delete its data (databases, topics); return what was deleted.

    The next `up` starts empty. Kafka's jars and cluster id stay, so it does not fetch again.
    """
    config = config or StackConfig.from_env()
    down(config)
    paths = config.paths
    found = [paths.pg_data, paths.kafka_data, *sorted(paths.kafka_dir.glob("node-*/data"))]
    gone = [p for p in found if p.is_dir()]
    with locked(paths):
        for p in gone:
            shutil.rmtree(p)
            log.info("deleted %s", p)
    return gone


def status(config: StackConfig | None = None) -> list[ComponentStatus]:
    """Check each component (each Kafka node of a cluster): running, pid, endpoint, health."""
    config = config or StackConfig.from_env()
    return [postgres.status(config), *kafka.status(config)]


def _remember(config: StackConfig, started: Started) -> None:
    record = ComponentRecord(started.endpoint, started.pid, started.external, started.nodes)
    write_record(config.paths, started.name, record)
    log.info("%s", describe_start(started))


def describe_start(started: Started) -> str:
    """One line about a component that `up` handled."""
    where = f"{started.name} at {started.endpoint}"
    if started.external:
        return f"{where}: external, checked in {started.seconds:.1f} s"
    if started.already_running:
        return f"{where}: already running (pid {started.pid})"
    return f"{where}: started in {started.seconds:.1f} s (pid {started.pid})"
