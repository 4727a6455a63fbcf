"""Program requisitions: initiate, edit lines, submit, authorize, approve, reject, skip,
release, delete. Each route's right is the least a caller needs; the step checks it again at
its scope (the facility and program, the node where it waits, or the supplying facility)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from akiba_contracts.rights import Right
from akiba_platform.auth import requires
from akiba_platform.http import ExpectedVersion, tag
from akiba_replenish.documents import Document
from akiba_requisition.api.deps import Pool, Uow
from akiba_requisition.api.errors import status_of
from akiba_requisition.api.gate import Caller
from akiba_requisition.api.requisition_schemas import (
    BatchApproveRequest,
    BatchApproveResponse,
    BatchResult,
    InitiateRequest,
    LinesRequest,
    RejectRequest,
    ReleaseRequest,
    RequisitionResponse,
    edit_of,
    whole,
)
from akiba_requisition.handlers import initiate as start
from akiba_requisition.handlers import steps
from akiba_requisition.uow import RequisitionUnitOfWork

router = APIRouter(tags=["requisitions"])
ONE = "/requisitions/{requisition_id}"
Version = ExpectedVersion


def answer(doc: Document, response: Response) -> RequisitionResponse:
    """The document, its version in the ETag."""
    tag(response, doc.requisition.version)
    return whole(doc)


@router.post(
    "/requisitions/initiate",
    status_code=201,
    response_model=RequisitionResponse,
    **requires(Right.REQUISITION_CREATE),
)
async def initiate(
    body: InitiateRequest, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Start the facility's requisition of its oldest open period (emergency: today's), every
    line computed from its stock ledger (REQUISITION_CREATE at the facility for the program)."""
    doc = await start.initiate(
        uow, gate, body.facility_id, body.program_id,
        emergency=body.emergency, orderable_ids=body.orderable_ids,
    )  # fmt: skip
    return answer(doc, response)


@router.post(
    "/requisitions/batch-approve",
    response_model=BatchApproveResponse,
    **requires(Right.REQUISITION_APPROVE),
)
async def batch_approve(
    body: BatchApproveRequest, pool: Pool, gate: Caller
) -> BatchApproveResponse:
    """Approve many requisitions, each on its own (with its approved quantities) at the version
    the approver saw; one result per requisition."""
    results = []
    for item in body.requisitions:
        edits = [edit_of(line) for line in item.lines]
        try:
            doc = await steps.approve(
                RequisitionUnitOfWork(pool), gate, item.requisition_id, item.version, edits
            )
        except Exception as exc:
            status = status_of(exc)
            if status is None:
                raise
            results.append(BatchResult(requisition_id=item.requisition_id, status=status,
                                       detail=str(exc)))  # fmt: skip
            continue
        r = doc.requisition
        results.append(BatchResult(requisition_id=r.requisition_id, status=200,
                                   requisition_status=r.status, version=r.version))  # fmt: skip
    return BatchApproveResponse(results=results)


@router.get(ONE, response_model=RequisitionResponse, **requires(Right.REQUISITION_VIEW))
async def get_requisition(
    requisition_id: UUID, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """One requisition with every line and its history (its facility's viewers, the approvers
    where it waits, the supplier's staff)."""
    return answer(await steps.view(uow, gate, requisition_id), response)


@router.put(f"{ONE}/lines", response_model=RequisitionResponse, **requires(Right.REQUISITION_VIEW))
async def edit_lines(
    requisition_id: UUID, body: LinesRequest, version: Version, uow: Uow, gate: Caller,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Change lines as one new version: requested quantities (REQUISITION_CREATE before
    submission, REQUISITION_AUTHORIZE once submitted), approved quantities and remarks
    (REQUISITION_APPROVE at the node where it waits)."""
    edits = [edit_of(line) for line in body.lines]
    return answer(await steps.edit(uow, gate, requisition_id, version, edits), response)


@router.post(f"{ONE}/submit", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def submit(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Submit it (straight to authorized where the program skips authorization)."""
    return answer(await steps.submit(uow, gate, requisition_id, version), response)


@router.post(f"{ONE}/authorize", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_AUTHORIZE))  # fmt: skip
async def authorize(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Authorize it at the facility; it then waits at the facility's supervisory node."""
    return answer(await steps.authorize(uow, gate, requisition_id, version), response)


@router.post(f"{ONE}/approve", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_APPROVE))  # fmt: skip
async def approve(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Approve it at the node where it waits: on to the parent node, or approved where a
    supply line names its supplier."""
    return answer(await steps.approve(uow, gate, requisition_id, version), response)


@router.post(f"{ONE}/reject", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_APPROVE))  # fmt: skip
async def reject(
    requisition_id: UUID, body: RejectRequest, version: Version, uow: Uow, gate: Caller,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Send it back to the facility with a reason (it becomes editable again)."""
    doc = await steps.reject(uow, gate, requisition_id, version, body.reason)
    return answer(doc, response)


@router.post(f"{ONE}/skip", response_model=RequisitionResponse,
             **requires(Right.REQUISITION_CREATE))  # fmt: skip
async def skip(
    requisition_id: UUID, version: Version, uow: Uow, gate: Caller, response: Response
) -> RequisitionResponse:
    """Skip the period, where the program allows it."""
    return answer(await steps.skip(uow, gate, requisition_id, version), response)


@router.post(f"{ONE}/release", response_model=RequisitionResponse,
             **requires(Right.ORDERS_EDIT))  # fmt: skip
async def release(
    requisition_id: UUID, body: ReleaseRequest, version: Version, uow: Uow, gate: Caller,
    response: Response,
) -> RequisitionResponse:  # fmt: skip
    """Convert it to an order for the supplying facility (ORDERS_EDIT there)."""
    doc = await steps.release(uow, gate, requisition_id, version, body.supplying_facility_id)
    return answer(doc, response)


@router.delete(ONE, status_code=204, **requires(Right.REQUISITION_DELETE))
async def delete(requisition_id: UUID, version: Version, uow: Uow, gate: Caller) -> Response:
    """Delete it while its facility holds it (initiated, rejected or skipped)."""
    await steps.delete(uow, gate, requisition_id, version)
    return Response(status_code=204)
