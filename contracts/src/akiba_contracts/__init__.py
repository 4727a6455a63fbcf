"""Akiba's published event contracts: CloudEvents envelope, topics, payloads and rights."""

from akiba_contracts.catalogue import TOPICS, Topic, all_topics, dlq_name, dlq_topic, topic
from akiba_contracts.compat import incompatibilities
from akiba_contracts.envelope import (
    CLOUDEVENTS_CONTENT_TYPE,
    DATA_CONTENT_TYPE,
    CloudEvent,
    InvalidEnvelope,
    decode,
    encode,
    kafka_headers,
    new_event,
    trusted_event,
)
from akiba_contracts.payloads import (
    PAYLOADS,
    MovementType,
    Payload,
    StockLevelChanged,
    StockMovementRecorded,
    payload_model,
    schema_uri,
    stock_level_key,
)
from akiba_contracts.rights import RIGHT_TYPES, Right, RightType, right_type, rights_of_type

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "DATA_CONTENT_TYPE",
    "PAYLOADS",
    "RIGHT_TYPES",
    "TOPICS",
    "CloudEvent",
    "InvalidEnvelope",
    "MovementType",
    "Payload",
    "Right",
    "RightType",
    "StockLevelChanged",
    "StockMovementRecorded",
    "Topic",
    "all_topics",
    "decode",
    "dlq_name",
    "dlq_topic",
    "encode",
    "incompatibilities",
    "kafka_headers",
    "new_event",
    "payload_model",
    "right_type",
    "rights_of_type",
    "schema_uri",
    "stock_level_key",
    "topic",
    "trusted_event",
]
