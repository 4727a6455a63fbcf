"""Published payload models and the registry from event type to model."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from akiba_contracts.payloads.alerts import AlertEnded, AlertKind, AlertStarted, alert_key
from akiba_contracts.payloads.auth import (
    ApprovalScope,
    RequisitionGroupChanged,
    SigningKeyPublished,
    SiteChanged,
    SupervisoryNodeChanged,
    UserPermissionsChanged,
)
from akiba_contracts.payloads.base import SCHEMA_URI_PREFIX, Payload, schema_uri
from akiba_contracts.payloads.edge import (
    SITE_DOCUMENT_TYPES,
    EdgeDocumentsApplied,
    EdgeEventRejected,
    EdgeRefusal,
    EdgeStoreResumed,
    EdgeStoreStalled,
    SiteDocumentType,
    SiteMovementLine,
    SiteStockRecorded,
    SiteStockRecordedV1,
    SiteWriteRefused,
    StallCause,
    edge_batch_id,
)
from akiba_contracts.payloads.fulfillment import (
    OrderChanged,
    OrderLineState,
    OrderStatus,
    ReceivedLot,
    RejectionReason,
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentLot,
    ShipmentReceived,
    ShipmentShipped,
    ShipmentStatus,
    SupplyLineChanged,
)
from akiba_contracts.payloads.inventory import (
    MovementType,
    ReservedLine,
    StockLevelChanged,
    StockMovementRecorded,
    StockReserved,
    stock_level_key,
)
from akiba_contracts.payloads.reference import (
    AdjustmentReasonChanged,
    BatchChanged,
    FacilityChanged,
    FacilityTypeChanged,
    GeographicZoneChanged,
    LocationChanged,
    OrderableChanged,
)
from akiba_contracts.payloads.requisition import (
    ReleasedLine,
    RequisitionKind,
    RequisitionLineState,
    RequisitionReleased,
    RequisitionStatusChanged,
)
from akiba_contracts.payloads.requisition_edge import (
    MAX_REQUISITION_LINES,
    SiteLineEdit,
    SiteLineFigures,
    SiteRequisitionLine,
    SiteRequisitionRecorded,
    SiteRequisitionRefused,
    SiteRequisitionStep,
)
from akiba_contracts.payloads.requisition_reference import (
    ApprovedProductChanged,
    ColumnSource,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    ScheduleChanged,
    TemplateChanged,
    TemplateColumn,
)
from akiba_contracts.payloads.shipment_edge import (
    MAX_POD_LINES,
    SitePodLine,
    SiteShipmentReceived,
    SiteShipmentRefused,
)

__all__ = [
    "MAX_POD_LINES",
    "MAX_REQUISITION_LINES",
    "PAYLOADS",
    "SCHEMA_URI_PREFIX",
    "SITE_DOCUMENT_TYPES",
    "AdjustmentReasonChanged",
    "AlertEnded",
    "AlertKind",
    "AlertStarted",
    "ApprovalScope",
    "ApprovedProductChanged",
    "BatchChanged",
    "ColumnSource",
    "EdgeDocumentsApplied",
    "EdgeEventRejected",
    "EdgeRefusal",
    "EdgeStoreResumed",
    "EdgeStoreStalled",
    "FacilityChanged",
    "FacilityTypeChanged",
    "GeographicZoneChanged",
    "GroupScheduleChanged",
    "IdealStockAmountChanged",
    "LocationChanged",
    "MovementType",
    "OrderChanged",
    "OrderLineState",
    "OrderStatus",
    "OrderableChanged",
    "Payload",
    "PeriodChanged",
    "ProgramChanged",
    "ProgramOrderableChanged",
    "ReceivedLot",
    "RejectionReason",
    "ReleasedLine",
    "RequisitionGroupChanged",
    "RequisitionKind",
    "RequisitionLineState",
    "RequisitionReleased",
    "RequisitionStatusChanged",
    "ReservedLine",
    "ScheduleChanged",
    "ShipmentAllocated",
    "ShipmentCancelled",
    "ShipmentLot",
    "ShipmentReceived",
    "ShipmentShipped",
    "ShipmentStatus",
    "SigningKeyPublished",
    "SiteChanged",
    "SiteDocumentType",
    "SiteLineEdit",
    "SiteLineFigures",
    "SiteMovementLine",
    "SitePodLine",
    "SiteRequisitionLine",
    "SiteRequisitionRecorded",
    "SiteRequisitionRefused",
    "SiteRequisitionStep",
    "SiteShipmentReceived",
    "SiteShipmentRefused",
    "SiteStockRecorded",
    "SiteStockRecordedV1",
    "SiteWriteRefused",
    "StallCause",
    "StockLevelChanged",
    "StockMovementRecorded",
    "StockReserved",
    "SupervisoryNodeChanged",
    "SupplyLineChanged",
    "TemplateChanged",
    "TemplateColumn",
    "UserPermissionsChanged",
    "alert_key",
    "edge_batch_id",
    "payload_model",
    "schema_uri",
    "stock_level_key",
]

PAYLOADS: Mapping[str, type[Payload]] = MappingProxyType(
    {
        model.event_type: model
        for model in (
            StockMovementRecorded,
            StockLevelChanged,
            UserPermissionsChanged,
            SigningKeyPublished,
            SiteChanged,
            SupervisoryNodeChanged,
            RequisitionGroupChanged,
            FacilityTypeChanged,
            GeographicZoneChanged,
            FacilityChanged,
            OrderableChanged,
            BatchChanged,
            LocationChanged,
            AdjustmentReasonChanged,
            AlertStarted,
            AlertEnded,
            RequisitionStatusChanged,
            RequisitionReleased,
            SiteStockRecordedV1,
            SiteStockRecorded,
            EdgeEventRejected,
            EdgeDocumentsApplied,
            EdgeStoreStalled,
            EdgeStoreResumed,
            SiteWriteRefused,
            SupplyLineChanged,
            ProgramChanged,
            ProgramOrderableChanged,
            ApprovedProductChanged,
            ScheduleChanged,
            PeriodChanged,
            GroupScheduleChanged,
            TemplateChanged,
            IdealStockAmountChanged,
            SiteRequisitionRecorded,
            SiteRequisitionRefused,
            StockReserved,
            OrderChanged,
            ShipmentAllocated,
            ShipmentCancelled,
            ShipmentShipped,
            ShipmentReceived,
            SiteShipmentReceived,
            SiteShipmentRefused,
        )
    }
)
"""Every published event type and the model of its `data`."""


def payload_model(event_type: str) -> type[Payload]:
    """The payload model of an event type; KeyError names the known types."""
    try:
        return PAYLOADS[event_type]
    except KeyError:
        known = ", ".join(sorted(PAYLOADS))
        raise KeyError(f"unknown event type {event_type!r}; known types: {known}") from None
