"""Service articles: officials read, edit, create, restore and retire the bot's knowledge.

An article travels as its whole file text (the format of :mod:`knowledge.articles`), so the
file stays the one truth of what an article is. Versions are :mod:`knowledge.editions`': the
pack's file is version 0, each save adds the next. A save names the version it was based on
(``base_version``); if someone saved in between it is refused with 409 and nothing is stored.
A text that is not a valid article is refused with 422 naming the problem.

Everyone logged in reads. Admins write every article; officials those their team owns (the
article's ``owner_team`` is a team key); others get 403. Every write is audited
(``article.create``, ``article.update``, ``article.restore``, ``article.retire``: who, which
article, from which version to which) and reaches the bot's answers once it commits
(``AdminContext.on_articles_changed``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin_api.changes import record_change
from admin_api.context import AdminContext
from admin_api.deps import (
    ContextDep,
    CurrentOfficial,
    Input,
    ReadSessionDep,
    SessionDep,
    after_commit,
    require_role,
)
from admin_api.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable, problem_responses
from admin_api.texts import Text
from knowledge.articles import Article, ArticleError, parse_article
from knowledge.editions import (
    ArticlePack,
    Edition,
    StaleEdition,
    article_edition,
    article_history,
    current_edition,
    current_editions,
    save_edition,
)
from store import Membership, Official, Team
from store.notify import ARTICLES, notify

__all__ = [
    "ArticleEdit",
    "ArticleNew",
    "ArticleOut",
    "ArticleSummary",
    "VersionChange",
    "VersionOut",
    "router",
]

router = APIRouter(
    prefix="/articles", tags=["articles"], responses=problem_responses(400, 401, 422, 503)
)

Writer = Annotated[Official, Depends(require_role("admin", "official"))]
"""Admins and officials; an official writes only the articles their team owns."""

_ID_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
ArticleId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=_ID_PATTERN,
        description="The article's id (snake_case), its file name without `.md`.",
        examples=["waste_sorting"],
    ),
]
VersionNumber = Annotated[int, Path(ge=0, le=1_000_000, description="0: the shipped file.")]
BaseVersion = Annotated[
    int,
    Field(
        ge=0,
        le=1_000_000,
        description="The version the change was made on (`version` as read); 409 if it is no "
        "longer the newest.",
    ),
]
ArticleText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=30_000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
        description="The whole article file: YAML front matter, then `# fi: `, `# sv: ` and "
        "`# en: ` sections.",
    ),
]
ChangeNote = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
        description="Why the change was made.",
    ),
]
TeamKey = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9-]*$")]


class ArticleEdit(Input):
    text: ArticleText
    base_version: BaseVersion
    note: ChangeNote | None = None


class ArticleNew(Input):
    text: ArticleText
    note: ChangeNote | None = None


class VersionChange(Input):
    """A restore or a retirement: which version it is based on, and why."""

    base_version: BaseVersion
    note: ChangeNote | None = None


class LanguageTexts(BaseModel):
    fi: str
    sv: str
    en: str


class LanguageLinks(BaseModel):
    fi: str | None
    sv: str | None
    en: str | None


class Editor(BaseModel):
    id: int
    name: str


class ArticleSummary(BaseModel):
    """An article as it stands. The parsed fields are ``null`` only when a stored text no
    longer parses (``error`` says why; the bot does not answer from it until it is fixed)."""

    id: str
    version: int
    """0: the shipped file, unedited."""
    topic: str | None
    owner_team: str | None
    titles: LanguageTexts | None
    review_by: date | None
    review_overdue: bool
    """``review_by`` has passed (in the city's time zone): the content may be out of date."""
    retired: bool
    """Withdrawn: the bot does not answer from it."""
    edited_at: datetime | None
    """When the current version was saved; ``null`` for the shipped file."""
    edited_by: Editor | None
    error: str | None = None


class ArticleOut(ArticleSummary):
    text: str
    sources: LanguageLinks | None
    keywords: dict[str, list[str]] | None
    note: str | None


class VersionOut(BaseModel):
    version: int
    title_fi: str | None
    retired: bool
    created_at: datetime | None
    """``null`` for the shipped file (version 0)."""
    author: Editor | None
    note: str | None


class VersionText(VersionOut):
    text: str


@router.get("", response_model=list[ArticleSummary])
async def list_articles(
    official: CurrentOfficial,
    session: ReadSessionDep,
    context: ContextDep,
    owner_team: TeamKey | None = None,
    review_overdue: Annotated[bool | None, Query()] = None,
    retired: Annotated[bool, Query(description="List the retired articles instead.")] = False,
) -> list[ArticleSummary]:
    """Every article as it stands, by id."""
    editions = list((await current_editions(session, _pack(context))).values())
    editors = await _editors(session, (edition.author_id for edition in editions))
    today = _today(context)
    summaries = [
        _summary(edition, editors, today) for edition in editions if edition.retired == retired
    ]
    return [
        summary
        for summary in summaries
        if (owner_team is None or summary.owner_team == owner_team)
        and (review_overdue is None or summary.review_overdue == review_overdue)
    ]


@router.post(
    "",
    response_model=ArticleOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 409),
)
async def create_article(
    body: ArticleNew, writer: Writer, session: SessionDep, context: ContextDep
) -> ArticleOut:
    """A new article (version 1); its id is the one in the text."""
    article = _parsed(body.text)
    if len(article.id) > 64:
        raise Invalid(Text("article_id_too_long", limit=64), loc=("body", "text"))
    await _may_write(session, writer, article.owner_team)
    await _team_exists(session, article.owner_team)
    saved = await _save(session, context, writer, article.id, None, body.text, body.note)
    await _audit(session, context, writer, "article.create", None, saved)
    return await _article_out(session, context, saved)


@router.get("/{article_id}", response_model=ArticleOut, responses=problem_responses(404))
async def get_article(
    article_id: ArticleId, official: CurrentOfficial, session: ReadSessionDep, context: ContextDep
) -> ArticleOut:
    """The article as it stands: its text, what it says, and its version."""
    return await _article_out(session, context, await _current(session, context, article_id))


@router.put("/{article_id}", response_model=ArticleOut, responses=problem_responses(403, 404, 409))
async def edit_article(
    article_id: ArticleId,
    body: ArticleEdit,
    writer: Writer,
    session: SessionDep,
    context: ContextDep,
) -> ArticleOut:
    """Save the whole text as the next version (a retired article returns with it)."""
    current = await _current(session, context, article_id)
    await _may_write(session, writer, _owner(current))
    article = _parsed(body.text)
    if article.id != article_id:
        raise Invalid(
            Text("article_id_differs", found=article.id, article=article_id), loc=("body", "text")
        )
    if article.owner_team != _owner(current):
        await _team_exists(session, article.owner_team)
    if body.text == current.text and not current.retired:
        _check_base(current, body.base_version)
        return await _article_out(session, context, current)
    saved = await _save(
        session, context, writer, article_id, body.base_version, body.text, body.note
    )
    await _audit(session, context, writer, "article.update", current, saved)
    return await _article_out(session, context, saved)


@router.get(
    "/{article_id}/versions", response_model=list[VersionOut], responses=problem_responses(404)
)
async def list_versions(
    article_id: ArticleId, official: CurrentOfficial, session: ReadSessionDep, context: ContextDep
) -> list[VersionOut]:
    """Every version, newest first; version 0 is the shipped file (if the pack has one)."""
    editions = await article_history(session, _pack(context), article_id)
    if not editions:
        raise NotFound(Text("article_not_found"))
    editors = await _editors(session, (edition.author_id for edition in editions))
    return [_version_out(edition, editors) for edition in editions]


@router.get(
    "/{article_id}/versions/{version}",
    response_model=VersionText,
    responses=problem_responses(404),
)
async def get_version(
    article_id: ArticleId,
    version: VersionNumber,
    official: CurrentOfficial,
    session: ReadSessionDep,
    context: ContextDep,
) -> VersionText:
    """One version's text as it was saved."""
    edition = await article_edition(session, _pack(context), article_id, version)
    if edition is None:
        raise NotFound(Text("article_version_not_found"))
    editors = await _editors(session, [edition.author_id])
    return VersionText(**_version_out(edition, editors).model_dump(), text=edition.text)


@router.post(
    "/{article_id}/versions/{version}/restore",
    response_model=ArticleOut,
    responses=problem_responses(403, 404, 409),
)
async def restore_version(
    article_id: ArticleId,
    version: VersionNumber,
    body: VersionChange,
    writer: Writer,
    session: SessionDep,
    context: ContextDep,
) -> ArticleOut:
    """Save an earlier version's text as the next version."""
    current = await _current(session, context, article_id)
    await _may_write(session, writer, _owner(current))
    old = await article_edition(session, _pack(context), article_id, version)
    if old is None:
        raise NotFound(Text("article_version_not_found"))
    if old.article is None:
        raise Conflict(Text("article_version_invalid", version=version))
    if old.article.owner_team != _owner(current):
        await _team_exists(session, old.article.owner_team)
    saved = await _save(
        session, context, writer, article_id, body.base_version, old.text, body.note
    )
    await _audit(session, context, writer, "article.restore", current, saved, restored=version)
    return await _article_out(session, context, saved)


@router.post(
    "/{article_id}/retire", response_model=ArticleOut, responses=problem_responses(403, 404, 409)
)
async def retire_article(
    article_id: ArticleId,
    body: VersionChange,
    writer: Writer,
    session: SessionDep,
    context: ContextDep,
) -> ArticleOut:
    """Withdraw the article from the bot's answers (a new version; its text is kept, and a
    save or a restore brings it back)."""
    current = await _current(session, context, article_id)
    await _may_write(session, writer, _owner(current))
    if current.retired:
        raise Conflict(Text("article_retired"))
    saved = await _save(
        session,
        context,
        writer,
        article_id,
        body.base_version,
        current.text,
        body.note,
        retired=True,
    )
    await _audit(session, context, writer, "article.retire", current, saved)
    return await _article_out(session, context, saved)


def _pack(context: AdminContext) -> ArticlePack:
    if context.articles is None:
        raise Unavailable(Text("articles_unavailable"))
    return context.articles


async def _current(session: AsyncSession, context: AdminContext, article_id: str) -> Edition:
    edition = await current_edition(session, _pack(context), article_id)
    if edition is None:
        raise NotFound(Text("article_not_found"))
    return edition


def _owner(edition: Edition) -> str | None:
    return edition.article.owner_team if edition.article is not None else None


def _parsed(text: str) -> Article:
    try:
        return parse_article(text, name="text")
    except ArticleError as error:
        raise Invalid(Text("article_invalid", problem=str(error)), loc=("body", "text")) from None


async def _may_write(session: AsyncSession, official: Official, owner_team: str | None) -> None:
    """Admins write everything; officials what a team of theirs owns."""
    if official.role == "admin":
        return
    if official.role == "official" and owner_team is not None:
        keys = await session.scalars(
            select(Team.key)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.official_id == official.id, Team.key == owner_team)
        )
        if keys.first() is not None:
            return
    raise Forbidden(Text("article_forbidden"))


async def _team_exists(session: AsyncSession, key: str) -> None:
    if await session.scalar(select(Team.id).where(Team.key == key)) is None:
        raise Invalid(Text("article_owner_unknown", key=key), loc=("body", "text"))


def _check_base(current: Edition, base_version: int) -> None:
    if current.version != base_version:
        raise Conflict(Text("article_stale", newest=current.version, base=base_version))


async def _stale(
    session: AsyncSession, context: AdminContext, article_id: str, base_version: int | None
) -> Text:
    """Why a save on ``base_version`` was refused as stale (the newest version, if the session
    can see one newer than the base)."""
    if base_version is None:
        return Text("article_exists", article=article_id)
    current = await current_edition(session, _pack(context), article_id)
    if current is None or current.version == base_version:
        return Text("article_changed_meanwhile")
    return Text("article_stale", newest=current.version, base=base_version)


async def _save(
    session: AsyncSession,
    context: AdminContext,
    writer: Official,
    article_id: str,
    base_version: int | None,
    text: str,
    note: str | None,
    *,
    retired: bool = False,
) -> Edition:
    try:
        saved = await save_edition(
            session,
            _pack(context),
            article_id=article_id,
            based_on=base_version,
            text=text,
            author_id=writer.id,
            at=context.clock.now(),
            note=note,
            retired=retired,
        )
    except StaleEdition:
        raise Conflict(await _stale(session, context, article_id, base_version)) from None
    except ArticleError as error:
        raise Invalid(Text("article_invalid", problem=str(error)), loc=("body", "text")) from None
    await notify(session, ARTICLES)  # the other replicas reload
    if context.on_articles_changed is not None:
        after_commit(session, context.on_articles_changed)
    return saved


class _Audited(BaseModel):
    version: int
    owner_team: str | None
    retired: bool
    note: str | None = None
    restored_from: int | None = None


async def _audit(
    session: AsyncSession,
    context: AdminContext,
    writer: Official,
    action: str,
    before: Edition | None,
    after: Edition,
    *,
    restored: int | None = None,
) -> None:
    await record_change(
        session,
        context,
        writer,
        action,
        object_id=after.article_id,
        before=_Audited(version=before.version, owner_team=_owner(before), retired=before.retired)
        if before is not None
        else None,
        after=_Audited(
            version=after.version,
            owner_team=_owner(after),
            retired=after.retired,
            note=after.note,
            restored_from=restored,
        ),
        at=after.created_at,
    )


async def _editors(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, Editor]:
    wanted = sorted({official_id for official_id in ids if official_id is not None})
    if not wanted:
        return {}
    rows = await session.execute(select(Official.id, Official.name).where(Official.id.in_(wanted)))
    return {official_id: Editor(id=official_id, name=name) for official_id, name in rows}


def _today(context: AdminContext) -> date:
    return context.clock.now().astimezone(context.timezone).date()


def _summary(edition: Edition, editors: Mapping[int, Editor], today: date) -> ArticleSummary:
    article = edition.article
    return ArticleSummary(
        id=edition.article_id,
        version=edition.version,
        topic=article.topic if article else None,
        owner_team=article.owner_team if article else None,
        titles=LanguageTexts(**article.titles) if article else None,
        review_by=article.review_by if article else None,
        review_overdue=article.is_due_for_review(today) if article else False,
        retired=edition.retired,
        edited_at=edition.created_at,
        edited_by=editors.get(edition.author_id) if edition.author_id is not None else None,
        error=None if article else _error_of(edition),
    )


def _error_of(edition: Edition) -> str:
    try:
        parse_article(edition.text, name="text")
    except ArticleError as error:
        return str(error)
    return "The text is not a valid article."


async def _article_out(
    session: AsyncSession, context: AdminContext, edition: Edition
) -> ArticleOut:
    editors = await _editors(session, [edition.author_id])
    article = edition.article
    return ArticleOut(
        **_summary(edition, editors, _today(context)).model_dump(),
        text=edition.text,
        sources=LanguageLinks(**article.sources) if article else None,
        keywords={lang: list(words) for lang, words in article.keywords.items()}
        if article
        else None,
        note=edition.note,
    )


def _version_out(edition: Edition, editors: Mapping[int, Editor]) -> VersionOut:
    return VersionOut(
        version=edition.version,
        title_fi=edition.article.titles["fi"] if edition.article else None,
        retired=edition.retired,
        created_at=edition.created_at,
        author=editors.get(edition.author_id) if edition.author_id is not None else None,
        note=edition.note,
    )
