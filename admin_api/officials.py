"""Officials: the people who answer residents, write notices or run the service.

Admins read and write everyone. Officials and comms staff read the officials who share a team
with them (and themselves); anyone else is 404 to them. Accounts are never deleted, only
deactivated (their tokens stop working at once); the last active admin stays. Password hashes
never leave the database, not even into the audit log.

:func:`add_official` is also what ``talkkari officials add`` runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, status
from pydantic import AfterValidator, BaseModel, Field, SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.context import AdminContext
from admin_api.deps import (
    NOT_SENT,
    AdminOfficial,
    ContextDep,
    CurrentOfficial,
    IdField,
    Input,
    Line,
    ObjectId,
    Patch,
    ReadSessionDep,
    actor_of,
    team_ids_of,
)
from admin_api.errors import Conflict, Invalid, NotFound, problem_responses
from admin_api.sessions import end_sessions
from admin_api.texts import Text
from routing.audit import Actor, audit
from store import Membership, Official, Team

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "OfficialIn",
    "OfficialOut",
    "OfficialPatch",
    "Password",
    "add_official",
    "official_out",
    "router",
]

router = APIRouter(
    prefix="/officials", tags=["officials"], responses=problem_responses(400, 401, 422)
)

MIN_PASSWORD_LENGTH = 12

Role = Literal["admin", "official", "comms"]
Language = Literal["fi", "sv", "en"]
Email = Annotated[
    str,
    Field(
        max_length=254, pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$"
    ),
    AfterValidator(str.lower),
]
Password = Annotated[
    SecretStr, Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024, strict=False)
]
Languages = Annotated[
    list[Language],
    Field(min_length=1, max_length=3, description="The languages the official answers in."),
    AfterValidator(lambda languages: list(dict.fromkeys(languages))),
]
TeamIds = Annotated[
    list[IdField],
    Field(max_length=100, description="The teams the official is a member of (the whole set)."),
    AfterValidator(lambda ids: sorted(set(ids))),
]


class OfficialIn(Input):
    email: Email
    name: Line
    title_fi: Line
    title_sv: Line | None = None
    title_en: Line | None = None
    languages: Languages = Field(default_factory=lambda: list[Language](["fi"]))
    role: Role
    active: bool = True
    teams: TeamIds = Field(default_factory=list)
    password: Password


class OfficialPatch(Patch):
    name: Line = NOT_SENT
    title_fi: Line = NOT_SENT
    title_sv: Line | None = None
    title_en: Line | None = None
    languages: Languages = NOT_SENT
    role: Role = NOT_SENT
    active: bool = NOT_SENT
    teams: TeamIds = NOT_SENT
    password: Password = NOT_SENT


class OfficialOut(BaseModel):
    id: int
    email: str
    name: str
    title_fi: str
    title_sv: str | None
    title_en: str | None
    languages: list[str]
    role: str
    active: bool
    teams: list[int]
    created_at: datetime
    last_login_at: datetime | None


def official_out(official: Official, teams: frozenset[int] | list[int]) -> OfficialOut:
    return OfficialOut(
        id=official.id,
        email=official.email,
        name=official.name,
        title_fi=official.title_fi,
        title_sv=official.title_sv,
        title_en=official.title_en,
        languages=list(official.languages.get("spoken", [])),
        role=official.role,
        active=official.active,
        teams=sorted(teams),
        created_at=official.created_at,
        last_login_at=official.last_login_at,
    )


@router.get("", response_model=list[OfficialOut])
async def list_officials(caller: CurrentOfficial, session: ReadSessionDep) -> list[OfficialOut]:
    query = select(Official).order_by(Official.name, Official.id)
    if caller.role != "admin":
        query = query.where(Official.id.in_(await _colleague_ids(session, caller)))
    officials = list(await session.scalars(query))
    teams = await _teams_of(session, [official.id for official in officials])
    return [official_out(official, teams.get(official.id, [])) for official in officials]


@router.get("/{official_id}", response_model=OfficialOut, responses=problem_responses(404))
async def get_official(
    official_id: ObjectId, caller: CurrentOfficial, session: ReadSessionDep
) -> OfficialOut:
    if caller.role != "admin" and official_id not in await _colleague_ids(session, caller):
        raise NotFound(Text("official_not_found"))
    official = await _official(session, official_id)
    return official_out(official, await team_ids_of(session, official))


@router.post(
    "",
    response_model=OfficialOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
async def create_official(
    body: OfficialIn, admin: AdminOfficial, context: ContextDep
) -> OfficialOut:
    password_hash = await context.passwords.hash(body.password.get_secret_value())
    async with context.database.transaction() as session:
        official = await add_official(
            session,
            body,
            password_hash=password_hash,
            actor=actor_of(admin),
            at=context.clock.now(),
        )
        return official_out(official, body.teams)


@router.patch(
    "/{official_id}", response_model=OfficialOut, responses=problem_responses(403, 404, 409)
)
async def update_official(
    official_id: ObjectId, body: OfficialPatch, admin: AdminOfficial, context: ContextDep
) -> OfficialOut:
    return await _update(official_id, body, actor=actor_of(admin), context=context)


@router.delete(
    "/{official_id}", response_model=OfficialOut, responses=problem_responses(403, 404, 409)
)
async def deactivate_official(
    official_id: ObjectId, admin: AdminOfficial, context: ContextDep
) -> OfficialOut:
    """Deactivate the account: it can no longer log in and its tokens stop working."""
    return await _update(
        official_id,
        OfficialPatch(active=False),
        actor=actor_of(admin),
        context=context,
        action="official.deactivate",
    )


async def _update(
    official_id: int,
    body: OfficialPatch,
    *,
    actor: Actor,
    context: AdminContext,
    action: str = "official.update",
) -> OfficialOut:
    changes = body.changes()
    password = changes.pop("password", None)
    # Hashing takes a while: not inside the transaction (on SQLite, the process's only one).
    password_hash = await context.passwords.hash(password.get_secret_value()) if password else None
    async with context.database.transaction() as session:
        official = await _official(session, official_id, for_update=True)
        teams = await team_ids_of(session, official)
        before = official_out(official, teams)
        new_teams = changes.pop("teams", None)
        if changes.get("active") is False or changes.get("role", "admin") != "admin":
            await _keep_an_admin(session, official)
        if "languages" in changes:
            changes["languages"] = {"spoken": changes["languages"]}
        for name, value in changes.items():
            setattr(official, name, value)
        if new_teams is not None and set(new_teams) != teams:
            await _teams_exist(session, new_teams)
            await _set_memberships(session, official.id, old=teams, new=frozenset(new_teams))
            teams = frozenset(new_teams)
        if password_hash is not None:
            official.password_hash = password_hash
        if password_hash is not None or changes.get("active") is False:
            # A password set by an administrator, or an account closed: its sessions end.
            reason = "deactivated" if changes.get("active") is False else "password_changed"
            await end_sessions(session, official.id, reason=reason, at=context.clock.now())
        await session.flush()
        after = official_out(official, teams)
        if after != before or password_hash is not None:
            audit_after = after.model_dump(mode="json")
            if password_hash is not None:
                audit_after["password"] = "changed"
            await audit(
                session,
                actor,
                action,
                object_type="official",
                object_id=official.id,
                before=before.model_dump(mode="json"),
                after=audit_after,
                at=context.clock.now(),
            )
        return after


async def add_official(
    session: AsyncSession, new: OfficialIn, *, password_hash: str, actor: Actor, at: datetime
) -> Official:
    """Create the official with their memberships and audit it; :class:`Conflict` if the
    e-mail address is taken, :class:`Invalid` if a team does not exist."""
    if await session.scalar(select(Official.id).where(Official.email == new.email)) is not None:
        raise Conflict(Text("official_email_taken"))
    await _teams_exist(session, new.teams)
    official = Official(
        email=new.email,
        name=new.name,
        title_fi=new.title_fi,
        title_sv=new.title_sv,
        title_en=new.title_en,
        languages={"spoken": new.languages},
        role=new.role,
        active=new.active,
        password_hash=password_hash,
        created_at=at,
    )
    session.add(official)
    await session.flush()
    await _set_memberships(session, official.id, old=frozenset(), new=frozenset(new.teams))
    await audit(
        session,
        actor,
        "official.create",
        object_type="official",
        object_id=official.id,
        after=official_out(official, new.teams).model_dump(mode="json"),
        at=at,
    )
    return official


async def _official(
    session: AsyncSession, official_id: int, *, for_update: bool = False
) -> Official:
    official = await session.get(Official, official_id, with_for_update=for_update)
    if official is None:
        raise NotFound(Text("official_not_found"))
    return official


async def _colleague_ids(session: AsyncSession, official: Official) -> set[int]:
    """The caller and everyone sharing a team with them."""
    teams = await team_ids_of(session, official)
    colleagues = await session.scalars(
        select(Membership.official_id).where(Membership.team_id.in_(sorted(teams)))
    )
    return {official.id, *colleagues}


async def _teams_of(session: AsyncSession, official_ids: list[int]) -> dict[int, list[int]]:
    teams: dict[int, list[int]] = {}
    rows = await session.execute(
        select(Membership.official_id, Membership.team_id).where(
            Membership.official_id.in_(official_ids)
        )
    )
    for official_id, team_id in rows:
        teams.setdefault(official_id, []).append(team_id)
    return teams


async def _teams_exist(session: AsyncSession, team_ids: list[int]) -> None:
    known = set(await session.scalars(select(Team.id).where(Team.id.in_(team_ids))))
    unknown = sorted(set(team_ids) - known)
    if unknown:
        raise Invalid(
            Text("teams_not_found", teams=", ".join(map(str, unknown))), loc=("body", "teams")
        )


async def _set_memberships(
    session: AsyncSession, official_id: int, *, old: frozenset[int], new: frozenset[int]
) -> None:
    for team_id in old - new:
        membership = await session.get(Membership, (official_id, team_id))
        if membership is not None:
            await session.delete(membership)
    session.add_all(Membership(official_id=official_id, team_id=team_id) for team_id in new - old)


async def _keep_an_admin(session: AsyncSession, official: Official) -> None:
    """Refuse to deactivate or demote the last active admin: nobody could manage the service."""
    if official.role != "admin" or not official.active:
        return
    others = await session.scalar(
        select(func.count()).where(
            Official.role == "admin", Official.active.is_(True), Official.id != official.id
        )
    )
    if not others:
        raise Conflict(Text("last_admin"))
