"""Users, their passwords and their role assignments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response

from akiba_auth.api.deps import ActorDep, Hasher, Uow
from akiba_auth.api.schemas import (
    AssignmentRequest,
    AssignmentResponse,
    CreateUserRequest,
    SetPasswordRequest,
    UpdateUserRequest,
    UserResponse,
)
from akiba_auth.domain.errors import UserNotFound
from akiba_auth.domain.model import Scope
from akiba_auth.handlers import users
from akiba_contracts.fields import INT8_MAX
from akiba_contracts.rights import Right
from akiba_platform.auth import requires

router = APIRouter(tags=["users"])


@router.post("/users", status_code=201, **requires(Right.USERS_MANAGE))
async def create_user(body: CreateUserRequest, uow: Uow) -> UserResponse:
    """Add a user (409 if the username is taken in any letter case)."""
    return UserResponse.of(await users.create_user(uow, **body.model_dump()))


@router.get("/users", **requires(Right.USERS_MANAGE))
async def list_users(
    uow: Uow,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT8_MAX)] = 0,
) -> list[UserResponse]:
    """Users in username order, a page at a time."""
    async with uow:
        return [UserResponse.of(u) for u in await uow.users.page(limit, offset)]


@router.get("/users/{user_id}", **requires(Right.USERS_MANAGE))
async def get_user(user_id: UUID, uow: Uow) -> UserResponse:
    """One user."""
    async with uow:
        user = await uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"user {user_id} does not exist")
    return UserResponse.of(user)


@router.patch("/users/{user_id}", **requires(Right.USERS_MANAGE))
async def update_user(
    user_id: UUID, body: UpdateUserRequest, uow: Uow, actor: ActorDep
) -> UserResponse:
    """Change email, home facility or active (only the fields sent; 403 for a user holding
    rights the caller does not hold, before or after the change)."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("active", True) is None:
        changes.pop("active")
    return UserResponse.of(await users.update_user(uow, actor, user_id, **changes))


@router.post("/users/{user_id}/deactivate", **requires(Right.USERS_MANAGE))
async def deactivate_user(user_id: UUID, uow: Uow, actor: ActorDep) -> UserResponse:
    """Refuse the user everywhere and end their sessions (403 if they hold rights the caller
    does not)."""
    return UserResponse.of(await users.deactivate_user(uow, actor, user_id))


@router.put("/users/{user_id}/password", status_code=204, **requires(Right.USERS_MANAGE))
async def set_password(
    user_id: UUID, body: SetPasswordRequest, uow: Uow, hasher: Hasher, actor: ActorDep
) -> Response:
    """Set the user's password; their refresh tokens stop working (403 if they hold rights
    the caller does not)."""
    await users.set_password(uow, hasher, actor, user_id, body.password)
    return Response(status_code=204)


@router.get("/users/{user_id}/role-assignments", **requires(Right.USER_ROLES_MANAGE))
async def list_assignments(user_id: UUID, uow: Uow) -> list[AssignmentResponse]:
    """The user's role assignments."""
    async with uow:
        if await uow.users.get(user_id) is None:
            raise UserNotFound(f"user {user_id} does not exist")
        return [AssignmentResponse.of(a) for a in await uow.roles.of_user(user_id)]


@router.post(
    "/users/{user_id}/role-assignments", status_code=201, **requires(Right.USER_ROLES_MANAGE)
)
async def assign_role(
    user_id: UUID, body: AssignmentRequest, uow: Uow, actor: ActorDep
) -> AssignmentResponse:
    """Give the user a role in a scope fitting the role's type (422 otherwise); 403 for one's
    own assignments or a role conferring rights the caller does not hold at that scope."""
    scope = Scope(body.program_id, body.supervisory_node_id, body.warehouse_id)
    assigned = await users.assign_role(uow, actor, user_id, body.role_id, scope)
    return AssignmentResponse.of(assigned)


@router.delete(
    "/users/{user_id}/role-assignments/{assignment_id}",
    status_code=204,
    **requires(Right.USER_ROLES_MANAGE),
)
async def unassign_role(user_id: UUID, assignment_id: UUID, uow: Uow, actor: ActorDep) -> Response:
    """Take a role assignment away (403 for one's own, or one conferring rights the caller
    does not hold)."""
    await users.unassign_role(uow, actor, user_id, assignment_id)
    return Response(status_code=204)
