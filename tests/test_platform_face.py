"""Services' code uses the platform through its public face, never its private modules.

The face is `akiba_platform`'s `__all__` and that of its public subpackages; everything else
may change shape without telling the services.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = (
    "akiba_platform",
    "akiba_platform.auth",
    "akiba_platform.http",
    "akiba_platform.idempotency",
)
SOURCES = sorted(ROOT.glob("services/*/src/**/*.py"))


def _platform_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of the platform in a file."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("akiba_platform"):
            found.append((str(node.module), [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.startswith("akiba_platform")]
    return found


def test_there_is_service_code_to_check() -> None:
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_service_imports_only_names_the_platform_exports(path: Path) -> None:
    for module, names in _platform_imports(path):
        assert module in PUBLIC, f"{module} is not part of the platform's face"
        exported = set(importlib.import_module(module).__all__)
        assert set(names) <= exported, f"{module} does not export {set(names) - exported}"


def test_every_exported_name_exists() -> None:
    for module in PUBLIC:
        package = importlib.import_module(module)
        assert all(hasattr(package, name) for name in package.__all__), module
