"""``talkkari officials add``: the first administrator comes from the command line."""

from __future__ import annotations

import asyncio
import io

import pytest

from talkkari.cli import main
from talkkari.places import database_shown
from tests.support.admin import AdminClient, make_team
from tests.support.running import bot_settings, running_bot

PASSWORD = "pitkä-ja-hyvä-salasana"


def add(argv: list[str], password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["officials", "add", *argv, "--password-stdin"])


async def test_an_official_added_on_the_command_line_can_log_in_with_their_team(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TALKKARI_DATABASE_URL", database_url)
    async with running_bot(bot_settings(database_url, None)) as bot:
        team = await make_team(bot.database, "streets")
        argv = [
            "--email",
            "Maija.Meikalainen@hel.fi",
            "--name",
            "Maija Meikäläinen",
            "--title",
            "liikenneinsinööri",
            "--title-en",
            "traffic engineer",
            "--role",
            "official",
            "--team",
            "streets",
        ]
        assert await asyncio.to_thread(add, argv, PASSWORD, monkeypatch) == 0
        assert await asyncio.to_thread(add, argv, PASSWORD, monkeypatch) == 1  # already there
        unknown_team = [*argv[:-1], "parks"]
        assert await asyncio.to_thread(add, unknown_team, PASSWORD, monkeypatch) == 2
        assert await asyncio.to_thread(add, argv, "short", monkeypatch) == 2
        async with AdminClient.of(bot) as client:
            await client.login("maija.meikalainen@hel.fi", PASSWORD)
            me = await client.get_ok("/me")
    err = capsys.readouterr().err
    assert f"talkkari: database {database_shown(database_url)}" in err
    # The first account in a database that has none may be a sign of the wrong database.
    assert err.count("warning: this database has no other official") == 1
    assert "no team with the key parks; known keys: streets" in err
    assert "at least" in err
    assert me["email"] == "maija.meikalainen@hel.fi"
    assert me["role"] == "official"
    assert me["teams"] == [team.id]
    assert (me["title_fi"], me["title_en"]) == ("liikenneinsinööri", "traffic engineer")


def test_the_database_shown_never_carries_its_password() -> None:
    shown = database_shown("postgresql+asyncpg://talkkari:salainen@db:5432/talkkari")
    assert shown == "postgresql+asyncpg://talkkari:***@db:5432/talkkari"
