"""``GET /api/v1/routing/explain``: what the bot understands of a text and where it would go.

It lives in the composition root because it needs both sides: the understanding (``intents``)
and the router (``routing``); the admin API gets it as a plain function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from intents import Parse
from routing import Question, Router

__all__ = ["routing_explainer"]


def routing_explainer(
    understand: Callable[[str], Parse], router: Router
) -> Callable[[str], dict[str, Any]]:
    def explain(text: str) -> dict[str, Any]:
        understood = understand(text)
        question = Question(
            intent=understood.intent.name,
            area=next(iter(understood.entity_values("area")), None),
            postal_code=next(iter(understood.entity_values("postal_code")), None),
        )
        explanation = router.explain(question)
        routed = router.route(question)
        return {
            "parse": understood.as_rasa_json(),
            "question": dataclasses.asdict(question),
            "rules": [
                {
                    "id": verdict.rule.id,
                    "position": verdict.rule.position,
                    "name": verdict.rule.name,
                    "team_id": verdict.rule.team_id,
                    "matched": verdict.matched,
                    "chosen": verdict.chosen,
                    "reason": verdict.reason,
                }
                for verdict in explanation.verdicts
            ],
            "team": None
            if routed is None
            else {"id": routed[0].id, "key": routed[0].key, "name": routed[0].name("fi")},
        }

    return explain
