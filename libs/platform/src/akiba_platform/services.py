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


def discover() -> list[ServiceSpec]:
    """Every installed service, in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.services")]
    return sorted((s for s in specs if isinstance(s, ServiceSpec)), key=lambda s: s.name)
