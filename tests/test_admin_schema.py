"""Schemathesis against the running process's ``/openapi.json``, as an admin: no request — valid
or not — makes the API fail (5xx), and every answer keeps to the schema (status, media type,
body, headers), on SQLite and PostgreSQL.

Each operation gets :data:`EXAMPLES` valid requests (hypothesis, derandomised so a failure
repeats) and :data:`NEGATIVE_EXAMPLES` invalid ones, first with generated path ids (mostly
unknown: 404s), then again with ids of objects that exist, so success answers are checked too.
The inbox event stream never ends by itself, so it is left out (its refusals are in the
permission matrix). ``POST /auth/logout`` ends the session it is called in, so each of its
calls logs in a session of its own (of another official: the admin's stays). Requests run in a
worker thread: schemathesis calls with ``requests``, which would block the event loop that
serves the app.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Err

from admin_api import API_PREFIX
from store import Conversation, LocalCase, Message, Note, RoutingRule
from talkkari.runtime import Runtime
from tests.support.admin import PASSWORD, AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot

EXAMPLES = 25
NEGATIVE_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
STREAMS = f"{API_PREFIX}/events"
LOGOUT = f"{API_PREFIX}/auth/logout"
LEAVER = "leaver@hel.fi"


async def seed(runtime: Runtime) -> dict[str, Any]:
    """Objects for the second round's path ids, and data for the lists to show."""
    database = runtime.database
    streets = await make_team(database, "streets", office_hours={"1": [["08:00", "16:00"]]})
    await make_team(database, "parks", fallback_team_id=streets.id)
    aino = await make_official(database, email="aino@hel.fi", role="official", teams=[streets])
    async with database.transaction() as session:
        conversations = [
            Conversation(channel="web", chat_id=chat, state=state, team_id=streets.id)
            for chat, state in enumerate(("waiting", "human", "bot", "closed"), start=1)
        ]
        conversations[1].assignee_id = aino.id
        session.add_all(conversations)
        await session.flush()
        for conversation in conversations:
            session.add_all(
                [
                    Message(conversation_id=conversation.id, direction="in", author="resident",
                            text="Katuvalo on rikki."),
                    Message(conversation_id=conversation.id, direction="out", author="official",
                            official_id=aino.id, text="Korjataan."),
                    Note(conversation_id=conversation.id, official_id=aino.id, text="Soita."),
                ]
            )  # fmt: skip
        rule = RoutingRule(position=1, name="katuvalot", intent="report_issue", team_id=streets.id)
        session.add(rule)
        session.add(LocalCase(diary_number="HEL 2025-001216", title="Asia", status="Vireillä"))
    await runtime.router.refresh()
    return {
        "conversation_id": conversations[0].id,
        "team_id": streets.id,
        "official_id": aino.id,
        "rule_id": rule.id,
        "diary_number": quote("HEL 2025-001216"),
        "article_id": min(runtime.knowledge_reload.pack.articles),
        "version": 0,
    }


def fuzz(base_url: str, token: str, ids: Mapping[str, Any]) -> tuple[list[str], int]:
    """Run every operation; the failures and how many operations ran."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json").exclude(path=STREAMS)
    admin = {"Authorization": f"Bearer {token}"}

    def headers_for(path: str) -> dict[str, str]:
        if path != LOGOUT:
            return admin
        login = httpx.post(
            f"{base_url}{API_PREFIX}/auth/token",
            data={"username": LEAVER, "password": PASSWORD},
            timeout=30,
        )
        return {"Authorization": f"Bearer {login.json()['access_token']}"}

    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            failures.append(f"the schema: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        rounds: list[tuple[GenerationMode, int, dict[str, Any] | None]] = [
            (GenerationMode.POSITIVE, EXAMPLES, None),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, None),
        ]
        if known:
            rounds.append((GenerationMode.POSITIVE, EXAMPLES, known))
        for mode, examples, path_parameters in rounds:
            strategy = operation.as_strategy(mode, path_parameters=path_parameters)
            run = _test(strategy, examples, lambda case: case.call_and_validate(
                headers=headers_for(case.path), checks=CHECKS, timeout=30
            ))  # fmt: skip
            try:
                run()
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing in the request can be wrong
            except Exception as exc:  # every operation runs; all failures are reported
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    return failures, operations


def _test(strategy: Any, examples: int, check: Callable[[Any], object]) -> Callable[[], None]:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        check(case)

    return run


# Hypothesis warns when the global ``random`` changes while it draws an example; here the app,
# serving in the main thread, may draw from it meanwhile (HypothesisWorks/hypothesis#4562).
@pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)
@pytest.mark.slow
async def test_every_answer_keeps_to_the_schema(database_url: str) -> None:
    async with running_bot(bot_settings(database_url, None)) as runtime:
        ids = await seed(runtime)
        await make_official(runtime.database, email="admin@hel.fi", role="admin")
        await make_official(runtime.database, email=LEAVER, role="comms")
        async with AdminClient.of(runtime) as admin:
            token = await admin.login("admin@hel.fi")
        base_url = f"http://127.0.0.1:{runtime.settings.port}"
        failures, operations = await asyncio.to_thread(fuzz, base_url, token, ids)
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
