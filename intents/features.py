"""Turning a text into features: what the intent classifier and language detector see.

Entities are masked first (a diary number becomes ``__diary__``, an area ``__area__``), so
"tilaa Kallion tiedotteet" and "tilaa Vuosaaren tiedotteet" look alike to the classifier.
Letters are folded to ASCII (ä→a, ö→o, å→a) because residents often type without them.
Word unigrams and bigrams and character n-grams inside words carry Finnish inflection and
compounds without a stemmer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["MASKS", "char_ngrams", "fold", "intent_features", "mask", "tokens", "weigh"]

MASKS = {
    "diary_number": "__diary__",
    "area": "__area__",
    "postal_code": "__postal__",
}
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "é": "e", "ü": "u", "á": "a", "à": "a"})
_TOKEN = re.compile(r"__\w+__|\w+|[^\w\s]", re.UNICODE)
_DIGITS = re.compile(r"\d")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case, Unicode-normalised, without the diacritics residents often leave out."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)


def mask(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, entity)`` span replaced by its entity's mask."""
    pieces: list[str] = []
    position = 0
    for start, end, entity in sorted(spans):
        if start < position:
            continue
        pieces += [text[position:start], f" {MASKS.get(entity, '')} "]
        position = end
    pieces.append(text[position:])
    return _URL.sub(" __url__ ", "".join(pieces))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_DIGITS.sub("0", fold(text)))


def char_ngrams(word: str, sizes: Sequence[int]) -> Iterable[str]:
    padded = f" {word} "
    for size in sizes:
        for start in range(max(1, len(padded) - size + 1)):
            yield padded[start : start + size]


def intent_features(masked_text: str) -> Counter[str]:
    """Counts of the features of one (already masked) text."""
    features: Counter[str] = Counter()
    words = tokens(masked_text)
    previous = "<s>"
    for word in words:
        features["w:" + word] += 1
        if word[0].isalnum() or word.startswith("__"):
            features[f"b:{previous} {word}"] += 1
            previous = word
        if word[0].isalpha() and not word.startswith("__"):
            features.update("c:" + gram for gram in char_ngrams(word, (2, 3, 4, 5)))
    if words:
        features[f"b:{previous} </s>"] += 1
    return features


def weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear tf-idf, L2-normalised, over the features the model knows."""
    weights = {
        feature: (idf[feature] if count == 1 else (1.0 + math.log(count)) * idf[feature])
        for feature, count in counts.items()
        if feature in idf
    }
    norm = math.sqrt(sum(value * value for value in weights.values())) or 1.0
    return {feature: value / norm for feature, value in weights.items()}
