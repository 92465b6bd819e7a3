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
    log_likelihood: Mapping[str, tuple[float, ...]]
    """Feature → log P(feature | language), for each language in order."""
    unseen: tuple[float, ...]

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
        log_likelihood = {
            feature: tuple(
                math.log((counts[lang][feature] + smoothing) / totals[lang]) for lang in languages
            )
            for feature in vocabulary
        }
        unseen = tuple(math.log(smoothing / totals[lang]) for lang in languages)
        return cls(languages, log_likelihood, unseen)

    def detect(self, text: str, *, prior: str | None = None) -> tuple[str | None, float]:
        """The most likely language and its probability; (None, 0) for a text without words.

        Unknown features are skipped: they say nothing about the language.
        """
        features = [f for f in language_features(text) if f in self.log_likelihood]
        if not features:
            return (prior, 0.0) if prior in self.languages else (None, 0.0)
        scores = [0.0] * len(self.languages)
        for feature in features:
            for position, value in enumerate(self.log_likelihood[feature]):
                scores[position] += value
        # Character n-grams of one word are not independent evidence: temper them.
        tempered = [score / max(1.0, len(features) ** 0.5) for score in scores]
        if prior in self.languages:
            other = (1 - PRIOR_WEIGHT) / (len(self.languages) - 1)
            for position, language in enumerate(self.languages):
                tempered[position] += math.log(PRIOR_WEIGHT if language == prior else other)
        top = max(tempered)
        weights = [math.exp(score - top) for score in tempered]
        best = max(range(len(weights)), key=weights.__getitem__)
        return self.languages[best], weights[best] / sum(weights)
