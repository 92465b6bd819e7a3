"""Finding the article that answers a resident's question, and knowing when none does.

Each article's section in each language is one document; a question is searched among the
documents of its own language, so a Swedish question is matched with Swedish text and answered
in Swedish. A document is a tf-idf vector (sublinear tf, per-language idf, L2-normalised) over
the features of :mod:`knowledge.terms` (stems and in-word n-grams); words of the title and the
staff's keywords and the residents' questions the article answers count :data:`TITLE_WEIGHT`,
:data:`KEYWORD_WEIGHT` and :data:`QUESTION_WEIGHT` times. A question's
score for a document is the cosine of their vectors.

The index is a few sparse matrices: documents × words (counts) times words × features, so
building it costs one pass over the words and a search is one sparse product over the
question's features: about 0.3 ms at p50 over 5,000 articles on one core (``bench/kb.py``).
Word features are computed once per distinct word and shared with the indexes made from this
one, so replacing an edited article re-reads only that article.

A hit is *confident* — the bot answers with it — only when its score reaches
:data:`CONFIDENT_SCORE` and beats the next article by :data:`CONFIDENT_MARGIN`. Below that the
bot says it does not know; it never guesses.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy import sparse

from knowledge.articles import LANGUAGES, Article, load_articles
from knowledge.terms import word_features, words

__all__ = [
    "CONFIDENT_MARGIN",
    "CONFIDENT_SCORE",
    "PLAUSIBLE_SCORE",
    "Hit",
    "KnowledgeBase",
    "LiveKnowledge",
    "article_code",
    "is_confident",
    "load_knowledge",
]

CONFIDENT_SCORE: Final = 0.13
"""The least cosine score the bot answers with. Chosen on ``kb_eval/dev.jsonl`` only, never on
the shipped ``questions.jsonl``: ``talkkari kb tune knowledge/data/kb_eval/dev.jsonl`` sweeps
(score, margin) pairs and ranks them by right answers minus three times the wrong ones
(:data:`knowledge.evaluation.WRONG_ANSWER_COST`). On the 49-article pack with its residents'
questions and the 334-question dev set the best pair, (0.13, 0.06), answered 86 % of dev's
answerable questions right and 1.2 % of all wrongly, and declined 93 % of its null questions;
(0.12, 0.07) scored the same."""
CONFIDENT_MARGIN: Final = 0.06
"""How far the best article's score must be above the second's, chosen with the score."""

TITLE_WEIGHT: Final = 3
KEYWORD_WEIGHT: Final = 3
QUESTION_WEIGHT: Final = 3
"""Words of the questions residents ask that an article answers (its ``questions``). Indexed
with the section they belong to: on dev.jsonl that beat scoring each question as a document of
its own and taking the best (top-1 0.95 against 0.87–0.94); the weights 2–3 for titles,
keywords and questions were within a point of each other."""
NGRAM_WEIGHT: Final = 0.25
"""An n-gram counts this much against a stem: a word has several n-grams and one stem. The
weights and the n-gram sizes were compared on dev.jsonl (top-1 within a point or two of each
other); these keep the index half the size of 4- and 5-grams."""

PLAUSIBLE_SCORE: Final = 0.05
"""From this score an article is worth a "read this?" button when the bot is not confident.
On dev.jsonl nearly every answerable question the bot declined had its article among the hits
above it; a button costs the resident a tap, never a wrong answer passed off as right."""

FloatArray = npt.NDArray[np.float64]


def article_code(article_id: str) -> str:
    """A short, stable name of an article (ten hex digits) that fits in a Telegram button's
    64 bytes however long the id is; :meth:`KnowledgeBase.by_code` finds the article."""
    return hashlib.blake2b(article_id.encode(), digest_size=5).hexdigest()


@dataclass(frozen=True, slots=True)
class Hit:
    """An article found for a question: its score (cosine, 0..1), and whether the bot may
    answer with it (only ever the first hit of a search)."""

    article: Article
    score: float
    confident: bool


def is_confident(
    first: float, second: float, *, score: float = CONFIDENT_SCORE, margin: float = CONFIDENT_MARGIN
) -> bool:
    """Whether the best article (score ``first``, next best ``second``) answers the question."""
    return first >= score and first - second >= margin


class _Words:
    """Each distinct (language, word) once, with its features: rows of the words × features
    matrix. Shared by a knowledge base and the ones made from it by ``with_articles``; it only
    grows, and a matrix built from it earlier stays valid."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.features: dict[str, int] = {}
        self._indices: list[int] = []
        self._values: list[float] = []
        self._pointers: list[int] = [0]

    def row(self, word: str, language: str) -> int:
        key = f"{language}:{word}"
        found = self.rows.get(key)
        if found is not None:
            return found
        for feature, value in _weighted(word_features(word, language)).items():
            self._indices.append(self.features.setdefault(feature, len(self.features)))
            self._values.append(value)
        self._pointers.append(len(self._indices))
        self.rows[key] = len(self.rows)
        return self.rows[key]

    def matrix(self) -> sparse.csr_matrix:
        return sparse.csr_matrix(
            (self._values, self._indices, self._pointers),
            shape=(len(self.rows), len(self.features)),
        )


def _weighted(features: Counter[str]) -> dict[str, float]:
    return {f: n * (NGRAM_WEIGHT if f.startswith("g:") else 1.0) for f, n in features.items()}


@functools.lru_cache(maxsize=65_536)
def _features_of(word: str, language: str) -> Mapping[str, float]:
    """A question word's weighted features (questions repeat words; this is the hot path)."""
    return MappingProxyType(_weighted(word_features(word, language)))


@dataclass(frozen=True, slots=True)
class _Document:
    """An article's section in one language: its words (rows of :class:`_Words`) and their
    weighted counts."""

    rows: npt.NDArray[np.int32]
    counts: npt.NDArray[np.float32]


def _document(article: Article, language: str, table: _Words) -> _Document:
    """The weighted words of an article's section in ``language``."""
    counts: Counter[str] = Counter()
    parts: list[tuple[str, int]] = [
        (article.bodies[language], 1),
        (article.titles[language], TITLE_WEIGHT),
        (" ".join(article.keywords.get(language, ())), KEYWORD_WEIGHT),
        (" ".join(article.questions.get(language, ())), QUESTION_WEIGHT),
    ]
    if language == "en":
        parts.append((article.topic, 1))  # the topic is written in English
    for text, weight in parts:
        for word in words(text, language):
            counts[word] += weight
    return _Document(
        np.fromiter((table.row(word, language) for word in counts), np.int32, len(counts)),
        np.fromiter(counts.values(), np.float32, len(counts)),
    )


@dataclass(frozen=True, slots=True)
class _Language:
    """The documents of one language: tf-idf rows (CSC, for slicing by a question's features)."""

    vectors: sparse.csc_matrix
    idf: FloatArray
    unknown_idf: float


class KnowledgeBase:
    """An immutable in-memory index of articles; :meth:`with_articles` makes a changed copy."""

    def __init__(
        self, articles: Iterable[Article], *, _previous: KnowledgeBase | None = None
    ) -> None:
        by_id = {article.id: article for article in articles}
        self._articles = MappingProxyType(dict(sorted(by_id.items())))
        self._order = list(self._articles.values())
        self._codes = {article_code(article.id): article for article in self._order}
        self._words: _Words = _previous._words if _previous else _Words()
        known: Mapping[str, Article] = _previous._articles if _previous else {}
        reused: Mapping[tuple[str, str], _Document] = _previous._documents if _previous else {}
        self._documents: dict[tuple[str, str], _Document] = {
            (article.id, language): reused[(article.id, language)]
            if known.get(article.id) == article
            else _document(article, language, self._words)
            for article in self._order
            for language in LANGUAGES
        }
        self._languages = self._index()

    @property
    def articles(self) -> Mapping[str, Article]:
        """The articles by id."""
        return self._articles

    def by_code(self, code: str) -> Article | None:
        """The article of :func:`article_code` ``code``, if it is still here."""
        return self._codes.get(code)

    def __len__(self) -> int:
        return len(self._order)

    def with_articles(self, changed: Iterable[Article]) -> KnowledgeBase:
        """A new index with ``changed`` added or replacing the articles of the same id."""
        merged = {**self._articles, **{article.id: article for article in changed}}
        return KnowledgeBase(merged.values(), _previous=self)

    def without(self, ids: Iterable[str]) -> KnowledgeBase:
        """A new index without the articles ``ids`` (unknown ids are ignored)."""
        gone = set(ids)
        kept = (article for key, article in self._articles.items() if key not in gone)
        return KnowledgeBase(kept, _previous=self)

    def search(self, text: str, language: str | None, *, limit: int = 3) -> list[Hit]:
        """The best ``limit`` articles for ``text`` among those in ``language`` (all languages
        when None), best first; only the first may be confident."""
        scores = self.scores(text, language)
        if scores is None or limit <= 0:
            return []
        count = min(limit, len(scores))
        top = np.argpartition(-scores, count - 1)[:count] if count < len(scores) else None
        order = sorted(
            range(len(scores)) if top is None else top.tolist(), key=lambda i: -scores[i]
        )[:count]
        best = [i for i in order if scores[i] > 0]
        if not best:
            return []
        second = float(np.partition(scores, -2)[-2]) if len(scores) > 1 else 0.0
        sure = is_confident(float(scores[best[0]]), second)
        return [
            Hit(self._order[i], round(float(scores[i]), 4), sure and n == 0)
            for n, i in enumerate(best)
        ]

    def scores(self, text: str, language: str | None) -> FloatArray | None:
        """Every article's score for ``text`` (in id order); None when there are no articles."""
        if not self._order:
            return None
        languages = [language] if language in LANGUAGES else list(LANGUAGES)
        best: FloatArray = np.max([self._scores(text, code) for code in languages], axis=0)
        return best

    def _scores(self, text: str, language: str) -> FloatArray:
        index = self._languages[language]
        counts: dict[str, float] = {}
        for word, number in Counter(words(text, language)).items():
            for feature, value in _features_of(word, language).items():
                counts[feature] = counts.get(feature, 0.0) + value * number
        known: list[int] = []
        weights: list[float] = []
        norm = 0.0
        for feature, count in counts.items():
            column = self._words.features.get(feature)
            in_index = column is not None and column < len(index.idf)
            idf = index.idf[column] if in_index and column is not None else index.unknown_idf
            weight = float(np.log1p(count)) * float(idf)
            norm += weight * weight
            if in_index and column is not None:
                known.append(column)
                weights.append(weight)
        if not known or norm == 0.0:
            return np.zeros(len(self._order))
        vector = np.asarray(weights) / np.sqrt(norm)
        result: FloatArray = np.asarray(index.vectors[:, known] @ vector, dtype=np.float64)
        return result

    def _index(self) -> dict[str, _Language]:
        matrix = self._words.matrix()
        return {language: self._language(language, matrix) for language in LANGUAGES}

    def _language(self, language: str, words: sparse.csr_matrix) -> _Language:
        sections = [self._documents[(article.id, language)] for article in self._order]
        lengths = np.fromiter((len(section.rows) for section in sections), np.int64)
        documents = sparse.csr_matrix(
            (
                np.concatenate(
                    [section.counts for section in sections] or [np.zeros(0, np.float32)]
                ),
                np.concatenate([section.rows for section in sections] or [np.zeros(0, np.int32)]),
                np.concatenate([[0], np.cumsum(lengths)]),
            ),
            shape=(len(sections), words.shape[0]),
        )
        tf = sparse.csr_matrix(documents @ words, dtype=np.float32)
        tf.data = np.log1p(tf.data)
        frequency = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float64)
        total = max(1, len(sections))
        idf = np.log((total + 1) / (frequency + 1)) + 1.0
        tf.data *= idf[tf.indices].astype(np.float32)
        norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        tf.data /= np.repeat(norms, np.diff(tf.indptr)).astype(np.float32)
        return _Language(sparse.csc_matrix(tf), idf, float(np.log(total + 1) + 1.0))


class LiveKnowledge:
    """The knowledge base in use now: readers take :attr:`current` per question; an editor
    (the admin API's article edits) builds a new one and :meth:`replace`\\ s it whole."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._current = knowledge

    @property
    def current(self) -> KnowledgeBase:
        return self._current

    def replace(self, knowledge: KnowledgeBase) -> None:
        self._current = knowledge


def load_knowledge(directory: Path) -> KnowledgeBase:
    """The articles of ``directory`` indexed; :class:`~knowledge.articles.ArticleError` if bad."""
    return KnowledgeBase(load_articles(directory))
