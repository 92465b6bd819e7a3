"""Routing rules: where a question goes. The first active rule (by ``position``, then id) whose
every set field matches wins; unset fields match anything.

Admins and officials read the rules and ask ``/routing/explain``; admins write. Each write is
awaited by the router (``AdminContext.on_routing_changed``) once committed.
"""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.changes import record_change
from admin_api.deps import (
    NOT_SENT,
    AdminOfficial,
    ContextDep,
    IdField,
    Input,
    Line,
    ObjectId,
    Patch,
    ReadSessionDep,
    SessionDep,
    require_role,
)
from admin_api.errors import Invalid, NotFound, Unavailable, problem_responses
from admin_api.texts import Text
from store import Official, RoutingRule, Team

__all__ = ["RuleIn", "RuleOut", "RulePatch", "router"]

router = APIRouter(prefix="/routing", tags=["routing"], responses=problem_responses(400, 401, 422))

Reader = Annotated[Official, Depends(require_role("admin", "official"))]

Position = Annotated[int, Field(ge=0, le=1_000_000, description="Lower comes first.")]
Intent = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z_]+$")]
Area = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="A district (nominative Finnish name) or a postal code.",
    ),
]
SectorId = Annotated[
    str,
    Field(
        min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]*$", description="Ahjo SectorID."
    ),
]
Category = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00-\x1f\x7f]*$",
        description="Report category (Open311 service code).",
    ),
]


class RuleIn(Input):
    position: Position
    name: Line
    intent: Intent | None = None
    area: Area | None = None
    sector_id: SectorId | None = None
    category: Category | None = None
    team_id: IdField
    active: bool = True


class RulePatch(Patch):
    position: Position = NOT_SENT
    name: Line = NOT_SENT
    intent: Intent | None = None
    area: Area | None = None
    sector_id: SectorId | None = None
    category: Category | None = None
    team_id: IdField = NOT_SENT
    active: bool = NOT_SENT


class RuleOut(BaseModel):
    id: int
    position: int
    name: str
    intent: str | None
    area: str | None
    sector_id: str | None
    category: str | None
    team_id: int
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, rule: RoutingRule) -> RuleOut:
        return cls(
            id=rule.id,
            position=rule.position,
            name=rule.name,
            intent=rule.intent,
            area=rule.area,
            sector_id=rule.sector_id,
            category=rule.category,
            team_id=rule.team_id,
            active=rule.active,
            created_at=rule.created_at,
        )


@router.get("/rules", response_model=list[RuleOut], responses=problem_responses(403))
async def list_rules(reader: Reader, session: ReadSessionDep) -> list[RuleOut]:
    """All rules in the order they are tried (inactive ones too)."""
    rules = await session.scalars(
        select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)
    )
    return [RuleOut.of(rule) for rule in rules]


@router.post(
    "/rules",
    response_model=RuleOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403),
)
async def create_rule(
    body: RuleIn, admin: AdminOfficial, session: SessionDep, context: ContextDep
) -> RuleOut:
    await _team_exists(session, body.team_id)
    rule = RoutingRule(**body.model_dump(), created_at=context.clock.now())
    session.add(rule)
    await session.flush()
    after = RuleOut.of(rule)
    await record_change(
        session,
        context,
        admin,
        "rule.create",
        object_id=rule.id,
        after=after,
        changes_routing=True,
    )
    return after


@router.patch("/rules/{rule_id}", response_model=RuleOut, responses=problem_responses(403, 404))
async def update_rule(
    rule_id: ObjectId,
    body: RulePatch,
    admin: AdminOfficial,
    session: SessionDep,
    context: ContextDep,
) -> RuleOut:
    rule = await _rule(session, rule_id)
    before = RuleOut.of(rule)
    changes = body.changes()
    if "team_id" in changes:
        await _team_exists(session, changes["team_id"])
    for name, value in changes.items():
        setattr(rule, name, value)
    await session.flush()
    after = RuleOut.of(rule)
    if after != before:
        await record_change(
            session,
            context,
            admin,
            "rule.update",
            object_id=rule.id,
            before=before,
            after=after,
            changes_routing=True,
        )
    return after


@router.delete(
    "/rules/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
async def delete_rule(
    rule_id: ObjectId, admin: AdminOfficial, session: SessionDep, context: ContextDep
) -> None:
    rule = await _rule(session, rule_id)
    before = RuleOut.of(rule).model_dump(mode="json")
    await session.delete(rule)
    await record_change(
        session,
        context,
        admin,
        "rule.delete",
        object_id=rule_id,
        before=before,
        changes_routing=True,
    )


@router.get(
    "/explain",
    response_model=dict[str, Any],
    responses=problem_responses(403, 503),
)
async def explain_routing(
    reader: Reader,
    context: ContextDep,
    text: Annotated[str, Query(min_length=1, max_length=1000, pattern=r"^[^\x00]*$")],
) -> dict[str, Any]:
    """What the bot understands of ``text`` and which rule (and team) it would go to."""
    if context.explain is None:
        raise Unavailable(Text("explain_unavailable"))
    answer = context.explain(text)
    if inspect.isawaitable(answer):
        answer = await answer
    return answer


async def _rule(session: AsyncSession, rule_id: int) -> RoutingRule:
    rule = await session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(Text("rule_not_found"))
    return rule


async def _team_exists(session: AsyncSession, team_id: int) -> None:
    if await session.get(Team, team_id) is None:
        raise Invalid(Text("team_not_found"), loc=("body", "team_id"))
