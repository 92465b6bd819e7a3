"""Typos: endings typed with one, the deletion neighbourhoods and letter pairs that find the
candidates, and the edit distance that checks them."""

from __future__ import annotations

from typing import Final

from intents.areas.inflection import _ENDINGS, _Ending

_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz"


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
# The endings a typo'd word may have (see the package docstring): none, or a place ending.
# With no ending, a typo must spare the last two letters: Finnish inflects the end of a word,
# so "puistoa" is a form of "puisto" (a park), not Puistola with a letter missing.
_BARE: Final = _ENDINGS[""]
_TYPO_ENDINGS: Final = {
    ending: info for ending, info in _ENDINGS.items() if ending and info.place and not info.spoken
}
_TYPO_ENDING_LENGTHS: Final = tuple(sorted({len(ending) for ending in _TYPO_ENDINGS}))
_MAX_ENDING_TYPO: Final = max(len(typo) for typo in _ENDING_TYPOS)


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
