"""Service articles: the city's own answers to general questions, one Markdown file each.

The file format (``knowledge/data/articles/<id>.md``, UTF-8) is YAML front matter between
``---`` lines, then one section per language in the order fi, sv, en, each opened by a level-1
heading ``# <lang>: <title>``::

    ---
    id: waste_sorting
    topic: waste and recycling
    owner_team: environment
    source:
      fi: https://...
      sv: null
      en: https://...
    review_by: 2027-05-31
    keywords:
      fi: [jätteet, lajittelu]
    questions:
      fi:
        - Mihin vien vanhan sohvan?
    ---

    # fi: Jätteiden lajittelu

    Body in Finnish: plain paragraphs and lists, no headings.

    # sv: ...

:func:`parse_article` reads one file's text, :func:`render_article` writes it back
(``parse_article(render_article(a)) == a``), :func:`load_articles` reads a directory. Every
problem is an :class:`ArticleError` whose one-line message names the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = [
    "LANGUAGES",
    "PACKAGED_ARTICLES",
    "Article",
    "ArticleError",
    "load_articles",
    "parse_article",
    "render_article",
]

LANGUAGES: Final = ("fi", "sv", "en")
"""The languages every article is written in, in the order of its sections."""

PACKAGED_ARTICLES: Final = Path(__file__).resolve().parent / "data" / "articles"
"""The demo pack that ships with the package (``TALKKARI_KB_DIRECTORY`` by default)."""

_FALLBACK: Final = {"fi": ("fi", "en", "sv"), "sv": ("sv", "fi", "en"), "en": ("en", "fi", "sv")}
"""Whose page to link when a language has none of its own: Helsinki's pages are Finnish first."""

_ID: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_TEAM: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_URL: Final = re.compile(r"https?://\S+")
_HEADING: Final = re.compile(r"#{1,6}(?:\s|$)")
_SECTION: Final = re.compile(r"# (?P<language>[a-z]{2}): (?P<title>\S.*)")
_FIELDS: Final = ("id", "topic", "owner_team", "source", "review_by", "keywords", "questions")
_REQUIRED: Final = ("id", "topic", "owner_team", "source", "review_by")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only ``true``/``false``, so a keyword like ``on`` stays a word."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class ArticleError(ValueError):
    """An article file that does not follow the format; the message names file and field."""


@dataclass(frozen=True)
class Article:
    """One service article in all three languages.

    ``sources`` has a URL or ``None`` for every language (at least one URL); ``titles`` and
    ``bodies`` have every language; ``keywords`` has the languages staff gave keywords for,
    ``questions`` the questions residents ask that the article answers (in their words, not the
    article's), by language.
    """

    id: str
    topic: str
    owner_team: str
    sources: Mapping[str, str | None]
    review_by: date
    titles: Mapping[str, str]
    bodies: Mapping[str, str]
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def source_for(self, language: str) -> tuple[str, str] | None:
        """``(url, language of that page)``: the page in ``language``, else one in another."""
        for candidate in _FALLBACK.get(language, LANGUAGES):
            url = self.sources.get(candidate)
            if url:
                return url, candidate
        return None

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["fi"]

    def body(self, language: str) -> str:
        return self.bodies.get(language) or self.bodies["fi"]

    def is_due_for_review(self, today: date) -> bool:
        """Whether ``review_by`` has passed: the content may be out of date."""
        return self.review_by < today


def parse_article(text: str, *, name: str = "<text>") -> Article:
    """The article in ``text``; :class:`ArticleError` naming ``name`` and the field if invalid."""
    front, rest = _split_front_matter(text, name)
    meta = _front_matter(front, name)
    titles, bodies = _sections(rest, name)
    return Article(
        id=_matching(meta, "id", _ID, name, "snake_case"),
        topic=_text(meta, "topic", name),
        owner_team=_matching(
            meta, "owner_team", _TEAM, name, "a team key like 'street-maintenance'"
        ),
        sources=_sources(meta.get("source"), name),
        review_by=_review_by(meta.get("review_by"), name),
        titles=titles,
        bodies=bodies,
        keywords=_phrases(meta.get("keywords"), name, "keywords"),
        questions=_phrases(meta.get("questions"), name, "questions"),
    )


def render_article(article: Article) -> str:
    """The file text of ``article``, in the format :func:`parse_article` reads."""
    front = _dump(
        {"id": article.id, "topic": article.topic, "owner_team": article.owner_team}, block=True
    )
    front += _dump({"source": {lang: article.sources.get(lang) for lang in LANGUAGES}}, block=True)
    front += _dump({"review_by": article.review_by}, block=True)
    keywords = {
        lang: list(article.keywords[lang]) for lang in LANGUAGES if lang in article.keywords
    }
    if keywords:
        front += _dump({"keywords": keywords})
    questions = {
        lang: list(article.questions[lang]) for lang in LANGUAGES if lang in article.questions
    }
    if questions:
        front += _dump({"questions": questions}, block=True)
    sections = "".join(
        f"\n# {lang}: {article.titles[lang]}\n\n{article.bodies[lang]}\n" for lang in LANGUAGES
    )
    return f"---\n{front}---\n{sections}"


def load_articles(directory: Path) -> list[Article]:
    """Every ``*.md`` article in ``directory``, sorted by id.

    Raises :class:`ArticleError` naming the file when one is invalid, when an id differs from
    its file name, or when the directory is missing.
    """
    if not directory.is_dir():
        raise ArticleError(f"{directory}: not a directory of articles")
    articles: dict[str, Article] = {}
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ArticleError(f"{path}: cannot be read as UTF-8 text ({exc})") from exc
        article = parse_article(text, name=str(path))
        if article.id != path.stem:
            raise ArticleError(f"{path}: id: {article.id!r} differs from the file name")
        if article.id in articles:
            raise ArticleError(f"{path}: id: {article.id!r} appears twice")
        articles[article.id] = article
    return [articles[key] for key in sorted(articles)]


def _split_front_matter(text: str, name: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleError(f"{name}: front matter: the file must start with a '---' line")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise ArticleError(f"{name}: front matter: no closing '---' line")


def _front_matter(front: str, name: str) -> dict[str, Any]:
    try:
        meta = yaml.load(front, Loader=_Loader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 2}" if where is not None else ""
        raise ArticleError(f"{name}: front matter: not valid YAML{line}") from exc
    if not isinstance(meta, dict):
        raise ArticleError(f"{name}: front matter: must be a mapping of fields")
    unknown = sorted(str(key) for key in meta if key not in _FIELDS)
    if unknown:
        raise ArticleError(f"{name}: {unknown[0]}: unknown field (known: {', '.join(_FIELDS)})")
    for key in _REQUIRED:
        if meta.get(key) is None:
            raise ArticleError(f"{name}: {key}: missing")
    return meta


def _text(meta: Mapping[str, Any], key: str, name: str) -> str:
    value = meta[key]
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        raise ArticleError(f"{name}: {key}: must be a one-line text")
    return value.strip()


def _matching(
    meta: Mapping[str, Any], key: str, pattern: re.Pattern[str], name: str, what: str
) -> str:
    value = _text(meta, key, name)
    if not pattern.fullmatch(value):
        raise ArticleError(f"{name}: {key}: {value!r} is not {what}")
    return value


def _sources(value: object, name: str) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise ArticleError(f"{name}: source: must map fi, sv and en to a URL or null")
    unknown = sorted(str(key) for key in value if key not in LANGUAGES)
    if unknown:
        raise ArticleError(f"{name}: source.{unknown[0]}: not a language (fi, sv, en)")
    sources: dict[str, str | None] = {}
    for lang in LANGUAGES:
        url = value.get(lang)
        if url is not None and not (isinstance(url, str) and _URL.fullmatch(url.strip())):
            raise ArticleError(f"{name}: source.{lang}: {url!r} is not an http(s) URL or null")
        sources[lang] = url.strip() if isinstance(url, str) else None
    if not any(sources.values()):
        raise ArticleError(f"{name}: source: at least one language needs a URL")
    return sources


def _review_by(value: object, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ArticleError(f"{name}: review_by: {value!r} is not a date like 2027-05-31") from exc


def _phrases(value: object, name: str, key: str) -> dict[str, tuple[str, ...]]:
    """``keywords`` or ``questions``: per language, a list of one-line texts."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ArticleError(f"{name}: {key}: must map a language to a list of texts")
    phrases: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if lang not in LANGUAGES:
            raise ArticleError(f"{name}: {key}.{lang}: not a language (fi, sv, en)")
        if items is None:
            continue
        if not isinstance(items, list):
            raise ArticleError(f"{name}: {key}.{lang}: must be a list like [word, word]")
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ArticleError(f"{name}: {key}.{lang}: {item!r} is not a text (quote it)")
        cleaned = tuple(str(item).strip() for item in items)
        if any(not item or "\n" in item for item in cleaned):
            raise ArticleError(f"{name}: {key}.{lang}: an empty or multi-line entry")
        phrases[lang] = cleaned
    return {lang: phrases[lang] for lang in LANGUAGES if lang in phrases}


def _sections(text: str, name: str) -> tuple[dict[str, str], dict[str, str]]:
    titles: dict[str, str] = {}
    bodies: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#") or not _HEADING.match(line):
            if current is None and line.strip():
                raise ArticleError(f"{name}: body: text before the '# fi: <title>' heading")
            if current is not None:
                bodies[current].append(line)
            continue
        section = _SECTION.fullmatch(line.rstrip())
        if section is None or section["language"] not in LANGUAGES:
            raise ArticleError(
                f"{name}: body: heading {line.strip()!r} (after the front matter, line {number})"
                " is not '# fi|sv|en: <title>'; bodies have no headings"
            )
        current = section["language"]
        expected = LANGUAGES[len(titles)] if len(titles) < len(LANGUAGES) else None
        if current != expected:
            raise ArticleError(
                f"{name}: {current}: section out of order or repeated (expected fi, sv, en)"
            )
        titles[current] = section["title"].strip()
        bodies[current] = []
    missing = [lang for lang in LANGUAGES if lang not in titles]
    if missing:
        raise ArticleError(f"{name}: {missing[0]}: section '# {missing[0]}: <title>' missing")
    joined = {lang: "\n".join(lines).strip() for lang, lines in bodies.items()}
    empty = [lang for lang in LANGUAGES if not joined[lang]]
    if empty:
        raise ArticleError(f"{name}: {empty[0]}: the section has no text")
    return titles, joined


def _dump(data: Mapping[str, object], *, block: bool = False) -> str:
    """YAML for ``data``; lists of words in flow style (``[a, b]``) unless ``block``."""
    return yaml.safe_dump(
        dict(data),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False if block else None,
        width=1_000_000,
    )
