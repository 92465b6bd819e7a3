"""The handoff state machine on real SQLite and PostgreSQL: every transition with its audit
entry and inbox event, what reaches the resident, and officials acting at the same moment."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from routing.errors import Conflict, HandoffError, InvalidState, InvalidTarget, NotFound
from routing.handoff import (
    TEXTS,
    add_note,
    claim,
    escalate_overdue,
    hand_off,
    note_resident_message,
    release,
    reply,
    resident_text,
    resolve,
    return_to_bot,
    transfer,
)
from routing.sla import SlaWatch
from store import (
    AuditEntry,
    Conversation,
    Database,
    InboxEvent,
    Membership,
    Message,
    Note,
    Official,
    OutboxMessage,
    Resident,
    Team,
)

NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)


def due_in_sla(team: Team, now: datetime) -> datetime | None:
    return now + timedelta(minutes=team.sla_minutes)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


# Rows, inserted directly.


async def add_team(
    database: Database, key: str, *, fallback: Team | None = None, active: bool = True
) -> Team:
    async with database.transaction() as session:
        team = Team(
            key=key,
            name_fi=f"{key} fi",
            name_sv=f"{key} sv",
            name_en=f"{key} en",
            office_hours={},
            sla_minutes=60,
            fallback_team_id=fallback.id if fallback else None,
            active=active,
        )
        session.add(team)
    return team


async def add_official(
    database: Database,
    name: str,
    *,
    teams: Sequence[Team] = (),
    title_fi: str = "suunnittelija",
    title_sv: str | None = None,
    title_en: str | None = None,
    role: str = "official",
    active: bool = True,
) -> Official:
    async with database.transaction() as session:
        official = Official(
            email=f"{name.split()[0].lower()}@example.org",
            name=name,
            title_fi=title_fi,
            title_sv=title_sv,
            title_en=title_en,
            languages={"spoken": ["fi"]},
            role=role,
            password_hash="-",
            active=active,
        )
        session.add(official)
        await session.flush()
        session.add_all(Membership(official_id=official.id, team_id=team.id) for team in teams)
    return official


async def add_conversation(
    database: Database,
    chat_id: int,
    *,
    language: str | None = "fi",
    state: str = "bot",
    team: Team | None = None,
    assignee: Official | None = None,
    due_at: datetime | None = None,
) -> int:
    async with database.transaction() as session:
        resident = Resident(channel="telegram", external_id=str(chat_id), language=language)
        session.add(resident)
        await session.flush()
        conversation = Conversation(
            channel="telegram",
            chat_id=chat_id,
            resident_id=resident.id,
            slots={},
            state=state,
            team_id=team.id if team else None,
            assignee_id=assignee.id if assignee else None,
            waiting_since=NOW if state == "waiting" else None,
            due_at=due_at,
        )
        session.add(conversation)
        await session.flush()
        return conversation.id


@dataclass(frozen=True)
class World:
    street: Team
    parks: Team
    duty: Team
    aino: Official
    bertil: Official
    cecilia: Official
    dan: Official
    eero: Official


@pytest.fixture
async def world(database: Database) -> World:
    duty = await add_team(database, "duty")
    street = await add_team(database, "street", fallback=duty)
    parks = await add_team(database, "parks")
    return World(
        street=street,
        parks=parks,
        duty=duty,
        aino=await add_official(
            database,
            "Aino Virtanen",
            teams=[street],
            title_fi="katusuunnittelija",
            title_sv="gatuplanerare",
            title_en="street planner",
        ),
        bertil=await add_official(database, "Bertil Ek", teams=[street], title_fi="insinööri"),
        cecilia=await add_official(database, "Cecilia Lund", teams=[parks]),
        dan=await add_official(database, "Dan Inactive", teams=[street], active=False),
        eero=await add_official(database, "Eero Admin", role="admin"),
    )


async def waiting(database: Database, world: World, chat_id: int, *, language: str = "fi") -> int:
    """A conversation waiting for the street team, due at ``LATER``."""
    return await add_conversation(
        database, chat_id, language=language, state="waiting", team=world.street, due_at=LATER
    )


async def held_by(database: Database, world: World, official: Official, chat_id: int) -> int:
    conversation_id = await waiting(database, world, chat_id)
    async with database.transaction() as session:
        await claim(session, conversation_id, official, NOW)
    return conversation_id


# Reading back.


async def conversation_of(database: Database, conversation_id: int) -> Conversation:
    async with database.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None
    return conversation


async def events_of(database: Database, conversation_id: int) -> list[tuple[str, int | None]]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(InboxEvent)
            .where(InboxEvent.conversation_id == conversation_id)
            .order_by(InboxEvent.id)
        )
        return [(event.kind, event.team_id) for event in rows]


async def audit_of(database: Database, conversation_id: int) -> list[AuditEntry]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "conversation",
                AuditEntry.object_id == str(conversation_id),
            )
            .order_by(AuditEntry.id)
        )
        return list(rows)


def joined(who: str, language: str = "fi") -> str:
    """What the resident is told when an official (``name, title``) takes the thread."""
    return resident_text("joined", language, official=who)


async def outbox_of(database: Database, chat_id: int) -> list[str]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage.text)
            .where(OutboxMessage.chat_id == chat_id)
            .order_by(OutboxMessage.id)
        )
        return list(rows)


# The residents' side.


async def test_hand_off_queues_the_conversation_for_the_team(
    database: Database, world: World
) -> None:
    conversation_id = await add_conversation(database, 1)
    async with database.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        assert await hand_off(
            session,
            conversation,
            team_id=world.street.id,
            reason="asked",
            area="Kallio",
            due_at=LATER,
            now=NOW,
        )
        assert conversation.state == "waiting"
        again = await hand_off(
            session,
            conversation,
            team_id=world.parks.id,
            reason="asked",
            area=None,
            due_at=None,
            now=NOW,
        )
        assert not again

    stored = await conversation_of(database, conversation_id)
    assert (stored.state, stored.team_id, stored.assignee_id) == ("waiting", world.street.id, None)
    assert (stored.handoff_reason, stored.area) == ("asked", "Kallio")
    assert (stored.waiting_since, stored.due_at, stored.version) == (NOW, LATER, 1)
    assert await events_of(database, conversation_id) == [("waiting", world.street.id)]
    [entry] = await audit_of(database, conversation_id)
    assert (entry.actor, entry.official_id, entry.action) == (
        "system",
        None,
        "conversation.hand_off",
    )
    assert entry.before == {"state": "bot"}
    assert entry.after is not None
    assert entry.after["team_id"] == world.street.id
    assert entry.after["due_at"] == LATER.isoformat()


async def test_a_closed_conversation_is_handed_off_afresh(database: Database, world: World) -> None:
    conversation_id = await held_by(database, world, world.aino, 2)
    async with database.transaction() as session:
        await resolve(session, conversation_id, world.aino, NOW)
    async with database.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.acknowledged_at = NOW
        handed = await hand_off(
            session,
            conversation,
            team_id=world.parks.id,
            reason="not_understood",
            area=None,
            due_at=LATER,
            now=LATER,
        )
        assert handed
    stored = await conversation_of(database, conversation_id)
    assert (stored.state, stored.team_id, stored.assignee_id) == ("waiting", world.parks.id, None)
    assert (stored.resolved_at, stored.acknowledged_at, stored.escalated_at) == (None, None, None)
    assert stored.waiting_since == LATER
    assert stored.version == 3  # claimed, resolved, handed off


async def test_resident_messages_reach_the_inbox_only_while_people_have_it(
    database: Database, world: World
) -> None:
    with_bot = await add_conversation(database, 3)
    with_people = await waiting(database, world, 4)
    async with database.transaction() as session:
        for conversation_id, expected in ((with_bot, False), (with_people, True)):
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            assert await note_resident_message(session, conversation, LATER) is expected
    assert (await conversation_of(database, with_bot)).last_resident_message_at == LATER
    assert (await conversation_of(database, with_people)).last_resident_message_at == LATER
    assert await events_of(database, with_bot) == []
    assert await events_of(database, with_people) == [("message", world.street.id)]


async def test_the_resident_takes_the_conversation_back_to_the_bot(
    database: Database, world: World
) -> None:
    conversation_id = await held_by(database, world, world.aino, 5)
    async with database.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        assert await return_to_bot(session, conversation, LATER)
        assert not await return_to_bot(session, conversation, LATER)
    stored = await conversation_of(database, conversation_id)
    assert (stored.state, stored.assignee_id, stored.version) == ("bot", None, 2)
    assert (await events_of(database, conversation_id))[-1] == ("released", world.street.id)
    entry = (await audit_of(database, conversation_id))[-1]
    assert (entry.actor, entry.action) == ("resident", "conversation.return_to_bot")
    assert entry.before == {"state": "human", "assignee_id": world.aino.id}
    # Told of the claim; of the return, the bot's own reply says it.
    assert await outbox_of(database, 5) == [joined("Aino Virtanen, katusuunnittelija")]


# Claiming.


async def test_an_official_claims_a_waiting_conversation(database: Database, world: World) -> None:
    conversation_id = await waiting(database, world, 10)
    async with database.transaction() as session:
        claimed = await claim(session, conversation_id, world.aino, NOW)
        assert (claimed.state, claimed.assignee_id, claimed.version) == ("human", world.aino.id, 1)
    async with database.transaction() as session:
        again = await claim(session, conversation_id, world.aino, LATER)
        assert (again.state, again.version) == ("human", 1)

    assert await events_of(database, conversation_id) == [("claimed", world.street.id)]
    # The resident hears who joined, once.
    assert await outbox_of(database, 10) == [joined("Aino Virtanen, katusuunnittelija")]
    [entry] = await audit_of(database, conversation_id)
    assert (entry.actor, entry.official_id) == ("aino@example.org", world.aino.id)
    assert entry.action == "conversation.claim"
    assert entry.before == {"state": "waiting", "assignee_id": None}
    assert entry.after == {"state": "human", "assignee_id": world.aino.id}


async def test_a_claim_is_refused_when_it_cannot_apply(database: Database, world: World) -> None:
    held = await held_by(database, world, world.aino, 11)
    with_bot = await add_conversation(database, 12)
    async with database.transaction() as session:
        with pytest.raises(Conflict) as conflict:
            await claim(session, held, world.bertil, NOW)
        assert conflict.value.holder_id == world.aino.id
        assert conflict.value.status == 409
        with pytest.raises(InvalidState) as invalid:
            await claim(session, with_bot, world.aino, NOW)
        assert invalid.value.state == "bot"
        with pytest.raises(NotFound):
            await claim(session, 999_999, world.aino, NOW)
    assert (await conversation_of(database, held)).assignee_id == world.aino.id


async def claim_or_conflict(
    database: Database,
    conversation_id: int,
    official: Official,
    together: asyncio.Barrier | None,
) -> int | None:
    """Claim in a transaction of its own; the winner holds the row a moment before commit."""
    try:
        async with database.transaction() as session:
            if together is not None:
                await together.wait()
            claimed = await claim(session, conversation_id, official, NOW)
            await asyncio.sleep(0.02)
            return claimed.assignee_id
    except Conflict:
        return None


async def assert_exactly_one_won(
    database: Database, conversation_id: int, outcomes: Sequence[int | None]
) -> None:
    winners = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1, outcomes
    stored = await conversation_of(database, conversation_id)
    assert (stored.state, stored.assignee_id, stored.version) == ("human", winners[0], 1)
    assert [kind for kind, _ in await events_of(database, conversation_id)] == ["claimed"]
    assert len(await audit_of(database, conversation_id)) == 1


async def test_two_officials_claiming_at_once_exactly_one_wins(
    database: Database, world: World
) -> None:
    for chat_id in range(20, 25):
        conversation_id = await waiting(database, world, chat_id)
        # In one process SQLite transactions take turns, so they cannot meet at a barrier.
        together = None if database.is_sqlite else asyncio.Barrier(2)
        outcomes = await asyncio.gather(
            claim_or_conflict(database, conversation_id, world.aino, together),
            claim_or_conflict(database, conversation_id, world.bertil, together),
        )
        await assert_exactly_one_won(database, conversation_id, outcomes)


async def test_two_processes_claiming_at_once_exactly_one_wins(
    database: Database, world: World
) -> None:
    """Two ``Database`` objects on one database: two connections really race (on SQLite
    too, where one process's transactions would take turns)."""
    other = Database(database.url)
    try:
        for chat_id in range(30, 35):
            conversation_id = await waiting(database, world, chat_id)
            together = asyncio.Barrier(2)
            outcomes = await asyncio.gather(
                claim_or_conflict(database, conversation_id, world.aino, together),
                claim_or_conflict(other, conversation_id, world.bertil, together),
            )
            await assert_exactly_one_won(database, conversation_id, outcomes)
    finally:
        await other.dispose()


# Replies and notes.


@pytest.mark.parametrize(
    ("language", "title"),
    [("fi", "katusuunnittelija"), ("sv", "gatuplanerare"), ("en", "street planner")],
)
async def test_a_reply_is_signed_with_name_and_title_in_the_residents_language(
    database: Database, world: World, language: str, title: str
) -> None:
    conversation_id = await waiting(database, world, 40, language=language)
    async with database.transaction() as session:
        await claim(session, conversation_id, world.aino, NOW)
        message = await reply(
            session, conversation_id, world.aino, "  Korjataan huomenna.  ", LATER
        )
    assert (message.direction, message.author, message.official_id) == (
        "out",
        "official",
        world.aino.id,
    )
    assert (message.text, message.language) == ("Korjataan huomenna.", language)
    assert await outbox_of(database, 40) == [
        joined(f"Aino Virtanen, {title}", language),
        f"Korjataan huomenna.\n— Aino Virtanen, {title}",
    ]

    stored = await conversation_of(database, conversation_id)
    assert (stored.state, stored.replied_at, stored.resolved_at) == ("human", LATER, None)
    assert stored.version == 1  # a reply changes nobody's hold on it
    assert (await events_of(database, conversation_id))[-1] == ("replied", world.street.id)
    entry = (await audit_of(database, conversation_id))[-1]
    assert entry.action == "conversation.reply"
    assert entry.after == {"message_id": message.id, "length": len("Korjataan huomenna.")}
    assert "Korjataan" not in json.dumps([entry.before, entry.after])


@pytest.mark.parametrize("language", ["sv", "en"])
async def test_the_finnish_title_stands_in_for_a_missing_translation(
    database: Database, world: World, language: str
) -> None:
    conversation_id = await waiting(database, world, 41, language=language)
    async with database.transaction() as session:
        await claim(session, conversation_id, world.bertil, NOW)
        await reply(session, conversation_id, world.bertil, "Hej!", NOW)
    assert await outbox_of(database, 41) == [
        joined("Bertil Ek, insinööri", language),
        "Hej!\n— Bertil Ek, insinööri",
    ]


async def test_replies_reach_the_outbox_in_order(database: Database, world: World) -> None:
    conversation_id = await held_by(database, world, world.aino, 42)
    for text in ("Ensimmäinen.", "Toinen.", "Kolmas."):
        async with database.transaction() as session:
            await reply(session, conversation_id, world.aino, text, NOW)
    async with database.transaction() as session:
        await release(session, conversation_id, world.aino, NOW)
    assert await outbox_of(database, 42) == [
        joined("Aino Virtanen, katusuunnittelija"),
        "Ensimmäinen.\n— Aino Virtanen, katusuunnittelija",
        "Toinen.\n— Aino Virtanen, katusuunnittelija",
        "Kolmas.\n— Aino Virtanen, katusuunnittelija",
        TEXTS["released"]["fi"],
    ]


async def test_only_the_assignee_replies(database: Database, world: World) -> None:
    queued = await waiting(database, world, 43)
    held = await held_by(database, world, world.aino, 44)
    async with database.transaction() as session:
        with pytest.raises(InvalidState):
            await reply(session, queued, world.aino, "Hei", NOW)
        with pytest.raises(Conflict):
            await reply(session, held, world.bertil, "Hei", NOW)
        with pytest.raises(InvalidTarget) as empty:
            await reply(session, held, world.aino, "  \n", NOW)
        assert empty.value.status == 422
        with pytest.raises(NotFound):
            await reply(session, 999_999, world.aino, "Hei", NOW)
    assert await outbox_of(database, 43) == []
    assert await outbox_of(database, 44) == [joined("Aino Virtanen, katusuunnittelija")]


async def test_notes_are_internal_and_never_reach_the_outbox(
    database: Database, world: World
) -> None:
    conversation_id = await held_by(database, world, world.aino, 45)
    async with database.transaction() as session:
        note = await add_note(session, conversation_id, world.bertil, "Soita asukkaalle", NOW)
        with pytest.raises(NotFound):
            await add_note(session, 999_999, world.bertil, "x", NOW)
    async with database.transaction() as session:
        stored = (await session.scalars(select(Note))).one()
        messages = (await session.scalars(select(Message))).all()
    assert (stored.id, stored.text, stored.official_id) == (
        note.id,
        "Soita asukkaalle",
        world.bertil.id,
    )
    aino_joined = joined("Aino Virtanen, katusuunnittelija")
    assert [message.text for message in messages] == [aino_joined]
    assert await outbox_of(database, 45) == [aino_joined]
    entry = (await audit_of(database, conversation_id))[-1]
    assert (entry.action, entry.after) == ("conversation.note", {"note_id": note.id})


# Transfers.


async def test_a_transfer_to_a_team_queues_it_there(database: Database, world: World) -> None:
    conversation_id = await add_conversation(
        database, 50, language="sv", state="waiting", team=world.street, due_at=LATER
    )
    async with database.transaction() as session:
        await claim(session, conversation_id, world.aino, NOW)
    new_due = LATER + timedelta(days=1)
    async with database.transaction() as session:
        moved = await transfer(
            session, conversation_id, world.aino, team_id=world.parks.id, due_at=new_due, now=LATER
        )
    assert (moved.state, moved.team_id, moved.assignee_id) == ("waiting", world.parks.id, None)
    assert (moved.due_at, moved.waiting_since, moved.version) == (new_due, LATER, 2)
    assert (await events_of(database, conversation_id))[-2:] == [
        ("transferred", world.parks.id),
        ("transferred", world.street.id),
    ]
    assert await outbox_of(database, 50) == [
        joined("Aino Virtanen, gatuplanerare", "sv"),
        resident_text("transferred", "sv", team="parks sv"),
    ]
    entry = (await audit_of(database, conversation_id))[-1]
    assert entry.action == "conversation.transfer"
    assert entry.before == {
        "state": "human",
        "team_id": world.street.id,
        "assignee_id": world.aino.id,
    }
    assert entry.after == {
        "state": "waiting",
        "team_id": world.parks.id,
        "assignee_id": None,
        "due_at": new_due.isoformat(),
    }


async def test_a_transfer_to_an_official_gives_it_to_them(database: Database, world: World) -> None:
    conversation_id = await waiting(database, world, 51)
    async with database.transaction() as session:
        moved = await transfer(
            session,
            conversation_id,
            world.aino,
            to_official_id=world.bertil.id,
            due_at=None,
            now=NOW,
        )
    assert (moved.state, moved.team_id, moved.assignee_id) == (
        "human",
        world.street.id,
        world.bertil.id,
    )
    assert moved.due_at == LATER  # the promise to the resident stands
    async with database.transaction() as session:
        moved = await transfer(
            session,
            conversation_id,
            world.bertil,
            team_id=world.parks.id,
            to_official_id=world.cecilia.id,
            due_at=None,
            now=NOW,
        )
    assert (moved.state, moved.team_id, moved.assignee_id) == (
        "human",
        world.parks.id,
        world.cecilia.id,
    )
    assert [kind for kind, _ in await events_of(database, conversation_id)] == ["transferred"] * 3
    entry = (await audit_of(database, conversation_id))[-1]
    assert entry.after == {
        "state": "human",
        "team_id": world.parks.id,
        "assignee_id": world.cecilia.id,
    }


async def test_a_transfer_needs_a_target_that_can_take_it(database: Database, world: World) -> None:
    queued = await waiting(database, world, 52)
    attempts: list[dict[str, int | None]] = [
        {},  # nobody
        {"to_official_id": world.dan.id},  # inactive
        {"to_official_id": world.cecilia.id},  # not in the street team
        {"to_official_id": 999_999},
        {"team_id": 999_999},
    ]
    for attempt in attempts:
        async with database.transaction() as session:
            with pytest.raises(InvalidTarget):
                await transfer(session, queued, world.aino, due_at=None, now=NOW, **attempt)
    inactive = await add_team(database, "closed down", active=False)
    async with database.transaction() as session:
        with pytest.raises(InvalidState):  # InvalidTarget is one
            await transfer(session, queued, world.aino, team_id=inactive.id, due_at=None, now=NOW)
    stored = await conversation_of(database, queued)
    assert (stored.state, stored.team_id, stored.version) == ("waiting", world.street.id, 0)


async def test_only_the_holder_or_an_admin_transfers_a_claimed_conversation(
    database: Database, world: World
) -> None:
    held = await held_by(database, world, world.aino, 53)
    with_bot = await add_conversation(database, 54)
    async with database.transaction() as session:
        with pytest.raises(Conflict):
            await transfer(
                session, held, world.bertil, team_id=world.parks.id, due_at=None, now=NOW
            )
        with pytest.raises(InvalidState):
            await transfer(
                session, with_bot, world.aino, team_id=world.parks.id, due_at=None, now=NOW
            )
        with pytest.raises(NotFound):
            await transfer(
                session, 999_999, world.aino, team_id=world.parks.id, due_at=None, now=NOW
            )
    async with database.transaction() as session:
        moved = await transfer(
            session, held, world.eero, to_official_id=world.bertil.id, due_at=None, now=NOW
        )
    assert moved.assignee_id == world.bertil.id


# Release and resolve.


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_release_gives_the_conversation_back_to_the_bot_and_says_so(
    database: Database, world: World, language: str
) -> None:
    conversation_id = await waiting(database, world, 60, language=language)
    async with database.transaction() as session:
        await claim(session, conversation_id, world.aino, NOW)
        released = await release(session, conversation_id, world.aino, LATER)
    assert (released.state, released.assignee_id, released.version) == ("bot", None, 2)
    assert await outbox_of(database, 60) == [
        joined(
            "Aino Virtanen, "
            + {"fi": "katusuunnittelija", "sv": "gatuplanerare"}.get(language, "street planner"),
            language,
        ),
        TEXTS["released"][language],
    ]
    assert (await events_of(database, conversation_id))[-1] == ("released", world.street.id)
    entry = (await audit_of(database, conversation_id))[-1]
    assert (entry.action, entry.official_id) == ("conversation.release", world.aino.id)
    assert entry.before == {"state": "human", "assignee_id": world.aino.id}
    assert entry.after == {"state": "bot", "assignee_id": None}


async def test_only_the_assignee_releases(database: Database, world: World) -> None:
    held = await held_by(database, world, world.aino, 61)
    queued = await waiting(database, world, 62)
    async with database.transaction() as session:
        with pytest.raises(Conflict):
            await release(session, held, world.bertil, NOW)
        with pytest.raises(InvalidState):
            await release(session, queued, world.aino, NOW)
    assert (await conversation_of(database, held)).state == "human"


async def test_resolving_closes_it_and_is_not_replying(database: Database, world: World) -> None:
    held = await held_by(database, world, world.aino, 63)
    queued = await add_conversation(
        database, 64, language="en", state="waiting", team=world.street, due_at=LATER
    )
    async with database.transaction() as session:
        closed = await resolve(session, held, world.aino, LATER)
        assert (closed.state, closed.resolved_at, closed.replied_at) == ("closed", LATER, None)
        assert closed.assignee_id == world.aino.id  # who had it stays on record
        await resolve(session, queued, world.bertil, LATER)
    assert await outbox_of(database, 63) == [
        joined("Aino Virtanen, katusuunnittelija"),
        TEXTS["resolved"]["fi"],
    ]
    assert await outbox_of(database, 64) == [TEXTS["resolved"]["en"]]
    for conversation_id, before in ((held, "human"), (queued, "waiting")):
        assert (await events_of(database, conversation_id))[-1] == ("resolved", world.street.id)
        entry = (await audit_of(database, conversation_id))[-1]
        assert entry.action == "conversation.resolve"
        assert entry.before == {"state": before}
        assert entry.after == {"state": "closed", "resolved_at": LATER.isoformat()}


async def test_resolving_someone_elses_conversation_takes_an_admin(
    database: Database, world: World
) -> None:
    held = await held_by(database, world, world.aino, 65)
    with_bot = await add_conversation(database, 66)
    async with database.transaction() as session:
        with pytest.raises(Conflict):
            await resolve(session, held, world.bertil, NOW)
        with pytest.raises(InvalidState):
            await resolve(session, with_bot, world.aino, NOW)
    async with database.transaction() as session:
        closed = await resolve(session, held, world.eero, NOW)
    assert closed.state == "closed"
    async with database.transaction() as session:
        with pytest.raises(InvalidState):
            await resolve(session, held, world.aino, NOW)


def test_every_resident_text_is_in_three_different_languages() -> None:
    for key, texts in TEXTS.items():
        assert set(texts) == {"fi", "sv", "en"}, key
        assert all(text.strip() for text in texts.values()), key
        assert len(set(texts.values())) == 3, key


def test_every_refusal_is_a_handoff_error_with_a_status() -> None:
    statuses = {error: error.status for error in (NotFound, Conflict, InvalidState, InvalidTarget)}
    assert statuses == {NotFound: 404, Conflict: 409, InvalidState: 409, InvalidTarget: 422}
    assert all(issubclass(error, HandoffError) for error in statuses)


# Escalation.


async def test_overdue_conversations_escalate_once(database: Database, world: World) -> None:
    to_fallback = await waiting(database, world, 70)
    no_fallback = await add_conversation(
        database, 71, state="waiting", team=world.parks, due_at=LATER
    )
    not_yet = await add_conversation(
        database, 72, state="waiting", team=world.street, due_at=LATER + timedelta(hours=1)
    )
    claimed = await held_by(database, world, world.aino, 73)
    after_due = LATER + timedelta(minutes=1)

    async with database.transaction() as session:
        assert await escalate_overdue(session, after_due, due_for=due_in_sla) == 2
    async with database.transaction() as session:
        assert await escalate_overdue(session, after_due, due_for=due_in_sla) == 0

    moved = await conversation_of(database, to_fallback)
    assert (moved.state, moved.team_id, moved.escalated_at) == ("waiting", world.duty.id, after_due)
    assert moved.due_at == after_due + timedelta(minutes=60)
    assert await events_of(database, to_fallback) == [
        ("escalated", world.duty.id),
        ("escalated", world.street.id),
    ]
    [entry] = await audit_of(database, to_fallback)
    assert (entry.actor, entry.action) == ("system", "conversation.escalate")
    assert entry.before == {"team_id": world.street.id, "due_at": LATER.isoformat()}

    marked = await conversation_of(database, no_fallback)
    assert (marked.team_id, marked.due_at, marked.escalated_at) == (
        world.parks.id,
        LATER,
        after_due,
    )
    assert await events_of(database, no_fallback) == [("escalated", world.parks.id)]
    assert (await conversation_of(database, not_yet)).escalated_at is None
    assert (await conversation_of(database, claimed)).escalated_at is None
    # A later handoff may escalate again.
    async with database.transaction() as session:
        await resolve(session, no_fallback, world.cecilia, after_due)
        conversation = await session.get(Conversation, no_fallback)
        assert conversation is not None
        await hand_off(
            session,
            conversation,
            team_id=world.parks.id,
            reason="asked",
            area=None,
            due_at=after_due,
            now=after_due,
        )
    async with database.transaction() as session:
        assert (
            await escalate_overdue(session, after_due + timedelta(minutes=30), due_for=due_in_sla)
            == 1
        )


async def test_two_replicas_escalate_each_conversation_once(
    database: Database, world: World
) -> None:
    overdue = [await waiting(database, world, chat_id) for chat_id in range(80, 90)]
    other = Database(database.url)
    after_due = LATER + timedelta(minutes=1)

    async def escalate(replica: Database) -> int:
        async with replica.transaction() as session:
            return await escalate_overdue(session, after_due, due_for=due_in_sla, limit=4)

    try:
        rounds = [await asyncio.gather(escalate(database), escalate(other)) for _ in range(4)]
    finally:
        await other.dispose()
    assert sum(map(sum, rounds)) == len(overdue)
    for conversation_id in overdue:
        assert len(await audit_of(database, conversation_id)) == 1
        assert (await conversation_of(database, conversation_id)).team_id == world.duty.id


async def test_the_sla_watch_escalates_in_its_own_transaction(
    database: Database, world: World
) -> None:
    conversation_id = await waiting(database, world, 91)
    clock = FixedClock(NOW)
    rung = asyncio.Event()
    watch = SlaWatch(database, clock=clock, due_for=due_in_sla, interval=0.01, on_change=rung.set)
    assert await watch.check_once() == 0
    assert not rung.is_set()

    clock.current = LATER + timedelta(seconds=1)
    stop = asyncio.Event()
    running = asyncio.create_task(watch.run(stop))
    await asyncio.wait_for(rung.wait(), 5)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert (await conversation_of(database, conversation_id)).team_id == world.duty.id
    assert await watch.check_once() == 0
