"""Test support: the real stack as fixtures, a poller, service processes, and fakes."""

from akiba_platform.testing.fakes import FakeIdempotencyStore, FakeInbox, FakeOutbox
from akiba_platform.testing.polling import wait_until
from akiba_platform.testing.processes import ServiceProcess

__all__ = ["FakeIdempotencyStore", "FakeInbox", "FakeOutbox", "ServiceProcess", "wait_until"]
