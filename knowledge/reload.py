"""Keeping the bot's knowledge base on the articles as they stand, on every replica.

An edit saved through the admin API reaches this process's answers as soon as it commits (the
API awaits :meth:`KnowledgeReload.refresh`), and other replicas' within one ``interval``
(:meth:`KnowledgeReload.run` asks the database whether any version was saved since it last
looked — one cheap query — and reloads only then).
"""

from __future__ import annotations

import asyncio
import logging

from knowledge.articles import Article
from knowledge.editions import (
    ArticlePack,
    answerable_articles,
    current_editions,
    stored_fingerprint,
)
from knowledge.retrieval import KnowledgeBase, LiveKnowledge
from store import Database
from store.notify import wait_for_bell

__all__ = ["KnowledgeReload"]

log = logging.getLogger(__name__)


class KnowledgeReload:
    """Replaces ``live``'s knowledge base whenever the stored versions change.

    The articles answered from are the pack's overlaid with each article's newest stored
    version (:mod:`knowledge.editions`); retired ones are left out. The new index reuses the
    current one's word features, so a reload costs the changed articles, not the whole pack.
    """

    def __init__(
        self, database: Database, pack: ArticlePack, live: LiveKnowledge, *, interval: float = 5.0
    ) -> None:
        self.pack = pack
        self.live = live
        self._database = database
        self._interval = interval
        self._wake = asyncio.Event()
        self._seen: tuple[int, int] | None = None
        self._turn = asyncio.Lock()

    async def refresh(self) -> None:
        """Reload if a version was saved since the last look (else only that one query)."""
        async with self._turn:
            async with self._database.sessions() as session:
                # The fingerprint first: a save committed between the two reads is read now
                # and merely read again next time, never missed.
                seen = await stored_fingerprint(session)
                if seen == self._seen:
                    return
                editions = await current_editions(session, self.pack)
            self._seen = seen
            articles = answerable_articles(editions)
            self.live.replace(_rebuilt(self.live.current, articles))
            log.info("knowledge: %d articles in use (stored versions: %d)", len(articles), seen[0])

    def wake(self) -> None:
        """Another replica saved an article: look now rather than at the next interval."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Refresh now, when woken and every ``interval`` seconds until ``stop`` is set; a
        failed refresh is logged and the articles in use kept."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.refresh()
            except Exception:
                log.exception("knowledge: reading the stored articles failed; keeping the last")
            await wait_for_bell(stop, self._wake, seconds=self._interval)


def _rebuilt(knowledge: KnowledgeBase, articles: list[Article]) -> KnowledgeBase:
    """``knowledge`` changed to hold exactly ``articles`` (itself when it does already)."""
    wanted = {article.id: article for article in articles}
    held = knowledge.articles
    gone = [article_id for article_id in held if article_id not in wanted]
    changed = [article for article_id, article in wanted.items() if held.get(article_id) != article]
    if gone:
        knowledge = knowledge.without(gone)
    if changed:
        knowledge = knowledge.with_articles(changed)
    return knowledge
