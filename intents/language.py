"""Which language a text is in: Finnish, Swedish or English.

A naive Bayes model over the words and the character n-grams of words, trained on the same
examples as the intents. It must work on two-word messages ("moi", "hej tack", "kiitti"),
so every word counts, and the resident's stored language enters as a prior that tips the
balance when the text itself says little.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from intents.features import char_ngrams

__all__ = ["LanguageModel", "language_features"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
PRIOR_WEIGHT = 0.6
"""Prior probability of the resident's stored language; the others share the rest."""


def language_features(text: str) -> list[str]:
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    features = ["w:" + word for word in words]
    for word in words:
        features.extend("c:" + gram for gram in char_ngrams(word, (1, 2, 3, 4)))
    return features


@dataclass(frozen=True)
class LanguageModel:
    languages: tuple[str, ...]
    index: Mapping[str, int]
    """Feature → its row in ``log_likelihood``."""
    log_likelihood: npt.NDArray[np.float64]
    """log P(feature | language): a row per feature, a column per language."""

    @classmethod
    def train(cls, texts: Iterable[tuple[str, str]], *, smoothing: float = 0.1) -> LanguageModel:
        """Train on ``(text, language)`` pairs."""
        counts: dict[str, Counter[str]] = {}
        for text, language in texts:
            counts.setdefault(language, Counter()).update(language_features(text))
        languages = tuple(sorted(counts))
        vocabulary = set().union(*(c.keys() for c in counts.values()))
        totals = {
            lang: sum(c.values()) + smoothing * (len(vocabulary) + 1) for lang, c in counts.items()
        }
        features = sorted(vocabulary)
        log_likelihood = np.array(
            [
                [math.log((counts[lang][f] + smoothing) / totals[lang]) for lang in languages]
                for f in features
            ]
        )
        return cls(languages, {f: row for row, f in enumerate(features)}, log_likelihood)

    def detect(self, text: str, *, prior: str | None = None) -> tuple[str | None, float]:
        """The most likely language and its probability; (None, 0) for a text without words.

        Unknown features are skipped: they say nothing about the language.
        """
        index = self.index
        rows = [index[f] for f in language_features(text) if f in index]
        if not rows:
            return (prior, 0.0) if prior in self.languages else (None, 0.0)
        scores = self.log_likelihood[rows].sum(axis=0)
        # Character n-grams of one word are not independent evidence: temper them.
        tempered = (scores / max(1.0, len(rows) ** 0.5)).tolist()
        if prior in self.languages:
            other = (1 - PRIOR_WEIGHT) / (len(self.languages) - 1)
            for position, language in enumerate(self.languages):
                tempered[position] += math.log(PRIOR_WEIGHT if language == prior else other)
        top = max(tempered)
        weights = [math.exp(score - top) for score in tempered]
        best = max(range(len(weights)), key=weights.__getitem__)
        return self.languages[best], weights[best] / sum(weights)
