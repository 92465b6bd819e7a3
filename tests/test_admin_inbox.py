"""The officials' inbox over HTTP, with a resident on the fake Bot API, on SQLite and
PostgreSQL: a handoff is heard on the event stream at once, the official takes the thread over
and answers under their name and title, the bot stays silent meanwhile and answers again after
a release; a resolve closes the matter; of two claims at the same moment exactly one wins.
Then, without Telegram: a transfer carries the new team's promise, and an event stream starts
now, hears only the caller's teams and resumes after ``Last-Event-ID``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import pytest

from admin_api.events import EventCursor
from bot.texts import say
from routing import TeamInfo, make_promise
from routing.handoff import resident_text
from store import Conversation, Database, InboxEvent, Team
from talkkari.runtime import Runtime
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot

ASK_FOR_A_PERSON = "haluan puhua ihmisen kanssa"
HOURS = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}


@dataclass(frozen=True)
class Event:
    kind: str
    id: str | None
    data: dict[str, Any]
    arrived: float
    """``time.monotonic()`` when the client read it."""


@dataclass
class EventStream:
    """``GET /events`` read in the background; :meth:`next` waits for an event of a kind."""

    client: AdminClient
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[Event] = field(default_factory=list)
    _queue: asyncio.Queue[Event] = field(default_factory=asyncio.Queue)
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        response = await self._stack.enter_async_context(
            self.client.http.stream("GET", "/events", headers=self.headers)
        )
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert (await anext(lines)).startswith(":")  # the stream's start is fixed
        self._task = asyncio.create_task(self._read(lines))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        await self._stack.aclose()

    async def _read(self, lines: AsyncIterator[str]) -> None:
        fields: dict[str, str] = {}
        async for line in lines:
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if "event" in fields:
                event = Event(
                    kind=fields["event"],
                    id=fields.get("id"),
                    data=json.loads(fields["data"]),
                    arrived=time.monotonic(),
                )
                self.seen.append(event)
                self._queue.put_nowait(event)
            fields = {}

    async def next(self, kind: str, timeout: float = 5.0) -> Event:  # noqa: ASYNC109
        """The next event of ``kind``, passing over others."""
        async with asyncio.timeout(timeout):
            while True:
                event = await self._queue.get()
                if event.kind == kind:
                    return event


@pytest.fixture
async def bot(database_url: str, telegram: FakeTelegram) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, telegram)) as runtime:
        yield runtime


async def default_team(runtime: Runtime) -> Team:
    team = await make_team(runtime.database, "default", name_fi="Kaupunkineuvonta")
    await runtime.router.refresh()
    return team


async def hand_off(telegram: FakeTelegram, chat_id: int) -> None:
    """The resident asks for a person and is told who has the message."""
    telegram.push_message(chat_id, ASK_FOR_A_PERSON)
    [promise] = await telegram.wait_for_sent(1, chat_id=chat_id)
    assert "Kaupunkineuvonta" in promise.text


async def test_an_official_takes_over_answers_and_gives_back_to_the_bot(
    bot: Runtime, telegram: FakeTelegram
) -> None:
    chat = 5101
    team = await default_team(bot)
    aino = await make_official(
        bot.database,
        email="aino@hel.fi",
        role="official",
        teams=[team],
        name="Aino Virtanen",
        title="Katuasiantuntija",
    )
    async with AdminClient.of(bot) as official, EventStream(await logged_in(official)) as stream:
        asked_at = time.monotonic()
        await hand_off(telegram, chat)
        waiting = await stream.next("waiting")
        heard_after = waiting.arrived - asked_at
        assert heard_after < 1.0, f"the inbox heard of it after {heard_after:.2f} s"
        conversation_id = waiting.data["conversation_id"]
        assert waiting.data["team_id"] == team.id and waiting.id is not None

        page = await official.get_ok("/conversations", state="waiting")
        [item] = page["items"]
        assert item["id"] == conversation_id
        assert (item["state"], item["team_id"], item["assignee_id"]) == ("waiting", team.id, None)
        assert (item["handoff_reason"], item["resident_language"]) == ("asked", "fi")
        assert item["overdue"] is False

        claimed = await official.post_ok(f"/conversations/{conversation_id}/claim")
        assert (claimed["state"], claimed["assignee_id"]) == ("human", aino.id)
        assert (await stream.next("claimed")).data["official_id"] == aino.id
        # The resident is told who joined and that she can read the conversation.
        joined = (await telegram.wait_for_sent(2, chat_id=chat))[-1]
        assert joined.text == resident_text(
            "joined", "fi", official="Aino Virtanen, Katuasiantuntija"
        )

        # The resident writes on: the official hears it, the bot says nothing.
        telegram.push_message(chat, "onko mitään uutta?")
        await stream.next("message")
        await asyncio.sleep(1.5)
        assert len(telegram.sent(chat)) == 2
        thread = await official.get_ok(f"/conversations/{conversation_id}")
        assert [(m["author"], m["text"]) for m in thread["messages"]][-1] == (
            "resident",
            "onko mitään uutta?",
        )

        response = await official.post(
            f"/conversations/{conversation_id}/messages", {"text": "Hei, katson asiaa."}
        )
        assert response.status_code == 201, response.text
        assert response.json()["official_name"] == "Aino Virtanen"
        answer = (await telegram.wait_for_sent(3, chat_id=chat))[-1]
        assert answer.text.splitlines() == [
            "Hei, katson asiaa.",
            "— Aino Virtanen, Katuasiantuntija",
        ]

        note = "Asukas odottaa soittoa huomenna."
        response = await official.post(f"/conversations/{conversation_id}/notes", {"text": note})
        assert response.status_code == 201, response.text

        released = await official.post_ok(f"/conversations/{conversation_id}/release")
        assert (released["state"], released["assignee_id"]) == ("bot", None)
        told = (await telegram.wait_for_sent(4, chat_id=chat))[-1]
        assert told.text == resident_text("released", "fi")

        telegram.push_message(chat, "moi")
        greeting = (await telegram.wait_for_sent(5, chat_id=chat))[-1]
        assert greeting.text == say("greet", "fi")
        await stream.next("released")

        thread = await official.get_ok(f"/conversations/{conversation_id}")
        assert [n["text"] for n in thread["notes"]] == [note]
        assert thread["notes"][0]["official_name"] == "Aino Virtanen"
        replies = [m for m in thread["messages"] if m["author"] == "official"]
        assert [(m["text"], m["official_name"]) for m in replies] == [
            ("Hei, katson asiaa.", "Aino Virtanen")
        ]
        assert thread["replied_at"] is not None and thread["resolved_at"] is None

    assert all(note not in sent.text for sent in telegram.sent(chat))
    assert [event.kind for event in stream.seen] == [
        "waiting",
        "claimed",
        "message",
        "replied",
        "released",
    ]


async def test_of_two_claims_at_once_one_wins_and_a_resolve_closes_the_matter(
    bot: Runtime, telegram: FakeTelegram
) -> None:
    chat = 5102
    team = await default_team(bot)
    for email in ("aino@hel.fi", "bertil@hel.fi"):
        await make_official(bot.database, email=email, role="official", teams=[team])
    async with AdminClient.of(bot) as aino, AdminClient.of(bot) as bertil:
        await asyncio.gather(aino.login("aino@hel.fi"), bertil.login("bertil@hel.fi"))
        await hand_off(telegram, chat)
        [conversation] = (await aino.get_ok("/conversations", state="waiting"))["items"]
        path = f"/conversations/{conversation['id']}"

        responses = await asyncio.gather(aino.post(f"{path}/claim"), bertil.post(f"{path}/claim"))
        assert sorted(r.status_code for r in responses) == [200, 409]
        winner, loser = (aino, bertil) if responses[0].status_code == 200 else (bertil, aino)
        refused = next(r for r in responses if r.status_code == 409)
        assert refused.headers["content-type"] == "application/problem+json"

        for action, body in (("messages", {"text": "Minä hoidan."}), ("release", None)):
            assert (await loser.post(f"{path}/{action}", body)).status_code == 409
        assert (await loser.post(f"{path}/resolve")).status_code == 409

        resolved = await winner.post_ok(f"{path}/resolve")
        assert resolved["state"] == "closed" and resolved["resolved_at"] is not None
        assert resolved["replied_at"] is None  # resolved is not replied
        told = (await telegram.wait_for_sent(3, chat_id=chat))[-1]  # after the winner joined
        assert told.text == resident_text("resolved", "fi")

        telegram.push_message(chat, "moi")
        greeting = (await telegram.wait_for_sent(4, chat_id=chat))[-1]
        assert greeting.text == say("greet", "fi")
        assert (await winner.get_ok(path))["state"] == "closed"


async def logged_in(client: AdminClient) -> AdminClient:
    await client.login("aino@hel.fi")
    return client


@pytest.fixture
async def quiet_bot(database_url: str) -> AsyncIterator[Runtime]:
    """The process without Telegram: conversations are inserted directly."""
    async with running_bot(bot_settings(database_url, None)) as runtime:
        yield runtime


async def waiting_conversation(runtime: Runtime, team: Team, chat_id: int) -> int:
    async with runtime.database.transaction() as session:
        conversation = Conversation(
            channel="web", chat_id=chat_id, state="waiting", team_id=team.id, handoff_reason="asked"
        )
        session.add(conversation)
    return conversation.id


async def test_a_transfer_passes_the_conversation_on_with_the_new_teams_promise(
    quiet_bot: Runtime,
) -> None:
    streets = await make_team(quiet_bot.database, "streets")
    parks = await make_team(quiet_bot.database, "parks", office_hours=HOURS, sla_minutes=240)
    await make_official(quiet_bot.database, email="aino@hel.fi", role="official", teams=[streets])
    bertil = await make_official(
        quiet_bot.database, email="bertil@hel.fi", role="official", teams=[parks]
    )
    conversation_id = await waiting_conversation(quiet_bot, streets, 1)
    path = f"/conversations/{conversation_id}"
    async with AdminClient.of(quiet_bot) as aino, AdminClient.of(quiet_bot) as other:
        await asyncio.gather(aino.login("aino@hel.fi"), other.login("bertil@hel.fi"))
        assert (await other.get(path)).status_code == 404
        await aino.post_ok(f"{path}/claim")
        async with EventStream(other) as stream:
            moved = await aino.post_ok(f"{path}/transfer", {"team_id": parks.id})
            transferred = await stream.next("transferred")
        assert transferred.data["team_id"] == parks.id
        assert (moved["state"], moved["team_id"], moved["assignee_id"]) == (
            "waiting",
            parks.id,
            None,
        )
        at = datetime.fromisoformat(moved["updated_at"])
        promise = make_promise(TeamInfo.from_row(parks), at)
        assert promise.due_at is not None
        assert datetime.fromisoformat(moved["due_at"]) == promise.due_at
        assert (await aino.get(path)).status_code == 404  # out of Aino's teams now

        [listed] = (await other.get_ok("/conversations", state="waiting"))["items"]
        assert listed["id"] == conversation_id
        given = await other.post_ok(f"{path}/transfer", {"official_id": bertil.id})
        assert (given["state"], given["assignee_id"]) == ("human", bertil.id)
        mine = await other.get_ok("/conversations", assignee="me")
        assert [item["id"] for item in mine["items"]] == [conversation_id]
        refused = await other.post(f"{path}/transfer", {})
        assert refused.status_code == 422


async def test_a_stream_starts_now_hears_only_its_teams_and_resumes_after_the_last_event(
    quiet_bot: Runtime,
) -> None:
    streets = await make_team(quiet_bot.database, "streets")
    parks = await make_team(quiet_bot.database, "parks")
    await make_official(quiet_bot.database, email="aino@hel.fi", role="official", teams=[streets])
    await make_official(quiet_bot.database, email="bertil@hel.fi", role="official", teams=[parks])
    own = await waiting_conversation(quiet_bot, streets, 1)
    others = await waiting_conversation(quiet_bot, parks, 2)
    async with AdminClient.of(quiet_bot) as aino, AdminClient.of(quiet_bot) as bertil:
        await asyncio.gather(aino.login("aino@hel.fi"), bertil.login("bertil@hel.fi"))
        await aino.post_ok(f"/conversations/{own}/claim")  # before the stream: not heard
        async with EventStream(aino) as stream:
            await bertil.post_ok(f"/conversations/{others}/claim")
            await aino.post_ok(f"/conversations/{own}/notes", {"text": "Muistiin."})
            await aino.post_ok(f"/conversations/{own}/messages", {"text": "Hei!"})
            replied = await stream.next("replied")
        assert [event.kind for event in stream.seen] == ["replied"]
        assert replied.data["conversation_id"] == own and replied.id is not None

        await aino.post_ok(f"/conversations/{own}/release")  # while nobody listens
        async with EventStream(aino, headers={"Last-Event-ID": replied.id}) as resumed:
            released = await resumed.next("released")
        assert released.data["conversation_id"] == own
        assert int(released.id or 0) > int(replied.id)

        comms = await make_official(quiet_bot.database, email="comms@hel.fi", role="comms")
        async with AdminClient.of(quiet_bot) as staff:
            await staff.login(comms.email)
            assert (await staff.get("/events")).status_code == 403
        aino.use_token(None)
        assert (await aino.get("/events")).status_code == 401


async def test_an_event_committed_after_a_later_one_is_still_read(database: Database) -> None:
    """On PostgreSQL ids are not committed in order: an id read past is looked for again."""

    async def add(*ids: int) -> None:
        async with database.transaction() as session:
            session.add_all(
                InboxEvent(id=id_, kind="waiting", conversation_id=None, team_id=None)
                for id_ in ids
            )

    await add(10)
    cursor = EventCursor(last=10)
    await add(11, 13)
    async with database.sessions() as session:
        assert [(e.id, late) for e, late in await cursor.read(session)] == [
            (11, False),
            (13, False),
        ]
    await add(12, 14)
    async with database.sessions() as session:
        assert [(e.id, late) for e, late in await cursor.read(session)] == [
            (12, True),
            (14, False),
        ]
        assert await cursor.read(session) == []
    assert cursor.last == 14


async def test_the_inbox_pages_through_every_conversation_once_newest_first(
    database_url: str,
) -> None:
    async with running_bot(bot_settings(database_url, None)) as bot:
        team = await make_team(bot.database, "streets")
        await make_official(bot.database, email="paging@hel.fi", role="admin")
        start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
        async with bot.database.transaction() as session:
            session.add_all(
                Conversation(
                    channel="telegram",
                    chat_id=7700 + n,
                    state="waiting",
                    team_id=team.id,
                    slots={},
                    # Two share a time: the id decides between them.
                    updated_at=start + timedelta(minutes=min(n, 3)),
                )
                for n in range(7)
            )
        async with AdminClient.of(bot) as admin:
            await admin.login("paging@hel.fi")
            seen: list[int] = []
            cursor = None
            pages = 0
            while True:
                params: dict[str, Any] = {"limit": 2, "team_id": team.id}
                if cursor:
                    params["cursor"] = cursor
                page = await admin.get_ok("/conversations", **params)
                seen += [item["id"] for item in page["items"]]
                pages += 1
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            stale = await admin.get("/conversations", cursor="bm90LWEtY3Vyc29y")
    assert pages == 4
    assert len(seen) == len(set(seen)) == 7
    assert seen == sorted(seen, reverse=True)  # newest activity first, then the newer id
    assert stale.status_code == 422
