"""How well the knowledge base answers: measured on questions with the article that answers
them (or none), as ``talkkari kb evaluate`` prints and a test asserts.

A question file is JSON lines ``{"text", "lang", "article"}``; ``article`` is null for a
question the pack does not cover, which the bot must decline. Per language:

- **top-1 / top-3**: the right article is the first / among the first three hits, over the
  questions that have an article (ranking only, whatever the confidence);
- **answered right**: confident and the right article, over the questions that have one;
- **abstained**: not confident (the bot says it does not know), over all questions;
- **wrong answers**: confident with a wrong article (or any article for a null question), over
  all questions: the number that matters most;
- **declined**: not confident, over the null questions.

:func:`sweep` tries pairs of (score, margin) on a tuning set; :data:`knowledge.retrieval.
CONFIDENT_SCORE` was chosen with it on ``dev.jsonl``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from knowledge.articles import LANGUAGES
from knowledge.retrieval import KnowledgeBase, is_confident

__all__ = [
    "Evaluation",
    "LanguageScores",
    "Question",
    "QuestionsError",
    "Ranked",
    "evaluate",
    "rank",
    "read_questions",
    "sweep",
]

WRONG_ANSWER_COST: Final = 3.0
"""In :func:`sweep`, a wrong answer undoes this many right ones: a guess passed off as the
city's word is worse than an honest "I don't know" that offers a person."""


class QuestionsError(ValueError):
    """A question file that is not JSON lines of ``{"text", "lang", "article"}``."""


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    language: str
    article: str | None


@dataclass(frozen=True, slots=True)
class Ranked:
    """A question with the ids of its best hits and the first two scores."""

    question: Question
    ids: tuple[str, ...]
    first: float
    second: float


@dataclass(frozen=True, slots=True)
class LanguageScores:
    language: str
    questions: int
    answerable: int
    top1: float
    top3: float
    answered_right: float
    abstained: float
    wrong: float
    declined: float | None
    """Share of null questions declined; None when there are none."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Scores per language (``fi``, ``sv``, ``en`` that have questions) and over ``all``."""

    languages: tuple[LanguageScores, ...]
    unknown_articles: tuple[str, ...]
    """Article ids the questions name that the pack does not have (each counts as a miss)."""

    def of(self, language: str) -> LanguageScores:
        return next(scores for scores in self.languages if scores.language == language)


def read_questions(path: Path) -> list[Question]:
    """The questions of a JSONL file; :class:`QuestionsError` naming the line if malformed."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text, language, article = row["text"], row["lang"], row.get("article")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise QuestionsError(f"{path}:{number}: not {{text, lang, article}} JSON") from exc
        if not isinstance(text, str) or language not in LANGUAGES:
            raise QuestionsError(f"{path}:{number}: text must be a text and lang fi, sv or en")
        if article is not None and not isinstance(article, str):
            raise QuestionsError(f"{path}:{number}: article must be an id or null")
        questions.append(Question(text, language, article))
    return questions


def rank(knowledge: KnowledgeBase, questions: Iterable[Question]) -> list[Ranked]:
    """Each question searched in its own language."""
    ranked = []
    for question in questions:
        hits = knowledge.search(question.text, question.language, limit=3)
        ranked.append(
            Ranked(
                question,
                tuple(hit.article.id for hit in hits),
                hits[0].score if hits else 0.0,
                hits[1].score if len(hits) > 1 else 0.0,
            )
        )
    return ranked


def evaluate(
    knowledge: KnowledgeBase,
    questions: Sequence[Question],
    *,
    score: float | None = None,
    margin: float | None = None,
) -> Evaluation:
    """The scores of ``knowledge`` on ``questions`` (with the shipped confidence unless
    ``score``/``margin`` are given)."""
    return scored(rank(knowledge, questions), knowledge, score=score, margin=margin)


def scored(
    ranked: Sequence[Ranked],
    knowledge: KnowledgeBase,
    *,
    score: float | None = None,
    margin: float | None = None,
) -> Evaluation:
    limits = {
        key: value for key, value in (("score", score), ("margin", margin)) if value is not None
    }
    groups = [(code, [r for r in ranked if r.question.language == code]) for code in LANGUAGES]
    languages = [
        _scores(code, group, limits) for code, group in [*groups, ("all", list(ranked))] if group
    ]
    unknown = sorted(
        {
            r.question.article
            for r in ranked
            if r.question.article is not None and r.question.article not in knowledge.articles
        }
    )
    return Evaluation(tuple(languages), tuple(unknown))


def _scores(language: str, ranked: Sequence[Ranked], limits: dict[str, float]) -> LanguageScores:
    answerable = [r for r in ranked if r.question.article is not None]
    null = [r for r in ranked if r.question.article is None]
    sure = {id(r): bool(r.ids) and is_confident(r.first, r.second, **limits) for r in ranked}

    def share(count: int, total: int) -> float:
        return count / total if total else 0.0

    return LanguageScores(
        language=language,
        questions=len(ranked),
        answerable=len(answerable),
        top1=share(sum(r.ids[:1] == (r.question.article,) for r in answerable), len(answerable)),
        top3=share(sum(r.question.article in r.ids[:3] for r in answerable), len(answerable)),
        answered_right=share(
            sum(sure[id(r)] and r.ids[0] == r.question.article for r in answerable),
            len(answerable),
        ),
        abstained=share(sum(not sure[id(r)] for r in ranked), len(ranked)),
        wrong=share(
            sum(sure[id(r)] and r.ids[0] != r.question.article for r in ranked), len(ranked)
        ),
        declined=share(sum(not sure[id(r)] for r in null), len(null)) if null else None,
    )


def sweep(
    ranked: Sequence[Ranked],
    knowledge: KnowledgeBase,
    *,
    scores: Iterable[float],
    margins: Iterable[float],
) -> list[tuple[float, float, float, Evaluation]]:
    """Every (score, margin) pair with its value (right answers minus
    :data:`WRONG_ANSWER_COST` × wrong ones, over all questions) and evaluation; best first."""
    margin_list = list(margins)
    results = []
    for score in scores:
        for margin in margin_list:
            evaluation = scored(ranked, knowledge, score=score, margin=margin)
            overall = evaluation.of("all")
            right = overall.answered_right * overall.answerable / max(1, overall.questions)
            value = right - WRONG_ANSWER_COST * overall.wrong
            results.append((round(score, 4), round(margin, 4), value, evaluation))
    return sorted(results, key=lambda result: (-result[2], -result[0], -result[1]))
