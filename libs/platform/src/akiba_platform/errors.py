"""The platform's exception tree: what a consumer retries and what it dead-letters."""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError


class AkibaError(Exception):
    """Base of every error the platform raises on purpose."""


class PermanentError(AkibaError):
    """The message can never succeed as it is: dead-letter it and move on."""


class TransientError(AkibaError):
    """A dependency is briefly unavailable: retry the same batch later."""


_TRANSIENT = (
    TransientError,
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.LockNotAvailableError,
    KafkaConnectionError,
    KafkaTimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the same work later may succeed."""
    return isinstance(exc, _TRANSIENT) or (isinstance(exc, KafkaError) and exc.retriable)
