"""``talkkari nlu evaluate``: the understanding's report, from cross-validation and a test file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from intents import Understanding
from intents.evaluation import Case, evaluate, read_jsonl
from intents.training import cross_validate
from intents.training_data import load_examples

__all__ = ["evaluation_report"]


def evaluation_report(cache: Path, file: Path | None, *, folds: int = 5) -> Iterator[str]:
    understanding = Understanding.load_or_train(cache)
    examples = load_examples()
    classes = list(understanding.classifier.classes)
    held_out = cross_validate(examples, classes, folds)
    cases = [
        Case(
            text=p.example.text,
            language=p.example.language,
            intent=p.example.intent,
            predicted=classes[p.predicted],
            entities=tuple((e.entity, e.value) for e in p.example.entities),
            predicted_entities=tuple(
                (e.entity, e.value) for e in understanding.entities(p.example.text)
            ),
        )
        for p in held_out
    ]
    yield f"== {folds}-fold cross-validation on the training data ({len(cases)} examples)"
    yield from evaluate(cases).lines()
    yield (
        f"fallback threshold {understanding.threshold:.2f} "
        f"(temperature {understanding.temperature:.3f})"
    )
    if file is None:
        return
    test_cases = []
    for row in read_jsonl(file):
        text = str(row["text"])
        parsed = understanding.parse(text)
        expected = row.get("entities") or []
        assert isinstance(expected, list)
        test_cases.append(
            Case(
                text=text,
                language=str(row["lang"]),
                intent=str(row["intent"]),
                predicted=parsed.intent.name,
                entities=tuple((str(e["entity"]), str(e["value"])) for e in expected),
                predicted_entities=tuple((e.entity, e.value) for e in parsed.entities),
            )
        )
    yield f"== {file} ({len(test_cases)} texts, parsed as the bot parses them)"
    yield from evaluate(test_cases).lines()
