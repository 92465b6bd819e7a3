"""Conversations as transcripts, through Telegram, the understanding and the dialogue."""

from __future__ import annotations

import pytest

from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot

Transcript = list[tuple[str, str]]

TRANSCRIPTS: dict[str, Transcript] = {
    "fi": [
        ("moro", "Hei! Olen Kaupunkitalkkari"),
        ("mitä sä osaat?", "Olen kaupungin botti."),
        # No decision system in these runs: the bot says it cannot look the case up here.
        ("missä vaiheessa on HEL 2025-001216", "Tämä palvelu ei voi hakea asiaa"),
        ("zxqv wbbl prrt", "En valitettavasti ymmärtänyt."),
        ("kiitti", "Ole hyvä!"),
        ("moikka sit", "Kiitos viestistäsi"),
    ],
    "sv": [
        ("tjena", "Hej! Jag är Stadsvaktmästaren"),
        ("vad kan du göra?", "Jag är stadens bot."),
        (
            "jag vill prenumerera på meddelanden för Berghäll",
            "Klart! Jag skickar dig meddelanden för området Berghäll.",
        ),
        ("zxqv wbbl prrt", "Tyvärr förstod jag inte."),
        ("tack så mycket", "Varsågod!"),
    ],
    "en": [
        ("hi", "Hello! I am the City Caretaker"),
        # No teams in these runs: the bot says honestly that nobody here can take it over.
        (
            "the street light is broken on my street in Kallio",
            "There is no one here who can take this conversation over",
        ),
        ("zxqv wbbl prrt", "Sorry, I did not understand."),
        ("thanks", "You're welcome!"),
        ("bye", "Thank you for your message"),
    ],
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
async def test_transcript(database_url: str, telegram: FakeTelegram, language: str) -> None:
    chat = {"fi": 6001, "sv": 6002, "en": 6003}[language]
    async with running_bot(bot_settings(database_url, telegram)):
        for turn, (said, answer) in enumerate(TRANSCRIPTS[language], start=1):
            telegram.push_message(chat, said, language_code=language)
            replies = await telegram.wait_for_sent(turn, chat_id=chat)
            assert replies[-1].text.startswith(answer), (said, replies[-1].text)


async def test_changing_language_by_words_and_by_button(
    database_url: str, telegram: FakeTelegram
) -> None:
    async with running_bot(bot_settings(database_url, telegram)):
        telegram.push_message(6004, "voitko vastata ruotsiksi", language_code="fi")
        [switched] = await telegram.wait_for_sent(1, chat_id=6004)
        telegram.push_message(6004, "HEL 2025-001216")  # no language in it: Swedish stays
        _, kept = await telegram.wait_for_sent(2, chat_id=6004)
        telegram.push_message(6004, "vaihda kieli")
        *_, question = await telegram.wait_for_sent(3, chat_id=6004)
        buttons = [row[0] for row in question.reply_markup["inline_keyboard"]]
        english = next(b for b in buttons if b["text"] == "English")
        telegram.push_callback_query(6004, english["callback_data"], message_id=question.message_id)
        *_, confirmed = await telegram.wait_for_sent(4, chat_id=6004)
        await telegram.wait_for_calls("answerCallbackQuery", 1)
    assert switched.text == "Okej, vi fortsätter på svenska."
    assert kept.text.startswith("Den här tjänsten kan inte söka fram ärendet")
    assert question.text == "Millä kielellä jatketaan?" or question.text.startswith("På vilket")
    assert [b["text"] for b in buttons] == ["Suomi", "Svenska", "English"]
    assert confirmed.text == "Sure, let's continue in English."
