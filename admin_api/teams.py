"""Teams: who answers a kind of question, in which office hours, with which promise.

Every role reads teams (an official transfers conversations to other teams); admins write.
A change is awaited by the router (``AdminContext.on_routing_changed``) once committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.changes import record_change
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
    SessionDep,
)
from admin_api.errors import Conflict, Invalid, NotFound, problem_responses
from admin_api.texts import Text
from routing.hours import OfficeHours as WeeklyHours
from store import Conversation, Membership, RoutingRule, Team

__all__ = ["OfficeHours", "TeamIn", "TeamOut", "TeamPatch", "router"]

router = APIRouter(prefix="/teams", tags=["teams"], responses=problem_responses(400, 401, 422))

Weekday = Literal["1", "2", "3", "4", "5", "6", "7"]
TimeOfDay = Annotated[
    str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", examples=["08:00"])
]
Span = Annotated[list[TimeOfDay], Field(min_length=2, max_length=2)]


def _read_hours(hours: dict[Weekday, list[Span]]) -> dict[str, list[list[str]]]:
    """Checked and normalised as the promise reads them (spans sorted, touching ones merged)."""
    plain: dict[str, Any] = {str(day): spans for day, spans in hours.items()}
    return WeeklyHours.from_json(plain).to_json()


OfficeHours = Annotated[
    dict[Weekday, Annotated[list[Span], Field(max_length=6)]],
    AfterValidator(_read_hours),
    Field(
        description='ISO weekday ("1" Monday … "7" Sunday) → open spans ["HH:MM", "HH:MM"] '
        "in the city's time zone (an end may be 24:00); a day left out is closed, and so are "
        "Finnish public holidays.",
        examples=[{"1": [["08:00", "16:00"]], "2": [["08:00", "12:00"], ["13:00", "16:00"]]}],
    ),
]
TeamKey = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
SlaMinutes = Annotated[int, Field(ge=1, le=60 * 24 * 30, description="Working minutes.")]


class TeamIn(Input):
    key: TeamKey
    name_fi: Line
    name_sv: Line
    name_en: Line
    office_hours: OfficeHours = Field(default_factory=dict)
    sla_minutes: SlaMinutes = 480
    fallback_team_id: IdField | None = None
    """Where an unclaimed conversation escalates past its SLA."""
    active: bool = True


class TeamPatch(Patch):
    key: TeamKey = NOT_SENT
    name_fi: Line = NOT_SENT
    name_sv: Line = NOT_SENT
    name_en: Line = NOT_SENT
    office_hours: OfficeHours = NOT_SENT
    sla_minutes: SlaMinutes = NOT_SENT
    fallback_team_id: IdField | None = None
    active: bool = NOT_SENT


class TeamOut(BaseModel):
    id: int
    key: str
    name_fi: str
    name_sv: str
    name_en: str
    office_hours: dict[str, list[list[str]]]
    sla_minutes: int
    fallback_team_id: int | None
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        return cls(
            id=team.id,
            key=team.key,
            name_fi=team.name_fi,
            name_sv=team.name_sv,
            name_en=team.name_en,
            office_hours={
                day: [list(span) for span in spans] for day, spans in team.office_hours.items()
            },
            sla_minutes=team.sla_minutes,
            fallback_team_id=team.fallback_team_id,
            active=team.active,
            created_at=team.created_at,
        )


@router.get("", response_model=list[TeamOut])
async def list_teams(
    official: CurrentOfficial,
    session: ReadSessionDep,
    active: Annotated[bool | None, Query(description="Only active (or inactive) teams.")] = None,
) -> list[TeamOut]:
    query = select(Team).order_by(Team.key)
    if active is not None:
        query = query.where(Team.active == active)
    return [TeamOut.of(team) for team in await session.scalars(query)]


@router.get("/{team_id}", response_model=TeamOut, responses=problem_responses(404))
async def get_team(
    team_id: ObjectId, official: CurrentOfficial, session: ReadSessionDep
) -> TeamOut:
    return TeamOut.of(await _team(session, team_id))


@router.post(
    "",
    response_model=TeamOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
async def create_team(
    body: TeamIn, admin: AdminOfficial, session: SessionDep, context: ContextDep
) -> TeamOut:
    await _key_is_free(session, body.key)
    if body.fallback_team_id is not None:
        await _fallback_exists(session, body.fallback_team_id)
    team = Team(**body.model_dump(), created_at=context.clock.now())
    session.add(team)
    await session.flush()
    after = TeamOut.of(team)
    await record_change(
        session,
        context,
        admin,
        "team.create",
        object_id=team.id,
        after=after,
        changes_routing=True,
    )
    return after


@router.patch("/{team_id}", response_model=TeamOut, responses=problem_responses(403, 404, 409))
async def update_team(
    team_id: ObjectId,
    body: TeamPatch,
    admin: AdminOfficial,
    session: SessionDep,
    context: ContextDep,
) -> TeamOut:
    team = await _team(session, team_id, for_update=True)
    before = TeamOut.of(team)
    changes = body.changes()
    if "key" in changes and changes["key"] != team.key:
        await _key_is_free(session, changes["key"])
    fallback = changes.get("fallback_team_id")
    if fallback is not None:
        if fallback == team.id:
            raise Invalid(Text("team_own_fallback"), loc=("body", "fallback_team_id"))
        await _fallback_exists(session, fallback)
    for name, value in changes.items():
        setattr(team, name, value)
    await session.flush()
    after = TeamOut.of(team)
    if after != before:
        await record_change(
            session,
            context,
            admin,
            "team.update",
            object_id=team.id,
            before=before,
            after=after,
            changes_routing=True,
        )
    return after


@router.delete(
    "/{team_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404, 409),
)
async def delete_team(
    team_id: ObjectId, admin: AdminOfficial, session: SessionDep, context: ContextDep
) -> None:
    """Delete a team nothing depends on; deactivate (``PATCH active=false``) one in use."""
    team = await _team(session, team_id, for_update=True)
    users = await _what_uses(session, team.id)
    if any(users.values()):
        raise Conflict(Text("team_in_use", **users))
    before: dict[str, Any] = TeamOut.of(team).model_dump(mode="json")
    before["members"] = sorted(
        await session.scalars(select(Membership.official_id).where(Membership.team_id == team.id))
    )
    await session.delete(team)
    await record_change(
        session,
        context,
        admin,
        "team.delete",
        object_id=team_id,
        before=before,
        changes_routing=True,
    )


async def _team(session: AsyncSession, team_id: int, *, for_update: bool = False) -> Team:
    team = await session.get(Team, team_id, with_for_update=for_update)
    if team is None:
        raise NotFound(Text("team_not_found"))
    return team


async def _key_is_free(session: AsyncSession, key: str) -> None:
    if await session.scalar(select(Team.id).where(Team.key == key)) is not None:
        raise Conflict(Text("team_key_taken", key=key))


async def _fallback_exists(session: AsyncSession, team_id: int) -> None:
    if await session.get(Team, team_id) is None:
        raise Invalid(Text("fallback_team_not_found"), loc=("body", "fallback_team_id"))


async def _what_uses(session: AsyncSession, team_id: int) -> dict[str, int]:
    """How many routing rules, other teams (as their fallback) and open conversations
    depend on the team: the fields of ``team_in_use``."""
    counts = {
        "rules": select(func.count()).where(RoutingRule.team_id == team_id),
        "fallbacks": select(func.count()).where(
            Team.fallback_team_id == team_id, Team.id != team_id
        ),
        "conversations": select(func.count()).where(
            Conversation.team_id == team_id, Conversation.state.in_(("waiting", "human"))
        ),
    }
    return {what: int(await session.scalar(query) or 0) for what, query in counts.items()}
