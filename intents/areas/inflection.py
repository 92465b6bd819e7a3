"""Finnish inflection of the words of names: case endings, clitics, stems and consonant
gradation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Final

# Stem classes: which endings a stem takes.
_NOMINATIVE: Final = 1  # the name's word itself: no ending, or clitics
_VOWEL: Final = 2  # a vowel stem: the case endings
_CONSONANT: Final = 4  # a consonant stem: partitive -ta ("Vuosaarta", "Itäkeskusta")
_EXACT: Final = 8  # a word of under 4 letters: itself only
_GENITIVE_S: Final = 16  # Swedish genitive ("Berghälls"), see stems()


@dataclass(frozen=True, slots=True)
class _Ending:
    """A case ending: the stem classes it follows, whether it is typical of places, and the
    vowel the stem must end in (illatives repeat it: Kallio-on, Vuosaare-en, Espoo-hon)."""

    classes: int
    place: bool
    vowel: str | None = None
    # Spoken forms that drop the vowel ("Kallios", "Malmil") end many other words too
    # ("Sokos", "Suokas"): they need a stem of 5+ letters and no typo.
    spoken: bool = False


def _endings() -> dict[str, _Ending]:
    endings: dict[str, _Ending] = {
        "": _Ending(_NOMINATIVE | _EXACT, place=False),
        # Swedish genitive, and spoken Finnish inessive without its vowel ("asun Kallios").
        "s": _Ending(_GENITIVE_S | _VOWEL, place=True, spoken=True),
        "ta": _Ending(_VOWEL | _CONSONANT, place=False),
        "ten": _Ending(_CONSONANT, place=False),
        "seen": _Ending(_VOWEL, place=True),
    }
    for ending in ("n", "a", "tta", "na", "ksi"):
        endings[ending] = _Ending(_VOWEL, place=False)
    for ending in ("ssa", "sta", "lla", "lta", "lle"):
        endings[ending] = _Ending(_VOWEL, place=True)
    for ending in ("st", "l", "lt"):  # Kalliost, Malmil, Vantaalt
        endings[ending] = _Ending(_VOWEL, place=True, spoken=True)
    for vowel in "aeiouy":
        endings[vowel + "n"] = _Ending(_VOWEL, place=True, vowel=vowel)
        endings["h" + vowel + "n"] = _Ending(_VOWEL, place=True, vowel=vowel)
    return endings


_ENDINGS: Final = _endings()
_ENDING_LENGTHS: Final = tuple(sorted({len(ending) for ending in _ENDINGS}))
_CLITICS: Final = ("kin", "kaan", "ko")
_VOWELS: Final = frozenset("aeiouy")
# Native Finnish words in -i with an e-stem have one of these before it (saari, niemi, järvi,
# lahti, mäki); loans keep -i- ("Stadi" → "Stadin", so Swedish "staden" is no form of it).
_E_STEM_CONSONANTS: Final = frozenset("hklmnprstv")

# Consonant gradation of the last syllable, strong → weak (Hervanta → Hervanna-ssa).
_WEAKER: Final = (
    ("kk", "k"), ("pp", "p"), ("tt", "t"), ("nk", "ng"), ("mp", "mm"), ("nt", "nn"),
    ("lt", "ll"), ("rt", "rr"), ("ht", "hd"), ("lk", "l"), ("rk", "r"), ("hk", "h"),
    ("lp", "lv"), ("rp", "rv"),
)  # fmt: skip
_WEAKER_SINGLE: Final = {"k": "", "t": "d", "p": "v"}  # after a vowel: mäki → mäe-ssä
# Words in -e have the weak grade in the nominative: Villähde → Villähtee-llä.
_STRONGER: Final = (
    ("hd", "ht"), ("nn", "nt"), ("mm", "mp"), ("ng", "nk"), ("ll", "lt"), ("rr", "rt"),
)  # fmt: skip
_STRONGER_SINGLE: Final = {"d": "t", "v": "p", "k": "kk", "p": "pp", "t": "tt"}


def _weaken(stem: str) -> str | None:
    """The weak grade of a vowel-final stem, or None when its last syllable has none."""
    body, last = stem[:-1], stem[-1]
    for strong, weak in _WEAKER:
        if body.endswith(strong):
            return body[: -len(strong)] + weak + last
    if len(body) >= 2 and body[-1] in _WEAKER_SINGLE and body[-2] in _VOWELS:
        return body[:-1] + _WEAKER_SINGLE[body[-1]] + last
    return None


def _strengthen(body: str) -> str:
    """The strong grade of the consonants ending ``body`` (an -e word without its -e)."""
    for weak, strong in _STRONGER:
        if body.endswith(weak):
            return body[: -len(weak)] + strong
    if len(body) >= 2 and body[-1] in _STRONGER_SINGLE and body[-2] in _VOWELS:
        return body[:-1] + _STRONGER_SINGLE[body[-1]]
    return body


def stems(word: str) -> dict[str, int]:
    """The stems of a folded word of a name, each with the classes of endings it takes."""
    if len(word) < 4:
        return {word: _EXACT}
    found: dict[str, int] = defaultdict(int)
    genitive_s = len(word) >= 5 or word[-1] not in _VOWELS
    found[word] |= _NOMINATIVE | (_GENITIVE_S if genitive_s else 0)
    last = word[-1]
    if last not in _VOWELS:
        found[word] |= _CONSONANT
        if word.endswith("nen"):  # Linnainen → Linnaise-ssa, Linnais-ta, Kauniaisi-ssa
            found[word[:-3] + "se"] |= _VOWEL
            found[word[:-3] + "s"] |= _CONSONANT
            found[word[:-3] + "si"] |= _VOWEL
        elif last == "s" and word[-2] in _VOWELS:  # Itäkeskus → Itäkeskukse-ssa
            found[word[:-1] + "kse"] |= _VOWEL
        found[word + "i"] |= _VOWEL  # Westend → Westendi-ssä, Östersundomi-in
        return _long_enough(found)
    found[word] |= _VOWEL
    if word[-2] in _VOWELS:
        # Kallio, Espoo, Länsikorkee: no consonant to grade; a long vowel keeps its length.
        return _long_enough(found)
    if last == "e":  # Tampere → Tamperee-lla, Villähde → Villähtee-llä
        found[_strengthen(word[:-1]) + "ee"] |= _VOWEL
    weak = _weaken(word)
    if weak is not None:  # Helsinki → Helsingi-ssä, Hervanta → Hervanna-ssa
        found[weak] |= _VOWEL
    if last == "i" and word[-2] in _E_STEM_CONSONANTS:
        e_stem = word[:-1] + "e"  # Vuosaari → Vuosaare-ssa, Lahti → Lahte-en
        found[e_stem] |= _VOWEL
        weak_e = _weaken(e_stem)
        if weak_e is not None:  # Lahti → Lahde-ssa, Kannelmäki → Kannelmäe-ssä
            found[weak_e] |= _VOWEL
        if word[-2] in "lnrs" and word[-3] in _VOWELS:  # Vuosaar-ta, Kulosaar-ta
            found[word[:-1]] |= _CONSONANT
    return _long_enough(found)


def _long_enough(found: dict[str, int]) -> dict[str, int]:
    """The stems of 4+ letters: "Sökö" graded to "soo-" would make English "soon" a form."""
    return {stem: classes for stem, classes in found.items() if len(stem) >= 4}
