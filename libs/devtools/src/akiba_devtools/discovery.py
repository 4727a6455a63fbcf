"""Finding the installed services and demo sites through their entry points."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from akiba_platform.services import ServiceSpec, SiteSpec


def discover_sites() -> list[SiteSpec]:
    """Every installed demo site (`akiba.sites` entry points), in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.sites")]
    return sorted((s for s in specs if isinstance(s, SiteSpec)), key=lambda s: s.name)


def discover_apps() -> list[SiteSpec]:
    """Every installed front process (`akiba.apps` entry points: the web app), in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.apps")]
    return sorted((s for s in specs if isinstance(s, SiteSpec)), key=lambda s: s.name)


def discover() -> list[ServiceSpec]:
    """Every installed service, in name order."""
    specs = [ep.load() for ep in entry_points(group="akiba.services")]
    return sorted((s for s in specs if isinstance(s, ServiceSpec)), key=lambda s: s.name)


def roles_of(spec: ServiceSpec) -> tuple[str, ...]:
    """The roles a service's `serve` runs by default (its `__main__.ENTRY`), in its order."""
    entry = importlib.import_module(f"{spec.module}.__main__").ENTRY
    return tuple(entry.roles)
