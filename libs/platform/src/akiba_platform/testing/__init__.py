"""In-memory fakes and behaviour suites a service's unit tests use; no stack, no processes."""

from akiba_platform.testing.fakes import FakeIdempotencyStore, FakeInbox, FakeOutbox
from akiba_platform.testing.tokens import TestIssuer

__all__ = ["FakeIdempotencyStore", "FakeInbox", "FakeOutbox", "TestIssuer"]
