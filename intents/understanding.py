"""What a resident's text means: language, intent with confidence, entities.

A first, deliberately small understanding: greetings and requests for help in Finnish, Swedish
and English, recognised by their words; anything else is ``nlu_fallback``. The result has the
shape of Rasa's ``/model/parse`` so the dialogue never depends on how it was produced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["LANGUAGES", "Entity", "IntentScore", "Parse", "parse"]

LANGUAGES = ("fi", "sv", "en")

_WORDS = re.compile(r"[\w']+", re.UNICODE)

# (intent, language) -> words that say it. A word in several languages ("hei", "hej", "moi")
# counts for each; the language with the most distinctive evidence wins.
_VOCABULARY: dict[tuple[str, str], frozenset[str]] = {
    ("greet", "fi"): frozenset(
        [
            "moi",
            "moikka",
            "moro",
            "hei",
            "heippa",
            "terve",
            "tervehdys",
            "päivää",
            "paivaa",
            "huomenta",
            "iltaa",
            "morjens",
            "moikku",
            "heips",
            "hellurei",
        ]
    ),
    ("greet", "sv"): frozenset(
        ["hej", "hejsan", "tjena", "tjenare", "hallå", "halla", "morjens", "goddag", "god"]
    ),
    ("greet", "en"): frozenset(
        ["hello", "hi", "hey", "hiya", "greetings", "howdy", "morning", "evening"]
    ),
    ("help", "fi"): frozenset(
        [
            "apua",
            "ohje",
            "ohjeet",
            "auta",
            "auttaa",
            "autatko",
            "osaatko",
            "mitä",
            "mita",
            "voit",
            "voitko",
            "neuvoa",
        ]
    ),
    ("help", "sv"): frozenset(
        ["hjälp", "hjalp", "hjälpa", "hjälper", "kan", "du", "vad", "instruktioner"]
    ),
    ("help", "en"): frozenset(
        ["help", "what", "can", "you", "do", "assist", "instructions", "support"]
    ),
}

# Words that tell the language even when they carry no intent.
_LANGUAGE_HINTS: dict[str, frozenset[str]] = {
    "fi": frozenset(
        [
            "mä",
            "sä",
            "minä",
            "sinä",
            "onko",
            "onks",
            "voiko",
            "voisko",
            "kiitos",
            "kiitti",
            "ja",
            "ei",
            "on",
            "että",
        ]
    ),
    "sv": frozenset(["jag", "du", "är", "och", "inte", "det", "tack", "vad", "hur", "kan"]),
    "en": frozenset(
        ["i", "you", "is", "and", "not", "the", "thanks", "what", "how", "can", "please"]
    ),
}
_AMBIGUOUS = {"hei", "morjens"}  # said alike in Finnish and Finland-Swedish


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Parse:
    """One text understood, in the shape of Rasa's ``/model/parse`` plus ``language``."""

    text: str
    intent: IntentScore
    language: str | None
    """Detected language, or None when the text gives no evidence."""
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = field(default=())

    def as_rasa_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": self.intent.confidence},
            "intent_ranking": [
                {"name": score.name, "confidence": score.confidence}
                for score in self.intent_ranking
            ],
            "entities": [
                {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                for e in self.entities
            ],
            "language": self.language,
        }


def parse(text: str, *, prior_language: str | None = None) -> Parse:
    """Understand ``text``. ``prior_language`` breaks ties (the resident's known language)."""
    words = [word.lower() for word in _WORDS.findall(text)]
    if text.lstrip().startswith(("/start", "/help", "/apua", "/hjalp", "/hjälp")):
        return _result(text, "help", _language_of(words, prior_language), 1.0)
    intent_votes: dict[str, int] = {}
    for (intent, _language), vocabulary in _VOCABULARY.items():
        hits = sum(1 for word in words if word in vocabulary)
        intent_votes[intent] = max(intent_votes.get(intent, 0), hits)
    language = _language_of(words, prior_language)
    best = max(intent_votes, key=lambda name: intent_votes[name])
    if intent_votes[best] == 0 or len(words) > 3 * intent_votes[best] + 3:
        return _result(text, "nlu_fallback", language, 1.0)
    return _result(text, best, language, min(0.95, 0.6 + 0.15 * intent_votes[best]))


def _language_of(words: list[str], prior: str | None) -> str | None:
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for word in words:
        for (_intent, language), vocabulary in _VOCABULARY.items():
            if word in vocabulary:
                scores[language] += 0.5 if word in _AMBIGUOUS else 1.0
        for language, hints in _LANGUAGE_HINTS.items():
            if word in hints:
                scores[language] += 0.5
        if any(letter in word for letter in "äö"):
            scores["fi"] += 0.25
            scores["sv"] += 0.25
        if "å" in word:
            scores["sv"] += 1.0
    if prior in scores:
        scores[prior] += 0.1
    language = max(LANGUAGES, key=lambda name: scores[name])
    return language if scores[language] >= 0.5 else None


def _result(text: str, intent: str, language: str | None, confidence: float) -> Parse:
    top = IntentScore(intent, round(confidence, 4))
    return Parse(text=text, intent=top, language=language, intent_ranking=(top,))
