"""The AsyncAPI 3.0.0 document describing every catalogue topic and the events on it."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from akiba_contracts.catalogue import Topic, all_topics
from akiba_contracts.envelope import CLOUDEVENTS_CONTENT_TYPE, DATA_CONTENT_TYPE
from akiba_contracts.payloads import Payload, payload_model

__all__ = ["ASYNCAPI_VERSION", "asyncapi_document", "schema_path"]

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
ENVELOPE_SCHEMA_PATH = "schemas/cloudevent.json"
# Attributes Akiba always sets, beyond the CloudEvents required ones.
GUARANTEED_ATTRIBUTES = ["time", "subject", "datacontenttype", "data", "partitionkey"]
Document = dict[str, Any]


def schema_path(event_type: str) -> str:
    """Where an event type's payload schema lives, relative to the contracts folder."""
    return f"schemas/{event_type}.json"


def message_name(model: type[Payload]) -> str:
    """The message's component id: the model's name, suffixed past v1 (v1 and v2 coexist)."""
    version = model.event_type.rsplit(".", 1)[-1]
    return model.__name__ if version == "v1" else f"{model.__name__}{version.upper()}"


def asyncapi_document() -> Document:
    """Build the AsyncAPI document from the topic catalogue and the payload registry."""
    topics = all_topics(include_dlq=True)
    models = {t: payload_model(t) for topic in topics for t in topic.event_types}
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": _info(),
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "servers": {
            "local": {
                "host": "localhost:29092",
                "protocol": "kafka",
                "description": "The local stack (`make run`); a placeholder for real clusters.",
            }
        },
        "channels": {topic.name: _channel(topic, models) for topic in topics},
        "operations": {
            f"{topic.name}.send": _operation(topic, models) for topic in topics if not topic.is_dlq
        },
        "components": {"messages": {message_name(m): _message(m) for m in models.values()}},
    }


def _info() -> Document:
    return {
        "title": "Akiba event contracts",
        "version": version("akiba-contracts"),
        "description": (
            "Events Akiba publishes on Apache Kafka. Every record value is a CloudEvents 1.0 "
            "event in structured JSON mode (content type application/cloudevents+json); the "
            "Kafka key equals the event's `partitionkey`. Header copies (ce_type, ce_id, "
            "traceparent) are for routing only: the record value is authoritative."
        ),
    }


def _channel(topic: Topic, models: dict[str, type[Payload]]) -> Document:
    config: Document = {"cleanup.policy": [topic.cleanup_policy]}
    if topic.cleanup_policy == "delete":
        # Kafka's retention.ms of -1 means "keep forever".
        config["retention.ms"] = -1 if topic.retention_ms is None else topic.retention_ms
    name_of = {t: message_name(m) for t, m in models.items()}
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description} Owner: {topic.owner}. Key: {topic.key}.",
        "messages": {
            name_of[t]: {"$ref": f"#/components/messages/{name_of[t]}"} for t in topic.event_types
        },
        "bindings": {
            "kafka": {
                "partitions": topic.partitions,
                "topicConfiguration": config,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(topic: Topic, models: dict[str, type[Payload]]) -> Document:
    return {
        "action": "send",
        "title": f"{topic.owner} publishes to {topic.name}",
        "channel": {"$ref": f"#/channels/{topic.name}"},
        "messages": [
            {"$ref": f"#/channels/{topic.name}/messages/{message_name(models[t])}"}
            for t in topic.event_types
        ],
        "tags": [{"name": topic.owner}],
    }


def _message(model: type[Payload]) -> Document:
    refinement = {
        "type": "object",
        "required": GUARANTEED_ATTRIBUTES,
        "properties": {
            "type": {"const": model.event_type},
            "datacontenttype": {"const": DATA_CONTENT_TYPE},
            "data": {"$ref": schema_path(model.event_type)},
        },
    }
    return {
        "name": model.event_type,
        "title": message_name(model),
        "summary": (model.__doc__ or "").strip(),
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "payload": {"allOf": [{"$ref": ENVELOPE_SCHEMA_PATH}, refinement]},
        "headers": _headers(),
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The event's partitionkey."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _headers() -> Document:
    copy = "Copy of the CloudEvents attribute for routing; the record value is authoritative."
    return {
        "type": "object",
        "required": ["content-type", "ce_type", "ce_id"],
        "properties": {
            "content-type": {"type": "string", "const": CLOUDEVENTS_CONTENT_TYPE},
            "ce_type": {"type": "string", "description": copy},
            "ce_id": {"type": "string", "description": copy},
            "traceparent": {"type": "string", "description": "W3C trace context; " + copy},
        },
    }
