"""The resident is told when a person joins the conversation and when they leave it, whichever
way they leave: release, resolve, or a transfer to another team, to the team's queue or to
another official."""

from __future__ import annotations

import pytest

from routing.handoff import TEXTS, claim, release, resolve, transfer
from store import Database
from tests import test_handoff
from tests.test_handoff import LATER, NOW, World, joined, outbox_of, waiting

world = test_handoff.world

TITLES = {"fi": "katusuunnittelija", "sv": "gatuplanerare", "en": "street planner"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_person_joining_and_leaving_is_told_in_the_residents_language(
    database: Database, world: World, language: str
) -> None:
    released = await waiting(database, world, 80, language=language)
    resolved = await waiting(database, world, 81, language=language)
    async with database.transaction() as session:
        await claim(session, released, world.aino, NOW)
        await claim(session, resolved, world.aino, NOW)
        await release(session, released, world.aino, LATER)
        await resolve(session, resolved, world.aino, LATER)
    aino = joined(f"Aino Virtanen, {TITLES[language]}", language)
    assert await outbox_of(database, 80) == [aino, TEXTS["released"][language]]
    assert await outbox_of(database, 81) == [aino, TEXTS["resolved"][language]]
    assert {"fi": "voi lukea", "sv": "kan läsa", "en": "can read"}[language] in aino


async def test_a_transfer_to_another_official_says_who_has_it_now(
    database: Database, world: World
) -> None:
    conversation_id = await waiting(database, world, 82, language="en")
    async with database.transaction() as session:
        await claim(session, conversation_id, world.aino, NOW)
        await transfer(
            session,
            conversation_id,
            world.aino,
            to_official_id=world.bertil.id,
            due_at=None,
            now=LATER,
        )
    assert await outbox_of(database, 82) == [
        joined("Aino Virtanen, street planner", "en"),
        joined("Bertil Ek, insinööri", "en"),  # no English title: the Finnish one stands in
    ]


async def test_back_to_the_teams_queue_the_person_has_left_and_the_resident_hears_it(
    database: Database, world: World
) -> None:
    conversation_id = await waiting(database, world, 83)
    async with database.transaction() as session:
        await claim(session, conversation_id, world.aino, NOW)
        moved = await transfer(
            session, conversation_id, world.aino, team_id=world.street.id, due_at=LATER, now=LATER
        )
    assert (moved.state, moved.assignee_id) == ("waiting", None)
    said = await outbox_of(database, 83)
    assert said[-1] == TEXTS["transferred"]["fi"].format(team="street fi")


async def test_a_waiting_conversation_moved_within_its_team_says_nothing_new(
    database: Database, world: World
) -> None:
    conversation_id = await waiting(database, world, 84)
    async with database.transaction() as session:
        await transfer(
            session, conversation_id, world.aino, team_id=world.street.id, due_at=LATER, now=NOW
        )
    assert await outbox_of(database, 84) == []
