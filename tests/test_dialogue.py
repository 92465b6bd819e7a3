"""The dialogue engine's contract with rasa-sdk actions: tracker in, messages and events out."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from bot.dialogue import Dialogue
from bot.inbound import Inbound
from bot.metrics import BotMetrics
from intents import Understanding
from store import Conversation, Database, OutboxMessage, Resident, SystemClock
from tests.support.cases import actions_for


class ActionRemember(Action):  # type: ignore[misc]
    """Echoes what the tracker says and remembers a topic and a language."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def name(self) -> str:
        return "action_remember"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        self.seen.append(
            {
                "intent": tracker.latest_message["intent"]["name"],
                "language": tracker.get_slot("language"),
                "topic": tracker.get_slot("topic"),
            }
        )
        dispatcher.utter_message(text=f"topic was {tracker.get_slot('topic')}")
        dispatcher.utter_message(
            text="pick one", buttons=[{"title": "Kallio", "payload": "/area{Kallio}"}]
        )
        return [SlotSet("topic", "snow"), SlotSet("language", "sv")]


async def test_events_update_the_conversation_and_messages_reach_the_outbox(
    database: Database, understanding: Understanding
) -> None:
    action = ActionRemember()
    dialogue = Dialogue(
        actions=[*actions_for(database), action],
        clock=SystemClock(),
        metrics=BotMetrics.create(CollectorRegistry()),
        policy={"greet": "action_remember", "nlu_fallback": "action_not_understood"},
        understand=understanding.parse,
    )
    for update_id in (1, 2):
        inbound = Inbound(
            channel="test",
            update_id=update_id,
            kind="text",
            chat_id=5,
            user_id="5",
            language_code="fi",
            text="moi",
        )
        async with database.transaction() as session:
            outcome = await dialogue.respond(session, inbound)
        assert (outcome.name, outcome.replies) == ("answered", 2)
    assert action.seen == [
        {"intent": "greet", "language": "fi", "topic": None},
        # "moi" is Finnish, so this message is answered in Finnish even though the resident's
        # stored language is now Swedish; the slot set by the action stays.
        {"intent": "greet", "language": "fi", "topic": "snow"},
    ]
    async with database.sessions() as session:
        conversation = await session.scalar(select(Conversation))
        resident = await session.scalar(select(Resident))
        outbox = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert conversation is not None and resident is not None
    assert conversation.slots == {"topic": "snow"}
    assert conversation.latest_action == "action_remember"
    assert resident.language == "sv"
    assert [row.text for row in outbox] == [
        "topic was None",
        "pick one",
        "topic was snow",
        "pick one",
    ]
    assert outbox[1].buttons == {"rows": [[["Kallio", "/area{Kallio}"]]]}
