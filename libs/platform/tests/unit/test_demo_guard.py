"""Demo data only where the environment says it is a demo, which `akiba run` does."""

from __future__ import annotations

import pytest

from akiba_devtools import devrun
from akiba_devtools.discovery import discover
from akiba_devtools.stack import StackEndpoints
from akiba_platform.demo import NotADemo, require_demo
from akiba_platform.settings import ServiceSettings


def test_demo_data_is_refused_with_a_message_that_says_how_to_allow_it() -> None:
    with pytest.raises(NotADemo, match=r"refusing to load the demo.*AKIBA_DEMO=1"):
        require_demo(ServiceSettings().demo, "the demo")


def test_akiba_demo_1_allows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKIBA_DEMO", "1")
    require_demo(ServiceSettings().demo, "the demo")


def test_akiba_run_tells_every_service_it_is_a_demo() -> None:
    endpoints = StackEndpoints(pg_url="postgresql://u@127.0.0.1:1", kafka_bootstrap="127.0.0.1:2")
    for spec in discover():
        assert devrun._env(spec, endpoints)["AKIBA_DEMO"] == "1", spec.name
