"""Errors of the local stack: each carries a one-line human message and optional detail."""

from __future__ import annotations


class StackError(Exception):
    """A local-stack problem the user can act on; `message` is one line, `detail` is context."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail.rstrip()

    def __str__(self) -> str:
        return f"{self.message}\n{self.detail}" if self.detail else self.message


class PortInUseError(StackError):
    """A port the stack needs is already taken by another process."""


class JavaError(StackError):
    """`java` is missing or older than 17."""


class MavenMissingError(StackError):
    """`mvn` is not on PATH."""


class MavenFetchError(StackError):
    """Maven could not fetch the Kafka broker jars."""


class KafkaStartError(StackError):
    """The Kafka broker exited or did not become ready in time."""


class PostgresStartError(StackError):
    """PostgreSQL failed to initialise or start."""


class ExternalServiceError(StackError):
    """An external PostgreSQL or Kafka given by environment does not answer."""


class StackStopError(StackError):
    """A stack process would not stop."""
