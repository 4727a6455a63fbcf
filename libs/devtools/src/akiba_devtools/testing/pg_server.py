"""A second, empty PostgreSQL server for a test: its own data folder and port, stopped after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from akiba_devtools.stack import postgres
from akiba_devtools.stack.state import Ports, StackConfig, StackPaths, find_repo_root


@contextmanager
def fresh_server(state_dir: Path, port: int) -> Iterator[str]:
    """initdb + start a server as the stack does (same binaries, same settings); yield its URL."""
    config = StackConfig(StackPaths(state_dir, find_repo_root()), Ports(postgres=port))
    postgres.up(config)
    try:
        yield postgres.base_url(config)
    finally:
        postgres.down(config)
