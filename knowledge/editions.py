"""Service articles as they stand: the shipped pack overlaid with the versions officials saved.

Version 0 of an article is its file in the pack (what ships, :class:`ArticlePack`). Each save
through the admin API stores version n + 1 with the article's whole file text
(:class:`store.ArticleVersion`); an article created through the API starts at version 1. The
*current* edition of an article is its newest stored version if it has any, else its file; a
current edition that is ``retired`` withdraws the article from the bot's answers.

- :func:`current_editions`, :func:`current_edition`, :func:`article_history`,
  :func:`article_edition` read editions in a caller's session.
- :func:`save_edition` stores the next version, refusing a stale base (:class:`StaleEdition`)
  or an invalid text (:class:`~knowledge.articles.ArticleError`), both before anything is
  written; two saves on the same base cannot both succeed (the unique version decides).
- :func:`answerable_articles` is what a knowledge base is built from;
  :func:`stored_fingerprint` tells cheaply whether anything was saved since it was last read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.articles import Article, ArticleError, load_articles, parse_article, render_article
from store import ArticleVersion, insert_new

__all__ = [
    "PACK_VERSION",
    "ArticlePack",
    "Edition",
    "StaleEdition",
    "answerable_articles",
    "article_edition",
    "article_history",
    "current_edition",
    "current_editions",
    "save_edition",
    "stored_fingerprint",
]

log = logging.getLogger(__name__)

PACK_VERSION = 0
"""The version number of an article's file in the pack."""


class StaleEdition(Exception):
    """The save was based on a version that is no longer the article's newest (someone else
    saved in between), or it creates an article that exists already."""


@dataclass(frozen=True, slots=True)
class ArticlePack:
    """The shipped articles by id, and the file text of each (their version 0)."""

    articles: Mapping[str, Article] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> ArticlePack:
        """The pack in ``directory`` (:func:`~knowledge.articles.load_articles`'s checks), each
        article's text as its file has it (comments and all)."""
        articles = {article.id: article for article in load_articles(directory)}
        texts = {
            article_id: (directory / f"{article_id}.md").read_text(encoding="utf-8")
            for article_id in articles
        }
        return cls(articles, texts)

    @classmethod
    def of(cls, articles: Iterable[Article]) -> ArticlePack:
        """A pack of articles held in memory; their texts are rendered."""
        by_id = {article.id: article for article in articles}
        return cls(by_id, {article_id: render_article(a) for article_id, a in by_id.items()})

    def edition(self, article_id: str) -> Edition | None:
        """Version 0 of ``article_id``, or None when the pack has no such file."""
        article = self.articles.get(article_id)
        if article is None:
            return None
        return Edition(article_id, PACK_VERSION, self.texts[article_id], article)


@dataclass(frozen=True, slots=True)
class Edition:
    """One version of an article: its whole file text and the article parsed from it.

    ``article`` is None only for a stored text that the parser no longer accepts (it was
    valid when saved); such an edition is not answered from. ``created_at`` and ``author_id``
    are None for the pack's file.
    """

    article_id: str
    version: int
    text: str
    article: Article | None
    retired: bool = False
    author_id: int | None = None
    created_at: datetime | None = None
    note: str | None = None

    @property
    def answerable(self) -> bool:
        """Whether the bot answers from this edition."""
        return self.article is not None and not self.retired


def _stored(row: ArticleVersion) -> Edition:
    try:
        article: Article | None = parse_article(row.text, name=f"{row.article_id} v{row.version}")
    except ArticleError as error:
        log.warning("knowledge: a stored article no longer parses: %s", error)
        article = None
    return Edition(
        article_id=row.article_id,
        version=row.version,
        text=row.text,
        article=article,
        retired=row.retired,
        author_id=row.author_id,
        created_at=row.created_at,
        note=row.note,
    )


async def current_editions(session: AsyncSession, pack: ArticlePack) -> dict[str, Edition]:
    """Every article's current edition (retired ones too), by id in id order."""
    newest = (
        select(ArticleVersion.article_id, func.max(ArticleVersion.version).label("version"))
        .group_by(ArticleVersion.article_id)
        .subquery()
    )
    rows = await session.scalars(
        select(ArticleVersion).join(
            newest,
            (ArticleVersion.article_id == newest.c.article_id)
            & (ArticleVersion.version == newest.c.version),
        )
    )
    editions: dict[str, Edition] = {
        article_id: edition
        for article_id in pack.articles
        if (edition := pack.edition(article_id)) is not None
    }
    editions.update((row.article_id, _stored(row)) for row in rows)
    return {article_id: editions[article_id] for article_id in sorted(editions)}


async def current_edition(
    session: AsyncSession, pack: ArticlePack, article_id: str
) -> Edition | None:
    """The article's current edition (None: no such article, stored or shipped)."""
    row = await session.scalar(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
        .limit(1)
    )
    return _stored(row) if row is not None else pack.edition(article_id)


async def article_history(
    session: AsyncSession, pack: ArticlePack, article_id: str
) -> list[Edition]:
    """Every version of the article, newest first, ending with the pack's file if it has one;
    empty when there is no such article."""
    rows = await session.scalars(
        select(ArticleVersion)
        .where(ArticleVersion.article_id == article_id)
        .order_by(ArticleVersion.version.desc())
    )
    editions = [_stored(row) for row in rows]
    shipped = pack.edition(article_id)
    return editions + ([shipped] if shipped is not None else [])


async def article_edition(
    session: AsyncSession, pack: ArticlePack, article_id: str, version: int
) -> Edition | None:
    """One version of the article (0: the pack's file), or None."""
    if version == PACK_VERSION:
        return pack.edition(article_id)
    row = await session.scalar(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == version
        )
    )
    return _stored(row) if row is not None else None


async def save_edition(
    session: AsyncSession,
    pack: ArticlePack,
    *,
    article_id: str,
    based_on: int | None,
    text: str,
    author_id: int | None,
    at: datetime,
    note: str | None = None,
    retired: bool = False,
) -> Edition:
    """Store ``text`` as the article's next version and return it.

    ``based_on`` is the version the author started from (None: a new article, which must not
    exist yet). Raises :class:`~knowledge.articles.ArticleError` when ``text`` is not a valid
    article of ``article_id``, and :class:`StaleEdition` when ``based_on`` is not the newest
    version, in which case nothing is stored.
    """
    article = parse_article(text, name=article_id)
    if article.id != article_id:
        raise ArticleError(f"{article_id}: id: {article.id!r} differs from the article's id")
    current = await current_edition(session, pack, article_id)
    if based_on is None and current is not None:
        raise StaleEdition(f"The article {article_id!r} exists already.")
    if based_on is not None and (current is None or current.version != based_on):
        raise StaleEdition(
            f"The article {article_id!r} has changed: version "
            f"{current.version if current else PACK_VERSION} is the newest, not {based_on}."
        )
    version = (current.version if current else PACK_VERSION) + 1
    values = {
        "article_id": article_id,
        "version": version,
        "text": text,
        "retired": retired,
        "author_id": author_id,
        "created_at": at,
        "note": note,
    }
    dialect = session.get_bind().dialect.name
    inserted = await session.execute(
        insert_new(ArticleVersion, dialect, index_elements=["article_id", "version"]).values(
            **values
        )
    )
    # Another save on the same base committed first (the check above could not see it yet).
    if getattr(inserted, "rowcount", 1) == 0:
        raise StaleEdition(f"The article {article_id!r} was changed at the same time.")
    return Edition(
        article_id,
        version,
        text,
        article,
        retired=retired,
        author_id=author_id,
        created_at=at,
        note=note,
    )


def answerable_articles(editions: Mapping[str, Edition]) -> list[Article]:
    """The articles the bot answers from, in id order."""
    return [
        edition.article
        for _, edition in sorted(editions.items())
        if edition.answerable and edition.article is not None
    ]


async def stored_fingerprint(session: AsyncSession) -> tuple[int, int]:
    """Changes whenever a version is saved: versions are only ever added, so their count
    grows with every commit, whatever order concurrent saves' ids were drawn in."""
    count, newest = (await session.execute(select(func.count(), func.max(ArticleVersion.id)))).one()
    return int(count), int(newest or 0)
