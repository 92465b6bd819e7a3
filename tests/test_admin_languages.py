"""The admin API tells officials what went wrong in Finnish, Swedish or English, over HTTP on
SQLite and PostgreSQL: the language of ``Accept-Language`` (q-values honoured, Finnish when
none is stated), named in ``Content-Language``, with a stable ``code`` for front ends; and the
catalogue every refusal is written from is complete in all three languages."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from admin_api.language import negotiate
from admin_api.texts import CATALOGUE, LANGUAGES, TEXTS, TITLES, fields_of
from routing.errors import REFUSALS
from store import Conversation
from talkkari.runtime import Runtime
from tests.support.admin import AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[Runtime]:
    async with running_bot(bot_settings(database_url, None)) as runtime:
        yield runtime


@pytest.fixture
async def admin(bot: Runtime) -> AsyncIterator[AdminClient]:
    await make_official(bot.database, email="admin@hel.fi", role="admin")
    async with AdminClient.of(bot) as client:
        await client.login("admin@hel.fi")
        yield client


async def problem_in(
    client: AdminClient, method: str, path: str, accept_language: str | None, **kwargs: Any
) -> tuple[str, dict[str, Any]]:
    """The problem a request answers with, and its ``Content-Language``."""
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    response = await client.http.request(method, path, headers=headers, **kwargs)
    assert response.is_error, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "accept-language" in response.headers["vary"].lower()
    body: dict[str, Any] = response.json()
    return response.headers["content-language"], body


# The same refusal in each language.


@pytest.mark.parametrize(
    ("accept_language", "title", "detail"),
    [
        ("fi", "Ei löydy", "Tiimiä ei löydy."),
        ("sv", "Hittades inte", "Teamet finns inte."),
        ("en", "Not Found", "No such team."),
    ],
)
async def test_an_unknown_team_is_refused_in_the_language_asked_for(
    admin: AdminClient, accept_language: str, title: str, detail: str
) -> None:
    language, problem = await problem_in(admin, "GET", "/teams/123456", accept_language)
    assert language == accept_language
    assert (problem["title"], problem["detail"]) == (title, detail)
    assert (problem["code"], problem["params"], problem["status"]) == ("team_not_found", {}, 404)


async def test_a_refusal_with_a_value_names_it_in_each_language(admin: AdminClient) -> None:
    await admin.post_ok(
        "/teams", {"key": "streets", "name_fi": "Kadut", "name_sv": "Gator", "name_en": "Streets"}
    )
    again = {"key": "streets", "name_fi": "Kadut 2", "name_sv": "Gator 2", "name_en": "Streets 2"}
    details = {}
    for wanted in LANGUAGES:
        language, problem = await problem_in(admin, "POST", "/teams", wanted, json=again)
        assert (language, problem["status"], problem["code"]) == (wanted, 409, "team_key_taken")
        assert problem["params"] == {"key": "streets"}
        details[wanted] = problem["detail"]
    assert details == {
        "fi": "Tiimi, jonka tunnus on ”streets”, on jo olemassa.",
        "sv": "Ett team med nyckeln ”streets” finns redan.",
        "en": "A team with the key 'streets' exists already.",
    }


async def test_finnish_when_no_language_is_asked_for_or_none_we_speak(
    admin: AdminClient,
) -> None:
    for accept_language in (None, "", "de-DE, de;q=0.9", "*", "nonsense;;q=x"):
        language, problem = await problem_in(admin, "GET", "/teams/123456", accept_language)
        assert (language, problem["detail"]) == ("fi", "Tiimiä ei löydy."), accept_language


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("fi;q=0.3, sv-FI;q=0.8, en;q=0.5", "sv"),  # the highest q wins, not the first
        ("en-GB, en;q=0.9, fi;q=0.8", "en"),  # a regional variant is its language
        ("de, sv;q=0.2", "sv"),  # a language we do not speak is passed over
        ("fi;q=0, *", "sv"),  # refused Finnish: the next we speak
        ("sv;q=0.5, en;q=0.5", "sv"),  # equal q: the caller's order
    ],
)
async def test_the_most_preferred_language_we_speak_wins(
    admin: AdminClient, accept_language: str, expected: str
) -> None:
    language, problem = await problem_in(admin, "GET", "/teams/123456", accept_language)
    assert language == expected
    assert problem["detail"] == CATALOGUE["team_not_found"][expected]


async def test_a_refusal_of_the_state_machine_is_told_in_each_language(
    bot: Runtime, admin: AdminClient
) -> None:
    streets = await make_team(bot.database, "streets")
    aino = await make_official(bot.database, email="aino@hel.fi", role="official", teams=[streets])
    await make_official(bot.database, email="bertil@hel.fi", role="official", teams=[streets])
    async with bot.database.transaction() as session:
        held = Conversation(
            channel="web", chat_id=7, state="human", team_id=streets.id, assignee_id=aino.id
        )
        with_bot = Conversation(channel="web", chat_id=8, state="bot", team_id=streets.id)
        session.add_all([held, with_bot])
    async with AdminClient.of(bot) as bertil:
        await bertil.login("bertil@hel.fi")
        told = {}
        for wanted in LANGUAGES:
            language, problem = await problem_in(
                bertil, "POST", f"/conversations/{held.id}/claim", wanted
            )
            assert (language, problem["status"], problem["code"]) == (
                wanted,
                409,
                "conversation_held",
            )
            told[wanted] = (problem["title"], problem["detail"])
    assert told == {
        "fi": ("Ristiriita", "Keskustelu on jo toisen virkailijan hoidossa."),
        "sv": ("Konflikt", "En annan tjänsteinnehavare sköter redan samtalet."),
        "en": ("Conflict", "Another official has the conversation."),
    }
    language, problem = await problem_in(admin, "POST", f"/conversations/{with_bot.id}/claim", "en")
    assert (problem["code"], problem["detail"]) == (
        "conversation_with_bot",
        "The conversation is with the bot; nobody is waiting for an official in it.",
    )
    # Out of the caller's scope is "no such conversation", in the caller's language too.
    async with AdminClient.of(bot) as outsider:
        await make_official(bot.database, email="outsider@hel.fi", role="official")
        await outsider.login("outsider@hel.fi")
        language, problem = await problem_in(
            outsider, "POST", f"/conversations/{held.id}/claim", "sv"
        )
        assert (problem["status"], problem["code"], problem["detail"]) == (
            404,
            "conversation_not_found",
            "Samtalet finns inte.",
        )


async def test_invalid_data_is_summarised_in_the_language_and_fields_stay_as_they_are(
    admin: AdminClient,
) -> None:
    summaries = {}
    for wanted in LANGUAGES:
        language, problem = await problem_in(admin, "POST", "/teams", wanted, json={"key": 5})
        assert (language, problem["status"], problem["code"]) == (wanted, 422, "request_invalid")
        assert ["body", "key"] in [error["loc"] for error in problem["errors"]]
        summaries[wanted] = problem["detail"]
    assert summaries["fi"].startswith("Pyynnön tiedot eivät kelpaa.")
    assert summaries["sv"].startswith("Uppgifterna i begäran är inte giltiga.")
    assert summaries["en"].startswith("The request's data is not valid.")


async def test_our_own_422_says_the_field_in_the_language(admin: AdminClient) -> None:
    team = await admin.post_ok(
        "/teams", {"key": "parks", "name_fi": "Puistot", "name_sv": "Parker", "name_en": "Parks"}
    )
    itself = {"fallback_team_id": team["id"]}
    language, problem = await problem_in(admin, "PATCH", f"/teams/{team['id']}", "sv", json=itself)
    assert (language, problem["code"]) == ("sv", "team_own_fallback")
    assert problem["detail"] == "Ett team kan inte vara sitt eget reservteam."
    assert problem["errors"] == [
        {"loc": ["body", "fallback_team_id"], "msg": problem["detail"], "type": "value_error"}
    ]


async def test_a_caller_not_logged_in_is_told_in_their_language(bot: Runtime) -> None:
    async with AdminClient.of(bot) as stranger:
        response = await stranger.http.get("/me", headers={"Accept-Language": "sv-FI"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-language"] == "sv"
        assert response.json()["detail"] == CATALOGUE["token_required"]["sv"]
        wrong = await stranger.http.post(
            "/auth/token",
            data={"username": "nobody@hel.fi", "password": "x" * 12},
            headers={"Accept-Language": "en"},
        )
        assert (wrong.status_code, wrong.json()["detail"]) == (
            401,
            "The e-mail address or the password is wrong.",
        )
        unknown = await stranger.http.get("/no-such-thing")
        assert (unknown.status_code, unknown.json()["title"]) == (404, "Ei löydy")
        assert unknown.json()["detail"] == "Rajapinnassa ei ole tätä polkua."


async def test_the_schema_documents_the_code_and_its_values(bot: Runtime) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{bot.settings.port}/openapi.json")
    problem = response.json()["components"]["schemas"]["Problem"]["properties"]
    assert {"title", "detail", "code", "params"} <= problem.keys()


# The catalogue.


def test_every_text_is_in_finnish_swedish_and_english_with_the_same_fields() -> None:
    assert not set(TEXTS) & set(REFUSALS), "a key of the admin API and of routing"
    for key, texts in CATALOGUE.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
        assert len(set(texts.values())) == 3, key
        assert len({fields_of(text) for text in texts.values()}) == 1, key
    for status, titles in TITLES.items():
        assert set(titles) == set(LANGUAGES) and len(set(titles.values())) == 3, status


def raise_sites() -> Iterator[tuple[str, str, frozenset[str] | None]]:
    """Every text a refusal names in the source: (where, key, the parameters it passes, or
    ``None`` when they are passed as ``**values``)."""
    calls = {"admin_api": {"Text"}, "routing": {"NotFound", "Conflict", "InvalidState",
             "InvalidTarget", "HandoffError"}}  # fmt: skip
    for package, names in calls.items():
        for path in sorted((ROOT / package).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if name not in names or not isinstance(first, ast.Constant):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                keywords = {keyword.arg for keyword in node.keywords}
                if package == "routing":
                    yield where, first.value, frozenset()  # states come by code, not as values
                elif None in keywords:
                    yield where, first.value, None
                else:
                    yield where, first.value, frozenset(k for k in keywords if k is not None)


def test_every_refusal_names_a_text_of_the_catalogue_with_its_fields() -> None:
    sites = list(raise_sites())
    assert len(sites) > 50
    for where, key, passed in sites:
        assert key in CATALOGUE, where
        if passed is not None:
            assert passed == fields_of(CATALOGUE[key]["en"]), where


# Negotiation as a parser: any header gives a language we speak.


@given(st.text(max_size=200))
def test_any_accept_language_header_gives_a_language_we_speak(header: str) -> None:
    assert negotiate(header) in LANGUAGES


@given(
    st.lists(
        st.tuples(st.sampled_from(["fi", "sv", "en", "de", "sv-FI", "en-US", "nb"]),
                  st.integers(1, 1000)),
        max_size=6, unique_by=lambda range_: range_[0],
    )
)  # fmt: skip
def test_the_language_with_the_highest_q_we_speak_wins(ranges: list[tuple[str, int]]) -> None:
    header = ", ".join(f"{range_};q={q / 1000:.3f}" for range_, q in ranges)
    spoken = [
        (-q, index, range_.split("-")[0])
        for index, (range_, q) in enumerate(ranges)
        if range_.split("-")[0] in LANGUAGES
    ]
    assert negotiate(header) == (min(spoken)[2] if spoken else "fi"), header
