"""The local case registry: imported from CSV, answered before Ahjo, followable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from knowledge.cases import Case, NotFound
from knowledge.registry import CaseRegistry
from store import Database
from talkkari.cli import main
from tests.fakes.ahjo import FakeAhjo
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot

CSV = """diary_number,title,title_sv,title_en,status,team,note,note_sv,note_en
HEL 2025-001216,Haltialan eläinsuojelukeskus,Djurskyddscenter i Tomtbacka,,Vireillä,ymparisto,\
Valmistelu jatkuu keväällä.,Beredningen fortsätter i vår.,Preparation continues in spring.
hel-2026-77,Uusi leikkipuisto,,,Vireillä,,,,
HEL 2026-abc,Rikki,,,Vireillä,,,,
HEL 2026-000078,,,,Vireillä,,,,
HEL 2026-000079,Väärä tila,,,Kesken,,,,
"""


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return path


async def test_import_from_csv_names_each_refused_line_and_updates_on_reimport(
    database: Database,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TALKKARI_DATABASE_URL", database_url)
    path = write_csv(tmp_path, CSV)
    assert await _run_cli(["cases", "import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "registry: 2 added, 0 updated, 0 unchanged, 3 refused" in out
    assert "cases.csv:4: 'HEL 2026-abc' is not a diary number" in err
    assert "cases.csv:5: the title is empty" in err
    assert "cases.csv:6: the status 'Kesken' is not one of" in err

    registry = CaseRegistry(database)
    found = await registry.lookup("HEL 2026-000077")
    assert isinstance(found, Case) and found.title == "Uusi leikkipuisto"
    swedish = await registry.lookup("HEL 2025-001216", language="sv")
    assert isinstance(swedish, Case)
    assert (swedish.title, swedish.note) == (
        "Djurskyddscenter i Tomtbacka",
        "Beredningen fortsätter i vår.",
    )
    english = await registry.lookup("HEL 2025-001216", language="en")
    assert isinstance(english, Case) and english.title == "Haltialan eläinsuojelukeskus"
    assert isinstance(await registry.lookup("HEL 2026-000078"), NotFound)

    path.write_text(CSV.replace("Uusi leikkipuisto,,,Vireillä", "Uusi leikkipuisto,,,Päätetty"))
    assert await _run_cli(["cases", "import", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert "registry: 0 added, 1 updated, 1 unchanged, 3 refused" in out
    decided = await registry.lookup("HEL 2026-000077")
    assert isinstance(decided, Case) and decided.status == "Päätetty"
    assert decided.fingerprint != found.fingerprint  # so its followers are told


async def _run_cli(argv: list[str]) -> int:
    """The CLI runs an event loop of its own: run it in a thread beside the test's."""
    return await asyncio.to_thread(main, argv)


async def test_a_registered_case_is_answered_before_ahjo(
    database_url: str, telegram: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TALKKARI_DATABASE_URL", database_url)
    assert await _run_cli(["cases", "import", str(write_csv(tmp_path, CSV))]) == 1
    with FakeAhjo() as ahjo:
        settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
        async with running_bot(settings):
            telegram.push_message(8001, "missä vaiheessa on HEL 2025-001216")
            [reply] = await telegram.wait_for_sent(1, chat_id=8001)
            telegram.push_message(8001, "seuraa asiaa HEL 2026-000077")
            _, followed = await telegram.wait_for_sent(2, chat_id=8001)
        assert ahjo.requests("HEL-2025-001216") == 0
    assert reply.text.splitlines() == [
        "Asia HEL 2025-001216: Haltialan eläinsuojelukeskus",
        "Tila: vireillä (käsittely on kesken).",
        "Kaupungin tiedote: Valmistelu jatkuu keväällä.",
    ]
    assert followed.text.startswith("Seuraat nyt asiaa HEL 2026-000077")
