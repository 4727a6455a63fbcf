"""Site requisition steps (`sites.requisition-events`) → the domain's documents and edits."""

from __future__ import annotations

from dataclasses import fields

from akiba_contracts.payloads import RequisitionKind
from akiba_contracts.payloads.requisition_edge import SiteRequisitionLine, SiteRequisitionRecorded
from akiba_replenish import Edit, Line, Requisition
from akiba_replenish.documents import Document, Figures, LineInfo, Pack
from akiba_requisition.domain.errors import CannotInitiate


def document_of(p: SiteRequisitionRecorded) -> Document:
    """The requisition as the site initiated it: version 1, each line as the site computed it
    (figures, pack rules, calculated and requested quantities), by the site's user, then."""
    assert p.kind is not None  # the contract requires it of an INITIATE step
    internal = p.kind is RequisitionKind.INTERNAL_ORDER
    lines = _unique(p.lines)
    r = Requisition(
        p.requisition_id, p.facility_id, p.program_id, None if internal else p.period_id,
        p.emergency and not internal,
        {x.orderable_id: Line(x.orderable_id, x.calculated, x.requested, x.explanation)
         for x in lines},
        internal=internal, supplying_facility_id=p.supplying_facility_id if internal else None,
    )  # fmt: skip
    return Document(
        p.kind, r, {x.orderable_id: _info(x) for x in lines}, p.actor, p.at,
        template_id=p.template_id, max_months_of_stock=p.max_months_of_stock,
        min_months_of_stock=p.min_months_of_stock, comment=p.comment,
    )  # fmt: skip


def edits_of(p: SiteRequisitionRecorded) -> list[Edit]:
    """The requested quantities (with their reasons) an EDIT step changed."""
    return [Edit(e.orderable_id, requested=e.requested, explanation=e.explanation) for e in p.edits]


def _unique(lines: list[SiteRequisitionLine]) -> list[SiteRequisitionLine]:
    seen = set()
    for x in lines:
        if x.orderable_id in seen:
            raise CannotInitiate(f"product {x.orderable_id} is on the requisition twice")
        seen.add(x.orderable_id)
    return lines


def _info(x: SiteRequisitionLine) -> LineInfo:
    figures = Figures(**{f.name: getattr(x.figures, f.name) for f in fields(Figures)})
    pack = Pack(x.pack_size, x.pack_rounding_threshold, x.round_to_zero, x.price_per_pack)
    return LineInfo(x.position, x.full_supply, figures, pack)
