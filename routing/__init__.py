"""People: teams, routing rules, office hours and the service promise, the audit log and the
officials' inbox events.

- :mod:`routing.hours`: a team's office hours in the city's time zone, closed on Finnish public
  holidays; working-time arithmetic for the SLA.
- :mod:`routing.promise`: the service promise (who has the message, by when) and its text in
  fi/sv/en.
- :mod:`routing.rules`: ordered routing rules and why each did or did not match a question.
- :mod:`routing.router`: the teams and rules read from the database, routing questions to teams.
- :mod:`routing.audit`, :mod:`routing.events`: the audit log and the inbox events.
"""

from routing.audit import SYSTEM, Actor, audit
from routing.events import EVENT_KINDS, InboxBell, publish
from routing.hours import HELSINKI, DayHours, OfficeHours, Span
from routing.promise import (
    LANGUAGES,
    TEXTS,
    ServicePromise,
    TeamInfo,
    make_promise,
    render_promise,
)
from routing.router import DEFAULT_TEAM_KEY, Router
from routing.rules import (
    Explanation,
    FieldCheck,
    Question,
    Rule,
    RuleVerdict,
    choose,
    explain,
)

__all__ = [
    "DEFAULT_TEAM_KEY",
    "EVENT_KINDS",
    "HELSINKI",
    "LANGUAGES",
    "SYSTEM",
    "TEXTS",
    "Actor",
    "DayHours",
    "Explanation",
    "FieldCheck",
    "InboxBell",
    "OfficeHours",
    "Question",
    "Router",
    "Rule",
    "RuleVerdict",
    "ServicePromise",
    "Span",
    "TeamInfo",
    "audit",
    "choose",
    "explain",
    "make_promise",
    "publish",
    "render_promise",
]
