"""Area notices for residents, end to end over the fake Bot API: subscribing in three languages,
choosing between areas of one name, listing and stopping, what is announced now; and linking a
group to an area with a one-time code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from knowledge.link_codes import link_code_hash
from store import AreaChannel, AreaSubscription, ChannelLinkCode, Conversation, Notice, NoticeArea
from talkkari.runtime import Runtime
from tests.fakes.telegram import FakeTelegram
from tests.support.running import bot_settings, running_bot

KALLIO = "district:helsinki:kaupunginosa:11"
TAMPERE_KUMPULA = "district:tampere:tilastoalue:218034"

Turn = tuple[str, list[str]]
"""What the resident writes, and what the reply to it must contain."""

TRANSCRIPTS: dict[str, list[Turn]] = {
    "fi": [
        ("tilaa Kallion tiedotteet", ["Lähetän sinulle tiedotteet alueelta Kallio."]),
        ("tilaa Kallion tiedotteet", ["Saat jo tiedotteet alueelta Kallio."]),
        ("/alueet", ["Saat tiedotteet näiltä alueilta:", "• Kallio"]),
    ],
    "sv": [
        ("prenumerera på Berghäll", ["Jag skickar dig meddelanden för området Berghäll."]),
        ("/omraden", ["Du får meddelanden för de här områdena:", "• Berghäll"]),
    ],
    "en": [
        ("subscribe to 00530 notices", ["I will send you the notices for Kallio."]),
        ("/areas", ["You get the notices for these areas:", "• Kallio"]),
    ],
}
STOPPED = {
    "fi": "Selvä, en lähetä enää tiedotteita alueelta Kallio.",
    "sv": "Okej, jag skickar inte längre meddelanden för området Berghäll.",
    "en": "All right, I will no longer send you the notices for Kallio.",
}
STOP_BUTTON = {"fi": "Lopeta: Kallio", "sv": "Avsluta: Berghäll", "en": "Stop: Kallio"}


async def subscriptions(bot: Runtime, chat_id: int) -> list[str]:
    async with bot.database.sessions() as session:
        return list(
            await session.scalars(
                select(AreaSubscription.area)
                .join(Conversation, Conversation.id == AreaSubscription.conversation_id)
                .where(Conversation.chat_id == chat_id)
                .order_by(AreaSubscription.id)
            )
        )


async def test_kallio_berghall_and_00530_subscribe_to_one_area_in_each_language(
    database_url: str, telegram: FakeTelegram
) -> None:
    chats = {"fi": 8001, "sv": 8002, "en": 8003}
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        for language, chat in chats.items():
            sent = 0
            for said, expected in TRANSCRIPTS[language]:
                telegram.push_message(chat, said, language_code=language)
                sent += 1
                reply = (await telegram.wait_for_sent(sent, chat_id=chat))[-1]
                for line in expected:
                    assert line in reply.text, (said, reply.text)
            assert reply.reply_markup is not None
            [[stop]] = reply.reply_markup["inline_keyboard"]
            assert stop["text"] == STOP_BUTTON[language]
            assert await subscriptions(bot, chat) == [KALLIO]
            telegram.push_callback_query(chat, stop["callback_data"], language_code=language)
            stopped = (await telegram.wait_for_sent(sent + 1, chat_id=chat))[-1]
            assert stopped.text == STOPPED[language]
            assert await subscriptions(bot, chat) == []


async def test_a_name_of_two_areas_offers_both_and_a_button_subscribes(
    database_url: str, telegram: FakeTelegram
) -> None:
    chat = 8010
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        telegram.push_message(chat, "tilaa Kumpulan tiedotteet")
        [which] = await telegram.wait_for_sent(1, chat_id=chat)
        assert which.text == "Mitä näistä alueista tarkoitat?"
        assert which.reply_markup is not None
        buttons = [row[0] for row in which.reply_markup["inline_keyboard"]]
        assert [button["text"] for button in buttons] == ["Kumpula (Helsinki)", "Kumpula (Tampere)"]
        telegram.push_callback_query(chat, buttons[1]["callback_data"])
        _, done = await telegram.wait_for_sent(2, chat_id=chat)
        assert done.text.startswith("Selvä! Lähetän sinulle tiedotteet alueelta Kumpula.")
        assert await subscriptions(bot, chat) == [TAMPERE_KUMPULA]


async def test_asking_for_an_area_then_unsubscribing_by_name(
    database_url: str, telegram: FakeTelegram
) -> None:
    chat = 8020
    turns: list[Turn] = [
        ("tilaa tiedotteet", ["Minkä alueen tiedotteet haluat?"]),
        ("Kalliossa", ["Lähetän sinulle tiedotteet alueelta Kallio."]),
        ("tilaa Xyzzylän tiedotteet", ["Minkä alueen tiedotteet haluat?"]),
        ("lopeta Kallion tiedotteet", ["en lähetä enää tiedotteita alueelta Kallio"]),
        ("lopeta Kallion tiedotteet", ["Et ole tilannut alueen Kallio tiedotteita."]),
        ("/alueet", ["Et ole tilannut minkään alueen tiedotteita."]),
    ]
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        for sent, (said, expected) in enumerate(turns, start=1):
            telegram.push_message(chat, said)
            reply = (await telegram.wait_for_sent(sent, chat_id=chat))[-1].text
            for line in expected:
                assert line in reply, (said, reply)
            if said == "Kalliossa":
                assert await subscriptions(bot, chat) == [KALLIO]
        assert await subscriptions(bot, chat) == []


async def test_what_is_announced_in_my_area(database_url: str, telegram: FakeTelegram) -> None:
    chat = 8030
    now = datetime.now(UTC)
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        async with bot.database.transaction() as session:
            for text, state, publish_at, expires_at, area in [
                ("Vesikatko Kalliossa", "sent", now - timedelta(hours=2), None, "postal:00530"),
                ("Katutöitä Linjoilla", "sent", now - timedelta(hours=1), None, KALLIO),
                ("Vanha tiedote", "sent", now - timedelta(days=3), now - timedelta(days=1), KALLIO),
                ("Tuleva tiedote", "scheduled", now + timedelta(hours=1), None, KALLIO),
                ("Vuosaaren tiedote", "sent", now - timedelta(hours=1), None, "postal:00980"),
            ]:
                notice = Notice(
                    text_fi=text,
                    text_sv=f"{text} (sv)",
                    state=state,
                    publish_at=publish_at,
                    expires_at=expires_at,
                    created_at=now,
                    updated_at=now,
                )
                session.add(notice)
                await session.flush()
                session.add(NoticeArea(notice_id=notice.id, area=area))
        telegram.push_message(chat, "mitä alueellani tiedotetaan")
        [ask] = await telegram.wait_for_sent(1, chat_id=chat)
        assert ask.text.startswith("Minkä alueen tiedotteet haluat nähdä?")
        telegram.push_message(chat, "tilaa Kallion tiedotteet")
        await telegram.wait_for_sent(2, chat_id=chat)
        telegram.push_message(chat, "mitä alueellani tiedotetaan")
        *_, intro, newest, older = await telegram.wait_for_sent(5, chat_id=chat)
        telegram.push_message(chat, "vad meddelas i mitt område", language_code="sv")
        *_, intro_sv, newest_sv, _ = await telegram.wait_for_sent(8, chat_id=chat)
    assert intro.text == "Voimassa olevat tiedotteet (Kallio), uusin ensin:"
    assert newest.text.endswith("Katutöitä Linjoilla")
    assert "Kallio" in newest.text.splitlines()[0]
    assert older.text.endswith("Vesikatko Kalliossa")
    assert intro_sv.text == "Aktuella meddelanden (Berghäll), det senaste först:"
    assert newest_sv.text.endswith("Katutöitä Linjoilla (sv)")
    assert len(telegram.sent(chat_id=chat)) == 8


async def add_code(bot: Runtime, code: str, *, language: str, expires_in: timedelta) -> None:
    now = datetime.now(UTC)
    async with bot.database.transaction() as session:
        session.add(
            ChannelLinkCode(
                code_hash=link_code_hash(code),
                area=KALLIO,
                language=language,
                created_at=now,
                expires_at=now + expires_in,
            )
        )


async def test_a_group_is_linked_with_a_one_time_code(
    database_url: str, telegram: FakeTelegram
) -> None:
    group, other, supergroup, channel = -4001, -4002, -1_000_000_004_003, -1_000_000_004_004
    async with running_bot(bot_settings(database_url, telegram)) as bot:
        await add_code(bot, "ABCD2345", language="en", expires_in=timedelta(hours=1))
        await add_code(bot, "WXYZ6789", language="sv", expires_in=timedelta(hours=1))
        await add_code(bot, "OLDC0DE2", language="fi", expires_in=-timedelta(minutes=1))
        telegram.push_message(group, "moi kaikki")  # not for the bot
        telegram.push_message(group, "/link abcd-2345")
        [linked] = await telegram.wait_for_sent(1, chat_id=group)
        telegram.push_message(other, "/liitä ABCD2345")  # used already
        telegram.push_message(other, "/link@TalkkariBot NOPE1234")  # no such code
        telegram.push_message(other, "/link OLDC0DE2")  # expired
        refused = await telegram.wait_for_sent(3, chat_id=other)
        telegram.push_message(supergroup, "/länk WXYZ6789", language_code="sv")
        [linked_sv] = await telegram.wait_for_sent(1, chat_id=supergroup)
        await add_code(bot, "CHAN2345", language="fi", expires_in=timedelta(hours=1))
        telegram.push_message(channel, "/liita CHAN2345", chat_type="channel")
        [linked_fi] = await telegram.wait_for_sent(1, chat_id=channel)
        async with bot.database.sessions() as session:
            channels = [
                (row.chat_id, row.area, row.language, row.active)
                for row in await session.scalars(select(AreaChannel).order_by(AreaChannel.id))
            ]
            used = {
                row.language: (row.used_by_chat_id, row.used_at is not None)
                for row in await session.scalars(select(ChannelLinkCode))
            }
    assert linked.text == "This group now receives notices for Kallio."
    assert linked_sv.text == "Den här gruppen får nu meddelanden för Berghäll."
    assert linked_fi.text == "Tämä ryhmä saa nyt alueen Kallio tiedotteet."
    assert [reply.text for reply in refused] == [
        "Koodi ei kelpaa. Pyydä uusi koodi kaupungin viestinnältä."
    ] * 3
    assert len(telegram.sent(chat_id=group)) == 1  # "moi kaikki" was ignored
    assert channels == [
        (group, KALLIO, "en", True),
        (supergroup, KALLIO, "sv", True),
        (channel, KALLIO, "fi", True),
    ]
    assert used["en"] == (group, True) and used["sv"] == (supergroup, True)
