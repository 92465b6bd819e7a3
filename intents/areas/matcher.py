"""The matcher: finds the area names in a message (see the ``intents.areas`` docstring)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Final, NamedTuple

from intents.areas.inflection import (
    _CLITICS,
    _ENDING_LENGTHS,
    _ENDINGS,
    _EXACT,
    _VOWEL,
    _Ending,
    stems,
)
from intents.areas.names import _NEEDS_CAPITAL, _NEEDS_CUE, ALIAS_RANK, AreaName, packaged_names
from intents.areas.text import (
    _COMBINING,
    _JOINER,
    _MARKED,
    _PLAIN_WORD,
    _WORD,
    _marked,
    _word_pairs,
    fold,
)
from intents.areas.typos import (
    _BARE,
    _ENDING_TYPOS,
    _MAX_ENDING_TYPO,
    _TYPO_ENDING_LENGTHS,
    _TYPO_ENDINGS,
    _bigrams,
    _deletions,
    _distance,
)


@dataclass(frozen=True, slots=True)
class AreaMatch:
    """An area named in a message. ``text == message[start:end]`` is the whole typed word or
    words, case ending included ("Kalliossa"). ``value`` is the area's Finnish nominative."""

    start: int
    end: int
    text: str
    value: str


_EXACT_QUALITY: Final = 0
_INFLECTED_QUALITY: Final = 1  # typos add their count to this
_SHARED: Final = -1  # a deletion key of several words
_CACHE_SIZE: Final = 50_000  # typed words remembered, a few MB
_HEAD: Final = 4  # letters of the heads that gate lookups (see _build_typo_index)


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
        """How many typos a typed word may have as ``word_id`` (see the package docstring)."""
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


@cache
def _packaged() -> AreaMatcher:
    return AreaMatcher(packaged_names())
