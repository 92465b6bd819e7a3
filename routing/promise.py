"""The service promise: who has the resident's message, when they answer, and by when.

Computed from the team's office hours and its SLA in working minutes, never canned. Closed
now, it says so and when the team opens again; a team without hours gets no promise of a time.
Texts are in :data:`TEXTS`, each in Finnish, Swedish and English with the same placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from routing.hours import HELSINKI, DayHours, OfficeHours, Span
from store import Team

__all__ = ["LANGUAGES", "TEXTS", "ServicePromise", "TeamInfo", "make_promise", "render_promise"]

LANGUAGES = ("fi", "sv", "en")

_WEEKDAYS_ON = {  # "on Tuesday", as a due date says it
    "fi": ("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina",
           "lauantaina", "sunnuntaina"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}  # fmt: skip
_WEEKDAYS_EVERY = {  # "on Saturdays", as office hours say it
    "fi": ("maanantaisin", "tiistaisin", "keskiviikkoisin", "torstaisin", "perjantaisin",
           "lauantaisin", "sunnuntaisin"),
    "sv": ("måndagar", "tisdagar", "onsdagar", "torsdagar", "fredagar", "lördagar", "söndagar"),
    "en": ("on Mondays", "on Tuesdays", "on Wednesdays", "on Thursdays", "on Fridays",
           "on Saturdays", "on Sundays"),
}  # fmt: skip
_WEEKDAYS_SHORT = {  # the ends of a range of days, "Mon–Thu"
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "fi": ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
           "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


def _names(prefix: str, names: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    count = len(names["fi"])
    return {
        f"{prefix}.{number}": {language: names[language][number - 1] for language in LANGUAGES}
        for number in range(1, count + 1)
    }


TEXTS: dict[str, dict[str, str]] = {
    "with_team": {
        "fi": "Viestisi on nyt {team} -tiimillä.",
        "sv": "Ditt meddelande är nu hos teamet {team}.",
        "en": "Your message is with the {team} team.",
    },
    "open": {
        "fi": "Vastaamme {hours}; saat vastauksen viimeistään {due}.",
        "sv": "Vi svarar {hours}; du får svar senast {due}.",
        "en": "We answer {hours}; you will hear from us {due}.",
    },
    "closed": {
        "fi": "Vastaamme {hours}. Olemme nyt kiinni; avaamme taas {opening},"
        " ja saat vastauksen viimeistään {due}.",
        "sv": "Vi svarar {hours}. Vi har stängt nu; vi öppnar igen {opening},"
        " och du får svar senast {due}.",
        "en": "We answer {hours}. We are closed now; we open again {opening},"
        " and you will hear from us {due}.",
    },
    "due_only": {
        "fi": "Saat vastauksen viimeistään {due}.",
        "sv": "Du får svar senast {due}.",
        "en": "You will hear from us {due}.",
    },
    "no_hours": {
        "fi": "Tiimillä ei ole aukioloaikoja, joten emme voi luvata, milloin vastaamme."
        " Vastaamme niin pian kuin voimme.",
        "sv": "Teamet har inga öppettider, så vi kan inte lova när vi svarar."
        " Vi svarar så snart vi kan.",
        "en": "The team has no office hours set, so we cannot promise when we will answer."
        " We will answer as soon as we can.",
    },
    # When the answer is due: the words around the moment differ between the languages.
    "due.today": {"fi": "tänään klo {time}", "sv": "i dag kl. {time}", "en": "today by {time}"},
    "due.tomorrow": {
        "fi": "huomenna klo {time}",
        "sv": "i morgon kl. {time}",
        "en": "tomorrow by {time}",
    },
    "due.weekday": {
        "fi": "{weekday} klo {time}",
        "sv": "på {weekday} kl. {time}",
        "en": "by {weekday} {time}",
    },
    "due.date": {
        "fi": "{weekday} {date} klo {time}",
        "sv": "{weekday} {date} kl. {time}",
        "en": "by {weekday} {date}, {time}",
    },
    "opening.today": {"fi": "tänään klo {time}", "sv": "i dag kl. {time}", "en": "today at {time}"},
    "opening.tomorrow": {
        "fi": "huomenna klo {time}",
        "sv": "i morgon kl. {time}",
        "en": "tomorrow at {time}",
    },
    "opening.weekday": {
        "fi": "{weekday} klo {time}",
        "sv": "på {weekday} kl. {time}",
        "en": "on {weekday} at {time}",
    },
    "opening.date": {
        "fi": "{weekday} {date} klo {time}",
        "sv": "{weekday} {date} kl. {time}",
        "en": "on {weekday} {date} at {time}",
    },
    "date": {"fi": "{day}. {month}", "sv": "den {day} {month}", "en": "{day} {month}"},
    # Office hours: "arkisin klo 8–16 ja lauantaisin klo 10–14".
    "hours.group": {"fi": "{days} klo {spans}", "sv": "{days} kl. {spans}", "en": "{days} {spans}"},
    "hours.weekdays": {"fi": "arkisin", "sv": "vardagar", "en": "on weekdays"},
    "hours.every_day": {"fi": "joka päivä", "sv": "alla dagar", "en": "every day"},
    "list.last": {"fi": "{rest} ja {last}", "sv": "{rest} och {last}", "en": "{rest} and {last}"},
    **_names("weekday.on", _WEEKDAYS_ON),
    **_names("weekday.every", _WEEKDAYS_EVERY),
    **_names("weekday.short", _WEEKDAYS_SHORT),
    **_names("month", _MONTHS),
}
"""Every text the promise is made of: key → language → text."""

# Not words: how each language writes a clock time ("10.00", "10:00").
_TIME_SEPARATOR = {"fi": ".", "sv": ".", "en": ":"}
# How far ahead a weekday name alone is unambiguous; later dues name the date as well.
_WEEK = 7


@dataclass(frozen=True, slots=True)
class TeamInfo:
    """A team as routing needs it: a value copied from its ``teams`` row."""

    id: int
    key: str
    name_fi: str
    name_sv: str
    name_en: str
    hours: OfficeHours
    sla_minutes: int
    fallback_team_id: int | None = None

    @classmethod
    def from_row(cls, team: Team, *, timezone: tzinfo = HELSINKI) -> TeamInfo:
        """Copy a row; ``ValueError`` if its office hours are malformed."""
        return cls(
            id=team.id,
            key=team.key,
            name_fi=team.name_fi,
            name_sv=team.name_sv,
            name_en=team.name_en,
            hours=OfficeHours.from_json(team.office_hours, timezone),
            sla_minutes=team.sla_minutes,
            fallback_team_id=team.fallback_team_id,
        )

    def name(self, language: str) -> str:
        """The team's name in ``language`` (Finnish for any other)."""
        return {"sv": self.name_sv, "en": self.name_en}.get(language, self.name_fi)


@dataclass(frozen=True, slots=True)
class ServicePromise:
    """What the resident is told: who has the message, when they answer, by when.

    ``due_at`` is None when no time can be promised (the team has no office hours);
    ``next_opening`` is the first open instant at or after ``made_at`` (``made_at`` itself
    when open now), None when the team never opens. Instants are aware UTC.
    """

    team_id: int
    team_key: str
    team_name_fi: str
    team_name_sv: str
    team_name_en: str
    made_at: datetime
    due_at: datetime | None
    open_now: bool
    hours: tuple[DayHours, ...]
    next_opening: datetime | None

    def team_name(self, language: str) -> str:
        return {"sv": self.team_name_sv, "en": self.team_name_en}.get(language, self.team_name_fi)


def make_promise(team: TeamInfo, now: datetime) -> ServicePromise:
    """The promise for a message given to ``team`` at ``now`` (aware): due after the team's
    SLA in working minutes."""
    return ServicePromise(
        team_id=team.id,
        team_key=team.key,
        team_name_fi=team.name_fi,
        team_name_sv=team.name_sv,
        team_name_en=team.name_en,
        made_at=now,
        due_at=team.hours.add_working_minutes(now, team.sla_minutes),
        open_now=team.hours.is_open(now),
        hours=team.hours.describe(),
        next_opening=team.hours.next_opening(now),
    )


def render_promise(promise: ServicePromise, language: str, timezone: tzinfo = HELSINKI) -> str:
    """The resident-facing text in ``language`` (fi, sv or en; Finnish for any other), with
    times in ``timezone``; "today" and "tomorrow" are relative to ``promise.made_at``."""
    if language not in LANGUAGES:
        language = "fi"
    sentences = [_say("with_team", language, team=promise.team_name(language))]
    if promise.due_at is None:
        sentences.append(_say("no_hours", language))
    elif not promise.hours:
        sentences.append(
            _say(
                "due_only",
                language,
                due=_moment("due", promise, promise.due_at, language, timezone),
            )
        )
    elif promise.open_now or promise.next_opening is None:
        sentences.append(
            _say(
                "open",
                language,
                hours=_hours(promise.hours, language),
                due=_moment("due", promise, promise.due_at, language, timezone),
            )
        )
    else:
        sentences.append(
            _say(
                "closed",
                language,
                hours=_hours(promise.hours, language),
                opening=_moment("opening", promise, promise.next_opening, language, timezone),
                due=_moment("due", promise, promise.due_at, language, timezone),
            )
        )
    return " ".join(sentences)


def _say(key: str, language: str, **values: str) -> str:
    return TEXTS[key][language].format(**values)


def _moment(
    kind: str, promise: ServicePromise, moment: datetime, language: str, timezone: tzinfo
) -> str:
    local = moment.astimezone(timezone)
    days = (local.date() - promise.made_at.astimezone(timezone).date()).days
    time = _clock(local.hour * 60 + local.minute, language, whole_hours=False)
    weekday = _say(f"weekday.on.{local.isoweekday()}", language)
    if days == 0:
        return _say(f"{kind}.today", language, time=time)
    if days == 1:
        return _say(f"{kind}.tomorrow", language, time=time)
    if 1 < days < _WEEK:
        return _say(f"{kind}.weekday", language, weekday=weekday, time=time)
    date = _say("date", language, day=str(local.day), month=_say(f"month.{local.month}", language))
    return _say(f"{kind}.date", language, weekday=weekday, date=date, time=time)


def _hours(groups: tuple[DayHours, ...], language: str) -> str:
    phrases = [
        _say(
            "hours.group",
            language,
            days=_days(group, language),
            spans=_spans(group.spans, language),
        )
        for group in groups
    ]
    return _join(phrases, language)


def _days(group: DayHours, language: str) -> str:
    if (group.first, group.last) == (1, 5):
        return _say("hours.weekdays", language)
    if (group.first, group.last) == (1, 7):
        return _say("hours.every_day", language)
    if group.first == group.last:
        return _say(f"weekday.every.{group.first}", language)
    first = _say(f"weekday.short.{group.first}", language)
    last = _say(f"weekday.short.{group.last}", language)
    return f"{first}–{last}"


def _spans(spans: tuple[Span, ...], language: str) -> str:
    return ", ".join(
        f"{_clock(span.start, language, whole_hours=True)}–"
        f"{_clock(span.end, language, whole_hours=True)}"
        for span in spans
    )


def _join(phrases: list[str], language: str) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return _say("list.last", language, rest=", ".join(phrases[:-1]), last=phrases[-1])


def _clock(minute: int, language: str, *, whole_hours: bool) -> str:
    """``8.30``/``8:30``; with ``whole_hours``, a full hour is just ``8`` (as in "8–16")."""
    hours, minutes = divmod(minute, 60)
    if whole_hours and minutes == 0:
        return str(hours)
    return f"{hours}{_TIME_SEPARATOR[language]}{minutes:02d}"
