"""Edge ingestion: site documents, the writers of each store, held documents and their keeper."""

from akiba_inventory.consumers.edge.ingest import (
    NAME,
    SITES,
    TOPIC,
    TOPICS,
    Candidate,
    EdgeBatch,
    EdgeIngestor,
    EdgeRules,
    SiteEvent,
)

__all__ = [
    "NAME",
    "SITES",
    "TOPIC",
    "TOPICS",
    "Candidate",
    "EdgeBatch",
    "EdgeIngestor",
    "EdgeRules",
    "SiteEvent",
]
