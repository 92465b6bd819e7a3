"""Every text the bot says to a resident, in Finnish, Swedish and English.

Keys name what the resident is told; each feature keeps its texts in a module of its own. A
test checks that each key has all three languages and the same placeholders in each.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from bot.texts.areas import AREAS
from bot.texts.cases import CASES
from bot.texts.conversation import CONVERSATION
from bot.texts.handoff import HANDOFF
from bot.texts.knowledge import KNOWLEDGE
from bot.texts.privacy import PRIVACY

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "TEXTS", "say"]

LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"

TEXTS: Final = MappingProxyType(
    {**CONVERSATION, **CASES, **HANDOFF, **AREAS, **PRIVACY, **KNOWLEDGE}
)


def say(key: str, language: str | None, /, **values: object) -> str:
    """The text ``key`` in ``language`` (Finnish when unknown), with ``values`` filled in."""
    variants = TEXTS[key]
    text = variants.get(language or DEFAULT_LANGUAGE) or variants[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
