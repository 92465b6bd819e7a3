"""Typed text as names are compared: folding, marked letters, words."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# The common non-ASCII letters of Finnish and Swedish, folded without the full Unicode path.
_FAST_FOLD: Final = str.maketrans("äöåéüèáàâ", "aoaeueaaa")
# Letters that folding loses: a typed one must be in the name ("vända" is not Vanda).
_MARKED: Final = frozenset("äöå")


def fold(text: str) -> str:
    """``text`` as names are compared: NFKC, case-folded, without diacritics. ``Töölö`` folds
    to ``toolo``. A letter with no decomposition keeps its form: ``ø`` stays, ``ß`` becomes
    ``ss``."""
    if text.isascii():
        return text.lower()
    quick = text.casefold().translate(_FAST_FOLD)
    if quick.isascii():
        return quick
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _marked(text: str, folded: str) -> str | None:
    """``text`` lower-cased and in NFC when it has a letter that folding loses and folds letter
    for letter (to ``folded``), so positions agree with its fold. Otherwise None."""
    if text.isascii():
        return None
    lowered = unicodedata.normalize("NFC", text).lower()
    if _MARKED.isdisjoint(lowered) or len(lowered) != len(folded):
        return None
    return lowered


# A word: letters, and any combining marks of a decomposed "ä" (U+0308) or "å" (U+030A).
_WORD: Final = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*")
# The same without combining marks, twice as fast: for the texts that have none.
_PLAIN_WORD: Final = re.compile(r"[^\W\d_]+")
_COMBINING: Final = re.compile(r"[\u0300-\u036f]")
# What may stand between the words of one name: spaces and at most one hyphen.
_JOINER: Final = re.compile(r"[ \t\u00a0]*[-\u2010\u2011\u2013]?[ \t\u00a0]*")


def _word_pairs(name: str) -> list[tuple[str, str]]:
    """The words of ``name``, each folded and as written (lower case, NFC)."""
    return [
        (fold(match.group()), unicodedata.normalize("NFC", match.group()).lower())
        for match in _WORD.finditer(name)
    ]
