"""The understanding as one object: load it (or train it), then ``parse`` texts.

A trained model is saved as one ``.npz`` file (weights and vocabularies) so that a process
starts in well under a second; training from the YAML takes seconds and happens only when the
data or the model format changed (the file name carries a digest of both).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from intents.areas import AreaMatcher
from intents.classifier import LinearModel, softmax
from intents.entities import find_diary_numbers, find_languages, find_postal_codes
from intents.features import intent_features, mask
from intents.language import LanguageModel
from intents.result import Entity, IntentScore, Parse
from intents.training_data import DATA, load_examples

__all__ = [
    "FALLBACK_INTENT",
    "MODEL_FORMAT",
    "Understanding",
    "cached_model_path",
    "data_digest",
]

FALLBACK_INTENT = "nlu_fallback"
MODEL_FORMAT = 2
RANKING_LENGTH = 10
COMMANDS = {
    "start": "help",
    "apua": "help",
    "hjalp": "help",
    "hjälp": "help",
    "following": "cases_followed",
    "seuratut": "cases_followed",
    "foljer": "cases_followed",
    "följer": "cases_followed",
    "alueet": "areas_subscribed",
    "omraden": "areas_subscribed",
    "områden": "areas_subscribed",
    "areas": "areas_subscribed",
    "subscribe": "area_subscribe",
    "unsubscribe": "area_unsubscribe",
    "notices": "notices_list",
    "botti": "return_to_bot",
    "boten": "return_to_bot",
    "bot": "return_to_bot",
    "privacy": "privacy_info",
    "tietosuoja": "privacy_info",
    "dataskydd": "privacy_info",
    "mydata": "my_data",
    "omattiedot": "my_data",
    "minadata": "my_data",
    "forget": "delete_my_data",
    "unohda": "delete_my_data",
    "glom": "delete_my_data",
}
"""Telegram commands that are not intent names themselves. ``cases_followed``,
``areas_subscribed`` and ``return_to_bot`` are reached only by command: they need no
understanding; nor does ``my_data`` (``/mydata``: the resident's data as a file). ``/forget``
with ``{"confirm": "yes"}`` is what the erasure's confirmation button sends. ``/subscribe``,
``/unsubscribe`` and ``/notices`` are also what the area buttons send: the intents' own names
with an area key would pass Telegram's 64 bytes of button data."""
_TRIGGER = re.compile(r"/(?P<name>\w+)(?:@\w+)?\s*(?P<entities>\{.*\})?", re.DOTALL)
LANGUAGE_CONFIDENCE = 0.9
"""Below this, a resident's known language wins over what a short text seems to be."""


def data_digest() -> str:
    """A digest of the training data and the model format: a model for other data is stale."""
    digest = hashlib.sha256(f"format {MODEL_FORMAT}".encode())
    files = sorted(
        (str(path.relative_to(Path(str(DATA)))), path)
        for path in Path(str(DATA)).rglob("*")
        if path.is_file() and path.suffix in {".yml", ".yaml", ".tsv", ".csv"}
    )
    for name, path in files:
        if not name.startswith("eval"):
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_model_path(directory: Path) -> Path:
    """Where in ``directory`` the model trained on the current data is kept."""
    return directory / f"nlu-{data_digest()}.npz"


class Understanding:
    """Language, intent with calibrated confidence and ranking, and entities of a text."""

    def __init__(
        self,
        *,
        classifier: LinearModel,
        languages: LanguageModel,
        temperature: float,
        threshold: float,
        areas: AreaMatcher | None = None,
    ) -> None:
        self.classifier = classifier
        self.languages = languages
        self.temperature = temperature
        self.threshold = threshold
        self._areas = areas or AreaMatcher.load()

    @classmethod
    def train(cls) -> Understanding:
        from intents.training import train  # scipy is needed for training only

        result = train(load_examples())
        return cls(
            classifier=result.classifier,
            languages=result.languages,
            temperature=result.temperature,
            threshold=result.threshold,
        )

    @classmethod
    def load_or_train(cls, directory: Path) -> Understanding:
        """The model for the current data from ``directory``, training and saving it if absent."""
        path = cached_model_path(directory)
        if path.exists():
            return cls.load(path)
        model = cls.train()
        model.save(path)
        return model

    def parse(self, text: str, *, prior_language: str | None = None) -> Parse:
        triggered = self._trigger(text, prior_language)
        if triggered is not None:
            return triggered
        entities = self.entities(text)
        masked = mask(
            text, [(e.start, e.end, e.entity) for e in entities if e.entity != "language"]
        )
        probabilities = softmax(self.classifier.logits(intent_features(masked)), self.temperature)
        order = np.argsort(-probabilities)[:RANKING_LENGTH]
        ranking = tuple(
            IntentScore(self.classifier.classes[i], round(float(probabilities[i]), 4))
            for i in order
        )
        top = ranking[0]
        if top.confidence < self.threshold:
            fallback = IntentScore(FALLBACK_INTENT, self.threshold)
            top, ranking = fallback, (fallback, *ranking[: RANKING_LENGTH - 1])
        # Entities (names, numbers) say nothing of the language the resident writes in.
        blanked = mask(text, [(e.start, e.end, "") for e in entities])
        return Parse(
            text=text,
            intent=top,
            language=self.language_of(blanked, prior_language),
            intent_ranking=ranking,
            entities=tuple(entities),
        )

    def _trigger(self, text: str, prior_language: str | None) -> Parse | None:
        """A command (``/start``) or Rasa's intent trigger (``/change_language{"language":
        "sv"}``, what our buttons send) is taken at its word."""
        match = _TRIGGER.fullmatch(text.strip())
        if match is None:
            return None
        intent = COMMANDS.get(match["name"].lower(), match["name"])
        if intent not in self.classifier.classes and intent not in COMMANDS.values():
            return None
        try:
            values = json.loads(match["entities"]) if match["entities"] else {}
        except json.JSONDecodeError:
            return None
        if not isinstance(values, dict):
            return None
        top = IntentScore(intent, 1.0)
        return Parse(
            text=text,
            intent=top,
            language=prior_language,
            intent_ranking=(top,),
            entities=tuple(Entity(str(k), str(v), 0, 0) for k, v in values.items()),
        )

    def language_of(self, text: str, prior: str | None) -> str | None:
        language, confidence = self.languages.detect(text, prior=prior)
        if prior is not None and confidence < LANGUAGE_CONFIDENCE:
            return prior
        return language

    def entities(self, text: str) -> list[Entity]:
        found = [Entity(m.entity, m.value, m.start, m.end) for m in find_diary_numbers(text)]
        taken = [(e.start, e.end) for e in found]
        for area in self._areas.find(text):
            if not any(start < area.end and area.start < end for start, end in taken):
                found.append(Entity("area", area.value, area.start, area.end))
                taken.append((area.start, area.end))
        found += [
            Entity(m.entity, m.value, m.start, m.end) for m in find_postal_codes(text, taken=taken)
        ]
        found += [Entity(m.entity, m.value, m.start, m.end) for m in find_languages(text)]
        return sorted(found, key=lambda entity: entity.start)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        classifier, languages = self.classifier, self.languages
        features = sorted(classifier.index, key=classifier.index.__getitem__)
        language_features = sorted(languages.index, key=languages.index.__getitem__)
        meta = {
            "format": MODEL_FORMAT,
            "classes": list(classifier.classes),
            "languages": list(languages.languages),
            "temperature": self.temperature,
            "threshold": self.threshold,
        }
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                meta=np.array(json.dumps(meta)),
                features=np.array(features),
                idf=np.array([classifier.idf[f] for f in features]),
                weights=classifier.weights,
                bias=classifier.bias,
                language_features=np.array(language_features),
                language_log_likelihood=languages.log_likelihood,
            )

    @classmethod
    def load(cls, path: Path) -> Understanding:
        with np.load(path, allow_pickle=False) as stored:
            meta = json.loads(str(stored["meta"]))
            if meta["format"] != MODEL_FORMAT:
                raise ValueError(f"{path} holds model format {meta['format']}, not {MODEL_FORMAT}")
            features = stored["features"].tolist()
            classifier = LinearModel(
                classes=tuple(meta["classes"]),
                index={feature: position for position, feature in enumerate(features)},
                idf=dict(zip(features, stored["idf"].tolist(), strict=True)),
                weights=stored["weights"],
                bias=stored["bias"],
            )
            languages = LanguageModel(
                languages=tuple(meta["languages"]),
                index={f: row for row, f in enumerate(stored["language_features"].tolist())},
                log_likelihood=stored["language_log_likelihood"],
            )
        return cls(
            classifier=classifier,
            languages=languages,
            temperature=float(meta["temperature"]),
            threshold=float(meta["threshold"]),
        )
