"""Teams, officials, routing rules, registry cases and the audit log over HTTP, on SQLite and
PostgreSQL: who may do what, what is refused (as problem+json) and what the audit log keeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from admin_api import AdminContext, create_app
from store import Database, SystemClock, Team
from talkkari.runtime import Runtime
from tests.support.admin import (
    PASSWORD,
    AdminClient,
    make_official,
    make_team,
    serving,
)
from tests.support.running import bot_settings, new_secret_key, running_bot

HOURS = {"1": [["08:00", "16:00"]], "5": [["08:00", "12:00"], ["13:00", "15:00"]]}


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


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def team_body(key: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name_fi": "Katujen kunnossapito",
        "name_sv": "Gatuunderhåll",
        "name_en": "Street maintenance",
        **fields,
    }


async def test_teams_are_created_read_changed_and_deleted_with_an_audit_trail(
    admin: AdminClient,
) -> None:
    streets = await admin.post_ok("/teams", team_body("streets", office_hours=HOURS))
    assert streets["office_hours"] == HOURS
    assert streets["sla_minutes"] == 480 and streets["active"] is True
    parks = await admin.post_ok(
        "/teams", team_body("parks", sla_minutes=240, fallback_team_id=streets["id"])
    )
    assert [team["key"] for team in await admin.get_ok("/teams")] == ["parks", "streets"]
    assert (await admin.get_ok(f"/teams/{parks['id']}"))["fallback_team_id"] == streets["id"]

    changed = await admin.patch_ok(
        f"/teams/{parks['id']}", {"sla_minutes": 120, "fallback_team_id": None}
    )
    assert changed["sla_minutes"] == 120 and changed["fallback_team_id"] is None
    assert (await admin.http.delete(f"/teams/{parks['id']}")).status_code == 204
    assert_problem(await admin.get(f"/teams/{parks['id']}"), 404)

    entries = await admin.audit(object_type="team", object_id=str(parks["id"]))
    assert [entry["action"] for entry in entries] == ["team.delete", "team.update", "team.create"]
    deleted, updated, created = entries
    assert created["before"] is None and created["after"]["key"] == "parks"
    assert updated["before"]["sla_minutes"] == 240 and updated["after"]["sla_minutes"] == 120
    assert deleted["before"]["key"] == "parks" and deleted["after"] is None
    assert all(entry["actor"] == "admin@hel.fi" for entry in entries)


async def test_team_data_that_does_not_fit_is_refused_as_problems(admin: AdminClient) -> None:
    streets = await admin.post_ok("/teams", team_body("streets"))
    invalid = [
        team_body("a", office_hours={"8": [["08:00", "16:00"]]}),
        team_body("b", office_hours={"1": [["16:00", "08:00"]]}),
        team_body("c", office_hours={"1": [["08:00", "12:00"], ["11:00", "16:00"]]}),
        team_body("d", office_hours={"1": [["8:00", "16:00"]]}),
        team_body("e", office_hours={"1": [["08:00"]]}),
        team_body("Not A Key"),
        team_body("f", sla_minutes=0),
        team_body("g", name_fi=""),
        team_body("h", name_fi="nul\x00"),
        team_body("i", active=0),
        team_body("j", sla_minutes=60.0),
        team_body("k", colour="blue"),
    ]
    for body in invalid:
        problem = assert_problem(await admin.post("/teams", body), 422)
        assert problem["errors"], problem
    missing = assert_problem(await admin.post("/teams", team_body("i", fallback_team_id=999)), 422)
    assert missing["errors"][0]["loc"] == ["body", "fallback_team_id"]
    itself = await admin.patch(f"/teams/{streets['id']}", {"fallback_team_id": streets["id"]})
    assert_problem(itself, 422)
    assert_problem(await admin.patch(f"/teams/{streets['id']}", {"name_fi": None}), 422)
    assert_problem(await admin.post("/teams", team_body("streets")), 409)
    assert_problem(await admin.get("/teams/0"), 422)
    assert_problem(await admin.get(f"/teams/{2**63}"), 422)
    assert_problem(await admin.get("/teams/123456"), 404)
    assert await admin.audit(object_type="team") == [
        entry for entry in await admin.audit() if entry["action"] == "team.create"
    ]


async def test_a_team_in_use_is_not_deleted(admin: AdminClient) -> None:
    streets = await admin.post_ok("/teams", team_body("streets"))
    rule = await admin.post_ok(
        "/routing/rules", {"position": 1, "name": "potholes", "team_id": streets["id"]}
    )
    problem = assert_problem(await admin.http.delete(f"/teams/{streets['id']}"), 409)
    assert problem["code"] == "team_in_use"
    assert problem["params"] == {"rules": 1, "fallbacks": 0, "conversations": 0}
    assert "ohjaussääntöjä: 1" in problem["detail"]
    assert (await admin.http.delete(f"/routing/rules/{rule['id']}")).status_code == 204
    assert (await admin.http.delete(f"/teams/{streets['id']}")).status_code == 204


async def test_officials_are_managed_without_their_password_hashes_showing(
    bot: Runtime, admin: AdminClient
) -> None:
    streets = await make_team(bot.database, "streets")
    parks = await make_team(bot.database, "parks")
    created = await admin.post_ok(
        "/officials",
        {
            "email": "Matti.Meikalainen@hel.fi",
            "name": "Matti Meikäläinen",
            "title_fi": "Katuinsinööri",
            "title_sv": "Gatuingenjör",
            "languages": ["fi", "sv", "fi"],
            "role": "official",
            "teams": [streets.id],
            "password": "ensimmainen-salasana",
        },
    )
    assert created["email"] == "matti.meikalainen@hel.fi"
    assert created["languages"] == ["fi", "sv"] and created["teams"] == [streets.id]
    async with AdminClient.of(bot) as matti:
        await matti.login("matti.meikalainen@hel.fi", "ensimmainen-salasana")

        changed = await admin.patch_ok(
            f"/officials/{created['id']}",
            {"teams": [parks.id, streets.id], "title_sv": None, "password": "toinen-salasana-123"},
        )
        assert changed["teams"] == sorted([parks.id, streets.id]) and changed["title_sv"] is None
        assert (
            await matti.token_response(created["email"], "ensimmainen-salasana")
        ).status_code == 401
        await matti.login(created["email"], "toinen-salasana-123")
        assert (await matti.get_ok("/me"))["teams"] == sorted([parks.id, streets.id])

    short = assert_problem(
        await admin.patch(f"/officials/{created['id']}", {"password": "lyhyt"}), 422
    )
    assert short["errors"][0]["loc"] == ["body", "password"]
    duplicate = {
        "email": "MATTI.meikalainen@hel.fi",
        "name": "Toinen Matti",
        "title_fi": "Harjoittelija",
        "role": "official",
        "password": PASSWORD,
    }
    assert_problem(await admin.post("/officials", duplicate), 409)
    unknown_team = {**duplicate, "email": "new@hel.fi", "teams": [123456]}
    assert_problem(await admin.post("/officials", unknown_team), 422)
    with_hash = {**duplicate, "email": "new@hel.fi", "password_hash": "$argon2id$..."}
    assert_problem(await admin.post("/officials", with_hash), 422)

    entries = await admin.audit(object_type="official", object_id=str(created["id"]))
    assert [entry["action"] for entry in entries] == [
        "official.login",
        "official.update",
        "official.login",
        "official.create",
    ]
    assert entries[1]["after"]["password"] == "changed"
    everything = str([await admin.get_ok("/officials"), await admin.audit()])
    assert "argon2" not in everything and "salasana" not in everything


async def test_the_last_active_admin_stays(bot: Runtime, admin: AdminClient) -> None:
    me = await admin.get_ok("/me")
    assert_problem(await admin.http.delete(f"/officials/{me['id']}"), 409)
    assert_problem(await admin.patch(f"/officials/{me['id']}", {"role": "official"}), 409)
    second = await make_official(bot.database, email="second@hel.fi", role="admin")
    assert (await admin.http.delete(f"/officials/{second.id}")).json()["active"] is False
    assert_problem(await admin.http.delete(f"/officials/{me['id']}"), 409)


async def test_roles_decide_what_is_seen_and_done(bot: Runtime, admin: AdminClient) -> None:
    streets = await make_team(bot.database, "streets")
    parks = await make_team(bot.database, "parks")
    liisa = await make_official(
        bot.database, email="liisa@hel.fi", role="official", teams=[streets]
    )
    pekka = await make_official(
        bot.database, email="pekka@hel.fi", role="official", teams=[streets]
    )
    outsider = await make_official(
        bot.database, email="olli@hel.fi", role="official", teams=[parks]
    )
    await make_official(bot.database, email="comms@hel.fi", role="comms", teams=[parks])
    team_ids = sorted([streets.id, parks.id])

    async with AdminClient.of(bot) as official, AdminClient.of(bot) as comms:
        await official.login("liisa@hel.fi")
        await comms.login("comms@hel.fi")
        # Everyone reads teams; only admins write them.
        for client in (official, comms):
            assert sorted(team["id"] for team in await client.get_ok("/teams")) == team_ids
            assert_problem(await client.post("/teams", team_body("mine")), 403)
            assert_problem(await client.patch(f"/teams/{streets.id}", {"sla_minutes": 1}), 403)
            assert_problem(await client.http.delete(f"/teams/{streets.id}"), 403)
            assert_problem(await client.get("/audit"), 403)
            assert_problem(
                await client.put("/cases/HEL 2025-000001", {"title": "t", "status": "Vireillä"}),
                403,
            )
        # Officials of one's own teams only; the others do not exist as far as one can tell.
        assert {o["email"] for o in await official.get_ok("/officials")} == {
            "liisa@hel.fi",
            "pekka@hel.fi",
        }
        assert (await official.get_ok(f"/officials/{pekka.id}"))["email"] == "pekka@hel.fi"
        hidden = assert_problem(await official.get(f"/officials/{outsider.id}"), 404)
        absent = assert_problem(await official.get("/officials/987654"), 404)
        assert hidden == absent
        assert {o["email"] for o in await comms.get_ok("/officials")} == {
            "comms@hel.fi",
            "olli@hel.fi",
        }
        assert_problem(await comms.get(f"/officials/{liisa.id}"), 404)
        assert_problem(await official.patch(f"/officials/{liisa.id}", {"role": "admin"}), 403)
        # Rules and their explanation are for officials and admins; comms staff get 403.
        assert await official.get_ok("/routing/rules") == []
        assert_problem(await comms.get("/routing/rules"), 403)
        assert_problem(await comms.get("/routing/explain", text="katu on rikki"), 403)
        assert_problem(
            await official.post(
                "/routing/rules", {"position": 1, "name": "x", "team_id": streets.id}
            ),
            403,
        )
    # An admin sees everyone.
    assert len(await admin.get_ok("/officials")) == 5


async def test_routing_rules_keep_their_order_and_tell_the_router(admin: AdminClient) -> None:
    streets = await admin.post_ok("/teams", team_body("streets"))
    parks = await admin.post_ok("/teams", team_body("parks"))
    late = await admin.post_ok(
        "/routing/rules", {"position": 20, "name": "everything else", "team_id": streets["id"]}
    )
    early = await admin.post_ok(
        "/routing/rules",
        {
            "position": 10,
            "name": "parks in Kallio",
            "intent": "report_issue",
            "area": "Kallio",
            "category": "parks",
            "team_id": parks["id"],
        },
    )
    assert [rule["id"] for rule in await admin.get_ok("/routing/rules")] == [
        early["id"],
        late["id"],
    ]
    moved = await admin.patch_ok(f"/routing/rules/{late['id']}", {"position": 5, "area": None})
    assert moved["position"] == 5
    assert [rule["id"] for rule in await admin.get_ok("/routing/rules")] == [
        late["id"],
        early["id"],
    ]
    assert_problem(await admin.patch(f"/routing/rules/{late['id']}", {"team_id": 999999}), 422)
    assert_problem(
        await admin.post("/routing/rules", {"position": -1, "name": "x", "team_id": 1}), 422
    )
    assert (await admin.http.delete(f"/routing/rules/{early['id']}")).status_code == 204
    assert_problem(await admin.http.delete(f"/routing/rules/{early['id']}"), 404)
    actions = [entry["action"] for entry in await admin.audit(object_type="rule")]
    assert actions == ["rule.delete", "rule.update", "rule.create", "rule.create"]


async def test_registry_cases_are_registered_listed_and_removed(
    bot: Runtime, admin: AdminClient
) -> None:
    body = {"title": "Puistonpenkit", "status": "Vireillä", "team": "parks", "note": "Kesällä."}
    first = await admin.put("/cases/hel-2025-1216", body)
    assert first.status_code == 201, first.text
    assert first.json()["diary_number"] == "HEL 2025-001216"
    again = await admin.put(f"/cases/{quote('HEL 2025-001216')}", body)
    assert again.status_code == 200 and again.json() == first.json()
    changed = await admin.put_ok("/cases/HEL-2025-001216", {**body, "status": "Päätetty"})
    assert changed["status"] == "Päätetty" and changed["updated_at"] >= first.json()["updated_at"]
    for number in ("HEL 2024-000001", "HEL 2024-000002"):
        await admin.put_ok(f"/cases/{number}", {"title": number, "status": "Ratkaistu"})

    assert_problem(await admin.put("/cases/ESP 2025-1", body), 422)
    assert_problem(await admin.put("/cases/HEL 2025-000009", {**body, "status": "Odottaa"}), 422)
    assert_problem(await admin.put("/cases/HEL 2025-000009", {**body, "title": ""}), 422)

    async with AdminClient.of(bot) as comms:
        await make_official(bot.database, email="comms@hel.fi", role="comms")
        await comms.login("comms@hel.fi")
        first_page = await comms.get_ok("/cases", limit=2)
        assert [case["diary_number"] for case in first_page["items"]] == [
            "HEL 2024-000001",
            "HEL 2024-000002",
        ]
        last_page = await comms.get_ok("/cases", limit=2, cursor=first_page["next_cursor"])
        assert [case["diary_number"] for case in last_page["items"]] == ["HEL 2025-001216"]
        assert last_page["next_cursor"] is None
        decided = await comms.get_ok("/cases", status="Päätetty")
        assert [case["diary_number"] for case in decided["items"]] == ["HEL 2025-001216"]
        assert_problem(await comms.get("/cases", cursor="bm90IGEgY3Vyc29y"), 422)
        assert_problem(await comms.get("/cases", limit=201), 422)
        assert_problem(await comms.http.delete("/cases/HEL 2025-001216"), 403)

    assert (await admin.http.delete("/cases/hel-2025-1216")).status_code == 204
    assert_problem(await admin.get("/cases/HEL 2025-001216"), 404)
    actions = [entry["action"] for entry in await admin.audit(object_id="HEL 2025-001216")]
    assert actions == ["case.remove", "case.update", "case.register"]


async def test_the_audit_log_pages_newest_first_and_filters(admin: AdminClient) -> None:
    for key in ("a", "b", "c"):
        await admin.post_ok("/teams", team_body(key))
    me = await admin.get_ok("/me")
    first = await admin.get_ok("/audit", limit=2, object_type="team")
    assert [entry["after"]["key"] for entry in first["items"]] == ["c", "b"]
    second = await admin.get_ok("/audit", limit=2, object_type="team", cursor=first["next_cursor"])
    assert [entry["after"]["key"] for entry in second["items"]] == ["a"]
    assert second["next_cursor"] is None
    mine = await admin.audit(official_id=me["id"])
    assert len(mine) == 4 and {entry["official_id"] for entry in mine} == {me["id"]}
    assert await admin.audit(official_id=me["id"] + 1000) == []
    # Nothing edits or deletes an entry.
    entry_id = first["items"][0]["id"]
    for method in ("PATCH", "PUT", "DELETE"):
        response = await admin.http.request(method, f"/audit/{entry_id}")
        assert response.status_code in (404, 405)
        assert response.headers["content-type"] == "application/problem+json"
    not_allowed = assert_problem(await admin.http.delete("/audit"), 405)
    assert not_allowed["title"] == "Metodi ei ole sallittu"
    assert not_allowed["detail"] == "Tämä polku ei salli metodia DELETE."
    assert (await admin.http.delete("/teams")).headers["allow"] == "GET, POST"


async def test_the_schema_is_complete_and_problems_are_documented(bot: Runtime) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{bot.settings.port}/openapi.json")
    schema = response.json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in answer["content"], (method, path, status)
                elif "text/event-stream" in answer.get("content", {}):
                    assert path == "/api/v1/events", (method, path)  # the one stream
                elif status != "204":
                    assert answer["content"]["application/json"]["schema"], (method, path)
    names = set(schema["components"]["schemas"])
    assert {
        "TeamIn",
        "TeamOut",
        "OfficialIn",
        "OfficialOut",
        "RuleIn",
        "CaseIn",
        "Problem",
    } <= names
    assert "password_hash" not in response.text


async def test_the_context_hooks_are_awaited_after_commits(database_url: str) -> None:
    """What the composition root wires: the router's refresh and routing explanations."""
    database = Database(database_url)
    refreshed: list[int] = []

    async def refresh() -> None:
        async with database.sessions() as session:  # sees the change: it was committed
            refreshed.append(len((await session.scalars(Team.__table__.select())).all()))

    def explain(text: str) -> dict[str, Any]:
        return {"text": text, "intent": "report_issue", "rule": None}

    context = AdminContext(
        database=database,
        clock=SystemClock(),
        secret_key=new_secret_key(),
        on_routing_changed=refresh,
        explain=explain,
    )
    try:
        await make_official(database, email="admin@hel.fi", role="admin")
        async with serving(create_app(context)) as url, AdminClient(url) as admin:
            await admin.login("admin@hel.fi")
            streets = await admin.post_ok("/teams", team_body("streets"))
            await admin.post_ok(
                "/routing/rules", {"position": 1, "name": "r", "team_id": streets["id"]}
            )
            assert_problem(await admin.post("/teams", team_body("streets")), 409)
            assert refreshed == [1, 1]
            explained = await admin.get_ok("/routing/explain", text="katuvalo on rikki")
            assert explained == {
                "text": "katuvalo on rikki",
                "intent": "report_issue",
                "rule": None,
            }
    finally:
        await database.dispose()
