"""Service articles edited by officials over HTTP, on SQLite and PostgreSQL: versions, the
owner team's right to edit, refusals as problem+json, the audit trail, and the bot's knowledge
base following every save — at once in this process, within a refresh in another replica."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from admin_api import AdminContext, create_app
from knowledge.editions import ArticlePack
from knowledge.reload import KnowledgeReload
from knowledge.retrieval import KnowledgeBase, LiveKnowledge
from store import Database, SystemClock
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import AdminClient, make_official, make_team, serving
from tests.support.running import bot_settings, free_port, new_secret_key, running_bot

WASTE = """\
---
id: waste_sorting_hsy
topic: waste and recycling
owner_team: environment
source:
  fi: https://www.hsy.fi/jatteet-ja-kierratys/jateopas-ja-lajitteluohjeet/
  sv: null
  en: https://www.hsy.fi/en/waste-and-recycling/
review_by: 2027-05-31
keywords:
  fi: [jätteet, lajittelu, kierrätys]
  sv: [avfall, sortering, återvinning]
  en: [waste, recycling, sorting]
---

# fi: Jätteiden lajittelu

Lajittele jätteet taloyhtiön keräysastioihin. HSY:n jäteopas kertoo, mihin astiaan kukin jäte
kuuluu.

# sv: Sortering av avfall

Sortera avfallet i husbolagets kärl. HSY:s avfallsguide berättar vart varje slags avfall hör.

# en: Waste sorting

Sort your waste into your building's bins. HSY's waste guide tells which bin each kind of waste
belongs in.
"""

WINTER = """\
---
id: winter_street_maintenance
topic: street maintenance
owner_team: street-maintenance
source:
  fi: https://www.hel.fi/fi/kaupunkiymparisto-ja-liikenne/kunnossapito/katujen-kunnossapito/katujen-talvikunnossapito
  sv: https://www.hel.fi/sv/stadsmiljo-och-trafik/underhall/gatuunderhall/vinterunderhall-av-gator
  en: https://www.hel.fi/en/urban-environment-and-traffic/general-maintenance/street-maintenance/winter-street-maintenance
review_by: 2020-01-31
---

# fi: Katujen talvikunnossapito

Kaupunki auraa ja liukkaudentorjuu kadut kiireellisyysjärjestyksessä.

# sv: Vinterunderhåll av gator

Staden plogar och halkbekämpar gatorna i brådskeordning.

# en: Winter street maintenance

The city ploughs and grits the streets in order of urgency.
"""

OLD_SV = "Sortera avfallet i husbolagets kärl."
NEW_SV = "Sortera bioavfall, kartong, glas och metall i egna kärl på gården."


@dataclass
class Desk:
    """The admin API over HTTP with a two-article pack, and who works at it."""

    url: str
    database: Database
    pack: ArticlePack
    live: LiveKnowledge
    admin: AdminClient
    eeva: AdminClient
    """An official of the environment team, which owns the waste article."""
    pekka: AdminClient
    """An official of the street-maintenance team."""
    comms: AdminClient


@pytest.fixture
async def desk(database: Database, tmp_path: Path) -> AsyncIterator[Desk]:
    (tmp_path / "waste_sorting_hsy.md").write_text(WASTE, encoding="utf-8")
    (tmp_path / "winter_street_maintenance.md").write_text(WINTER, encoding="utf-8")
    pack = ArticlePack.read(tmp_path)
    live = LiveKnowledge(KnowledgeBase(pack.articles.values()))
    reload = KnowledgeReload(database, pack, live)
    await reload.refresh()
    environment = await make_team(database, "environment")
    streets = await make_team(database, "street-maintenance")
    await make_official(database, email="admin@hel.fi", role="admin", name="Anna Admin")
    await make_official(
        database, email="eeva@hel.fi", role="official", teams=[environment], name="Eeva Virtanen"
    )
    await make_official(
        database, email="pekka@hel.fi", role="official", teams=[streets], name="Pekka Nieminen"
    )
    await make_official(database, email="comms@hel.fi", role="comms", teams=[environment])
    context = AdminContext(
        database=database,
        clock=SystemClock(),
        secret_key=new_secret_key(),
        articles=pack,
        on_articles_changed=reload.refresh,
    )
    async with serving(create_app(context)) as url:
        clients = [AdminClient(url) for _ in range(4)]
        for client, email in zip(clients, ("admin", "eeva", "pekka", "comms"), strict=True):
            await client.login(f"{email}@hel.fi")
        try:
            yield Desk(url, database, pack, live, *clients)
        finally:
            for client in clients:
                await client.http.aclose()


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_an_official_of_the_owner_team_edits_the_swedish_text(desk: Desk) -> None:
    read = await desk.eeva.get_ok("/articles/waste_sorting_hsy")
    assert read["version"] == 0 and read["edited_by"] is None
    assert read["titles"]["sv"] == "Sortering av avfall" and read["owner_team"] == "environment"

    saved = await desk.eeva.put_ok(
        "/articles/waste_sorting_hsy",
        {
            "text": read["text"].replace(OLD_SV, NEW_SV),
            "base_version": 0,
            "note": "Lajitteluohje tarkennettu.",
        },
    )
    assert saved["version"] == 1
    assert saved["edited_by"]["name"] == "Eeva Virtanen"

    # What every reader gets now, the history, and the shipped text kept as version 0.
    served = await desk.pekka.get_ok("/articles/waste_sorting_hsy")
    assert NEW_SV in served["text"] and served["version"] == 1
    assert served["note"] == "Lajitteluohje tarkennettu."
    versions = await desk.pekka.get_ok("/articles/waste_sorting_hsy/versions")
    assert [(v["version"], v["author"] and v["author"]["name"]) for v in versions] == [
        (1, "Eeva Virtanen"),
        (0, None),
    ]
    shipped = await desk.pekka.get_ok("/articles/waste_sorting_hsy/versions/0")
    assert shipped["text"] == WASTE

    # The audit log names her, the article and the versions.
    [entry] = await desk.admin.audit(object_type="article", object_id="waste_sorting_hsy")
    assert entry["action"] == "article.update" and entry["actor"] == "eeva@hel.fi"
    assert entry["before"]["version"] == 0 and entry["after"]["version"] == 1

    # The bot answers from the new text at once: its Swedish question finds the new words.
    [hit, *_] = desk.live.current.search("bioavfall kartong glas", "sv")
    assert hit.article.id == "waste_sorting_hsy" and NEW_SV in hit.article.body("sv")


async def test_a_save_on_a_stale_version_is_refused_and_the_other_save_stands(
    desk: Desk,
) -> None:
    read = await desk.eeva.get_ok("/articles/waste_sorting_hsy")
    await desk.admin.put_ok(
        "/articles/waste_sorting_hsy",
        {"text": read["text"].replace(OLD_SV, NEW_SV), "base_version": 0},
    )
    late = await desk.eeva.put(
        "/articles/waste_sorting_hsy",
        {"text": read["text"].replace(OLD_SV, "Något annat."), "base_version": 0},
    )
    problem = assert_problem(late, 409)
    assert (problem["code"], problem["params"]) == ("article_stale", {"newest": 1, "base": 0})
    assert "uusin versio on 1, ei 0" in problem["detail"]
    served = await desk.eeva.get_ok("/articles/waste_sorting_hsy")
    assert NEW_SV in served["text"]
    versions = await desk.eeva.get_ok("/articles/waste_sorting_hsy/versions")
    assert [v["version"] for v in versions] == [1, 0]


async def test_two_saves_at_the_same_moment_on_one_version_store_one(desk: Desk) -> None:
    answers = await asyncio.gather(
        *(
            client.put(
                "/articles/waste_sorting_hsy",
                {"text": WASTE.replace(OLD_SV, f"Version av {name}."), "base_version": 0},
            )
            for name, client in (("Eeva", desk.eeva), ("Anna", desk.admin))
        )
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    versions = await desk.admin.get_ok("/articles/waste_sorting_hsy/versions")
    assert [v["version"] for v in versions] == [1, 0]


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (WASTE.replace("review_by: 2027-05-31\n", ""), "review_by: missing"),
        (WASTE.replace("topic: waste and recycling", "topic: [waste"), "not valid YAML"),
        (WASTE.replace("# sv: Sortering av avfall", "## Sortering"), "heading '## Sortering'"),
        (WASTE.replace("  en: https://www.hsy.fi/en/waste-and-recycling/", "  en: hsy"), "en"),
    ],
)
async def test_a_broken_article_is_refused_naming_the_problem_and_nothing_is_stored(
    desk: Desk, broken: str, named: str
) -> None:
    refused = await desk.eeva.put(
        "/articles/waste_sorting_hsy", {"text": broken, "base_version": 0}
    )
    problem = assert_problem(refused, 422)
    assert named in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "text"]
    versions = await desk.eeva.get_ok("/articles/waste_sorting_hsy/versions")
    assert [v["version"] for v in versions] == [0]
    assert await desk.admin.audit(object_type="article") == []
    assert (
        desk.live.current.articles["waste_sorting_hsy"] == desk.pack.articles["waste_sorting_hsy"]
    )


async def test_the_text_must_keep_the_articles_id(desk: Desk) -> None:
    renamed = WASTE.replace("id: waste_sorting_hsy", "id: waste_sorting")
    problem = assert_problem(
        await desk.admin.put("/articles/waste_sorting_hsy", {"text": renamed, "base_version": 0}),
        422,
    )
    assert problem["code"] == "article_id_differs"
    assert problem["params"] == {"found": "waste_sorting", "article": "waste_sorting_hsy"}


async def test_only_the_owner_team_and_admins_change_an_article_and_everyone_reads(
    desk: Desk,
) -> None:
    edit = {"text": WASTE.replace(OLD_SV, NEW_SV), "base_version": 0}
    for outsider in (desk.pekka, desk.comms):
        assert_problem(await outsider.put("/articles/waste_sorting_hsy", edit), 403)
        assert_problem(
            await outsider.post("/articles/waste_sorting_hsy/retire", {"base_version": 0}), 403
        )
        assert (await outsider.get_ok("/articles/waste_sorting_hsy"))["version"] == 0
    # Pekka may not hand his team's article to a team that does not exist either.
    moved = WINTER.replace("owner_team: street-maintenance", "owner_team: snow-team")
    problem = assert_problem(
        await desk.pekka.put(
            "/articles/winter_street_maintenance", {"text": moved, "base_version": 0}
        ),
        422,
    )
    assert "snow-team" in problem["detail"]
    assert (await desk.admin.put_ok("/articles/waste_sorting_hsy", edit))["version"] == 1


async def test_articles_are_listed_by_owner_team_and_overdue_review(desk: Desk) -> None:
    listed = await desk.comms.get_ok("/articles")
    assert [(a["id"], a["review_overdue"]) for a in listed] == [
        ("waste_sorting_hsy", False),
        ("winter_street_maintenance", True),
    ]
    overdue = await desk.comms.get_ok("/articles", review_overdue="true")
    assert [a["id"] for a in overdue] == ["winter_street_maintenance"]
    ours = await desk.eeva.get_ok("/articles", owner_team="environment")
    assert [a["id"] for a in ours] == ["waste_sorting_hsy"]
    # A new review date clears the flag.
    reviewed = WINTER.replace("review_by: 2020-01-31", "review_by: 2099-01-31")
    await desk.pekka.put_ok(
        "/articles/winter_street_maintenance", {"text": reviewed, "base_version": 0}
    )
    assert await desk.comms.get_ok("/articles", review_overdue="true") == []


async def test_a_new_article_is_created_retired_and_restored(desk: Desk) -> None:
    text = WINTER.replace("id: winter_street_maintenance", "id: street_gritting")
    created = await desk.pekka.post("/articles", {"text": text, "note": "Uusi ohje."})
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    assert "street_gritting" in desk.live.current.articles
    assert_problem(await desk.admin.post("/articles", {"text": text}), 409)
    other_team = WASTE.replace("id: waste_sorting_hsy", "id: waste_bins")
    assert_problem(await desk.pekka.post("/articles", {"text": other_team}), 403)

    retired = await desk.pekka.post_ok("/articles/street_gritting/retire", {"base_version": 1})
    assert retired["retired"] is True and retired["version"] == 2
    assert "street_gritting" not in desk.live.current.articles
    assert "street_gritting" not in [a["id"] for a in await desk.comms.get_ok("/articles")]
    assert [a["id"] for a in await desk.comms.get_ok("/articles", retired="true")] == [
        "street_gritting"
    ]

    restored = await desk.pekka.post_ok(
        "/articles/street_gritting/versions/1/restore", {"base_version": 2, "note": "Takaisin."}
    )
    assert restored["retired"] is False and restored["version"] == 3
    assert "street_gritting" in desk.live.current.articles
    entries = await desk.admin.audit(object_type="article", object_id="street_gritting")
    assert [e["action"] for e in entries] == ["article.restore", "article.retire", "article.create"]
    assert entries[0]["after"]["restored_from"] == 1


async def test_another_replica_answers_from_the_edit_within_its_refresh(desk: Desk) -> None:
    other = LiveKnowledge(KnowledgeBase(desk.pack.articles.values()))
    replica = KnowledgeReload(desk.database, desk.pack, other, interval=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(replica.run(stop))
    try:
        await desk.eeva.put_ok(
            "/articles/waste_sorting_hsy",
            {"text": WASTE.replace(OLD_SV, NEW_SV), "base_version": 0},
        )
        async with asyncio.timeout(5):
            # The holder offers nothing to wait on: readers take whatever is current.
            while NEW_SV not in other.current.articles["waste_sorting_hsy"].body("sv"):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await running


async def test_a_resident_gets_the_edited_text_over_telegram(
    database_url: str, telegram: FakeTelegram, tmp_path: Path
) -> None:
    (tmp_path / "waste_sorting_hsy.md").write_text(WASTE, encoding="utf-8")
    (tmp_path / "winter_street_maintenance.md").write_text(WINTER, encoding="utf-8")
    settings = bot_settings(database_url, telegram, kb_directory=tmp_path)
    question = {
        "sv": "hur sorterar man avfall i huset",
        "fi": "miten lajittelen jätteet taloyhtiössä",
    }
    async with running_bot(settings) as bot:
        environment = await make_team(bot.database, "environment")
        await make_official(bot.database, email="eeva@hel.fi", role="official", teams=[environment])
        telegram.push_message(9001, question["sv"], language_code="sv")
        [before] = await telegram.wait_for_sent(1, chat_id=9001)
        assert OLD_SV in before.text

        async with AdminClient.of(bot) as eeva:
            await eeva.login("eeva@hel.fi")
            await eeva.put_ok(
                "/articles/waste_sorting_hsy",
                {"text": WASTE.replace(OLD_SV, NEW_SV), "base_version": 0},
            )

        transcript = [(9001, "sv", [NEW_SV], [OLD_SV]), (9002, "fi", ["HSY:n jäteopas"], [])]
        for chat, language, present, absent in transcript:
            telegram.push_message(chat, question[language], language_code=language)
            reply = (await telegram.wait_for_sent(2 if chat == 9001 else 1, chat_id=chat))[-1]
            for text in present:
                assert text in reply.text, (language, reply.text)
            for text in absent:
                assert text not in reply.text, (language, reply.text)


async def test_a_restarted_process_answers_from_the_saved_version(
    database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "waste_sorting_hsy.md").write_text(WASTE, encoding="utf-8")
    settings = bot_settings(database_url, None, kb_directory=tmp_path)
    async with running_bot(settings) as bot:
        await make_official(bot.database, email="admin@hel.fi", role="admin")
        async with AdminClient.of(bot) as admin:
            await admin.login("admin@hel.fi")
            await admin.put_ok(
                "/articles/waste_sorting_hsy",
                {"text": WASTE.replace(OLD_SV, NEW_SV), "base_version": 0},
            )
    async with running_bot(settings.model_copy(update={"port": free_port()})) as again:
        assert NEW_SV in again.knowledge.current.articles["waste_sorting_hsy"].body("sv")
