"""The training data: Rasa NLU YAML files under ``intents/data/<language>/``.

Entities are annotated in Rasa's syntax, ``[text](entity)`` or
``[text]{"entity": "area", "value": "Kallio"}``, so a city that runs Rasa trains on the same
files unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

__all__ = [
    "DATA",
    "AnnotatedEntity",
    "Example",
    "load_examples",
    "parse_annotated",
]

DATA = resources.files("intents") / "data"
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True, slots=True)
class AnnotatedEntity:
    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    language: str
    entities: tuple[AnnotatedEntity, ...] = ()


def parse_annotated(line: str) -> tuple[str, tuple[AnnotatedEntity, ...]]:
    """Plain text and its entities from one annotated Rasa example."""
    text: list[str] = []
    entities: list[AnnotatedEntity] = []
    position = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[position : match.start()]
        text.append(before)
        length += len(before)
        shown = match["text"]
        if match["json"]:
            details = json.loads(match["json"])
            entity, value = str(details["entity"]), str(details.get("value", shown))
        else:
            entity, value = match["entity"], shown
        entities.append(AnnotatedEntity(entity, value, length, length + len(shown)))
        text.append(shown)
        length += len(shown)
        position = match.end()
    text.append(line[position:])
    return "".join(text), tuple(entities)


def load_examples(languages: Iterable[str] = ("fi", "sv", "en")) -> list[Example]:
    """Every training example of ``languages``, in file order."""
    examples: list[Example] = []
    for language in languages:
        folder = DATA / language
        for name in sorted(entry.name for entry in folder.iterdir()):
            if name.endswith((".yml", ".yaml")):
                examples.extend(_read(Path(str(folder / name)), language))
    return examples


def _read(path: Path, language: str) -> Iterator[Example]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in document.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue  # synonyms, regexes and lookups are for Rasa; we read what we need
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                text, entities = parse_annotated(line[2:].strip())
                yield Example(text=text, intent=intent, language=language, entities=entities)
