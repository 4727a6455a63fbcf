"""Where the local stack keeps its state, which ports it uses, and what stack.json records."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from akiba_devtools.stack.errors import StackError

SERVICE_DATABASES = (
    "akiba_inventory",
    "akiba_requisition",
    "akiba_fulfillment",
    "akiba_auth",
    "akiba_sync_hub",
)
HOST = "127.0.0.1"
# Node n of a local cluster listens on the configured ports plus (n - 1) times this.
NODE_PORT_STEP = 10


def find_repo_root(start: Path | None = None) -> Path:
    """Return the nearest parent of `start` (or cwd, then this file) that holds `uv.lock`."""
    for origin in (start or Path.cwd(), Path(__file__)):
        for candidate in (origin.resolve(), *origin.resolve().parents):
            if (candidate / "uv.lock").is_file():
                return candidate
    raise StackError("cannot find the repository root (no uv.lock above the current directory)")


@dataclass(frozen=True)
class StackPaths:
    """The state-dir layout, plus the committed Kafka build files in the repository."""

    state_dir: Path
    repo_root: Path

    @property
    def stack_json(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "stack.lock"

    @property
    def pg_dir(self) -> Path:
        return self.state_dir / "postgres"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_log(self) -> Path:
        return self.pg_dir / "postgres.log"

    @property
    def pg_socket_dir(self) -> Path:
        return self.pg_dir / "run"

    @property
    def kafka_dir(self) -> Path:
        return self.state_dir / "kafka"

    @property
    def kafka_libs(self) -> Path:
        return self.kafka_dir / "libs"

    @property
    def kafka_data(self) -> Path:
        return self.kafka_dir / "data"

    @property
    def kafka_log(self) -> Path:
        return self.kafka_dir / "kafka.log"

    @property
    def kafka_stdout(self) -> Path:
        return self.kafka_dir / "kafka.out"

    @property
    def server_properties(self) -> Path:
        return self.kafka_dir / "server.properties"

    @property
    def cluster_id_file(self) -> Path:
        return self.kafka_dir / "cluster.id"

    @property
    def kafka_pom(self) -> Path:
        return self.repo_root / "stack" / "kafka" / "pom.xml"

    @property
    def kafka_log4j2(self) -> Path:
        return self.repo_root / "stack" / "kafka" / "log4j2.yaml"


@dataclass(frozen=True)
class Ports:
    """TCP ports on 127.0.0.1 for the local PostgreSQL and Kafka."""

    postgres: int = 54329
    kafka: int = 29092
    controller: int = 29093

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        """Read `AKIBA_PG_PORT`, `AKIBA_KAFKA_PORT`, `AKIBA_KAFKA_CONTROLLER_PORT`."""
        return cls(
            postgres=_port(env, "AKIBA_PG_PORT", cls.postgres),
            kafka=_port(env, "AKIBA_KAFKA_PORT", cls.kafka),
            controller=_port(env, "AKIBA_KAFKA_CONTROLLER_PORT", cls.controller),
        )


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise StackError(f"{name}={raw!r} is not a TCP port")
    return int(raw)


def replication_for(brokers: int) -> tuple[int, int]:
    """(replication factor, min in-sync replicas) for a cluster of this many brokers.

    One broker: 1/1. Three or more: 3/2, so one broker may die without refusing a write,
    and no write acknowledged with acks=all is held by a single broker.
    """
    factor = min(brokers, 3)
    return factor, max(1, factor - 1)


@dataclass(frozen=True)
class StackConfig:
    """Everything `up`/`down`/`status` need; built once from the environment."""

    paths: StackPaths
    ports: Ports = field(default_factory=Ports)
    external_pg_url: str | None = None
    external_kafka_bootstrap: str | None = None
    # Kafka nodes `up` starts; None: as many as the running stack has (stack.json), else one.
    brokers: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        """Read AKIBA_STATE_DIR, the port variables, AKIBA_PG_URL and AKIBA_KAFKA_BOOTSTRAP."""
        env = os.environ if env is None else env
        root = find_repo_root()
        state_dir = Path(env["AKIBA_STATE_DIR"]) if env.get("AKIBA_STATE_DIR") else root / ".akiba"
        return cls(
            paths=StackPaths(state_dir=state_dir.resolve(), repo_root=root),
            ports=Ports.from_env(env),
            external_pg_url=env.get("AKIBA_PG_URL") or None,
            external_kafka_bootstrap=env.get("AKIBA_KAFKA_BOOTSTRAP") or None,
        )


@dataclass(frozen=True)
class ComponentRecord:
    """What stack.json remembers about one component."""

    endpoint: str
    pid: int | None
    external: bool
    nodes: int = 1  # Kafka: how many brokers `up` started (files from before say nothing: 1)


def read_records(paths: StackPaths) -> dict[str, ComponentRecord]:
    """Load stack.json; a missing or damaged file means nothing is recorded."""
    try:
        raw: dict[str, Any] = json.loads(paths.stack_json.read_text())
        return {name: ComponentRecord(**value) for name, value in raw.items()}
    except (OSError, ValueError, TypeError):
        return {}


def write_record(paths: StackPaths, name: str, record: ComponentRecord | None) -> None:
    """Record (or forget, with None) one component in stack.json, atomically."""
    records = read_records(paths)
    if record is None:
        records.pop(name, None)
    else:
        records[name] = record
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    tmp = paths.stack_json.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({k: asdict(v) for k, v in records.items()}, indent=2) + "\n")
    tmp.replace(paths.stack_json)


@contextlib.contextmanager
def locked(paths: StackPaths) -> Iterator[None]:
    """Serialise stack changes, e.g. `make test` starting it while pytest also calls `up()`."""
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Started:
    """The outcome of bringing one component up."""

    name: str
    endpoint: str
    pid: int | None
    external: bool
    already_running: bool
    seconds: float
    nodes: int = 1


@dataclass(frozen=True)
class ComponentStatus:
    """What `status` found for one component."""

    name: str
    running: bool
    healthy: bool
    pid: int | None
    endpoint: str
    external: bool = False
    detail: str = ""
