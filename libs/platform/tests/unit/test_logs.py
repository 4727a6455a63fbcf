"""Chatty client libraries are rate-limited in the logs, without hiding that they repeat."""

from __future__ import annotations

import logging

from akiba_platform.logs import Repeats


def _record(
    name: str, msg: str = "Unable connect to node with id %s", arg: object = 1
) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, (arg,), None)


def test_a_repeated_library_message_passes_once_per_window_then_says_how_often_it_came() -> None:
    now = [0.0]
    repeats = Repeats(("aiokafka",), window_seconds=30, clock=lambda: now[0])

    first = [repeats.filter(_record("aiokafka.conn", arg=n)) for n in range(1_000)]
    now[0] = 31.0
    later = _record("aiokafka.conn")

    assert first.count(True) == 1
    assert repeats.filter(later) and later.repeated == 999


def test_other_messages_and_other_loggers_are_not_held_back() -> None:
    repeats = Repeats(("aiokafka",), clock=lambda: 0.0)
    assert repeats.filter(_record("aiokafka.conn"))
    assert repeats.filter(_record("aiokafka.conn", msg="Heartbeat failed %s"))
    assert all(repeats.filter(_record("akiba_platform.relay")) for _ in range(5))
