"""Area names in residents' messages: "Kalliossa", "Berghäll", "toolossa", "Kaliossa", "itis".

``AreaMatcher.load().find(text)`` returns the areas a message names: the span of the words as
typed and the area's Finnish nominative name (``Kallio``, ``Vuosaari``, ``Itäkeskus``). Names
come from ``data/areas.csv`` (built from official district and postal-area data by
``scripts/build_area_names.py``) and ``data/area_aliases.csv`` (colloquial names).

How a typed word matches a word of a name. Both are compared case-insensitively, after NFKC,
without diacritics: ``toolo`` matches ``Töölö``. Diacritics the resident did type must be in the
name, though: "vända" (Swedish "turn") is not ``Vanda``, and "Lähdin" ("I left") is not Lahti.
A typed word matches in one of three ways:

- exactly, or inflected. An inflected form is a stem of the word, a case ending (-n, -a, -ta,
  -tta, -na, -ksi, -ssa, -sta, -lla, -lta, -lle, an illative -Vn, -hVn or -seen, partitive -ta
  or genitive plural -ten after a consonant stem) and optionally a clitic (-kin, -kaan, -ko).
  The stems follow the changes Finnish place names show:
  - final -i → -e after the consonants that allow it (Vuosaari → Vuosaaressa);
  - consonant gradation in the last syllable (Kannelmäki → Kannelmäessä, Lahti → Lahdessa,
    Hervanta → Hervannassa, Viikki → Viikissä, Päiväkumpu → Päiväkummussa);
  - -s → -kse- (Itäkeskus → Itäkeskuksessa);
  - -nen → -se-, -s-, -si- (Kauniainen → Kauniaisissa);
  - -e → -ee- with the strong grade (Tampere → Tampereella, Villähde → Villähteellä);
  - a link -i- after a final consonant (Westend → Westendissä).

  A stem keeps at least 4 letters. The stems over-generate on purpose: a wrong stem only makes
  a word that nobody types. Stems of 5+ letters also take the spoken endings that drop the
  vowel (-s, -st, -l, -lt: "asun Kallios", "Malmil"). Words take a Swedish genitive -s
  (Berghälls, Malms), except those of 4 letters ending in a vowel, where -s makes other words
  (Sökö: "Sokos").
- with typos: edits that insert, delete or substitute a letter, or swap two neighbours. The first
  letter must be right. One edit is allowed in a word of 6+ letters typed with a capital, or
  8+ letters without one ("kallis" is a word, "Kallio" a place). Two edits are allowed in a word
  of 11+ letters whose first two letters are right. The typed word must end in a place ending
  (-ssa, -sta, -lla, -lta, -lle, an illative), or have no ending: then the word needs 8+
  letters for one edit, a capital for two, and the last two letters must be right ("vuosari"
  is Vuosaari, "puistoa" is no Puistola). Typo'd genitives and partitives look too much like
  other Finnish words: real resident texts had "Kanavan" for Kånala and "Viimeksi" for Viikki.
  The typo may be in the stem (Kaliossa, Vuosaressa) or in an ending of 3+ letters
  (Herttoniemesa). Typos are looked for only when a word matches no name exactly or inflected,
  never for aliases, and not with the spoken endings. A deletion-neighbourhood index finds the
  candidates, so the cost does not grow with the number of names.

A name of several words (``Etu-Töölö``, ``Helsinki keskusta``, ``Östra centrum``) matches
consecutive typed words separated only by spaces and at most one hyphen. Each word may be
inflected ("Helsingin keskustassa", "Etu-Töölössä"). A hyphenated name also matches as one word
("Itäpasila"). At each position the name covering the most words wins, then the one with fewer
typos and inflections. Matches do not overlap and are found left to right.

Rules, not special cases, keep false positives down:

- a word of under 4 letters matches only exactly as written, diacritics included. A name that is
  one such word (``Dal``, ``Vik``, ``Ås``) also needs a capital, so "as" or "As" is not Ås;
- a name that is also an everyday word needs a cue. Those in ``_NEEDS_CAPITAL`` need a capital
  letter: "asun Kilossa" and "Kilon tiedotteet" match, "kilo" does not. Those in
  ``_NEEDS_CUE`` (words for kinds of places) need a capital letter or a place ending:
  "Lahdessa", "lahdessa" and "Lahti on" match, "lahti" (a bay) does not. A capital that only
  starts a sentence still counts ("Tullissa jonotettiin." finds Tulli): residents start
  sentences with area names too often ("Kivikossa tietöitä nyt?") to ignore it;
- a word matches as a whole: "Kallio" does not match in "Kalliotalo".

One name may belong to several areas: ``Håkansböle`` is Hakunila, and also half of the postal
name of Kuusikko-Hakkila. Then the value comes from the coarsest kind of row naming it. The order
is municipality, suurpiiri/suuralue, peruspiiri/tilastoalue, kaupunginosa, postal area,
osa-alue/pienalue, then derived parts and bases; aliases come last and never override a name
from the data. Ties go to the value with the most rows, then to the alphabetically first.

Speed: a matcher remembers what each typed word it has seen can be (up to ``_CACHE_SIZE``
words), since the words of a chat recur. A word it has not seen costs a few dictionary lookups;
the typo lookups run only where the word's first letters could begin a name's stem.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, NamedTuple

__all__ = ["AreaMatch", "AreaMatcher", "AreaName", "fold", "kind_rank", "stems"]


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """An area named in a message. ``text == message[start:end]`` is the whole typed word or
    words, case ending included ("Kalliossa"). ``value`` is the area's Finnish nominative."""

    start: int
    end: int
    text: str
    value: str


@dataclass(frozen=True, slots=True)
class AreaName:
    """One way to write an area: ``name`` is recognised as the area ``value``. ``rank`` decides
    between rows that give one name different values; the lowest rank wins."""

    name: str
    value: str
    rank: int


# --- text -------------------------------------------------------------------------------------

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

# --- Finnish inflection -----------------------------------------------------------------------

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
_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz"

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


def _ending_typos() -> dict[str, _Ending]:
    """Endings of 3+ letters with one typo: "Herttoniemesa" has lost an s of -ssa."""
    typos: dict[str, _Ending] = {}
    for ending, info in _ENDINGS.items():
        if len(ending) < 3 or info.spoken:
            continue
        variants = {ending[:i] + ending[i + 1 :] for i in range(len(ending))}
        for i in range(len(ending) + 1):
            variants.update(ending[:i] + letter + ending[i:] for letter in _ALPHABET)
            if i < len(ending):
                variants.update(ending[:i] + letter + ending[i + 1 :] for letter in _ALPHABET)
            if i < len(ending) - 1:
                variants.add(ending[:i] + ending[i + 1] + ending[i] + ending[i + 2 :])
        for variant in variants - _ENDINGS.keys():
            known = typos.get(variant)
            merged = info
            if known is not None:  # a typo of two endings takes the stems of both
                merged = _Ending(known.classes | info.classes, known.place or info.place)
            typos[variant] = merged
    return typos


_ENDING_TYPOS: Final = {typo: info for typo, info in _ending_typos().items() if info.place}
# The endings a typo'd word may have (see the module docstring): none, or a place ending.
# With no ending, a typo must spare the last two letters: Finnish inflects the end of a word,
# so "puistoa" is a form of "puisto" (a park), not Puistola with a letter missing.
_BARE: Final = _ENDINGS[""]
_TYPO_ENDINGS: Final = {
    ending: info for ending, info in _ENDINGS.items() if ending and info.place and not info.spoken
}
_TYPO_ENDING_LENGTHS: Final = tuple(sorted({len(ending) for ending in _TYPO_ENDINGS}))
_MAX_ENDING_TYPO: Final = max(len(typo) for typo in _ENDING_TYPOS)

# --- words that are also names -----------------------------------------------------------------

# Everyday words, and a few Swedish and English ones, whose inflected forms are everyday speech
# too: "kilolla", "tasanteella", "tullissa", "kuusikossa", "kärpäsen". Matched only when typed
# with a capital.
_NEEDS_CAPITAL: Final = frozenset(
    {
        "bulevardi", "bulevarden", "dammen", "jokivarsi", "kampen", "karpanen", "kartano",
        "kiila", "kilo", "kirkonkyla", "kivikko", "kuusikko", "linjat", "manse",
        "metsakangas", "muotiala", "pappila", "rusko", "sexan", "skatta", "suurmetsa",
        "suurpelto", "tali", "tasanne", "tenava", "tulli", "uusikyla", "veromies",
    }
)  # fmt: skip
# Words for kinds of places: "lahdessa" is in Lahti, "lahti" alone is a bay.
_NEEDS_CUE: Final = frozenset(
    {
        "harju", "itasaaret", "jokiniemi", "kalasatama", "laakso", "lahti", "lansisaaret",
        "lansisatama", "lentokentta", "malm", "malmi", "niemi", "nurmi", "ulkosaaret",
    }
)  # fmt: skip

# --- the matcher --------------------------------------------------------------------------------

_EXACT_QUALITY: Final = 0
_INFLECTED_QUALITY: Final = 1  # typos add their count to this
_SHARED: Final = -1  # a deletion key of several words
_CACHE_SIZE: Final = 50_000  # typed words remembered, a few MB
_HEAD: Final = 4  # letters of the heads that gate lookups (see _build_typo_index)

_KIND_RANK: Final = {
    "municipality": 0,
    "suurpiiri": 1,
    "suuralue": 1,
    "peruspiiri": 2,
    "tilastoalue": 2,
    "kaupunginosa": 3,
    "postal_area": 4,
    "osa-alue": 5,
    "pienalue": 5,
}
_DERIVED_RANK: Final = 6
ALIAS_RANK: Final = 7


def kind_rank(kind: str) -> int:
    """How coarse a kind of row in areas.csv is; lower ranks win."""
    return _KIND_RANK.get(kind, _DERIVED_RANK)


@dataclass(frozen=True, slots=True)
class _Name:
    """A name as word ids, and what it takes to accept it."""

    words: tuple[int, ...]
    value: str
    needs_capital: bool
    needs_cue: bool


class _Token(NamedTuple):
    """A typed word. (A tuple, not a frozen dataclass: a long text makes thousands.)"""

    start: int
    end: int
    folded: str
    capital: bool
    marked: str | None  # see _marked


def _token(start: int, end: int, text: str) -> _Token:
    if text.isascii():
        return _Token(start, end, text.lower(), text[0].isupper(), None)
    folded = fold(text)
    return _Token(start, end, folded, text[0].isupper(), _marked(text, folded))


# What a typed word is as the words of names: word id → (quality, has a place ending).
_Hits = dict[int, tuple[int, bool]]
# find's lazy lookup of the hits of the token at an index.
_HitsAt = Callable[[int], _Hits]


def _word_pairs(name: str) -> list[tuple[str, str]]:
    """The words of ``name``, each folded and as written (lower case, NFC)."""
    return [
        (fold(match.group()), unicodedata.normalize("NFC", match.group()).lower())
        for match in _WORD.finditer(name)
    ]


def _deletions(word: str) -> set[str]:
    """``word`` and ``word`` with one letter deleted, never the first letter."""
    found = {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    found.add(word)
    return found


def _bigrams(word: str) -> frozenset[str]:
    """The distinct pairs of neighbouring letters in ``word``. An edit removes at most two of
    them, so words two edits apart share all but four of the larger set (the q-gram lemma)."""
    return frozenset(word[i : i + 2] for i in range(len(word) - 1))


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (edits, swaps of neighbours), or ``limit + 1``.

    The common prefix and suffix are cut first, so the quadratic part sees only the few
    letters that differ."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    head = 0
    shorter = min(len(a), len(b))
    while head < shorter and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shorter - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a, b = a[head : len(a) - tail], b[head : len(b) - tail]
    if not a or not b:
        return max(len(a), len(b))
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def _record(found: _Hits, word_id: int, quality: int, place: bool) -> None:
    """Keep the best (lowest) quality seen for ``word_id``."""
    known = found.get(word_id)
    if known is None or quality < known[0]:
        found[word_id] = (quality, place)


class AreaMatcher:
    """Finds area names in text. ``load()`` gives the one for the package's data. After
    construction a matcher only adds to a bounded cache of word lookups, whose entries never
    change, so threads may share it."""

    def __init__(self, names: Iterable[AreaName]) -> None:
        """Index ``names``. Where one name (as compared) has several values, the lowest rank
        wins, then the value with the most rows, then the alphabetically first."""
        votes: dict[tuple[str, ...], Counter[tuple[int, str]]] = defaultdict(Counter)
        marks: dict[str, set[str]] = defaultdict(set)
        for entry in names:
            pairs = _word_pairs(entry.name)
            if not pairs:
                continue
            words = tuple(folded for folded, _ in pairs)
            for folded, written in pairs:
                marks[folded].update(_MARKED.intersection(written))
            # Ranks count double: a name written as one word ("Itäpasila" for "Itä-Pasila")
            # ranks just after a name written so.
            votes[words][(2 * entry.rank, entry.value)] += 1
            if len(words) > 1 and "-" in entry.name:
                joined = "".join(words)
                votes[(joined,)][(2 * entry.rank + 1, entry.value)] += 1
                marks[joined].update(_MARKED.intersection(entry.name.lower()))

        self._word_ids: dict[str, int] = {}
        self._word_texts: list[str] = []
        self._by_first: dict[int, list[_Name]] = defaultdict(list)
        typo_words: set[int] = set()
        for words, counts in sorted(votes.items()):
            rank = min(rank for rank, _ in counts)
            _, value = min((-count, value) for (r, value), count in counts.items() if r == rank)
            ids = tuple(self._word_id(word) for word in words)
            if rank < 2 * ALIAS_RANK:  # nobody mistypes slang into another word's shape
                typo_words.update(ids)
            single = words[0] if len(words) == 1 else None
            self._by_first[ids[0]].append(
                _Name(
                    words=ids,
                    value=value,
                    needs_capital=single is not None
                    and (len(single) < 4 or single in _NEEDS_CAPITAL),
                    needs_cue=single in _NEEDS_CUE,
                )
            )
        for candidates in self._by_first.values():
            candidates.sort(key=lambda name: -len(name.words))

        # stem → [(word id, stem classes)]; per word id: its stems, its marked letters.
        self._stems: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._word_stems: list[tuple[tuple[str, int], ...]] = []
        self._word_marks: list[frozenset[str]] = []
        self._typo_words = frozenset(typo_words)
        for word_id, word in enumerate(self._word_texts):
            word_stems = stems(word)
            for stem, classes in word_stems.items():
                self._stems[stem].append((word_id, classes))
            self._word_stems.append(tuple(word_stems.items()))
            self._word_marks.append(frozenset(marks[word]))
        self._build_typo_index()
        # What typed words are (see _hits), kept across calls: most words of a chat recur.
        # Entries are never changed once stored, so threads may share the cache.
        self._cache: dict[tuple[str, bool, str | None], _Hits] = {}

    def _word_id(self, word: str) -> int:
        found = self._word_ids.get(word)
        if found is None:
            found = self._word_ids[word] = len(self._word_texts)
            self._word_texts.append(word)
        return found

    def _build_typo_index(self) -> None:
        """Index the stems for typo lookups.

        One typo: the deletion neighbourhood of each stem (the stem, and the stem with one
        letter deleted, never the first) maps to the word having it, or to ``_SHARED`` with
        the words in ``_near_shared``. A typed stem one edit away shares a key with it.

        Two typos (words of 11+ letters): their stems grouped by first two letters (which a
        typed word with two typos must have right) and length, each with its set of letter
        pairs. A typed stem is compared only with the stems of its first two letters whose
        length is within two and which share enough letter pairs with it (see ``_bigrams``).
        Two-deletion neighbourhoods would be ~40,000 keys, slower to build than all the rest of
        loading.

        The four-letter heads of the stems and of the deletion keys let most typed words skip
        the lookups: a stem starts with the first four letters of a word made from it, and a
        key with those of the typed word or of it without its second, third or fourth
        letter."""
        self._near: dict[str, int] = {}
        self._near_shared: dict[str, set[int]] = {}
        self._long: dict[tuple[str, int], list[tuple[str, frozenset[str], int, int]]] = defaultdict(
            list
        )
        seen: set[str] = set()  # the keys of _near: set operations on it run in C
        for word_id in sorted(self._typo_words):
            if len(self._word_texts[word_id]) < 6:
                continue
            keys: set[str] = set()
            for stem, classes in self._word_stems[word_id]:
                keys |= _deletions(stem)
                if len(self._word_texts[word_id]) >= 11:
                    entry = (stem, _bigrams(stem), word_id, classes)
                    self._long[stem[:2], len(stem)].append(entry)
            for key in keys & seen:
                self._near_shared.setdefault(key, {self._near[key]}).add(word_id)
            fresh = keys - seen
            self._near.update(dict.fromkeys(fresh, word_id))
            seen |= fresh
        for key in self._near_shared:
            self._near[key] = _SHARED
        self._long_heads = frozenset({head for head, _ in self._long})
        self._stem_heads = frozenset({stem[:_HEAD] for stem in self._stems})
        self._near_heads = frozenset({key[:_HEAD] for key in self._near})

    @classmethod
    def load(cls) -> AreaMatcher:
        """The matcher for the package's own data, built once per process."""
        return _packaged()

    def find(self, text: str) -> list[AreaMatch]:
        """Areas named in ``text``: left to right, not overlapping, longest name first."""
        words = _WORD if _COMBINING.search(text) else _PLAIN_WORD
        tokens = [_token(*match.span(), match.group()) for match in words.finditer(text)]
        hits: list[_Hits | None] = [None] * len(tokens)
        cache = self._cache

        def hits_at(index: int) -> _Hits:
            found = hits[index]
            if found is None:
                _, _, folded, capital, marked = key = tokens[index]
                found = cache.get(key[2:])
                if found is None:
                    found = self._hits(folded, capital, marked)
                    if len(cache) >= _CACHE_SIZE:
                        cache.clear()  # crude, but words are Zipf-distributed: it refills fast
                    cache[key[2:]] = found
                hits[index] = found
            return found

        matches: list[AreaMatch] = []
        index = 0
        while index < len(tokens):
            best = self._best_name(tokens, index, hits_at, text)
            if best is None:
                index += 1
                continue
            name, width = best
            start, end = tokens[index].start, tokens[index + width - 1].end
            matches.append(AreaMatch(start, end, text[start:end], name.value))
            index += width
        return matches

    def _best_name(
        self, tokens: list[_Token], index: int, hits_at: _HitsAt, text: str
    ) -> tuple[_Name, int] | None:
        """The best name starting at token ``index``, with its width in tokens."""
        best: tuple[int, int, str] | None = None
        best_name: _Name | None = None
        for word_id in hits_at(index):
            for name in self._by_first.get(word_id, ()):
                width = len(name.words)
                if best is not None and width < -best[0]:
                    break  # a word's names are sorted longest first
                quality = self._accept(name, tokens, index, hits_at, text)
                if quality is None:
                    continue
                score = (-width, quality, name.value)
                if best is None or score < best:
                    best, best_name = score, name
        if best is None or best_name is None:
            return None
        return best_name, -best[0]

    def _accept(
        self, name: _Name, tokens: list[_Token], index: int, hits_at: _HitsAt, text: str
    ) -> int | None:
        """The summed quality of ``name`` at token ``index``, or None if it is not there."""
        width = len(name.words)
        if index + width > len(tokens):
            return None
        total = 0
        place = False
        for offset, word_id in enumerate(name.words):
            token = tokens[index + offset]
            if offset:
                gap = text[tokens[index + offset - 1].end : token.start]
                if not _JOINER.fullmatch(gap):
                    return None
            hit = hits_at(index + offset).get(word_id)
            if hit is None:
                return None
            total += hit[0]
            place = hit[1]
        if name.needs_capital or name.needs_cue:
            capital = any(tokens[index + offset].capital for offset in range(width))
            if not capital and (name.needs_capital or not place):
                return None
        return total

    def _hits(self, word: str, capital: bool, marked: str | None) -> _Hits:
        """The words of names that the typed ``word`` (folded) can be, with match quality."""
        found: _Hits = {}
        if word[:_HEAD] not in self._stem_heads:
            if len(word) >= 5:
                self._typo_hits(word, capital, marked, found)
            return found
        bases = [(word, "")]
        if word.endswith(_CLITICS):
            bases += self._unclitic(word)
        for base, clitic in bases:
            for ending_length in _ENDING_LENGTHS:
                if ending_length >= len(base):
                    break
                stem = base[: len(base) - ending_length]
                ending = _ENDINGS.get(base[len(base) - ending_length :])
                if ending is None:
                    continue
                if ending.vowel is not None and stem[-1] != ending.vowel:
                    continue
                takes = ending.classes
                if ending.spoken and len(stem) < 5:
                    takes &= ~_VOWEL  # "Malms" is Swedish; "Sokos" is no spoken Sökö
                for word_id, classes in self._stems.get(stem, ()):
                    if not classes & takes or not self._fits(marked, stem, word_id):
                        continue
                    if classes == _EXACT:
                        if ending_length or clitic:
                            continue
                        written = _MARKED.intersection(marked or "")
                        if written != self._word_marks[word_id]:
                            continue  # "As" is not Ås
                    bare = ending_length == 0 and not clitic
                    quality = _EXACT_QUALITY if bare else _INFLECTED_QUALITY
                    _record(found, word_id, quality, ending.place)
        if not found and len(word) >= 5:
            self._typo_hits(word, capital, marked, found)
        return found

    @staticmethod
    def _unclitic(word: str) -> Iterator[tuple[str, str]]:
        """``word`` without each clitic it ends in, and the clitic."""
        for clitic in _CLITICS:
            if word.endswith(clitic) and len(word) > len(clitic) + 3:
                yield word[: -len(clitic)], clitic

    def _fits(self, marked: str | None, stem: str, word_id: int) -> bool:
        """Whether the marked letters (ä, ö, å) typed in the stem part are in the name."""
        if marked is None:
            return True
        return _MARKED.intersection(marked[: len(stem)]) <= self._word_marks[word_id]

    def _typo_limit(self, word_id: int, capital: bool, bare: bool) -> int:
        """How many typos a typed word may have as ``word_id`` (see the module docstring)."""
        if word_id not in self._typo_words:
            return 0
        length = len(self._word_texts[word_id])
        if length >= 11:
            return 2
        return 1 if length >= (8 if bare or not capital else 6) else 0

    def _typo_hits(self, word: str, capital: bool, marked: str | None, found: _Hits) -> None:
        """Words of names within the typo limits of ``word``, which matched none without."""
        # A typo in the stem, followed by no ending (capitalised only) or a place ending.
        # The shortest stems of the shortest words allowed a typo (see _typo_limit), less the
        # letter a typo may drop: 8-letter words bare, 6 (capitalised) or 8 with an ending,
        # whose weak or e-stems may be a letter shorter.
        shortest = 4 if capital else 6
        splits = [(word, _BARE)] if len(word) >= 7 else []
        for length in _TYPO_ENDING_LENGTHS:
            ending = _TYPO_ENDINGS.get(word[-length:])
            if ending is not None and len(word) - length >= shortest:
                splits.append((word[:-length], ending))
        for typed, ending in splits:
            self._stem_typos(typed, ending, capital, marked, found)
        # A correct stem, followed by a place ending of 3+ letters with a typo.
        if word[:_HEAD] not in self._stem_heads:
            return
        for stem_length in range(max(4, len(word) - _MAX_ENDING_TYPO), len(word)):
            ending = _ENDING_TYPOS.get(word[stem_length:])
            if ending is None:
                continue
            stem = word[:stem_length]
            for word_id, classes in self._stems.get(stem, ()):
                if not classes & ending.classes or not self._fits(marked, stem, word_id):
                    continue
                if self._typo_limit(word_id, capital, bare=False):
                    _record(found, word_id, _INFLECTED_QUALITY + 1, ending.place)

    def _stem_typos(
        self, typed: str, ending: _Ending, capital: bool, marked: str | None, found: _Hits
    ) -> None:
        """Words of names with a stem taking ``ending`` within the typo limits of ``typed``."""
        if len(typed) >= 9 and (capital or ending is not _BARE):
            self._two_typos(typed, ending, marked, found)
        heads = self._near_heads
        keys: Iterable[str]
        if typed[:_HEAD] in heads:
            keys = _deletions(typed)
        else:
            # Only deleting one of the letters 2 to 4 can give a key with another head.
            keys = [typed[:i] + typed[i + 1 :] for i in range(1, _HEAD)]
        candidates: set[int] = set()
        near = self._near
        for key in keys:
            owner = near.get(key)
            if owner == _SHARED:
                candidates |= self._near_shared[key]
            elif owner is not None:
                candidates.add(owner)
        bare = ending is _BARE
        for word_id in candidates:
            if self._typo_limit(word_id, capital, bare) and self._fits(marked, typed, word_id):
                self._one_typo(typed, word_id, ending, found)

    def _one_typo(self, typed: str, word_id: int, ending: _Ending, found: _Hits) -> None:
        """Record ``word_id`` if one of its stems taking ``ending`` is one edit from ``typed``."""
        for stem, classes in self._word_stems[word_id]:
            if not classes & ending.classes or stem[0] != typed[0]:
                continue
            if ending is _BARE and stem[-2:] != typed[-2:]:
                continue  # see _BARE
            if ending.vowel is not None and stem[-1] != ending.vowel:
                continue
            if _distance(typed, stem, 1) == 1:
                _record(found, word_id, _INFLECTED_QUALITY + 1, ending.place)
                return

    def _two_typos(self, typed: str, ending: _Ending, marked: str | None, found: _Hits) -> None:
        """Record the words of 11+ letters with a stem taking ``ending`` two edits away."""
        if typed[:2] not in self._long_heads:
            return
        pairs = _bigrams(typed)
        for length in range(len(typed) - 2, len(typed) + 3):
            for stem, stem_pairs, word_id, classes in self._long.get((typed[:2], length), ()):
                if not classes & ending.classes:
                    continue
                if ending.vowel is not None and stem[-1] != ending.vowel:
                    continue
                if ending is _BARE and stem[-2:] != typed[-2:]:
                    continue  # see _BARE
                if len(pairs & stem_pairs) < max(len(pairs), len(stem_pairs)) - 4:
                    continue
                if self._fits(marked, typed, word_id) and _distance(typed, stem, 2) == 2:
                    _record(found, word_id, _INFLECTED_QUALITY + 2, ending.place)


def _read_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("intents").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def packaged_names() -> list[AreaName]:
    """The names in the package's data: the rows of areas.csv, then the aliases."""
    names = [
        AreaName(row["name"], row["value"], kind_rank(row["kind"]))
        for row in _read_rows("areas.csv")
    ]
    aliases = _read_rows("area_aliases.csv")
    names += [AreaName(row["alias"], row["value"], ALIAS_RANK) for row in aliases]
    return names


@cache
def _packaged() -> AreaMatcher:
    return AreaMatcher(packaged_names())
