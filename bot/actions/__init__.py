"""The bot's actions: rasa-sdk ``Action`` subclasses, run in process by the dialogue and
servable to an existing Rasa assistant by ``talkkari actions``."""

from datetime import tzinfo

from rasa_sdk import Action

from bot.actions.areas import (
    ActionAreasSubscribed,
    ActionAreaSubscribe,
    ActionAreaUnsubscribe,
    ActionNoticesList,
    CurrentNotices,
    area_actions,
)
from bot.actions.cases import (
    ActionCaseFollow,
    ActionCasesFollowed,
    ActionCaseStatus,
    ActionCaseUnfollow,
    CaseLookup,
    case_actions,
)
from bot.actions.conversation import (
    NOT_YET_INTENTS,
    ActionChangeLanguage,
    ActionGoodbye,
    ActionNotYet,
    ActionThanks,
)
from bot.actions.handoff import ActionAskOfficial, ActionReportIssue
from bot.actions.smalltalk import ActionBackWithBot, ActionGreet, ActionHelp, ActionNotUnderstood
from knowledge.areas import area_registry
from routing import Router
from store import Clock

__all__ = [
    "DEFAULT_POLICY",
    "ActionAreaSubscribe",
    "ActionAreaUnsubscribe",
    "ActionAreasSubscribed",
    "ActionAskOfficial",
    "ActionBackWithBot",
    "ActionCaseFollow",
    "ActionCaseStatus",
    "ActionCaseUnfollow",
    "ActionCasesFollowed",
    "ActionChangeLanguage",
    "ActionGoodbye",
    "ActionGreet",
    "ActionHelp",
    "ActionNotUnderstood",
    "ActionNotYet",
    "ActionNoticesList",
    "ActionReportIssue",
    "ActionThanks",
    "default_actions",
]

DEFAULT_POLICY: dict[str, str] = {
    "greet": "action_greet",
    "goodbye": "action_goodbye",
    "thanks": "action_thanks",
    "help": "action_help",
    "change_language": "action_change_language",
    "nlu_fallback": "action_not_understood",
    "case_status": "action_case_status",
    "case_follow": "action_case_follow",
    "case_unfollow": "action_case_unfollow",
    "cases_followed": "action_cases_followed",
    "ask_official": "action_ask_official",
    "report_issue": "action_report_issue",
    "return_to_bot": "action_back_with_bot",
    "area_subscribe": "action_area_subscribe",
    "area_unsubscribe": "action_area_unsubscribe",
    "areas_subscribed": "action_areas_subscribed",
    "notices_list": "action_notices_list",
    **dict.fromkeys(NOT_YET_INTENTS, "action_not_yet"),
}
"""Intent → action. Intents whose capability is still to come say so honestly."""


def default_actions(
    cases: CaseLookup,
    *,
    router: Router,
    clock: Clock,
    timezone: tzinfo,
    notices: CurrentNotices,
) -> list[Action]:
    return [
        *case_actions(cases, timezone=timezone),
        *area_actions(area_registry(), notices),
        ActionAskOfficial(router, clock=clock, timezone=timezone),
        ActionReportIssue(router, clock=clock, timezone=timezone),
        ActionBackWithBot(),
        ActionGreet(),
        ActionHelp(),
        ActionNotUnderstood(),
        ActionThanks(),
        ActionGoodbye(),
        ActionChangeLanguage(),
        ActionNotYet(),
    ]
