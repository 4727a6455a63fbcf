"""`akiba run --instances`: how many processes each service gets and which roles each runs.

By default a service is one process running all its roles. `--instances N` makes every
service N such processes (replicas); `inventory=3` does it for one service; `inventory.project=4`
takes one role out of the service's processes into 4 processes of its own. Several values add
up: `--instances 2 --instances inventory.api=3`.

Each process is named (`inventory-2`; AKIBA_INSTANCE_NAME) in its database sessions and Kafka
clients, so pg_stat_activity says which one holds the relay's lock and a consumer group
which one holds a partition. A process serving the API listens on the service's port plus
100 per API instance before it (inventory: 8101, 8201, 8301…); the others serve their
Prometheus metrics on ports counted up from 9464.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

PORT_STEP = 100
FIRST_METRICS_PORT = 9464
MAX_INSTANCES = 16


class ScaleError(ValueError):
    """An --instances value that names nothing known or asks for no process."""


@dataclass(frozen=True)
class Scale:
    """Process counts: for every service, per service, and per role split out of its service."""

    default: int = 1
    services: Mapping[str, int] = field(default_factory=dict)
    roles: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def parse(cls, values: Iterable[str]) -> Scale:
        """From `N`, `SERVICE=N` and `SERVICE.ROLE=N` values (each may be comma-separated)."""
        default, services, roles = 1, {}, {}
        for value in (v.strip() for vs in values for v in vs.split(",") if v.strip()):
            target, _, count = value.rpartition("=")
            n = _count(count, value)
            if not target:
                default = n
            elif "." in target:
                service, _, role = target.partition(".")
                roles[(service, role)] = n
            else:
                services[target] = n
        return cls(default, services, roles)

    def check(self, known: Mapping[str, Sequence[str]]) -> None:
        """Refuse services and roles the installation does not have (`known`: roles by service)."""
        for service in [*self.services, *(s for s, _ in self.roles)]:
            if service not in known:
                raise ScaleError(f"no service {service!r}; choose from {sorted(known)}")
        for service, role in self.roles:
            if role not in known[service]:
                raise ScaleError(f"{service} has no role {role!r}; choose from {known[service]}")


def _count(text: str, value: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_INSTANCES:
        raise ScaleError(f"{value!r}: the count must be a whole number from 1 to {MAX_INSTANCES}")
    return int(text)


@dataclass(frozen=True)
class Instance:
    """One process of a service: its name, its roles and the ports it answers on."""

    service: str
    name: str
    roles: tuple[str, ...]
    http_port: int | None = None
    metrics_port: int | None = None

    def argv(self) -> list[str]:
        """The service's command line for this process (after `python -m <module>`)."""
        return ["serve", "--roles", ",".join(self.roles)]

    def env(self) -> dict[str, str]:
        """The settings that make this process this instance."""
        env = {"AKIBA_INSTANCE_NAME": self.name}
        if self.http_port is not None:
            env["AKIBA_HTTP_PORT"] = str(self.http_port)
        if self.metrics_port is not None:
            env["AKIBA_METRICS_PORT"] = str(self.metrics_port)
        return env

    @property
    def url(self) -> str | None:
        """Where its API answers, if it serves one."""
        return None if self.http_port is None else f"http://127.0.0.1:{self.http_port}"


def metrics_ports(first: int = FIRST_METRICS_PORT) -> Iterator[int]:
    """Ports for processes without an API, one each."""
    port = first
    while True:
        yield port
        port += 1


def instances(
    service: str, roles: Sequence[str], scale: Scale, *, http_port: int, metrics: Iterator[int]
) -> list[Instance]:
    """The processes `scale` asks of one service (`roles`: all its roles, in order)."""
    split = {role: n for (s, role), n in scale.roles.items() if s == service}
    rest = tuple(r for r in roles if r not in split)
    groups = [(rest, scale.services.get(service, scale.default), service)] if rest else []
    groups += [((role,), n, f"{service}-{role}") for role, n in split.items()]
    found: list[Instance] = []
    apis = 0
    for group_roles, count, base in groups:
        for i in range(count):
            name = base if count == 1 else f"{base}-{i + 1}"
            if "api" in group_roles:
                found.append(Instance(service, name, group_roles, http_port + PORT_STEP * apis))
                apis += 1
            else:
                found.append(Instance(service, name, group_roles, metrics_port=next(metrics)))
    return found
