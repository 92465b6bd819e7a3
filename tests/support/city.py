"""The City of Helsinki's own pages and contact details, as the project's reference data has
them (``knowledge/data/hel_fi_topics.json``): what the bot may link to and quote."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from knowledge.articles import PACKAGED_ARTICLES

__all__ = ["CITY_TOPICS", "city_topics", "legacy_urls"]

CITY_TOPICS = PACKAGED_ARTICLES.parent / "hel_fi_topics.json"
_LEGACY = re.compile(r"hel\.fi/(?:helsinki|uutiset|kanslia)/")


def city_topics(path: Path = CITY_TOPICS) -> list[dict[str, Any]]:
    topics: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return topics


def legacy_urls(topics: list[dict[str, Any]]) -> set[str]:
    """Pages of the retired pre-2023 site: never an article's source."""
    return {
        related["url"]
        for topic in topics
        for related in topic.get("related_urls", [])
        if _LEGACY.search(related["url"])
    }
