"""Publishing to auth's topics from tests, as the auth service would."""

from __future__ import annotations

from uuid import UUID

from akiba_contracts.catalogue import all_topics, topic_for
from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads import Payload
from akiba_platform import kafka
from akiba_platform.testing.tokens import TestIssuer, published_key


class AuthOnKafka:
    """A TestIssuer whose key and grants reach every service through the real topics."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.issuer = TestIssuer()

    async def publish(self, *payloads: Payload) -> None:
        """Send payloads to their auth topics and wait for the broker's acknowledgement."""
        await kafka.ensure_topics(self.bootstrap, all_topics())
        producer = kafka.producer(self.bootstrap)
        await producer.start()
        try:
            for p in payloads:
                event = new_event(
                    source="/akiba/auth",
                    type=p.event_type,
                    subject=p.partition_key(),
                    data=p,
                    partitionkey=p.partition_key(),
                )
                await producer.send_and_wait(
                    topic_for(p.event_type).name, encode(event), key=p.partition_key().encode()
                )
        finally:
            await producer.stop()

    async def publish_key(self) -> None:
        """Make the issuer's signing key known."""
        await self.publish(published_key(self.issuer.kid, self.issuer.private))

    async def user(self, *permissions: str, active: bool = True) -> tuple[UUID, str]:
        """A user with these permissions, published; and a token for them."""
        user_id, token = self.issuer.user(*permissions, active=active)
        await self.publish_grant(user_id)
        return user_id, token

    async def publish_grant(self, user_id: UUID) -> None:
        """Publish the user's current permissions record."""
        perms = self.issuer.permissions.get(user_id)
        assert perms is not None
        from datetime import UTC, datetime

        from akiba_contracts.payloads import UserPermissionsChanged

        await self.publish(
            UserPermissionsChanged(
                user_id=user_id,
                username=f"u-{user_id.hex[:8]}",
                active=perms.active,
                home_facility_id=None,
                version=perms.version,
                permissions=sorted(perms.exact),
                changed_at=datetime.now(UTC),
            )
        )
