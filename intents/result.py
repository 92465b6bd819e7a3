"""What understanding a text produces, in the shape of Rasa's ``/model/parse``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Entity", "IntentScore", "Parse"]


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
    """One text understood: Rasa's ``/model/parse`` fields plus ``language``."""

    text: str
    intent: IntentScore
    language: str | None
    """The language the text is in, or None when it shows none (e.g. only an emoji)."""
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()

    def entity_values(self, entity: str) -> list[str]:
        return [found.value for found in self.entities if found.entity == entity]

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
