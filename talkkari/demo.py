"""Demo data, so a newcomer sees a living bot: ``talkkari run --demo``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from bot.inbound import Inbound
from bot.intake import Intake
from bot.ports import Button
from knowledge.registry import import_cases, read_cases_csv
from routing import Router
from store import Conversation, Database, RoutingRule, SystemClock, Team

__all__ = ["DEMO_CHANNEL", "DEMO_CONVERSATIONS", "DemoTransport", "seed_demo"]

log = logging.getLogger(__name__)

DEMO_CHANNEL = "demo"
DEMO_CHAT_BASE = 9_000_000_000
"""Demo residents' chat ids: far from any real Telegram user id."""

DEMO_CONVERSATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fi", ("moi", "mitä osaat?", "missä vaiheessa on HEL 2015-001115")),
    ("sv", ("hej", "vad kan du göra?")),
    ("en", ("hello", "what can you do?")),
)


class DemoTransport:
    """The demo residents' channel: what is said to them is delivered nowhere."""

    channel = DEMO_CHANNEL

    def spacing(self, chat_id: int) -> float:
        return 0.0

    async def send(
        self, chat_id: int, text: str, *, buttons: Sequence[Sequence[Button]] | None = None
    ) -> int | None:
        return None


DEMO_CASES = Path(__file__).with_name("demo_cases.csv")
"""Registry cases for the demo: titles and statuses of real cases from Ahjo's open data."""


DEMO_TEAMS = (
    {
        "key": "default",
        "name_fi": "Kaupungin neuvonta",
        "name_sv": "Stadens rådgivning",
        "name_en": "City advice",
    },
    {
        "key": "street-maintenance",
        "name_fi": "Katujen kunnossapito",
        "name_sv": "Gatuunderhåll",
        "name_en": "Street maintenance",
    },
    # The owner teams of the service articles (knowledge/data/articles): a question the bot
    # cannot answer is offered to the team that owns its topic.
    {
        "key": "environment",
        "name_fi": "Ympäristöpalvelut",
        "name_sv": "Miljötjänster",
        "name_en": "Environmental services",
    },
    {
        "key": "parking",
        "name_fi": "Pysäköinti",
        "name_sv": "Parkering",
        "name_en": "Parking",
    },
    {
        "key": "education",
        "name_fi": "Kasvatus ja koulutus",
        "name_sv": "Fostran och utbildning",
        "name_en": "Education",
    },
    {
        "key": "culture-and-leisure",
        "name_fi": "Kulttuuri ja vapaa-aika",
        "name_sv": "Kultur och fritid",
        "name_en": "Culture and leisure",
    },
    {
        "key": "health-and-social",
        "name_fi": "Sosiaali- ja terveyspalvelut",
        "name_sv": "Social- och hälsovårdstjänster",
        "name_en": "Health and social services",
    },
    {
        "key": "building-control",
        "name_fi": "Rakennusvalvonta",
        "name_sv": "Byggnadstillsyn",
        "name_en": "Building control",
    },
    {
        "key": "decisions",
        "name_fi": "Päätöksenteko",
        "name_sv": "Beslutsfattande",
        "name_en": "Decision-making",
    },
    {
        "key": "housing",
        "name_fi": "Asuminen",
        "name_sv": "Boende",
        "name_en": "Housing",
    },
    {
        "key": "employment",
        "name_fi": "Työllisyyspalvelut",
        "name_sv": "Sysselsättningstjänster",
        "name_en": "Employment services",
    },
)
"""Demo teams (weekdays 8–16, an answer within a working day), so the handoff can be tried."""
WEEKDAYS_8_TO_16 = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}


async def seed_demo(database: Database, intake: Intake, router: Router | None = None) -> int:
    """Three demo residents talk to the bot once, through the real dialogue; the registry gets
    a few cases to ask about (``HEL 2015-001115``) and there are the teams of
    :data:`DEMO_TEAMS`, reports of street problems going to street maintenance; idempotent."""
    rows, _ = read_cases_csv(DEMO_CASES)
    await import_cases(database, rows, clock=SystemClock())
    await _seed_teams(database)
    if router is not None:
        await router.refresh()
    async with database.sessions() as session:
        seeded = await session.scalar(
            select(Conversation.id).where(
                Conversation.channel == DEMO_CHANNEL, Conversation.chat_id == DEMO_CHAT_BASE
            )
        )
    if seeded is not None:
        return 0
    update_id = 0
    for index, (language, texts) in enumerate(DEMO_CONVERSATIONS):
        for text in texts:
            update_id += 1
            await intake.record(
                Inbound(
                    channel=DEMO_CHANNEL,
                    update_id=update_id,
                    kind="text",
                    chat_id=DEMO_CHAT_BASE + index,
                    user_id=f"demo-{language}",
                    language_code=language,
                    text=text,
                )
            )
    handled = 0
    while answered := await intake.handle_pending():  # a chat's messages come one per round
        handled += answered
    log.info("demo data: %d messages from demo residents answered", handled)
    return handled


async def _seed_teams(database: Database) -> None:
    async with database.transaction() as session:
        if await session.scalar(select(Team.id).limit(1)) is not None:
            return
        teams = [
            Team(**team, office_hours=WEEKDAYS_8_TO_16, sla_minutes=480, active=True)
            for team in DEMO_TEAMS
        ]
        session.add_all(teams)
        await session.flush()
        session.add(
            RoutingRule(
                position=1,
                name="Street problems (demo)",
                intent="report_issue",
                team_id=teams[1].id,
                active=True,
            )
        )
