"""How a service tells the developer tooling it exists: an `akiba.services` entry point.

The tooling (`akiba_devtools.discovery`) finds them; a service only declares its spec.
"""

from __future__ import annotations

from dataclasses import dataclass


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
