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
    ActionChangeLanguage,
    ActionGoodbye,
    ActionThanks,
)
from bot.actions.handoff import ActionAskOfficial, ActionReportIssue
from bot.actions.knowledge import (
    ActionNotUnderstoodOrArticle,
    ActionServiceQuestion,
    knowledge_actions,
)
from bot.actions.privacy import ActionForget, ActionMyData, ActionPrivacyInfo
from bot.actions.smalltalk import ActionBackWithBot, ActionGreet, ActionHelp, ActionNotUnderstood
from bot.handoff import CityContact
from bot.privacy import MY_DATA, PrivacyNotice
from knowledge.areas import area_registry
from knowledge.retrieval import KnowledgeBase, LiveKnowledge
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
    "ActionForget",
    "ActionGoodbye",
    "ActionGreet",
    "ActionHelp",
    "ActionMyData",
    "ActionNotUnderstood",
    "ActionNotUnderstoodOrArticle",
    "ActionNoticesList",
    "ActionPrivacyInfo",
    "ActionReportIssue",
    "ActionServiceQuestion",
    "ActionThanks",
    "default_actions",
]

DEFAULT_POLICY: dict[str, str] = {
    "greet": "action_greet",
    "goodbye": "action_goodbye",
    "thanks": "action_thanks",
    "help": "action_help",
    "change_language": "action_change_language",
    "nlu_fallback": "action_not_understood_or_article",
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
    "privacy_info": "action_privacy_info",
    MY_DATA: "action_my_data",
    "delete_my_data": "action_forget",
    "service_question": "action_service_question",
}
"""Intent → action: every intent the understanding knows has its action."""


def default_actions(
    cases: CaseLookup,
    *,
    router: Router,
    clock: Clock,
    timezone: tzinfo,
    notices: CurrentNotices,
    privacy: PrivacyNotice | None = None,
    knowledge: LiveKnowledge | None = None,
    contact: CityContact | None = None,
) -> list[Action]:
    """The actions of :data:`DEFAULT_POLICY`; without ``knowledge``, service questions are
    searched in an empty knowledge base (always "I don't know", with the offer of a person).
    ``contact`` is where residents are sent when no team exists (the city's pages by default)."""
    knowledge = knowledge or LiveKnowledge(KnowledgeBase([]))
    return [
        *knowledge_actions(
            knowledge, router=router, clock=clock, timezone=timezone, contact=contact
        ),
        *case_actions(cases, timezone=timezone),
        *area_actions(area_registry(), notices),
        ActionAskOfficial(router, clock=clock, timezone=timezone, contact=contact),
        ActionReportIssue(router, clock=clock, timezone=timezone, contact=contact),
        ActionBackWithBot(),
        ActionGreet(),
        ActionHelp(privacy),
        ActionNotUnderstood(),
        ActionThanks(),
        ActionGoodbye(),
        ActionChangeLanguage(),
        ActionPrivacyInfo(privacy),
        ActionMyData(),
        ActionForget(),
    ]
