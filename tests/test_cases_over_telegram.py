"""Cases by diary number, end to end: Telegram → understanding → Ahjo (fake, real HTTP) → reply;
following a case and being told, once, when it moves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.fakes.ahjo import FakeAhjo
from tests.fakes.telegram import FakeTelegram
from tests.support.clock import ShiftedClock
from tests.support.running import bot_settings, running_bot

CASE = "HEL 2025-001216"
TITLE = "Valtuustoaloite, Haltialan kotieläintilasta eläinsuojelukeskus"


@pytest.fixture
def ahjo() -> Iterator[FakeAhjo]:
    with FakeAhjo() as fake:
        yield fake


Turn = tuple[str, list[str]]
"""What the resident writes, and what each reply to it must contain."""

TRANSCRIPTS: dict[str, list[Turn]] = {
    "fi": [
        (
            f"missä vaiheessa on {CASE}",
            [
                f"Asia {CASE}: {TITLE}",
                "Tila: ratkaistu.",
                "Käsittelyvaihe: päättynyt – Keskushallinto.",
                "Viimeisin asiakirja: päätös, 7.4.2025: https://ahjojulkaisu.hel.fi/",
                "Lisätietoja: https://paatokset.hel.fi/fi/asia/hel-2025-001216",
            ],
        ),
        ("mikä on asian HEL 2099-123456 tilanne", ["Numerolla HEL 2099-123456 ei löydy"]),
        ("missä vaiheessa on asia HEL 25-1216?", ["Tuo ei näytä Helsingin diaarinumerolta"]),
    ],
    "sv": [
        (
            f"vad är läget i ärendet {CASE}",
            [
                f"Ärende {CASE}: {TITLE}",
                "Ärendets status: avgjort.",
                "Skede: avslutat – Centralförvaltningen.",
                "Senaste handling: beslut, 7.4.2025: https://ahjojulkaisu.hel.fi/",
                "Mer information: https://paatokset.hel.fi/sv/arende/hel-2025-001216",
            ],
        ),
        ("hur går det med ärendet HEL 2099-123456", ["Det finns inget offentligt ärende"]),
        ("vad är läget i ärendet HEL 25-1216?", ["Det där ser inte ut som ett diarienummer"]),
    ],
    "en": [
        (
            f"what is the status of {CASE}",
            [
                f"Case {CASE}: {TITLE}",
                "Status: resolved.",
                "Stage: completed – Central Administration.",
                "Latest document: decision, 7 Apr 2025: https://ahjojulkaisu.hel.fi/",
                "More information: https://paatokset.hel.fi/en/case/hel-2025-001216",
            ],
        ),
        ("what is the status of case HEL 2099-123456", ["There is no public case"]),
        ("what is the status of case HEL 25-1216?", ["That does not look like a Helsinki"]),
    ],
}

THREE = {
    "fi": "kerro asioista HEL 2025-001216, HEL 2017-000241 ja HEL 2016-007159",
    "sv": "berätta om ärendena HEL 2025-001216, HEL 2017-000241 och HEL 2016-007159",
    "en": "tell me about HEL 2025-001216, HEL 2017-000241 and HEL 2016-007159",
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_case_transcript(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo, language: str
) -> None:
    chat = {"fi": 7001, "sv": 7002, "en": 7003}[language]
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    async with running_bot(settings):
        sent = 0
        for said, expected in TRANSCRIPTS[language]:
            telegram.push_message(chat, said, language_code=language)
            sent += 1
            reply = (await telegram.wait_for_sent(sent, chat_id=chat))[-1].text
            for line in expected:
                assert line in reply, (said, reply)
        telegram.push_message(chat, THREE[language], language_code=language)
        replies = await telegram.wait_for_sent(sent + 3, chat_id=chat)
    three = [reply.text for reply in replies[sent:]]
    assert [text.split(":")[0].split()[-1] for text in three] == [
        "2025-001216",
        "2017-000241",
        "2016-007159",
    ], three
    assert "Arkistoitu" not in three[1]  # shown in the resident's words, not Ahjo's
    assert {"fi": "arkistoitu", "sv": "arkiverat", "en": "archived"}[language] in three[1]


@pytest.mark.parametrize("trouble", ["slow", "500", "malformed", "down"])
async def test_an_ahjo_outage_gets_an_honest_answer_in_time(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo, trouble: str
) -> None:
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    async with running_bot(settings):
        {"slow": lambda: ahjo.slow(10), "500": ahjo.fail, "malformed": ahjo.malformed}.get(
            trouble, ahjo.down
        )()
        started = time.monotonic()
        telegram.push_message(7010, f"missä vaiheessa on {CASE}")
        [reply] = await telegram.wait_for_sent(1, chat_id=7010)
        elapsed = time.monotonic() - started
        # The bot still answers other residents afterwards.
        telegram.push_message(7011, "kiitos")
        await telegram.wait_for_sent(1, chat_id=7011)
        ahjo.normal()
    assert reply.text.startswith("Päätösjärjestelmä ei vastaa juuri nyt"), reply.text
    assert elapsed < 4.0, f"the resident waited {elapsed:.1f} s"


async def test_while_ahjo_is_down_the_last_answer_is_given_with_its_time(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo
) -> None:
    clock = ShiftedClock()
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    async with running_bot(settings, clock=clock):
        telegram.push_message(7020, f"missä vaiheessa on {CASE}")
        [fresh] = await telegram.wait_for_sent(1, chat_id=7020)
        clock.advance(timedelta(hours=2))  # long past the cache's freshness
        ahjo.fail(503)
        telegram.push_message(7020, f"entä nyt, missä vaiheessa on {CASE}")
        _, stale = await telegram.wait_for_sent(2, chat_id=7020)
        ahjo.normal()
    assert "(Tieto on ajalta" not in fresh.text
    assert stale.text.startswith(f"Asia {CASE}: {TITLE}")
    assert "(Tieto on ajalta " in stale.text
    assert "päätösjärjestelmä ei vastaa juuri nyt" in stale.text


async def test_followers_are_told_once_per_change_across_a_restart_and_not_after_unfollowing(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo
) -> None:
    clock = ShiftedClock()
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    finnish, swede = 7030, 7031
    async with running_bot(settings, clock=clock) as bot:
        telegram.push_message(finnish, f"haluan seurata asiaa {CASE}")
        [started] = await telegram.wait_for_sent(1, chat_id=finnish)
        telegram.push_message(swede, f"jag vill följa ärendet {CASE}", language_code="sv")
        [started_sv] = await telegram.wait_for_sent(1, chat_id=swede)
        clock.advance(timedelta(hours=1))
        nothing = await bot.watcher.check_due()  # the case has not moved
        ahjo.advance(CASE.replace(" ", "-"), status="Päätetty")
        clock.advance(timedelta(hours=1))
        moved = await bot.watcher.check_due()
        _, told = await telegram.wait_for_sent(2, chat_id=finnish)
        _, told_sv = await telegram.wait_for_sent(2, chat_id=swede)
    assert started.text.startswith(f"Seuraat nyt asiaa {CASE}")
    assert started_sv.text.startswith(f"Du följer nu ärendet {CASE}")
    assert (nothing.checked, nothing.told) == (1, 0)
    assert (moved.changed, moved.told) == (1, 2)
    assert told.text.startswith(f"Seuraamasi asia {CASE} on edennyt")
    assert "Tila on nyt: päätetty." in told.text
    assert "Uusi asiakirja: päätös" in told.text
    assert told_sv.text.startswith(f"Ärendet {CASE} som du följer har gått framåt")
    unfollow = told.reply_markup["inline_keyboard"][0][0]
    assert unfollow["text"] == f"Lopeta asian {CASE} seuraaminen"

    async with running_bot(settings, clock=clock) as bot:  # a restart
        clock.advance(timedelta(hours=1))
        again = await bot.watcher.check_due()
        assert (again.checked, again.told) == (1, 0)
        telegram.push_callback_query(finnish, unfollow["callback_data"])
        *_, stopped = await telegram.wait_for_sent(3, chat_id=finnish)
        ahjo.advance(CASE.replace(" ", "-"))
        clock.advance(timedelta(hours=1))
        after = await bot.watcher.check_due()
        await telegram.wait_for_sent(3, chat_id=swede)
    assert stopped.text == f"Et enää seuraa asiaa {CASE}."
    assert after.told == 1
    assert len(telegram.sent(chat_id=finnish)) == 3
    assert len(telegram.sent(chat_id=swede)) == 3


async def test_following_listing_and_the_pending_question(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo
) -> None:
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    chat = 7040
    async with running_bot(settings):
        telegram.push_message(chat, "/seuratut")
        [none] = await telegram.wait_for_sent(1, chat_id=chat)
        telegram.push_message(chat, "haluan seurata asiaa")
        _, asked = await telegram.wait_for_sent(2, chat_id=chat)
        telegram.push_message(chat, CASE)  # the answer to the question: follow, not status
        *_, followed = await telegram.wait_for_sent(3, chat_id=chat)
        telegram.push_message(chat, "/seuratut")
        *_, listed = await telegram.wait_for_sent(4, chat_id=chat)
    assert none.text.startswith("Et seuraa vielä yhtään asiaa")
    assert asked.text.startswith("Mitä asiaa haluat seurata?")
    assert followed.text.startswith(f"Seuraat nyt asiaa {CASE}")
    assert listed.text == f"Seuraat näitä asioita:\n{CASE}"
    assert [row[0]["text"] for row in listed.reply_markup["inline_keyboard"]] == [CASE]


async def test_a_case_that_is_not_public_reveals_nothing_and_six_numbers_get_five_answers(
    database_url: str, telegram: FakeTelegram, ahjo: FakeAhjo
) -> None:
    ahjo.make_non_public(CASE)
    settings = bot_settings(database_url, telegram, ahjo_url=ahjo.base_url)
    six = ", ".join(f"HEL 2016-{n:06d}" for n in (7159, 7160, 7161, 7162, 7163, 7164))
    async with running_bot(settings):
        telegram.push_message(7050, f"missä vaiheessa on {CASE}")
        [hidden] = await telegram.wait_for_sent(1, chat_id=7050)
        telegram.push_message(7050, f"kerro asioista {six}")
        replies = await telegram.wait_for_sent(7, chat_id=7050)
    assert hidden.text == f"Asia {CASE} ei ole julkinen, joten en voi kertoa siitä enempää."
    assert replies[1].text == "Kerron kerralla enintään 5 asiasta, tässä ensimmäiset."
    answered = [reply.text for reply in replies[2:]]
    assert len(answered) == 5
    assert answered[0].startswith("Asia HEL 2016-007159: Salmisaaren toimitilatonttien")
    assert all("HEL 2016-007164" not in text for text in answered)
