"""What a text looks like to the article search: folded words, light stems and word pieces.

Residents write "jätteiden lajittelusta", "jatelajittelu", "sortering av avfallet" or "where do
I recycle". Three things make those meet the articles' words without a dictionary:

- folding: lower case, Unicode-normalised, ä→a, ö→o, å→a (residents often leave the dots out);
- a light suffix stripper per language (Finnish case endings, possessives and clitics, Swedish
  definite and plural endings, English plurals and -ing/-ed) for the word's stem;
- character n-grams inside the word, which carry compounds ("jätelajittelu" shares pieces with
  "lajittelu") and stem changes the stripper does not know ("katu"/"kadun").

A word's features are a fixed set (computed once per distinct word and cached by the index).
Question words and the commonest function words are dropped: they say nothing of the topic.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Final

__all__ = ["NGRAM_SIZES", "fold", "stem", "word_features", "words"]

NGRAM_SIZES: Final = (4,)
"""Pieces of these lengths (of the word padded with a space each side)."""

_FOLD: Final = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u", "á": "a"})
_WORD: Final = re.compile(r"[^\W_]+", re.UNICODE)


def _listed(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text`` (folded), longest first."""
    return tuple(sorted({word.translate(_FOLD) for word in text.split()}, key=len, reverse=True))


_STOP: Final = {
    "fi": _listed(
        "ja tai on ole ei en et eivat etta kun jos niin mika mita mikä missa mista mihin miten "
        "milloin miksi kuka ketka voi voiko voinko voiko saako saanko pitaako pitaa onko kuinka "
        "paljon minka minun mina sina han me te he se ne tama tuo siita sen sita nyt viela myos "
        "kanssa mulla mun mua minulla minulle minua olen olla oli ovat teidan te teilta teille "
        "haluan haluaisin tarvitsen pitaisi pitäisi kiitos hei moi apua kerro "
        # spoken Finnish, as residents write it
        "ma sa mä sä sun mulle sulle oon oot onks onko mitä mis mist miks ku mut et tiia tiiä"
    ),
    "sv": _listed(
        "och eller ar är inte att som om nar när var vad vilken vilka hur varfor varför vem kan "
        "jag du han hon vi ni de det den en ett min mitt mina mig dig er till fran från for för "
        "med pa på av i om har hade ska skall maste måste vill skulle nagon någon finns behover "
        "behöver tack hej hjalp hjälp berätta"
    ),
    "en": _listed(
        "a an the and or is are am be was were not no do does did how what where when which who "
        "why can could should would will i you he she we they it my me your our to from for of "
        "in on at by with about there this that these those have has had get need want please "
        "thanks hello hi help tell any some"
    ),
}
_STOP_FOLDED: Final = {
    lang: frozenset(w.translate(_FOLD) for w in ws) for lang, ws in _STOP.items()
}

# Longest first: the first ending that leaves a stem of at least three letters is stripped.
_FI_CLITICS: Final = ("kaan", "kin", "ko")
_FI_POSSESSIVES: Final = ("nsa", "mme", "nne", "ni", "si")
_FI_ENDINGS: Final = _listed(
    "issa ista illa ilta ille ihin iden itten ineen iksi ina ita ien "
    "ssa sta lla lta lle ksi tta seen siin hin jen ten den tten neen "
    "na ta ja ia an en in on un yn n t a"
)
_SV_ENDINGS: Final = _listed(
    "arnas ernas ornas arna erna orna ande ende ens ets ar er or en et na s"
)
_EN_ENDINGS: Final = ("ing", "ies", "ed", "es", "s")
_ENDINGS: Final = {"fi": _FI_ENDINGS, "sv": _SV_ENDINGS, "en": _EN_ENDINGS}
_MIN_STEM: Final = 3


def fold(text: str) -> str:
    """Lower case, Unicode-normalised, without the diacritics residents often leave out."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)


def words(text: str, language: str) -> list[str]:
    """The folded words of ``text`` that may name a topic (no stop words, no lone digits)."""
    stop = _STOP_FOLDED.get(language, frozenset())
    return [
        word
        for word in _WORD.findall(fold(text))
        if word not in stop and not (word.isdigit() and len(word) < 3)
    ]


def _strip(word: str, endings: Iterable[str]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
            return word[: -len(ending)]
    return word


def stem(word: str, language: str) -> str:
    """A light stem of a folded word: what its inflected forms have in common, roughly."""
    if language == "fi":
        word = _strip(word, _FI_CLITICS)
        word = _strip(word, _FI_POSSESSIVES)
    return _strip(word, _ENDINGS.get(language, ()))


def word_features(word: str, language: str) -> Counter[str]:
    """The features of one folded word: its stem and the n-grams of the whole word.

    Stems are language-tagged (the same letters mean different things in fi and sv); the
    n-grams are shared, which lets names such as "Sortti" or "Kela" meet across languages.
    """
    features: Counter[str] = Counter({f"s:{language}:{stem(word, language)}": 1})
    if len(word) > 3:
        padded = f" {word} "
        for size in NGRAM_SIZES:
            features.update(
                "g:" + padded[start : start + size] for start in range(len(padded) - size + 1)
            )
    return features
