import pytest
from pydantic import ValidationError

from akiba_platform.kafka import Replication
from akiba_platform.settings import ServiceSettings


def test_topics_have_one_replica_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AKIBA_KAFKA_REPLICATION_FACTOR", raising=False)
    monkeypatch.delenv("AKIBA_KAFKA_MIN_INSYNC_REPLICAS", raising=False)

    assert Replication.of(ServiceSettings()) == Replication(1, 1)


def test_a_cluster_profile_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKIBA_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("AKIBA_KAFKA_MIN_INSYNC_REPLICAS", "2")

    assert Replication.of(ServiceSettings()) == Replication(3, 2)


def test_more_replicas_in_sync_than_replicas_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="no write could ever succeed"):
        ServiceSettings(kafka_replication_factor=2, kafka_min_insync_replicas=3)


@pytest.mark.parametrize("field", ["kafka_replication_factor", "kafka_min_insync_replicas"])
def test_zero_replicas_is_refused(field: str) -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(**{field: 0})
