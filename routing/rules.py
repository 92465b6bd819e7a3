"""Routing rules: which team a question goes to.

Rules are tried by ``position`` (then id); the first active rule whose every set field matches
the question wins, and unset fields match anything. A rule's ``area`` is a district (its
nominative Finnish name, compared without regard to case) or, when it is five digits, a postal
code compared with the question's postal code. :func:`explain` tells, rule by rule, why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from store import RoutingRule

__all__ = ["Explanation", "FieldCheck", "Question", "Rule", "RuleVerdict", "choose", "explain"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A routing rule: a value copied from its ``routing_rules`` row."""

    id: int
    position: int
    team_id: int
    name: str = ""
    intent: str | None = None
    area: str | None = None
    sector_id: str | None = None
    category: str | None = None
    active: bool = True

    @classmethod
    def from_row(cls, rule: RoutingRule) -> Rule:
        return cls(
            id=rule.id,
            position=rule.position,
            team_id=rule.team_id,
            name=rule.name,
            intent=rule.intent,
            area=rule.area,
            sector_id=rule.sector_id,
            category=rule.category,
            active=rule.active,
        )


@dataclass(frozen=True, slots=True)
class Question:
    """What is known of what the resident asks: the intent, the district (nominative Finnish
    name) or postal code it concerns, the responsible sector of the case asked about (Ahjo's
    ``SectorID``) and the report category."""

    intent: str | None = None
    area: str | None = None
    postal_code: str | None = None
    sector_id: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class FieldCheck:
    """One set field of a rule against the question: ``field`` is ``intent``, ``area``,
    ``postal_code`` (a rule area of five digits), ``sector_id`` or ``category``."""

    field: str
    wanted: str
    given: str | None
    matched: bool


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    """A rule, its checks, whether it matched, and whether it was the one chosen."""

    rule: Rule
    checks: tuple[FieldCheck, ...]
    matched: bool
    chosen: bool

    @property
    def reason(self) -> str:
        """In words, for an administrator."""
        if not self.rule.active:
            return "inactive"
        failed = [check for check in self.checks if not check.matched]
        if failed:
            return "; ".join(
                f"{check.field}: wanted {check.wanted!r}, got {check.given!r}" for check in failed
            )
        if self.chosen:
            return "matches: chosen"
        return "matches, but an earlier rule was chosen"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every rule in the order tried, with its verdict, and the rule chosen (None: the default
    team gets the question)."""

    question: Question
    verdicts: tuple[RuleVerdict, ...]
    chosen: Rule | None


def choose(rules: Sequence[Rule], question: Question) -> Rule | None:
    """The first active rule by position whose every set field matches ``question``."""
    for rule in _in_order(rules):
        if rule.active and all(check.matched for check in _checks(rule, question)):
            return rule
    return None


def explain(rules: Sequence[Rule], question: Question) -> Explanation:
    """Why each rule did or did not match ``question``, and which one was chosen."""
    verdicts: list[RuleVerdict] = []
    chosen: Rule | None = None
    for rule in _in_order(rules):
        checks = _checks(rule, question)
        matched = rule.active and all(check.matched for check in checks)
        first = matched and chosen is None
        if first:
            chosen = rule
        verdicts.append(RuleVerdict(rule, checks, matched, first))
    return Explanation(question, tuple(verdicts), chosen)


def _in_order(rules: Sequence[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda rule: (rule.position, rule.id))


def _checks(rule: Rule, question: Question) -> tuple[FieldCheck, ...]:
    checks: list[FieldCheck] = []
    if rule.intent is not None:
        checks.append(_exact("intent", rule.intent, question.intent))
    if rule.area is not None:
        wanted = rule.area.strip()
        if _is_postal_code(wanted):
            checks.append(_exact("postal_code", wanted, question.postal_code))
        else:
            given = question.area
            matched = given is not None and given.strip().casefold() == wanted.casefold()
            checks.append(FieldCheck("area", wanted, given, matched))
    if rule.sector_id is not None:
        checks.append(_exact("sector_id", rule.sector_id, question.sector_id))
    if rule.category is not None:
        checks.append(_exact("category", rule.category, question.category))
    return tuple(checks)


def _exact(field: str, wanted: str, given: str | None) -> FieldCheck:
    matched = given is not None and given.strip() == wanted.strip()
    return FieldCheck(field, wanted, given, matched)


def _is_postal_code(text: str) -> bool:
    return len(text) == 5 and text.isascii() and text.isdigit()
