"""Training the understanding: cross-validation, calibration, the fallback threshold.

1. Stratified k-fold cross-validation (by intent and language) gives held-out scores for every
   training example.
2. A temperature fitted on those held-out scores calibrates the confidences.
3. The ``nlu_fallback`` threshold is chosen on the held-out confidences together with
   out-of-scope messages (``data/calibration/out_of_scope.tsv``), by a stated cost: answering
   wrongly costs 1, answering an out-of-scope message costs 1, declining a message we would
   have understood costs 0.3 (the resident is offered a human, so declining is the cheap error).
4. The final classifier trains on all examples.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from intents.classifier import LinearModel, fit_linear_model, softmax
from intents.features import intent_features, mask
from intents.language import LanguageModel
from intents.training_data import Example

__all__ = [
    "DECLINE_COST",
    "HeldOutPrediction",
    "TrainingResult",
    "cross_validate",
    "load_out_of_scope",
    "stratified_folds",
    "train",
]

DECLINE_COST = 0.3
FOLDS = 5
SEED = 20261125
MASKED_ENTITIES = ("diary_number", "area", "postal_code")


@dataclass(frozen=True, slots=True)
class HeldOutPrediction:
    example: Example
    logits: np.ndarray

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.logits))


@dataclass(frozen=True)
class TrainingResult:
    classifier: LinearModel
    languages: LanguageModel
    temperature: float
    threshold: float
    held_out: tuple[HeldOutPrediction, ...]


def example_features(example: Example) -> Counter[str]:
    spans = [(e.start, e.end, e.entity) for e in example.entities if e.entity in MASKED_ENTITIES]
    return intent_features(mask(example.text, spans))


def stratified_folds(examples: Sequence[Example], k: int = FOLDS, seed: int = SEED) -> list[int]:
    """The fold of each example; every (intent, language) is spread evenly over the folds."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, example in enumerate(examples):
        groups[(example.intent, example.language)].append(position)
    folds = [0] * len(examples)
    shuffle = random.Random(seed)
    offset = 0
    for key in sorted(groups):
        members = groups[key]
        shuffle.shuffle(members)
        for rank, position in enumerate(members):
            folds[position] = (rank + offset) % k
        offset += len(members)
    return folds


def cross_validate(
    examples: Sequence[Example], classes: Sequence[str], k: int = FOLDS
) -> list[HeldOutPrediction]:
    documents = [example_features(example) for example in examples]
    folds = stratified_folds(examples, k)
    held_out: list[HeldOutPrediction | None] = [None] * len(examples)
    for fold in range(k):
        train_rows = [i for i, f in enumerate(folds) if f != fold]
        model = fit_linear_model(
            [documents[i] for i in train_rows],
            [examples[i].intent for i in train_rows],
            classes=classes,
        )
        for i, f in enumerate(folds):
            if f == fold:
                held_out[i] = HeldOutPrediction(examples[i], model.logits(documents[i]))
    return [prediction for prediction in held_out if prediction is not None]


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the held-out negative log-likelihood (a 1-D search)."""
    best, best_loss = 1.0, math.inf
    for temperature in np.exp(np.linspace(math.log(0.05), math.log(5.0), 161)):
        probabilities = softmax(logits, float(temperature))
        loss = -float(np.mean(np.log(probabilities[np.arange(len(labels)), labels] + 1e-12)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def choose_threshold(
    confidences: np.ndarray, correct: np.ndarray, out_of_scope: np.ndarray
) -> float:
    """The threshold with the lowest cost (see the module docstring)."""
    best, best_cost = 0.0, math.inf
    for threshold in np.round(np.arange(0.0, 0.96, 0.01), 2):
        answered = confidences >= threshold
        cost = (
            float(np.sum(answered & ~correct))
            + float(np.sum(out_of_scope >= threshold))
            + DECLINE_COST * float(np.sum(~answered & correct))
        )
        if cost < best_cost - 1e-9:
            best, best_cost = float(threshold), cost
    return best


def load_out_of_scope() -> list[tuple[str, str]]:
    """``(language, text)`` pairs the bot has no intent for."""
    source = resources.files("intents") / "data" / "calibration" / "out_of_scope.tsv"
    pairs = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, text = line.split("\t", 1)
            pairs.append((language, text))
    return pairs


def train(examples: Sequence[Example]) -> TrainingResult:
    classes = sorted({example.intent for example in examples})
    held_out = cross_validate(examples, classes)
    logits = np.array([prediction.logits for prediction in held_out])
    labels = np.array([classes.index(prediction.example.intent) for prediction in held_out])
    temperature = fit_temperature(logits, labels)
    classifier = fit_linear_model(
        [example_features(example) for example in examples],
        [example.intent for example in examples],
        classes=classes,
    )
    probabilities = softmax(logits, temperature)
    out_of_scope = np.array(
        [
            softmax(classifier.logits(intent_features(text)), temperature).max()
            for _, text in load_out_of_scope()
        ]
    )
    threshold = choose_threshold(
        probabilities.max(axis=1), probabilities.argmax(axis=1) == labels, out_of_scope
    )
    languages = LanguageModel.train((example.text, example.language) for example in examples)
    return TrainingResult(classifier, languages, temperature, threshold, tuple(held_out))
