"""Office hours, working time over Finnish holidays and clock changes, and the service promise
in fi, sv and en. Every moment is given; nothing reads the real clock."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime
from typing import Any

import holidays
import pytest

from routing import (
    HELSINKI,
    LANGUAGES,
    TEXTS,
    DayHours,
    OfficeHours,
    Span,
    TeamInfo,
    make_promise,
    render_promise,
)

WEEKDAYS_8_16 = {str(day): [["08:00", "16:00"]] for day in range(1, 6)}
ROUND_THE_CLOCK = {str(day): [["00:00", "24:00"]] for day in range(1, 8)}


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Helsinki wall-clock time, as the aware UTC instant the code is given."""
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


def streets(office_hours: dict[str, Any] | None = None, sla_minutes: int = 240) -> TeamInfo:
    return TeamInfo(
        id=1,
        key="streets",
        name_fi="Katujen kunnossapito",
        name_sv="Gatuunderhåll",
        name_en="Street maintenance",
        hours=OfficeHours.from_json(WEEKDAYS_8_16 if office_hours is None else office_hours),
        sla_minutes=sla_minutes,
    )


# --- reading the JSON ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["08:00", "16:00"], "must be an object"),
        ({"8": [["08:00", "16:00"]]}, "'8' is not a weekday number"),
        ({"mon": [["08:00", "16:00"]]}, "'mon' is not a weekday number"),
        ({"1": "08:00-16:00"}, "day 1: expected a list"),
        ({"1": [["08:00"]]}, "day 1: ['08:00'] is not a span"),
        ({"1": [[8, 16]]}, "is not a span"),
        ({"2": [["8am", "16:00"]]}, "day 2: '8am' is not a time"),
        ({"1": [["08:00", "24:30"]]}, "'24:30' is not a time"),
        ({"1": [["08:60", "16:00"]]}, "'08:60' is not a time"),
        ({"1": [["24:00", "24:00"]]}, "cannot start at 24:00"),
        ({"1": [["16:00", "08:00"]]}, "16:00–08:00 does not end after it starts"),
        ({"1": [["22:00", "02:00"]]}, "a span past midnight is written as two"),
        ({"3": [["08:00", "12:00"], ["11:00", "16:00"]]}, "day 3: 08:00–12:00 and 11:00–16:00"),
    ],
)
def test_malformed_hours_are_refused_with_a_reason(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match="office hours") as refused:
        OfficeHours.from_json(data)
    assert message in str(refused.value)


def test_hours_are_normalised() -> None:
    hours = OfficeHours.from_json(
        {"1": [["12:00", "16:00"], ["8:00", "12:00"]], "2": [], "7": [[" 22:00", "24:00"]]}
    )
    assert hours.to_json() == {"1": [["08:00", "16:00"]], "7": [["22:00", "24:00"]]}
    assert OfficeHours.from_json(hours.to_json()) == hours
    assert OfficeHours.from_json(None).is_empty


# --- open or closed -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (local(2026, 11, 23, 7, 59), False),  # Monday
        (local(2026, 11, 23, 8, 0), True),
        (local(2026, 11, 23, 15, 59), True),
        (local(2026, 11, 23, 16, 0), False),
        (local(2026, 11, 27, 12, 0), True),  # Friday
        (local(2026, 11, 28, 12, 0), False),  # Saturday
        (local(2026, 11, 29, 12, 0), False),  # Sunday
    ],
)
def test_open_from_the_opening_minute_until_closing(moment: datetime, is_open: bool) -> None:
    assert OfficeHours.from_json(WEEKDAYS_8_16).is_open(moment) is is_open


def test_naive_datetimes_are_refused() -> None:
    hours = OfficeHours.from_json(WEEKDAYS_8_16)
    with pytest.raises(ValueError, match="timezone-aware"):
        hours.is_open(datetime(2026, 11, 23, 9, 0))


def test_next_opening() -> None:
    hours = OfficeHours.from_json(WEEKDAYS_8_16)
    assert hours.next_opening(local(2026, 11, 27, 16, 0)) == local(2026, 11, 30, 8, 0)
    assert hours.next_opening(local(2026, 11, 24, 6, 0)) == local(2026, 11, 24, 8, 0)
    open_now = local(2026, 11, 24, 9, 15)
    assert hours.next_opening(open_now) == open_now


# --- working time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (local(2026, 11, 20, 15, 30), 60, local(2026, 11, 23, 8, 30)),  # Friday → Monday
        (local(2026, 11, 20, 15, 0), 60, local(2026, 11, 20, 16, 0)),  # ends at closing
        (local(2026, 11, 21, 12, 0), 30, local(2026, 11, 23, 8, 30)),  # Saturday: from Monday
        (local(2026, 11, 23, 6, 0), 0, local(2026, 11, 23, 8, 0)),  # nothing: the opening
        (local(2026, 11, 23, 8, 0), 5 * 480, local(2026, 11, 27, 16, 0)),  # a working week
    ],
)
def test_only_open_time_counts(start: datetime, minutes: int, due: datetime) -> None:
    assert OfficeHours.from_json(WEEKDAYS_8_16).add_working_minutes(start, minutes) == due


def test_negative_working_minutes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        OfficeHours.from_json(WEEKDAYS_8_16).add_working_minutes(local(2026, 11, 23, 9), -1)


def test_the_holiday_calendar_closes_midsummer_eve_and_christmas_eve() -> None:
    """routing.hours relies on the package counting these eves as public holidays."""
    finland = holidays.country_holidays("FI", years=[2026, 2027], language="fi")
    assert finland.get(date(2026, 6, 19)) == "Juhannusaatto"
    assert finland.get(date(2027, 6, 25)) == "Juhannusaatto"
    assert finland.get(date(2026, 12, 24)) == "Jouluaatto"


@pytest.mark.parametrize(
    ("before", "holiday", "next_working_day"),
    [
        (date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7)),  # Loppiainen, Wednesday
        (date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 4)),  # Vappu, Friday
        (date(2026, 5, 13), date(2026, 5, 14), date(2026, 5, 15)),  # Helatorstai, Thursday
        (date(2026, 6, 18), date(2026, 6, 19), date(2026, 6, 22)),  # Juhannusaatto, Friday
        (date(2026, 12, 23), date(2026, 12, 24), date(2026, 12, 28)),  # Jouluaatto, Thursday
        (date(2026, 12, 23), date(2026, 12, 25), date(2026, 12, 28)),  # Joulupäivä, Friday
        (date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 7)),  # Pitkäperjantai … 2. pääsiäisp.
    ],
)
def test_finnish_holidays_are_closed_and_skipped(
    before: date, holiday: date, next_working_day: date
) -> None:
    hours = OfficeHours.from_json(WEEKDAYS_8_16)
    assert holiday.isoweekday() <= 5
    holiday_morning = local(holiday.year, holiday.month, holiday.day, 10, 0)
    assert not hours.is_open(holiday_morning)
    opening = local(next_working_day.year, next_working_day.month, next_working_day.day, 8, 0)
    assert hours.next_opening(holiday_morning) == opening
    start = local(before.year, before.month, before.day, 15, 30)
    due = local(next_working_day.year, next_working_day.month, next_working_day.day, 8, 30)
    assert hours.add_working_minutes(start, 60) == due


def test_working_time_across_the_clock_changes() -> None:
    weekdays = OfficeHours.from_json(WEEKDAYS_8_16)
    # Summer time begins on Sunday 29 March 2026: Monday 8:30 is then 05:30 UTC, not 06:30.
    due = weekdays.add_working_minutes(local(2026, 3, 27, 15, 30), 60)
    assert due == datetime(2026, 3, 30, 5, 30, tzinfo=UTC) == local(2026, 3, 30, 8, 30)
    # It ends on Sunday 25 October 2026.
    due = weekdays.add_working_minutes(local(2026, 10, 23, 15, 30), 60)
    assert due == datetime(2026, 10, 26, 6, 30, tzinfo=UTC) == local(2026, 10, 26, 8, 30)

    # Working time is real time: the spring Sunday has 23 hours, the autumn one 25.
    always = OfficeHours.from_json(ROUND_THE_CLOCK)
    assert always.add_working_minutes(local(2026, 3, 28, 12), 24 * 60) == local(2026, 3, 29, 13)
    assert always.add_working_minutes(local(2026, 10, 24, 12), 24 * 60) == local(2026, 10, 25, 11)

    # A night span over the change: two hours long in March, four in October.
    nights = OfficeHours.from_json({"7": [["02:00", "05:00"]]})
    assert nights.add_working_minutes(local(2026, 3, 29, 2), 120) == local(2026, 3, 29, 5)
    # One minute more runs into the next open Sunday (5 April is Easter Sunday: closed).
    assert nights.add_working_minutes(local(2026, 3, 29, 2), 121) == local(2026, 4, 12, 2, 1)
    assert nights.add_working_minutes(local(2026, 10, 25, 2), 240) == local(2026, 10, 25, 5)
    assert nights.is_open(datetime(2026, 10, 25, 2, 30, tzinfo=UTC))  # 04:30 winter time


def test_night_work_past_midnight_is_one_stretch() -> None:
    hours = OfficeHours.from_json({"1": [["22:00", "24:00"]], "2": [["00:00", "06:00"]]})
    assert hours.is_open(local(2026, 11, 23, 23, 59))
    assert hours.is_open(local(2026, 11, 24, 0, 0))
    assert not hours.is_open(local(2026, 11, 24, 6, 0))
    assert hours.add_working_minutes(local(2026, 11, 23, 23, 30), 60) == local(2026, 11, 24, 0, 30)
    assert hours.describe() == (
        DayHours(1, 1, (Span(22 * 60, 24 * 60),)),
        DayHours(2, 2, (Span(0, 6 * 60),)),
    )


def test_a_team_without_hours_is_never_open_and_promises_no_time() -> None:
    hours = OfficeHours.from_json({})
    moment = local(2026, 11, 23, 10)
    assert not hours.is_open(moment)
    assert hours.next_opening(moment) is None
    assert hours.add_working_minutes(moment, 60) is None
    assert hours.describe() == ()


def test_describe_groups_days_with_the_same_hours() -> None:
    hours = OfficeHours.from_json(
        {
            **{str(day): [["08:00", "11:00"], ["12:00", "16:00"]] for day in range(1, 5)},
            "5": [["08:00", "14:15"]],
            "6": [["10:00", "14:00"]],
        }
    )
    assert hours.describe() == (
        DayHours(1, 4, (Span(480, 660), Span(720, 960))),
        DayHours(5, 5, (Span(480, 855),)),
        DayHours(6, 6, (Span(600, 840),)),
    )


# --- the service promise ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "sla_minutes", "expected"),
    [
        pytest.param(
            local(2026, 11, 23, 9, 0),  # Monday morning
            240,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16; saat vastauksen viimeistään tänään klo 13.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16; du får svar senast i dag kl. 13.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16; you will hear from us today by 13:00.",
            },
            id="in hours, due today",
        ),
        pytest.param(
            local(2026, 11, 23, 10, 0),
            480,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16; saat vastauksen viimeistään huomenna klo 10.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16; du får svar senast i morgon kl. 10.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16; you will hear from us tomorrow by 10:00.",
            },
            id="in hours, due tomorrow",
        ),
        pytest.param(
            local(2026, 11, 20, 14, 0),  # Friday afternoon
            480,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16; saat vastauksen viimeistään maanantaina klo 14.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16; du får svar senast på måndag kl. 14.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16; you will hear from us by Monday 14:00.",
            },
            id="in hours, due after the weekend",
        ),
        pytest.param(
            local(2026, 11, 20, 17, 0),  # Friday evening
            240,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16. Olemme nyt kiinni; avaamme taas maanantaina klo 8.00, ja saat"
                " vastauksen viimeistään maanantaina klo 12.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16. Vi har stängt nu; vi öppnar igen på måndag kl. 8.00, och du får svar"
                " senast på måndag kl. 12.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16. We are closed now; we open again on Monday at 8:00, and you will hear"
                " from us by Monday 12:00.",
            },
            id="after hours",
        ),
        pytest.param(
            local(2026, 11, 24, 6, 30),  # Tuesday, early
            240,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16. Olemme nyt kiinni; avaamme taas tänään klo 8.00, ja saat vastauksen"
                " viimeistään tänään klo 12.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16. Vi har stängt nu; vi öppnar igen i dag kl. 8.00, och du får svar"
                " senast i dag kl. 12.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16. We are closed now; we open again today at 8:00, and you will hear"
                " from us today by 12:00.",
            },
            id="before opening",
        ),
        pytest.param(
            local(2026, 12, 23, 15, 0),  # Wednesday before Christmas Eve
            240,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16; saat vastauksen viimeistään maanantaina klo 11.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16; du får svar senast på måndag kl. 11.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16; you will hear from us by Monday 11:00.",
            },
            id="before the Christmas holidays",
        ),
        pytest.param(
            local(2026, 6, 19, 9, 0),  # Midsummer Eve, a Friday
            240,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16. Olemme nyt kiinni; avaamme taas maanantaina klo 8.00, ja saat"
                " vastauksen viimeistään maanantaina klo 12.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16. Vi har stängt nu; vi öppnar igen på måndag kl. 8.00, och du får svar"
                " senast på måndag kl. 12.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16. We are closed now; we open again on Monday at 8:00, and you will hear"
                " from us by Monday 12:00.",
            },
            id="on Midsummer Eve",
        ),
        pytest.param(
            local(2026, 11, 23, 8, 0),
            6 * 480,
            {
                "fi": "Viestisi on nyt Katujen kunnossapito -tiimillä. Vastaamme arkisin klo"
                " 8–16; saat vastauksen viimeistään maanantaina 30. marraskuuta klo 16.00.",
                "sv": "Ditt meddelande är nu hos teamet Gatuunderhåll. Vi svarar vardagar kl."
                " 8–16; du får svar senast måndag den 30 november kl. 16.00.",
                "en": "Your message is with the Street maintenance team. We answer on weekdays"
                " 8–16; you will hear from us by Monday 30 November, 16:00.",
            },
            id="a week or more ahead names the date",
        ),
    ],
)
def test_the_promise_in_three_languages(
    now: datetime, sla_minutes: int, expected: dict[str, str]
) -> None:
    promise = make_promise(streets(sla_minutes=sla_minutes), now)
    assert {language: render_promise(promise, language, HELSINKI) for language in LANGUAGES} == (
        expected
    )


def test_the_promise_as_values() -> None:
    now = local(2026, 11, 20, 17, 0)
    promise = make_promise(streets(), now)
    assert (promise.team_id, promise.team_key, promise.made_at) == (1, "streets", now)
    assert not promise.open_now
    assert promise.next_opening == local(2026, 11, 23, 8, 0)
    assert promise.due_at == local(2026, 11, 23, 12, 0)
    assert promise.hours == (DayHours(1, 5, (Span(480, 960),)),)


def test_a_team_without_hours_is_honest_about_it() -> None:
    promise = make_promise(streets({}), local(2026, 11, 23, 9))
    assert promise.due_at is None and promise.next_opening is None and not promise.open_now
    assert render_promise(promise, "en", HELSINKI) == (
        "Your message is with the Street maintenance team. The team has no office hours set, so"
        " we cannot promise when we will answer. We will answer as soon as we can."
    )
    assert render_promise(promise, "fi", HELSINKI).startswith(
        "Viestisi on nyt Katujen kunnossapito -tiimillä. Tiimillä ei ole aukioloaikoja"
    )


def test_uneven_hours_in_words() -> None:
    team = streets(
        {
            **{str(day): [["08:00", "16:00"]] for day in range(1, 5)},
            "5": [["08:00", "11:30"], ["12:00", "14:15"]],
            "6": [["10:00", "14:00"]],
        }
    )
    promise = make_promise(team, local(2026, 11, 23, 9))
    hours = {
        "fi": "Vastaamme ma–to klo 8–16, perjantaisin klo 8–11.30, 12–14.15 ja lauantaisin"
        " klo 10–14;",
        "sv": "Vi svarar mån–tors kl. 8–16, fredagar kl. 8–11.30, 12–14.15 och lördagar kl. 10–14;",
        "en": "We answer Mon–Thu 8–16, on Fridays 8–11:30, 12–14:15 and on Saturdays 10–14;",
    }
    for language, words in hours.items():
        assert words in render_promise(promise, language, HELSINKI)


def test_an_unknown_language_gets_finnish() -> None:
    promise = make_promise(streets(), local(2026, 11, 23, 9))
    assert render_promise(promise, "de", HELSINKI) == render_promise(promise, "fi", HELSINKI)


def test_every_text_is_in_three_languages_that_differ_with_the_same_placeholders() -> None:
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    for key, texts in TEXTS.items():
        assert set(texts) == set(LANGUAGES), key
        assert len(set(texts.values())) == len(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
        assert (
            placeholders(texts["sv"]) == placeholders(texts["fi"]) == placeholders(texts["en"])
        ), key
