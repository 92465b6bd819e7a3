"""The router: the active teams and rules, read from the database, answering where a question
goes and what the resident is promised.

Lookups are synchronous and read an in-memory snapshot, replaced whole by :meth:`Router.refresh`
(every 30 seconds in :meth:`Router.run`, and at once when the admin API changes teams or rules).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import select

from routing.hours import HELSINKI, OfficeHours
from routing.promise import ServicePromise, TeamInfo, make_promise
from routing.rules import Explanation, Question, Rule, choose, explain
from store import Database, RoutingRule, Team

__all__ = ["DEFAULT_TEAM_KEY", "Router"]

DEFAULT_TEAM_KEY = "default"
"""The key of the team that gets what no rule matches (else the first active team by id)."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    teams: Mapping[int, TeamInfo] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    default_team: TeamInfo | None = None


class Router:
    """Routes questions to teams with the rules and teams last read from ``database``.

    Only active teams and active rules of active teams are held. Until the first
    :meth:`refresh` it knows no team, and :meth:`route` returns None.
    """

    def __init__(
        self, database: Database, *, timezone: tzinfo = HELSINKI, interval: float = 30.0
    ) -> None:
        self._database = database
        self._timezone = timezone
        self._interval = interval
        self._snapshot = _Snapshot()

    @property
    def teams(self) -> Mapping[int, TeamInfo]:
        return self._snapshot.teams

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The active rules, in the order they are tried."""
        return self._snapshot.rules

    @property
    def default_team(self) -> TeamInfo | None:
        return self._snapshot.default_team

    async def refresh(self) -> None:
        """Read the active teams and rules in one read-only session and use them from now on."""
        async with self._database.sessions() as session:
            team_rows = (
                await session.scalars(select(Team).where(Team.active).order_by(Team.id))
            ).all()
            rule_rows = (
                await session.scalars(
                    select(RoutingRule)
                    .where(RoutingRule.active)
                    .order_by(RoutingRule.position, RoutingRule.id)
                )
            ).all()
            teams = {row.id: self._team_info(row) for row in team_rows}
            rules = tuple(Rule.from_row(row) for row in rule_rows if row.team_id in teams)
        default = next((team for team in teams.values() if team.key == DEFAULT_TEAM_KEY), None)
        if default is None and teams:
            default = teams[min(teams)]
        self._snapshot = _Snapshot(teams, rules, default)

    async def run(self, stop: asyncio.Event) -> None:
        """Refresh now and every ``interval`` seconds until ``stop`` is set; a failed refresh
        is logged and the last snapshot kept."""
        while not stop.is_set():
            try:
                await self.refresh()
            except Exception:
                logger.exception("routing: reading teams and rules failed; keeping the last ones")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval)

    def route(self, question: Question) -> tuple[TeamInfo, Rule | None] | None:
        """The team for ``question`` and the rule that chose it (None: the default team).
        None when there is no active team at all."""
        snapshot = self._snapshot
        rule = choose(snapshot.rules, question)
        if rule is not None:
            return snapshot.teams[rule.team_id], rule
        if snapshot.default_team is None:
            return None
        return snapshot.default_team, None

    def explain(self, question: Question) -> Explanation:
        """:func:`routing.rules.explain` over the rules held."""
        return explain(self._snapshot.rules, question)

    def promise(self, question: Question, now: datetime) -> ServicePromise | None:
        routed = self.route(question)
        return None if routed is None else make_promise(routed[0], now)

    def team(self, team_id: int) -> TeamInfo | None:
        """An active team by id."""
        return self._snapshot.teams.get(team_id)

    def team_by_key(self, key: str) -> TeamInfo | None:
        """An active team by its key (a service article names its owner team so)."""
        return next((team for team in self._snapshot.teams.values() if team.key == key), None)

    def fallback_of(self, team_id: int) -> TeamInfo | None:
        """The active team that takes over what ``team_id`` leaves past its SLA, if any."""
        team = self.team(team_id)
        if team is None or team.fallback_team_id is None or team.fallback_team_id == team_id:
            return None
        return self.team(team.fallback_team_id)

    def _team_info(self, row: Team) -> TeamInfo:
        try:
            return TeamInfo.from_row(row, timezone=self._timezone)
        except ValueError as exc:
            # The admin API refuses bad hours, so this is a row edited by hand: never promise
            # from hours we cannot read.
            logger.error("routing: team %s has unreadable office hours (%s)", row.key, exc)
            return TeamInfo(
                id=row.id,
                key=row.key,
                name_fi=row.name_fi,
                name_sv=row.name_sv,
                name_en=row.name_en,
                hours=OfficeHours.from_json({}, self._timezone),
                sla_minutes=row.sla_minutes,
                fallback_team_id=row.fallback_team_id,
            )
