"""``GET /api/v1/routing/explain``: the real understanding and router, over HTTP."""

from __future__ import annotations

from store import RoutingRule
from tests.support.admin import AdminClient, make_official, make_team
from tests.support.running import bot_settings, running_bot


async def test_explain_shows_the_parse_each_rule_and_the_team_chosen(database_url: str) -> None:
    async with running_bot(bot_settings(database_url, None)) as bot:
        await make_team(bot.database, "default")
        streets = await make_team(bot.database, "streets")
        parks = await make_team(bot.database, "parks")
        await make_official(bot.database, email="rules@hel.fi", role="admin")
        async with bot.database.transaction() as session:
            session.add_all(
                [
                    RoutingRule(
                        position=1, name="Parks", intent="service_question", team_id=parks.id
                    ),
                    RoutingRule(
                        position=2,
                        name="Kallio's streets",
                        intent="report_issue",
                        area="Kallio",
                        team_id=streets.id,
                    ),
                ]
            )
        await bot.router.refresh()
        async with AdminClient.of(bot) as admin:
            await admin.login("rules@hel.fi")
            explained = await admin.get_ok(
                "/routing/explain", text="katuvalo on rikki Kalliossa Helsinginkadulla"
            )
            elsewhere = await admin.get_ok("/routing/explain", text="katuvalo on rikki Vuosaaressa")
    assert explained["parse"]["intent"]["name"] == "report_issue"
    assert explained["question"]["area"] == "Kallio"
    assert [(r["name"], r["matched"], r["chosen"]) for r in explained["rules"]] == [
        ("Parks", False, False),
        ("Kallio's streets", True, True),
    ]
    assert explained["team"]["key"] == "streets"
    assert elsewhere["question"]["area"] == "Vuosaari"
    assert elsewhere["team"]["key"] == "default"
