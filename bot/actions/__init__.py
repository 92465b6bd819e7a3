"""The bot's actions: rasa-sdk ``Action`` subclasses, run in process by the dialogue and
servable to an existing Rasa assistant by ``talkkari actions``."""

from rasa_sdk import Action

from bot.actions.smalltalk import ActionGreet, ActionHelp, ActionNotUnderstood

__all__ = ["ActionGreet", "ActionHelp", "ActionNotUnderstood", "default_actions"]


def default_actions() -> list[Action]:
    return [ActionGreet(), ActionHelp(), ActionNotUnderstood()]
