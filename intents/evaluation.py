"""Evaluating the understanding: precision, recall and F1 per language and intent, entity
precision and recall, and the intents most often confused."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Case", "Report", "evaluate", "read_jsonl"]


@dataclass(frozen=True, slots=True)
class Case:
    """One judged text: what it is, and what the understanding said."""

    text: str
    language: str
    intent: str
    predicted: str
    entities: tuple[tuple[str, str], ...] = ()
    predicted_entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Report:
    per_language: dict[str, dict[str, Scores]]
    macro_f1: dict[str, float]
    accuracy: dict[str, float]
    abstained: dict[str, float]
    entities: dict[str, Scores]
    confused: list[tuple[str, str, int]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for language in sorted(self.per_language):
            out.append(
                f"[{language}] macro-F1 {self.macro_f1[language]:.3f}  accuracy "
                f"{self.accuracy[language]:.3f}  abstained {self.abstained[language]:.1%}"
            )
            for intent, s in sorted(self.per_language[language].items()):
                out.append(
                    f"    {intent:18} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
                    f"  n={s.support}"
                )
        out.append("entities")
        for entity, s in sorted(self.entities.items()):
            out.append(
                f"    {entity:18} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
                f"  n={s.support}"
            )
        out.append("most confused (true -> predicted: count)")
        out += [f"    {true} -> {predicted}: {count}" for true, predicted, count in self.confused]
        return out


def _scores(tp: int, fp: int, fn: int) -> Scores:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, tp + fn)


def evaluate(cases: Sequence[Case], *, fallback: str = "nlu_fallback") -> Report:
    """Scores of ``cases``; an abstention (``fallback``) counts as a miss, not a wrong class."""
    per_language: dict[str, dict[str, Scores]] = {}
    macro: dict[str, float] = {}
    accuracy: dict[str, float] = {}
    abstained: dict[str, float] = {}
    for language in sorted({case.language for case in cases}):
        mine = [case for case in cases if case.language == language]
        tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for case in mine:
            if case.predicted == case.intent:
                tallies[case.intent][0] += 1
                continue
            tallies[case.intent][2] += 1
            if case.predicted != fallback:
                tallies[case.predicted][1] += 1
        intents = {case.intent for case in mine}
        per_language[language] = {i: _scores(*tallies[i]) for i in sorted(intents)}
        macro[language] = sum(s.f1 for s in per_language[language].values()) / len(intents)
        accuracy[language] = sum(c.predicted == c.intent for c in mine) / len(mine)
        abstained[language] = sum(c.predicted == fallback for c in mine) / len(mine)
    entity_tallies: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in cases:
        expected, found = Counter(case.entities), Counter(case.predicted_entities)
        for (entity, _), count in (expected & found).items():
            entity_tallies[entity][0] += count
        for (entity, _), count in (found - expected).items():
            entity_tallies[entity][1] += count
        for (entity, _), count in (expected - found).items():
            entity_tallies[entity][2] += count
    confused = Counter(
        (case.intent, case.predicted) for case in cases if case.predicted != case.intent
    )
    return Report(
        per_language=per_language,
        macro_f1=macro,
        accuracy=accuracy,
        abstained=abstained,
        entities={entity: _scores(*t) for entity, t in sorted(entity_tallies.items())},
        confused=[(true, predicted, n) for (true, predicted), n in confused.most_common(10)],
    )


def read_jsonl(path: Path) -> Iterable[dict[str, object]]:
    """Rows of ``{"text", "lang", "intent", "entities": [{"entity", "value"}]}``."""
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            if line.strip():
                yield json.loads(line)
