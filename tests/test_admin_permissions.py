"""Who may call what: every endpoint under ``/api/v1`` × every role × an object of the caller's
own team and of another team, over HTTP on SQLite and PostgreSQL.

The endpoints are read from the running app, so a new one without a row in :data:`MATRIX`
fails the test. Allowed calls succeed; the rest answer 401 (no token), 403 (the role may not)
or 404 (an object out of the caller's teams) — and a refused call on an existing object
answers exactly as the same call on an object that does not exist, so nothing leaks.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import httpx
import pytest
from fastapi.routing import APIRoute

from admin_api import API_PREFIX
from admin_api.app import ROUTERS
from store import (
    ArticleVersion,
    Conversation,
    LocalCase,
    Notice,
    NoticeArea,
    Official,
    RoutingRule,
    Team,
)
from talkkari.runtime import Runtime
from tests.support.admin import PASSWORD, AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot

Caller = Literal["anonymous", "comms", "official_a", "official_b", "admin"]
Owner = Literal["a", "b"]
CALLERS: tuple[Caller, ...] = ("anonymous", "comms", "official_a", "official_b", "admin")
OWNERS: tuple[Owner, ...] = ("a", "b")
ROLE: Mapping[Caller, str] = {
    "anonymous": "",
    "comms": "comms",
    "official_a": "official",
    "official_b": "official",
    "admin": "admin",
}
TEAM_OF: Mapping[Caller, Owner | None] = {
    "anonymous": None,
    "comms": "a",  # a comms member of team a still sees none of its conversations
    "official_a": "a",
    "official_b": "b",
    "admin": None,
}
OFFICIAL_OF: Mapping[Owner, Caller] = {"a": "official_a", "b": "official_b"}
MISSING_ID = 987_654_321
MISSING_CASE = "HEL 1999-999999"
KALLIO = "district:helsinki:kaupunginosa:11"
MISSING_ARTICLE = "no_such_article"

EVERYONE = frozenset({"comms", "official", "admin"})
INBOX = frozenset({"official", "admin"})
ADMINS = frozenset({"admin"})
NOTICE_WRITERS = frozenset({"comms", "admin"})


@dataclass
class World:
    """Teams ``a`` and ``b`` (and ``c``, somewhere to transfer to), a caller of each role, and
    fresh objects on demand, inserted directly."""

    runtime: Runtime
    teams: dict[str, Team]
    officials: dict[Caller, Official]
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    last_article: str = ""
    passwords: dict[Caller, str] = field(default_factory=dict)
    """Each caller's password now (``POST /me/password`` changes it back and forth)."""

    def password(self, caller: Caller) -> str:
        return self.passwords.get(caller, PASSWORD)

    def caller_id(self, caller: Caller) -> int | None:
        official = self.officials.get(caller)
        return official.id if official else None

    async def conversation(self, owner: Owner, state: str, *, caller: Caller) -> int:
        """A conversation of team ``owner``; a ``human`` one is the caller's (an official's
        of the team when the caller cannot have one)."""
        assignee_id = None
        if state == "human":
            assignee_id = self.caller_id(caller) if ROLE[caller] in INBOX else None
            assignee_id = assignee_id or self.officials[OFFICIAL_OF[owner]].id
        async with self.runtime.database.transaction() as session:
            conversation = Conversation(
                channel="web",
                chat_id=next(self.numbers),
                state=state,
                team_id=self.teams[owner].id,
                assignee_id=assignee_id,
                handoff_reason="asked",
            )
            session.add(conversation)
        return conversation.id

    async def official(self, owner: Owner) -> int:
        number = next(self.numbers)
        official = await make_official(
            self.runtime.database,
            email=f"extra{number}@hel.fi",
            role="official",
            teams=[self.teams[owner]],
        )
        return official.id

    async def team(self) -> int:
        return (await make_team(self.runtime.database, f"unused-{next(self.numbers)}")).id

    async def rule(self, owner: Owner) -> int:
        async with self.runtime.database.transaction() as session:
            rule = RoutingRule(
                position=next(self.numbers), name="sääntö", team_id=self.teams[owner].id
            )
            session.add(rule)
        return rule.id

    async def case(self) -> str:
        number = f"HEL 2025-{next(self.numbers):06d}"
        async with self.runtime.database.transaction() as session:
            session.add(LocalCase(diary_number=number, title="Asia", status="Vireillä"))
        return quote(number)

    async def article(self, owner: Owner) -> str:
        """A service article owned by team ``owner``, saved once (version 1); remembered as
        :attr:`last_article` for the body of the call that follows."""
        article_id = f"matrix_article_{next(self.numbers)}"
        async with self.runtime.database.transaction() as session:
            session.add(
                ArticleVersion(
                    article_id=article_id,
                    version=1,
                    text=article_text(article_id, self.teams[owner].key),
                )
            )
        self.last_article = article_id
        return article_id

    async def notice(self) -> int:
        """A draft ready to be scheduled: both required languages, an area, a time."""
        async with self.runtime.database.transaction() as session:
            notice = Notice(
                text_fi="Tiedote",
                text_sv="Meddelande",
                publish_at=datetime.now(UTC) + timedelta(days=1),
            )
            session.add(notice)
            await session.flush()
            session.add(NoticeArea(notice_id=notice.id, area=KALLIO))
        return notice.id


Target = Callable[[World, Caller, Owner], Awaitable[int | str | tuple[str, int]]]
Body = Callable[[World, Caller, Owner], Awaitable[Any]]


async def no_body(world: World, caller: Caller, owner: Owner) -> None:
    return None


@dataclass(frozen=True)
class Endpoint:
    """How to call an endpoint, and who may.

    ``roles`` may call it; with ``scoped``, only on objects of their own teams (admins: any).
    ``target`` makes the object of ``{id}`` in the path; ``ok`` are the statuses of success.
    """

    roles: frozenset[str]
    ok: frozenset[int] = frozenset({200})
    scoped: bool = False
    public: bool = False
    target: Target | None = None
    body: Body = no_body
    form: bool = False
    stream: bool = False
    fresh_session: bool = False
    """Called in a session of its own (a new login of the caller), as it ends the session."""
    owned: bool = False
    """Officials only on objects their team owns, others 403, not 404: a service article is
    read by everyone, so refusing to change it tells nothing new."""
    missing: str | tuple[str, int] | None = None
    """The path value of a missing object, when it is not an id or a diary number."""

    def expected(self, caller: Caller, owner: Owner) -> frozenset[int]:
        if self.public:
            return self.ok
        if caller == "anonymous":
            return frozenset({401})
        if ROLE[caller] not in self.roles:
            return frozenset({403})
        if self.scoped and caller != "admin" and TEAM_OF[caller] != owner:
            return frozenset({404})
        if self.owned and caller != "admin" and TEAM_OF[caller] != owner:
            return frozenset({403})
        return self.ok


def conversation(state: str) -> Target:
    async def make(world: World, caller: Caller, owner: Owner) -> int:
        return await world.conversation(owner, state, caller=caller)

    return make


def body(value: Any) -> Body:
    async def make(world: World, caller: Caller, owner: Owner) -> Any:
        return value

    return make


async def own_official(world: World, caller: Caller, owner: Owner) -> int:
    return world.officials[OFFICIAL_OF[owner]].id


async def fresh_official(world: World, caller: Caller, owner: Owner) -> int:
    return await world.official(owner)


async def team_of_owner(world: World, caller: Caller, owner: Owner) -> int:
    return world.teams[owner].id


async def fresh_team(world: World, caller: Caller, owner: Owner) -> int:
    return await world.team()


async def rule(world: World, caller: Caller, owner: Owner) -> int:
    return await world.rule(owner)


async def case(world: World, caller: Caller, owner: Owner) -> str:
    return await world.case()


async def draft_notice(world: World, caller: Caller, owner: Owner) -> int:
    return await world.notice()


async def new_case(world: World, caller: Caller, owner: Owner) -> str:
    return quote(f"HEL 2024-{next(world.numbers):06d}")


async def new_team(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    key = f"new-{next(world.numbers)}"
    return {"key": key, "name_fi": key, "name_sv": key, "name_en": key}


async def new_official(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    return {
        "email": f"new{next(world.numbers)}@hel.fi",
        "name": "Uusi Virkailija",
        "title_fi": "Asiantuntija",
        "role": "official",
        "teams": [world.teams[owner].id],
        "password": PASSWORD,
    }


async def new_rule(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    return {"position": next(world.numbers), "name": "uusi", "team_id": world.teams[owner].id}


async def to_team_c(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    return {"team_id": world.teams["c"].id}


async def login_form(world: World, caller: Caller, owner: Owner) -> dict[str, str]:
    return {
        "username": world.officials["official_a"].email,
        "password": world.password("official_a"),
    }


async def refresh_token(world: World, caller: Caller, owner: Owner) -> dict[str, str]:
    """A refresh token of a session of official a's, just started."""
    async with AdminClient.of(world.runtime) as client:
        response = await client.token_response(
            world.officials["official_a"].email, world.password("official_a")
        )
    return {"refresh_token": response.json()["refresh_token"]}


async def password_change(world: World, caller: Caller, owner: Owner) -> dict[str, str]:
    """From the caller's password to another one, and back at the next call."""
    current = world.password(caller)
    new = OTHER_PASSWORD if current == PASSWORD else PASSWORD
    if caller != "anonymous":
        world.passwords[caller] = new
    return {"current_password": current, "new_password": new}


async def article(world: World, caller: Caller, owner: Owner) -> str:
    return await world.article(owner)


async def article_version(world: World, caller: Caller, owner: Owner) -> tuple[str, int]:
    return await world.article(owner), 1


async def new_article(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    article_id = f"matrix_new_{next(world.numbers)}"
    return {"text": article_text(article_id, world.teams[owner].key)}


async def edited_article(world: World, caller: Caller, owner: Owner) -> dict[str, Any]:
    text = article_text(world.last_article, world.teams[owner].key, body="Muutettu teksti.")
    return {"text": text, "base_version": 1}


def article_text(article_id: str, team_key: str, *, body: str = "Teksti.") -> str:
    return (
        f"---\nid: {article_id}\ntopic: city services\nowner_team: {team_key}\nsource:\n"
        f"  fi: https://palvelukartta.hel.fi/\n  sv: null\n  en: null\n"
        f"review_by: 2030-01-31\n---\n\n# fi: Otsikko\n\n{body}\n\n"
        f"# sv: Rubrik\n\nText.\n\n# en: Title\n\nText.\n"
    )


OTHER_PASSWORD = "toinen-pitkä-salasana-77"
CASE_BODY = {"title": "Asia", "status": "Vireillä"}
CONVERSATION = "/conversations/{id}"

MATRIX: dict[tuple[str, str], Endpoint] = {
    ("POST", "/auth/token"): Endpoint(EVERYONE, public=True, body=login_form, form=True),
    ("POST", "/auth/refresh"): Endpoint(EVERYONE, public=True, body=refresh_token),
    ("POST", "/auth/logout"): Endpoint(EVERYONE, ok=frozenset({204}), fresh_session=True),
    ("GET", "/me"): Endpoint(EVERYONE),
    ("POST", "/me/password"): Endpoint(EVERYONE, ok=frozenset({204}), body=password_change),
    ("GET", "/teams"): Endpoint(EVERYONE),
    ("POST", "/teams"): Endpoint(ADMINS, ok=frozenset({201}), body=new_team),
    ("GET", "/teams/{team_id}"): Endpoint(EVERYONE, target=team_of_owner),
    ("PATCH", "/teams/{team_id}"): Endpoint(
        ADMINS, target=team_of_owner, body=body({"sla_minutes": 300})
    ),
    ("DELETE", "/teams/{team_id}"): Endpoint(ADMINS, ok=frozenset({204}), target=fresh_team),
    ("GET", "/officials"): Endpoint(EVERYONE),
    ("POST", "/officials"): Endpoint(ADMINS, ok=frozenset({201}), body=new_official),
    ("GET", "/officials/{official_id}"): Endpoint(EVERYONE, scoped=True, target=own_official),
    ("PATCH", "/officials/{official_id}"): Endpoint(
        ADMINS, target=own_official, body=body({"title_en": "Specialist"})
    ),
    ("DELETE", "/officials/{official_id}"): Endpoint(ADMINS, target=fresh_official),
    ("GET", "/routing/rules"): Endpoint(INBOX),
    ("POST", "/routing/rules"): Endpoint(ADMINS, ok=frozenset({201}), body=new_rule),
    ("PATCH", "/routing/rules/{rule_id}"): Endpoint(
        ADMINS, target=rule, body=body({"name": "muutettu"})
    ),
    ("DELETE", "/routing/rules/{rule_id}"): Endpoint(ADMINS, ok=frozenset({204}), target=rule),
    ("GET", "/routing/explain"): Endpoint(INBOX),
    ("GET", "/cases"): Endpoint(EVERYONE),
    ("GET", "/cases/{diary_number}"): Endpoint(EVERYONE, target=case),
    ("PUT", "/cases/{diary_number}"): Endpoint(
        ADMINS, ok=frozenset({200, 201}), target=new_case, body=body(CASE_BODY)
    ),
    ("DELETE", "/cases/{diary_number}"): Endpoint(ADMINS, ok=frozenset({204}), target=case),
    ("GET", "/audit"): Endpoint(ADMINS),
    ("GET", "/conversations"): Endpoint(INBOX),
    ("GET", "/conversations/{conversation_id}"): Endpoint(
        INBOX, scoped=True, target=conversation("waiting")
    ),
    ("POST", "/conversations/{conversation_id}/claim"): Endpoint(
        INBOX, scoped=True, target=conversation("waiting")
    ),
    ("POST", "/conversations/{conversation_id}/messages"): Endpoint(
        INBOX,
        ok=frozenset({201}),
        scoped=True,
        target=conversation("human"),
        body=body({"text": "Hei, katson asiaa."}),
    ),
    ("POST", "/conversations/{conversation_id}/notes"): Endpoint(
        INBOX,
        ok=frozenset({201}),
        scoped=True,
        target=conversation("waiting"),
        body=body({"text": "Sisäinen muistiinpano."}),
    ),
    ("POST", "/conversations/{conversation_id}/transfer"): Endpoint(
        INBOX, scoped=True, target=conversation("waiting"), body=to_team_c
    ),
    ("POST", "/conversations/{conversation_id}/release"): Endpoint(
        INBOX, scoped=True, target=conversation("human")
    ),
    ("POST", "/conversations/{conversation_id}/resolve"): Endpoint(
        INBOX, scoped=True, target=conversation("human")
    ),
    ("GET", "/events"): Endpoint(INBOX, stream=True),
    ("POST", "/notices"): Endpoint(
        NOTICE_WRITERS, ok=frozenset({201}), body=body({"texts": {"fi": "x"}, "areas": [KALLIO]})
    ),
    ("GET", "/notices"): Endpoint(NOTICE_WRITERS),
    ("GET", "/notices/{notice_id}"): Endpoint(NOTICE_WRITERS, target=draft_notice),
    ("PATCH", "/notices/{notice_id}"): Endpoint(
        NOTICE_WRITERS, target=draft_notice, body=body({"urgent": True})
    ),
    ("POST", "/notices/{notice_id}/schedule"): Endpoint(NOTICE_WRITERS, target=draft_notice),
    ("POST", "/notices/{notice_id}/cancel"): Endpoint(NOTICE_WRITERS, target=draft_notice),
    ("GET", "/notices/{notice_id}/preview"): Endpoint(NOTICE_WRITERS, target=draft_notice),
    ("GET", "/notices/{notice_id}/deliveries"): Endpoint(NOTICE_WRITERS, target=draft_notice),
    ("POST", "/areas/link-codes"): Endpoint(
        NOTICE_WRITERS, ok=frozenset({201}), body=body({"area": KALLIO})
    ),
    ("GET", "/areas/channels"): Endpoint(NOTICE_WRITERS),
    ("GET", "/articles"): Endpoint(EVERYONE),
    ("POST", "/articles"): Endpoint(INBOX, ok=frozenset({201}), owned=True, body=new_article),
    ("GET", "/articles/{article_id}"): Endpoint(EVERYONE, target=article, missing=MISSING_ARTICLE),
    ("PUT", "/articles/{article_id}"): Endpoint(
        INBOX, owned=True, target=article, body=edited_article, missing=MISSING_ARTICLE
    ),
    ("POST", "/articles/{article_id}/retire"): Endpoint(
        INBOX, owned=True, target=article, body=body({"base_version": 1}), missing=MISSING_ARTICLE
    ),
    ("GET", "/articles/{article_id}/versions"): Endpoint(
        EVERYONE, target=article, missing=MISSING_ARTICLE
    ),
    ("GET", "/articles/{article_id}/versions/{version}"): Endpoint(
        EVERYONE, target=article_version, missing=(MISSING_ARTICLE, 1)
    ),
    ("POST", "/articles/{article_id}/versions/{version}/restore"): Endpoint(
        INBOX,
        owned=True,
        target=article_version,
        body=body({"base_version": 1}),
        missing=(MISSING_ARTICLE, 1),
    ),
}
"""Every endpoint under ``/api/v1``: (method, path after the prefix) → who may call it."""

QUERIES: Mapping[str, dict[str, str]] = {"/routing/explain": {"text": "katuvalo on rikki"}}


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    endpoint: Endpoint,
    payload: Any,
) -> Answer:
    params = QUERIES.get(path.split("?")[0])
    if endpoint.stream:
        async with client.stream(method, path, params=params) as response:
            if response.status_code == 200:
                assert response.headers["content-type"].startswith("text/event-stream")
                return Answer(200, None)
            await response.aread()
    elif endpoint.form:
        response = await client.request(method, path, data=payload, params=params)
    else:
        response = await client.request(method, path, json=payload, params=params)
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
    return Answer(response.status_code, response.json() if response.content else None)


async def api_endpoints(runtime: Runtime) -> set[tuple[str, str]]:
    """Every (method, path after the prefix) the API registers (hidden ones too) or documents."""
    found = set()
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found |= {
                (method, route.path) for method in (route.methods or set()) - {"HEAD", "OPTIONS"}
            }
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{runtime.settings.port}/openapi.json")
    document = response.json()
    for path, operations in document["paths"].items():
        assert path.startswith(API_PREFIX + "/"), path
        found |= {(method.upper(), path.removeprefix(API_PREFIX)) for method in operations}
    return found


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with running_bot(bot_settings(database_url, None)) as runtime:
        database = runtime.database
        teams = {key: await make_team(database, key) for key in ("a", "b", "c")}
        officials: dict[Caller, Official] = {
            "comms": await make_official(
                database, email="comms@hel.fi", role="comms", teams=[teams["a"]]
            ),
            "official_a": await make_official(
                database, email="official_a@hel.fi", role="official", teams=[teams["a"]]
            ),
            "official_b": await make_official(
                database, email="official_b@hel.fi", role="official", teams=[teams["b"]]
            ),
            "admin": await make_official(database, email="admin@hel.fi", role="admin"),
        }
        yield World(runtime, teams, officials)


async def test_every_endpoint_lets_exactly_the_right_callers_in(world: World) -> None:
    clients = {caller: AdminClient.of(world.runtime) for caller in CALLERS}
    try:
        endpoints = await api_endpoints(world.runtime)
        assert endpoints == set(MATRIX), "every endpoint needs a row in MATRIX"
        for caller, official in world.officials.items():
            await clients[caller].login(official.email)
        failures, calls, compared = await run_matrix(world, clients)
        await check_lists_are_scoped(world, clients)
    finally:
        for client in clients.values():
            await client.http.aclose()
    assert not failures, f"{len(failures)} of {calls} calls went wrong:\n" + "\n".join(failures)
    assert calls == len(MATRIX) * len(CALLERS) * len(OWNERS)
    assert compared > 0


async def run_matrix(
    world: World, clients: Mapping[Caller, AdminClient]
) -> tuple[list[str], int, int]:
    """Call everything; the failures, how many calls, how many refusals were compared with
    the same call on a missing object."""
    failures: list[str] = []
    calls = compared = 0
    for (method, template), endpoint in MATRIX.items():
        for caller, owner in itertools.product(CALLERS, OWNERS):
            client = clients[caller].http
            target = await endpoint.target(world, caller, owner) if endpoint.target else None
            path = _fill(template, target)
            payload = await endpoint.body(world, caller, owner)
            if endpoint.fresh_session and caller != "anonymous":
                async with AdminClient.of(world.runtime) as fresh:
                    await fresh.login(world.officials[caller].email, world.password(caller))
                    answer = await call(fresh.http, method, path, endpoint, payload)
            else:
                answer = await call(client, method, path, endpoint, payload)
            calls += 1
            expected = endpoint.expected(caller, owner)
            where = f"{method} {template} as {caller} on {owner}'s"
            if answer.status not in expected:
                failures.append(f"{where}: {answer.status} (expected {sorted(expected)})")
                continue
            if target is None or answer.status not in (401, 403, 404):
                continue
            if endpoint.owned and answer.status == 403 and ROLE[caller] in endpoint.roles:
                continue
            missing = endpoint.missing or (
                quote(MISSING_CASE) if isinstance(target, str) else MISSING_ID
            )
            other = await call(client, method, _fill(template, missing), endpoint, payload)
            compared += 1
            if other != answer:
                failures.append(f"{where}: {answer} differs from a missing object's {other}")
    return failures, calls, compared


async def check_lists_are_scoped(world: World, clients: Mapping[Caller, AdminClient]) -> None:
    """Lists hold only the conversations a caller may open."""
    for caller in ("official_a", "official_b", "admin"):
        page = await clients[caller].get_ok("/conversations", limit=200)
        teams = {item["team_id"] for item in page["items"]}
        owner = TEAM_OF[caller]
        allowed = {world.teams[owner].id} if owner else {t.id for t in world.teams.values()}
        assert teams and teams <= allowed, (caller, teams)


def _fill(template: str, target: int | str | tuple[str, int] | None) -> str:
    if target is None:
        return template
    for value in target if isinstance(target, tuple) else (target,):
        head, _, rest = template.partition("{")
        template = head + str(value) + rest.partition("}")[2]
    return template
