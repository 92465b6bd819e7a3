"""Facts the bot answers from: cases (Ahjo and the local registry), service knowledge and the
area registry. Service knowledge: articles (:mod:`knowledge.articles`), their search
(:mod:`knowledge.retrieval`) and its measurement (:mod:`knowledge.evaluation`)."""

from knowledge.articles import (
    LANGUAGES,
    PACKAGED_ARTICLES,
    Article,
    ArticleError,
    load_articles,
    parse_article,
    render_article,
)
from knowledge.retrieval import (
    CONFIDENT_MARGIN,
    CONFIDENT_SCORE,
    PLAUSIBLE_SCORE,
    Hit,
    KnowledgeBase,
    LiveKnowledge,
    article_code,
    load_knowledge,
)

__all__ = [
    "CONFIDENT_MARGIN",
    "CONFIDENT_SCORE",
    "LANGUAGES",
    "PACKAGED_ARTICLES",
    "PLAUSIBLE_SCORE",
    "Article",
    "ArticleError",
    "Hit",
    "KnowledgeBase",
    "LiveKnowledge",
    "article_code",
    "load_articles",
    "load_knowledge",
    "parse_article",
    "render_article",
]
