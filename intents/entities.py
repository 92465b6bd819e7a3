"""Entities found by their shape: diary numbers, postal codes and languages asked for.

Helsinki diary numbers are typed in many shapes (``HEL 2024-001234``, ``hel2024-1234``,
``HEL-2024-001234``, ``HEL 2024-001234:stä``, ``HEL 2021-010124 Lausunto 2``) and are
normalised to ``HEL YYYY-NNNNNN``. Tampere (``TRE:6026/10.03.01/2016``) and Vantaa
(``VD/1545/00.04.00/2017``) numbers are kept as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ShapeMatch", "find_diary_numbers", "find_languages", "find_postal_codes"]


@dataclass(frozen=True, slots=True)
class ShapeMatch:
    entity: str
    value: str
    start: int
    end: int


_HELSINKI = re.compile(
    r"(?<![\w])hel[\s\-–—_:]*((?:19|20)\d{2})[\s\-–—_/]*(\d{1,6})(?!\d)", re.IGNORECASE
)
_TAMPERE = re.compile(r"(?<![\w])TRE:\s?\d{1,6}/\d{2}(?:\.\d{2}){1,3}/\d{4}(?!\d)", re.IGNORECASE)
_VANTAA = re.compile(r"(?<![\w])VD/\d{1,6}/\d{2}(?:\.\d{2}){1,3}/\d{4}(?!\d)", re.IGNORECASE)
_POSTAL_CODE = re.compile(r"(?<![\w\-/.:])\d{5}(?![\w\-/]|[.:]\d)")

_LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "fi": (
        "suomi",
        "suomea",
        "suomeksi",
        "suomeks",
        "suomen",
        "suomenkieli",
        "suomenkielinen",
        "finska",
        "finskt",
        "finnish",
        "finsk",
    ),
    "sv": (
        "ruotsi",
        "ruotsia",
        "ruotsiksi",
        "ruotsiks",
        "ruotsin",
        "ruotsinkieli",
        "svenska",
        "svensk",
        "svenskt",
        "swedish",
        "ruåtsi",
    ),
    "en": (
        "englanti",
        "englantia",
        "englanniksi",
        "englanniks",
        "englannin",
        "enkku",
        "enkuks",
        "enkuksi",
        "engelska",
        "english",
        "eng",
    ),
}
_LANGUAGE_INDEX = {word: code for code, words in _LANGUAGE_WORDS.items() for word in words}
_WORD = re.compile(r"\w+", re.UNICODE)


def find_diary_numbers(text: str) -> list[ShapeMatch]:
    """Every diary number in ``text``, left to right."""
    found = [
        ShapeMatch("diary_number", f"HEL {m[1]}-{int(m[2]):06d}", m.start(), m.end())
        for m in _HELSINKI.finditer(text)
    ]
    for pattern in (_TAMPERE, _VANTAA):
        found += [
            ShapeMatch("diary_number", m[0], m.start(), m.end()) for m in pattern.finditer(text)
        ]
    return sorted(found, key=lambda match: match.start)


def find_postal_codes(text: str, *, taken: Sequence[tuple[int, int]] = ()) -> list[ShapeMatch]:
    """Five-digit postal codes not inside a span already ``taken`` (e.g. a diary number)."""
    return [
        ShapeMatch("postal_code", m[0], m.start(), m.end())
        for m in _POSTAL_CODE.finditer(text)
        if not any(start < m.end() and m.start() < end for start, end in taken)
    ]


def find_languages(text: str) -> list[ShapeMatch]:
    """Names of the bot's languages (fi, sv, en), as a resident asks for one."""
    found = []
    for match in _WORD.finditer(text):
        code = _LANGUAGE_INDEX.get(match[0].lower())
        if code is not None:
            found.append(ShapeMatch("language", code, match.start(), match.end()))
    return found
