"""Routing rules (pure) and the router reading teams and rules from SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import update

from routing import HELSINKI, Question, Router, Rule, choose, explain
from store import Database, RoutingRule, Team

STREETS, PARKS, DEFAULT = 10, 20, 30


def rule(
    rule_id: int,
    position: int,
    team_id: int,
    *,
    intent: str | None = None,
    area: str | None = None,
    sector_id: str | None = None,
    category: str | None = None,
    active: bool = True,
) -> Rule:
    return Rule(
        id=rule_id,
        position=position,
        team_id=team_id,
        name=f"rule {rule_id}",
        intent=intent,
        area=area,
        sector_id=sector_id,
        category=category,
        active=active,
    )


# --- choosing a rule ----------------------------------------------------------------------


def test_rules_are_tried_by_position_not_by_their_order_in_the_list() -> None:
    rules = [
        rule(1, 20, PARKS, intent="report_issue"),
        rule(2, 10, STREETS, intent="report_issue"),
        rule(3, 10, DEFAULT),  # same position as rule 2: the lower id goes first
    ]
    assert choose(rules, Question(intent="report_issue")) == rules[1]
    assert choose(rules, Question(intent="greet")) == rules[2]


def test_inactive_rules_are_skipped() -> None:
    rules = [
        rule(1, 1, PARKS, intent="report_issue", active=False),
        rule(2, 2, STREETS, intent="report_issue"),
    ]
    assert choose(rules, Question(intent="report_issue")) == rules[1]
    assert choose(rules[:1], Question(intent="report_issue")) is None


def test_an_area_matches_the_district_name_or_a_postal_code() -> None:
    rules = [
        rule(1, 1, PARKS, area="Kallio"),
        rule(2, 2, STREETS, area="00100"),
    ]
    assert choose(rules, Question(area="Kallio")) == rules[0]
    assert choose(rules, Question(area="kallio ")) == rules[0]
    assert choose(rules, Question(postal_code="00100")) == rules[1]
    assert choose(rules, Question(area="Kamppi", postal_code="00100")) == rules[1]
    assert choose(rules, Question(area="00100")) is None  # a postal code is not a district
    assert choose(rules, Question(area="Kamppi")) is None
    assert choose(rules, Question()) is None


def test_every_set_field_must_match() -> None:
    rules = [
        rule(1, 1, PARKS, intent="case_status", sector_id="U02600"),
        rule(2, 2, STREETS, intent="report_issue", category="pothole", area="Kallio"),
        rule(3, 3, DEFAULT, category="litter"),
    ]
    assert choose(rules, Question(intent="case_status", sector_id="U02600")) == rules[0]
    assert choose(rules, Question(intent="case_status", sector_id="U04000")) is None
    assert choose(rules, Question(intent="case_status")) is None
    pothole_in_kallio = Question(intent="report_issue", area="Kallio", category="pothole")
    assert choose(rules, pothole_in_kallio) == rules[1]
    assert choose(rules, Question(intent="report_issue", category="pothole")) is None
    assert choose(rules, Question(intent="report_issue", category="litter")) == rules[2]


def test_explain_tells_why_each_rule_did_or_did_not_match() -> None:
    rules = [
        rule(1, 1, PARKS, intent="report_issue", active=False),
        rule(2, 2, PARKS, intent="report_issue", area="00530"),
        rule(3, 3, STREETS, intent="report_issue", category="pothole"),
        rule(4, 4, DEFAULT, intent="report_issue"),
    ]
    question = Question(intent="report_issue", postal_code="00100", category="pothole")
    explanation = explain(rules, question)
    assert explanation.question == question
    assert explanation.chosen == rules[2] == choose(rules, question)
    assert [verdict.rule.id for verdict in explanation.verdicts] == [1, 2, 3, 4]
    assert [(verdict.matched, verdict.chosen) for verdict in explanation.verdicts] == [
        (False, False),
        (False, False),
        (True, True),
        (True, False),
    ]
    assert [verdict.reason for verdict in explanation.verdicts] == [
        "inactive",
        "postal_code: wanted '00530', got '00100'",
        "matches: chosen",
        "matches, but an earlier rule was chosen",
    ]
    assert [check.field for check in explanation.verdicts[2].checks] == ["intent", "category"]
    assert explain([], question).chosen is None


# --- the router over a real database ------------------------------------------------------

WEEKDAYS = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}


def team_row(team_id: int, key: str, **fields: object) -> Team:
    values: dict[str, object] = {
        "id": team_id,
        "key": key,
        "name_fi": f"{key} fi",
        "name_sv": f"{key} sv",
        "name_en": f"{key} en",
        "office_hours": WEEKDAYS,
        "sla_minutes": 240,
        **fields,
    }
    return Team(**values)


async def seed(database: Database) -> None:
    async with database.transaction() as session:
        session.add_all(
            [
                team_row(1, "parks", sla_minutes=60),
                team_row(2, "streets"),
                team_row(3, "default", office_hours={}),
                team_row(4, "closed", active=False),
                team_row(5, "broken", office_hours={"1": [["16:00", "08:00"]]}),
            ]
        )
        await session.flush()
        await session.execute(update(Team).where(Team.id == 2).values(fallback_team_id=1))
        await session.execute(update(Team).where(Team.id == 1).values(fallback_team_id=4))
        session.add_all(
            [
                RoutingRule(id=1, position=5, name="potholes", category="pothole", team_id=2),
                RoutingRule(id=2, position=1, name="old", intent="report_issue", team_id=1,
                            active=False),
                RoutingRule(id=3, position=2, name="gone team", area="Kallio", team_id=4),
                RoutingRule(id=4, position=3, name="parks of Kallio", area="Kallio",
                            intent="report_issue", team_id=1),
                RoutingRule(id=5, position=4, name="city centre", area="00100", team_id=2),
            ]
        )  # fmt: skip


async def test_the_router_reads_active_teams_and_rules(database: Database) -> None:
    await seed(database)
    router = Router(database, timezone=HELSINKI)
    assert router.route(Question()) is None  # nothing read yet
    await router.refresh()

    assert sorted(router.teams) == [1, 2, 3, 5]
    assert [rule.id for rule in router.rules] == [4, 5, 1]
    assert router.team(4) is None
    parks = router.team(1)
    assert parks is not None and parks.key == "parks" and parks.name("sv") == "parks sv"
    assert parks.hours.to_json() == WEEKDAYS

    routed = router.route(Question(intent="report_issue", area="Kallio"))
    assert routed is not None and (routed[0].key, routed[1] and routed[1].id) == ("parks", 4)
    routed = router.route(Question(postal_code="00100", category="pothole"))
    assert routed is not None and (routed[0].key, routed[1] and routed[1].id) == ("streets", 5)
    routed = router.route(Question(intent="greet", area="Kallio"))
    assert routed is not None and routed == (router.team(3), None)
    assert router.explain(Question(category="pothole")).chosen == router.rules[2]

    streets = router.fallback_of(2)
    assert streets is not None and streets.key == "parks"
    assert router.fallback_of(1) is None  # its fallback is not active
    assert router.fallback_of(3) is None
    assert router.fallback_of(99) is None

    # Unreadable hours in a row never become a promise of a time.
    broken = router.team(5)
    assert broken is not None and broken.hours.is_empty


async def test_the_promise_of_the_routed_team(database: Database) -> None:
    await seed(database)
    router = Router(database)
    await router.refresh()
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 9:00 in Helsinki
    promise = router.promise(Question(intent="report_issue", area="Kallio"), now)
    assert promise is not None and promise.team_key == "parks" and promise.open_now
    assert promise.due_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    default = router.promise(Question(), now)
    assert default is not None and default.team_key == "default" and default.due_at is None


async def test_without_a_default_key_the_first_active_team_is_the_default(
    database: Database,
) -> None:
    router = Router(database)
    await router.refresh()
    assert router.route(Question()) is None
    assert router.promise(Question(), datetime(2026, 11, 23, 7, tzinfo=UTC)) is None

    async with database.transaction() as session:
        session.add_all(
            [team_row(7, "water", active=False), team_row(8, "roads"), team_row(9, "a")]
        )
    await router.refresh()
    assert router.default_team is not None and router.default_team.key == "roads"
    assert router.route(Question(intent="greet")) == (router.team(8), None)


async def test_run_refreshes_until_stopped(database: Database) -> None:
    router = Router(database, interval=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(router.run(stop))
    async with database.transaction() as session:
        session.add(team_row(1, "default"))
    for _ in range(500):  # the next refresh, within 5 seconds
        if router.default_team is not None:
            break
        await asyncio.sleep(0.01)
    assert router.default_team is not None and router.default_team.key == "default"
    stop.set()
    await asyncio.wait_for(running, 5)
    assert running.done() and running.exception() is None
