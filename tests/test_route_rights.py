"""Every route of every service declares the right it needs, or says it is public."""

from __future__ import annotations

import importlib

import pytest

from akiba_contracts.rights import Right
from akiba_platform.services import discover


def _operations(service: str) -> list[tuple[str, str, dict[str, object]]]:
    spec = next(s for s in discover() if s.name == service)
    app_module = importlib.import_module(f"{spec.module}.api.app")
    settings = importlib.import_module(f"{spec.module}.settings").Settings()
    paths = app_module.create_app(settings).openapi()["paths"]
    return [(path, method, op) for path, ops in paths.items() for method, op in ops.items()]


@pytest.mark.parametrize("service", [s.name for s in discover()])
def test_every_route_declares_a_known_right_or_a_public_marker(service: str) -> None:
    undeclared = [
        f"{method.upper()} {path}"
        for path, method, op in _operations(service)
        if not op.get("x-akiba-public") and op.get("x-akiba-right") not in set(Right)
    ]
    assert undeclared == []


def test_there_is_at_least_one_service_to_check() -> None:
    assert [s.name for s in discover()] != []
