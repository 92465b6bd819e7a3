"""Area notices as residents read them: one function shared by the dispatcher (what is sent)
and the admin API's preview (what comms staff are shown), so the two never differ.

A notice has texts in some of fi/sv/en. A reader of ``language`` gets a header in their
language naming the target areas in their language ("Tiedote – Kallio", "Meddelande –
Berghäll"), a blank line, and the text in their language, else Finnish, else Swedish, else
English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final, Protocol

__all__ = [
    "LANGUAGES",
    "NOTICE_HEADERS",
    "AreaLookup",
    "NamedArea",
    "render_notice",
    "text_for",
]

LANGUAGES: Final = ("fi", "sv", "en")
_FALLBACK: Final = ("fi", "sv", "en")

NOTICE_HEADERS: Final = MappingProxyType(
    {
        "notice": MappingProxyType({"fi": "Tiedote", "sv": "Meddelande", "en": "Notice"}),
        "urgent": MappingProxyType(
            {"fi": "Kiireellinen tiedote", "sv": "Brådskande meddelande", "en": "Urgent notice"}
        ),
    }
)
"""The header's first words per kind and language."""


class NamedArea(Protocol):
    """An area as a notice names it (``knowledge.areas.Area`` is one)."""

    def name(self, language: str) -> str: ...


class AreaLookup(Protocol):
    """What notices need of the area registry (``knowledge.areas.AreaRegistry`` is one)."""

    def get(self, key: str) -> NamedArea | None:
        """The area of ``key``; ``None`` when the key is unknown."""
        ...

    def related(self, key: str) -> frozenset[str]:
        """The keys whose subscribers a notice for ``key`` reaches (``key`` itself too)."""
        ...


def text_for(texts: Mapping[str, str | None], language: str) -> str | None:
    """The notice's text a reader of ``language`` gets: theirs, else fi, else sv, else en."""
    for candidate in (language, *_FALLBACK):
        text = texts.get(candidate)
        if text and text.strip():
            return text.strip()
    return None


def render_notice(
    texts: Mapping[str, str | None],
    areas: Sequence[NamedArea],
    language: str,
    *,
    urgent: bool,
) -> str | None:
    """Exactly what a reader of ``language`` receives; ``None`` when the notice has no text."""
    body = text_for(texts, language)
    if body is None:
        return None
    headers = NOTICE_HEADERS["urgent" if urgent else "notice"]
    header = headers.get(language) or headers["fi"]
    names = list(dict.fromkeys(area.name(language) for area in areas))
    if names:
        header = f"{header} – {', '.join(names)}"
    return f"{header}\n\n{body}"
