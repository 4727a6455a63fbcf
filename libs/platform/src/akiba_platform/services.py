"""How a service tells the developer tooling it exists: an `akiba.services` entry point."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points


@dataclass(frozen=True)
class ServiceSpec:
    """What `akiba run` needs to start one service locally."""

    name: str
    module: str
    http_port: int
    database: str
    demo_command: str = "seed-demo"


@dataclass(frozen=True)
class SiteSpec:
    """A demo site's process `akiba run` starts after central: it talks to central over HTTP.

    `env` holds the site's own settings; `{state}` in a value is replaced by the stack's state
    folder (where the site keeps its local database).
    """

    name: str
    module: str
    http_port: int
    env: dict[str, str]


def discover_sites() -> list[SiteSpec]:
    """Every installed demo site (`akiba.sites` entry points), in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.sites")]
    return sorted((s for s in specs if isinstance(s, SiteSpec)), key=lambda s: s.name)


def discover() -> list[ServiceSpec]:
    """Every installed service, in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.services")]
    return sorted((s for s in specs if isinstance(s, ServiceSpec)), key=lambda s: s.name)
