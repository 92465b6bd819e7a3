"""``talkkari kb``: the service articles' report — checking a pack, evaluating answers on a
question file, and sweeping the confidence on a tuning file. The figures come from
:mod:`knowledge.evaluation`; this module only words them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from knowledge.articles import load_articles
from knowledge.evaluation import Evaluation, evaluate, rank, read_questions, sweep
from knowledge.retrieval import CONFIDENT_MARGIN, CONFIDENT_SCORE, KnowledgeBase

__all__ = ["check_report", "evaluation_report", "tuning_report"]


def check_report(directory: Path, *, today: date) -> Iterator[str]:
    """The pack's articles by owner team and those past ``review_by``;
    :class:`~knowledge.articles.ArticleError` when one is invalid."""
    articles = load_articles(directory)
    yield f"{directory}: {len(articles)} articles, all valid"
    teams = Counter(article.owner_team for article in articles)
    yield "owner teams: " + ", ".join(f"{team} {count}" for team, count in sorted(teams.items()))
    due = [article for article in articles if article.is_due_for_review(today)]
    yield f"past review_by ({today.isoformat()}): {len(due)}"
    for article in sorted(due, key=lambda a: (a.review_by, a.id)):
        yield f"  {article.id}: review_by {article.review_by.isoformat()} ({article.owner_team})"


def _lines(evaluation: Evaluation) -> Iterator[str]:
    yield "lang  questions  top-1  top-3  answered-right  abstained  wrong  declined(null)"
    for s in evaluation.languages:
        declined = "-" if s.declined is None else f"{s.declined:.3f}"
        yield (
            f"{s.language:<4}  {s.questions:>9}  {s.top1:.3f}  {s.top3:.3f}  "
            f"{s.answered_right:>14.3f}  {s.abstained:>9.3f}  {s.wrong:.3f}  {declined:>14}"
        )
    if evaluation.unknown_articles:
        yield "articles named in the questions but not in the pack: " + ", ".join(
            evaluation.unknown_articles
        )


def evaluation_report(directory: Path, file: Path) -> Iterator[str]:
    knowledge = KnowledgeBase(load_articles(directory))
    questions = read_questions(file)
    yield (
        f"== {file}: {len(questions)} questions on {len(knowledge)} articles ({directory}); "
        f"confident from score {CONFIDENT_SCORE} with margin {CONFIDENT_MARGIN}"
    )
    yield from _lines(evaluate(knowledge, questions))
    yield (
        "top-1/top-3 over questions with an article; answered-right likewise; abstained and "
        "wrong (confident but wrong) over all; declined over questions without one"
    )


def tuning_report(directory: Path, file: Path, *, best: int = 5) -> Iterator[str]:
    """The ``best`` (score, margin) pairs on ``file``: tune on the dev set, never the test set."""
    knowledge = KnowledgeBase(load_articles(directory))
    ranked = rank(knowledge, read_questions(file))
    results = sweep(
        ranked,
        knowledge,
        scores=[step / 100 for step in range(4, 61)],
        margins=[step / 100 for step in range(0, 21)],
    )
    yield f"== {file}: the best of {len(results)} (score, margin) pairs"
    for score, margin, value, evaluation in results[:best]:
        yield f"-- score {score:.2f}, margin {margin:.2f}: value {value:.3f}"
        yield from _lines(evaluation)
