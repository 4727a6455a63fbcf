"""`akiba-web serve`: central's web process (pages only; the services hold the data)."""

from __future__ import annotations

from collections.abc import Sequence

from akiba_platform import central_service, serve_app, service_main
from akiba_web.central import create_app
from akiba_web.settings import Settings


async def _nothing(_: Settings) -> None:
    return None  # no database, no topics of its own


ENTRY = central_service(
    "akiba-web",
    Settings,
    prepare=_nothing,
    roles={"api": lambda s: serve_app(create_app(s), s)},
    commands={},
)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run it."""
    service_main(ENTRY, argv)


if __name__ == "__main__":
    main()
