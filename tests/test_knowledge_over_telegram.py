"""Service questions over the fake Bot API, in fi, sv and en: an answer from the city's article
with its source, and an honest "I don't know" whose offer hands the question to the team that
owns the topic, saying who answers and by when."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from store import Conversation, Team
from tests.fakes.telegram import FakeTelegram
from tests.support.admin import make_team
from tests.support.clock import ShiftedClock
from tests.support.running import bot_settings, running_bot

ARTICLES = Path(__file__).parent / "fixtures" / "knowledge"
TUESDAY_10 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
WEEKDAYS_8_TO_16 = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}
HSY_FI = "https://www.hsy.fi/jatteet-ja-kierratys/jateopas-ja-lajitteluohjeet/"
HELMET_SV = "https://www.helmet.fi/sv-FI/Info/Biblioteksanvandare/Bibliotekskort_och_lan(175)"
HELMET_EN = "https://mobi.helmet.fi/en-US/Info/Using_the_library/Library_card_and_loans(950)"

ANSWERED = {
    "fi": (
        "miten lajittelen jätteet",
        "Jätteiden lajittelu ja Sortti-asemat\n\nLajittele biojäte, kartonki, lasi, metalli ja "
        "muovi omiin astioihinsa. Suuret ja vaaralliset jätteet viedään Sortti-asemalle.\n\n"
        f"Lähde: {HSY_FI}",
    ),
    # HSY has no Swedish page: the Finnish one is linked, and the answer says so.
    "sv": (
        "hur sorterar jag avfall",
        "Sortering av avfall och Sortti-stationer\n\nSortera bioavfall, kartong, glas, metall "
        "och plast i egna kärl. Stort och farligt avfall förs till en Sortti-station.\n\n"
        f"Källa (sidan är på finska): {HSY_FI}",
    ),
    "en": (
        "how do I get a library card",
        "Library card and loans\n\nYou can get a library card at any Helmet library by showing "
        "an identity document. With the card you can borrow books and other material.\n\n"
        f"Source: {HELMET_EN}",
    ),
}


def settings(database_url: str, telegram: FakeTelegram) -> Any:
    return bot_settings(database_url, telegram, kb_directory=ARTICLES)


async def teams(bot: Any) -> None:
    await make_team(
        bot.database,
        "default",
        name_fi="Kaupungin neuvonta",
        name_sv="Stadens rådgivning",
        name_en="City advice",
        office_hours=WEEKDAYS_8_TO_16,
        sla_minutes=240,
    )
    await make_team(
        bot.database,
        "culture-and-leisure",
        name_fi="Kulttuuri ja vapaa-aika",
        name_sv="Kultur och fritid",
        name_en="Culture and leisure",
        office_hours=WEEKDAYS_8_TO_16,
        sla_minutes=240,
    )
    await bot.router.refresh()


async def handed_to(bot: Any, chat_id: int) -> tuple[str, str | None, str | None]:
    async with bot.database.sessions() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.chat_id == chat_id)
        )
        assert conversation is not None
        team = await session.get(Team, conversation.team_id) if conversation.team_id else None
        return conversation.state, team.key if team else None, conversation.handoff_reason


def buttons(message: Any) -> list[tuple[str, str]]:
    rows = message.reply_markup["inline_keyboard"] if message.reply_markup else []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_a_question_is_answered_from_the_article_with_its_source(
    database_url: str, telegram: FakeTelegram, language: str
) -> None:
    chat = {"fi": 7101, "sv": 7102, "en": 7103}[language]
    question, answer = ANSWERED[language]
    async with running_bot(settings(database_url, telegram)):
        telegram.push_message(chat, question, language_code=language)
        [reply] = await telegram.wait_for_sent(1, chat_id=chat)
    assert reply.text == answer


async def test_fi_unanswerable_is_declined_and_the_offer_hands_it_to_city_advice(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(
        settings(database_url, telegram), clock=ShiftedClock.at(TUESDAY_10)
    ) as bot:
        await teams(bot)
        telegram.push_message(7201, "minne vien vanhan sohvan")
        [declined] = await telegram.wait_for_sent(1, chat_id=7201)
        [(label, data)] = buttons(declined)  # nothing plausible to read: only the offer
        telegram.push_callback_query(7201, data, message_id=declined.message_id)
        _, promise = await telegram.wait_for_sent(2, chat_id=7201)
        handed = await handed_to(bot, 7201)
    assert declined.text == (
        "En löydä tähän varmaa vastausta kaupungin ohjeista, enkä halua arvata.\n\n"
        "Voin myös välittää kysymyksesi tiimille Kaupungin neuvonta. He vastaavat tässä "
        "keskustelussa, ja kerron, mihin mennessä."
    )
    assert label == "Välitä tiimille Kaupungin neuvonta"
    assert promise.text == (
        "Viestisi on nyt Kaupungin neuvonta -tiimillä. Vastaamme arkisin klo 8–16; saat "
        "vastauksen viimeistään tänään klo 14.00."
    )
    assert handed == ("waiting", "default", "service_question")


async def test_sv_a_plausible_article_can_be_read_from_the_offer(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(
        settings(database_url, telegram), clock=ShiftedClock.at(TUESDAY_10)
    ) as bot:
        await teams(bot)
        telegram.push_message(7301, "får man låna e-böcker gratis", language_code="sv")
        [declined] = await telegram.wait_for_sent(1, chat_id=7301)
        offered = buttons(declined)
        telegram.push_callback_query(7301, offered[0][1], message_id=declined.message_id)
        _, article = await telegram.wait_for_sent(2, chat_id=7301)
        handed = await handed_to(bot, 7301)
    assert declined.text.startswith(
        "Jag hittar inget säkert svar på det här i stadens anvisningar, och jag vill inte gissa."
        "\n\nKanske någon av de här anvisningarna hjälper:\n\nJag kan också skicka din fråga "
        "till teamet Kultur och fritid."
    )
    assert [label for label, _ in offered] == [
        "Läs: Bibliotekskort och lån",
        "Skicka till teamet Kultur och fritid",
    ]
    assert all(len(data.encode()) <= 64 for _, data in offered)
    assert article.text.startswith("Bibliotekskort och lån\n\nEtt bibliotekskort får du")
    assert article.text.endswith(f"Källa: {HELMET_SV}")
    assert handed[0] == "bot"  # reading is not a handoff


async def test_en_the_offer_passes_the_question_to_the_team_that_owns_the_topic(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(
        settings(database_url, telegram), clock=ShiftedClock.at(TUESDAY_10)
    ) as bot:
        await teams(bot)
        telegram.push_message(7401, "how much does borrowing cost", language_code="en")
        [declined] = await telegram.wait_for_sent(1, chat_id=7401)
        offered = buttons(declined)
        telegram.push_callback_query(7401, offered[-1][1], message_id=declined.message_id)
        _, promise = await telegram.wait_for_sent(2, chat_id=7401)
        handed = await handed_to(bot, 7401)
    assert declined.text.startswith("I can't find a reliable answer to that in the city's")
    assert [label for label, _ in offered] == [
        "Read: Library card and loans",
        "Pass it to Culture and leisure",
    ]
    assert promise.text == (
        "Your message is with the Culture and leisure team. We answer on weekdays 8–16; you "
        "will hear from us today by 14:00."
    )
    assert handed == ("waiting", "culture-and-leisure", "service_question")


async def test_a_topic_the_understanding_missed_is_still_answered_when_the_article_is_sure(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(settings(database_url, telegram)):
        telegram.push_message(7501, "jätteiden lajittelu")  # below the intent threshold
        telegram.push_message(7502, "zxqv wbbl prrt")
        [answer] = await telegram.wait_for_sent(1, chat_id=7501)
        [not_understood] = await telegram.wait_for_sent(1, chat_id=7502)
    assert answer.text.startswith("Jätteiden lajittelu ja Sortti-asemat\n\n")
    assert answer.text.endswith(f"Lähde: {HSY_FI}")
    assert not_understood.text.startswith("En valitettavasti ymmärtänyt.")
