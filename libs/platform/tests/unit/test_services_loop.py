"""Services run on uvloop where it is installed, and so do the bench's processes."""

import asyncio
import sys

import pytest

from akiba_platform import Service, event_loop, run_async


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not installed on Windows")
def test_a_service_command_runs_on_uvloop() -> None:
    import uvloop

    async def loop_type() -> type:
        return type(asyncio.get_running_loop())

    with event_loop() as runner:
        assert runner.run(loop_type()) is uvloop.Loop


def test_run_async_returns_what_the_coroutine_returns() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_async(answer()) == 42


def test_every_service_takes_that_loop_unless_it_names_another() -> None:
    async def serve(settings: object, roles: list[str]) -> None:
        return None

    service = Service[object]("x", object, lambda s: None, ("api",), serve)
    assert service.runner is event_loop
