"""The Ahjo client over real HTTP against the fake Ahjo serving the real response formats."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from knowledge.ahjo import AhjoClient
from knowledge.cases import Case, NotFound, NotPublic, Phase, Unavailable
from tests.fakes.ahjo import FakeAhjo

DIARY_NUMBER = "HEL 2025-001216"
ARCHIVED = "HEL 2017-000241"
STATEMENT = "HEL 2021-009907"  # served as "HEL 2021-009907 Lausunto 1"
PENDING = "HEL 2016-007159"  # Vireillä in cases_latest.json
TTL = timedelta(minutes=5)
PROMISE = 4.0  # seconds: the resident gets an answer within this, whatever Ahjo does


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


@pytest.fixture(scope="module")
def served() -> Iterator[FakeAhjo]:
    with FakeAhjo() as fake:
        yield fake


@pytest.fixture
def ahjo(served: FakeAhjo) -> FakeAhjo:
    served.reset()
    return served


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def client(ahjo: FakeAhjo, clock: ManualClock) -> AsyncIterator[AhjoClient]:
    async with AhjoClient(ahjo.base_url, clock=clock, ttl=TTL, backoff=0.01) as client:
        yield client


def case(answer: object) -> Case:
    assert isinstance(answer, Case), answer
    return answer


# ---------------------------------------------------------------------- the format


async def test_a_case_is_read_with_its_phase_sector_records_and_pages(
    client: AhjoClient, clock: ManualClock
) -> None:
    found = case(await client.lookup(DIARY_NUMBER))

    assert found.diary_number == DIARY_NUMBER
    assert found.title == "Valtuustoaloite, Haltialan kotieläintilasta eläinsuojelukeskus"
    assert found.status == "Ratkaistu"
    assert found.phase == Phase(2, "Päättynyt", "Keskushallinto", "U50")
    assert (found.sector_id, found.sector) == ("U50", "Keskushallinto")
    assert [record.kind for record in found.records] == ["esitys", "esitys", "päätös"]
    decision = found.records[2]
    assert decision.id == "{1FFF7A3A-506E-4CE7-9EC0-63BF21CF8C7D}"
    assert decision.issued == date(2025, 4, 7)
    assert decision.url == "https://ahjojulkaisu.hel.fi/308CCFA5-990D-C649-9C50-9610CE40000A.pdf"
    assert found.records[0].issued is None
    assert (found.source, found.fetched_at, found.stale) == ("ahjo", clock.now(), False)
    assert found.page_url("fi") == "https://paatokset.hel.fi/fi/asia/hel-2025-001216"
    assert found.page_url("sv") == "https://paatokset.hel.fi/sv/arende/hel-2025-001216"
    assert found.page_url("en") == "https://paatokset.hel.fi/en/case/hel-2025-001216"


async def test_the_archived_case_keeps_its_empty_title(client: AhjoClient) -> None:
    found = case(await client.lookup(ARCHIVED))

    assert (found.title, found.status) == ("", "Arkistoitu")
    assert found.phase == Phase(1, "Valmistelussa", None, None)
    assert (found.sector_id, found.sector) == (None, None)
    assert [(r.kind, r.issued) for r in found.records] == [("viranhaltijan päätös", None)]


async def test_a_statement_label_belongs_to_the_number_asked_for(client: AhjoClient) -> None:
    found = case(await client.lookup(STATEMENT))

    assert found.diary_number == STATEMENT
    assert found.status == "Päätetty"
    assert found.phase == Phase(1, "Lausunto valmis", "Kaupunkiympäristön toimiala", "U541000")
    assert found.page_url("fi") == "https://paatokset.hel.fi/fi/asia/hel-2021-009907"


async def test_swedish_is_asked_for_and_english_gets_finnish(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    swedish = ahjo.case(DIARY_NUMBER)
    assert swedish is not None
    swedish["Title"] = "Motion om ett djurskyddscenter på Tomtbacka gård"
    ahjo.set_case(DIARY_NUMBER, swedish, language="sv")

    assert case(await client.lookup(DIARY_NUMBER, language="sv")).title == swedish["Title"]
    english = case(await client.lookup(DIARY_NUMBER, language="en"))
    assert english.title.startswith("Valtuustoaloite")  # the fake answers 400 to apireqlang=en
    assert ahjo.requests(DIARY_NUMBER) == 2


async def test_a_swedish_answer_without_title_falls_back_to_finnish(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    swedish = ahjo.case(DIARY_NUMBER)
    assert swedish is not None
    swedish["Title"] = ""
    ahjo.set_case(DIARY_NUMBER, swedish, language="sv")

    found = case(await client.lookup(DIARY_NUMBER, language="sv"))

    assert found.title.startswith("Valtuustoaloite")
    assert ahjo.requests(DIARY_NUMBER) == 2
    await client.lookup(DIARY_NUMBER, language="fi")  # the Finnish answer was cached too
    assert ahjo.requests(DIARY_NUMBER) == 2


async def test_an_unknown_number_is_not_found_and_remembered_briefly(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    assert await client.lookup("HEL 2025-999999") == NotFound("HEL 2025-999999")
    assert await client.lookup("HEL 2025-999999") == NotFound("HEL 2025-999999")
    assert ahjo.requests("HEL-2025-999999") == 1

    clock.advance(timedelta(minutes=2))
    assert await client.lookup("HEL 2025-999999") == NotFound("HEL 2025-999999")
    assert ahjo.requests("HEL-2025-999999") == 2


async def test_a_case_gone_from_ahjo_is_not_found_until_it_is_back(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    ahjo.not_found(DIARY_NUMBER)
    assert await client.lookup(DIARY_NUMBER) == NotFound(DIARY_NUMBER)

    ahjo.restore(DIARY_NUMBER)
    clock.advance(timedelta(minutes=1))
    assert isinstance(await client.lookup(DIARY_NUMBER), Case)


async def test_a_number_not_in_the_normal_form_is_not_asked_for(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    assert await client.lookup("HEL-2025-001216") == NotFound("HEL-2025-001216")
    assert ahjo.total_requests == 0


async def test_a_case_that_is_not_public_reveals_nothing(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    ahjo.make_non_public(DIARY_NUMBER)

    answer = await client.lookup(DIARY_NUMBER)

    assert answer == NotPublic(DIARY_NUMBER)
    assert "Haltia" not in repr(answer)


async def test_records_that_are_not_public_are_left_out(ahjo: FakeAhjo, client: AhjoClient) -> None:
    payload = ahjo.case(DIARY_NUMBER)
    assert payload is not None
    payload["Records"][2]["PublicityClass"] = "Salassa pidettävä"
    ahjo.set_case(DIARY_NUMBER, payload)

    found = case(await client.lookup(DIARY_NUMBER))

    assert [record.kind for record in found.records] == ["esitys", "esitys"]


async def test_a_synthesised_case_is_served_as_a_real_one(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    made = ahjo.synthesise(400)

    assert made[0] == "HEL-2090-000001" and len(made) == 400
    assert set(made) <= set(ahjo.case_ids())
    first = case(await client.lookup("HEL 2090-000001"))
    after_a_round = case(await client.lookup(f"HEL {made[395][4:]}"))
    assert first.diary_number == "HEL 2090-000001"
    assert (first.title, first.records) == (after_a_round.title, after_a_round.records)


# ---------------------------------------------------------------------- the cache


async def test_a_fresh_answer_is_served_without_a_request(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    first = await client.lookup(DIARY_NUMBER)
    clock.advance(TTL - timedelta(seconds=1))

    assert await client.lookup(DIARY_NUMBER) == first
    assert ahjo.requests(DIARY_NUMBER) == 1
    assert client.counters.fresh_hits == 1


async def test_a_later_version_is_seen_once_the_ttl_is_over(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    before = case(await client.lookup(PENDING))
    assert before.status == "Vireillä"
    ahjo.advance(PENDING)

    assert case(await client.lookup(PENDING)).fingerprint == before.fingerprint
    clock.advance(TTL)
    after = case(await client.lookup(PENDING))

    assert after.fingerprint != before.fingerprint
    assert after.status == "Päätetty"
    assert before.phase is not None and after.phase is not None
    assert after.phase.sequence == before.phase.sequence + 1
    assert len(after.records) == len(before.records) + 1
    assert after.records[-1].kind == "päätös"
    assert after.fetched_at == clock.now()


async def test_concurrent_lookups_of_one_number_share_one_request(
    ahjo: FakeAhjo, client: AhjoClient
) -> None:
    ahjo.slow(0.2)

    answers = await asyncio.gather(*(client.lookup(DIARY_NUMBER) for _ in range(10)))

    assert ahjo.requests(DIARY_NUMBER) == 1
    assert all(answer == answers[0] for answer in answers)
    assert isinstance(answers[0], Case)
    assert client.counters.shared == 9


async def test_requests_at_one_time_are_bounded(ahjo: FakeAhjo, clock: ManualClock) -> None:
    ahjo.slow(0.05)
    numbers = [f"HEL {case_id[4:]}" for case_id in ahjo.case_ids()[:12]]
    async with AhjoClient(ahjo.base_url, clock=clock, max_concurrency=3) as client:
        answers = await asyncio.gather(*(client.lookup(number) for number in numbers))

    assert all(isinstance(answer, Case) for answer in answers)
    assert ahjo.peak_concurrency == 3


async def test_a_queue_of_our_own_is_not_held_against_ahjo(
    ahjo: FakeAhjo, clock: ManualClock
) -> None:
    ahjo.slow(0.3)
    numbers = [f"HEL {case_id[4:]}" for case_id in ahjo.case_ids()[:6]]
    async with AhjoClient(
        ahjo.base_url, clock=clock, max_concurrency=1, deadline=1.0, attempt_timeout=0.5
    ) as client:
        answers = await asyncio.gather(*(client.lookup(number) for number in numbers))

        assert isinstance(answers[0], Case) and isinstance(answers[-1], Unavailable)
        assert client.counters.failures == 0 and client.counters.queued_out >= 2
        assert client.breaker_state == "closed"


# ---------------------------------------------------------------------- when Ahjo fails


async def test_slow_ahjo_is_given_up_within_the_promise(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    known = case(await client.lookup(DIARY_NUMBER))
    clock.advance(TTL)
    ahjo.slow(10)

    started = time.monotonic()
    stale, unknown = await asyncio.gather(
        client.lookup(DIARY_NUMBER), client.lookup(ARCHIVED, language="sv")
    )
    elapsed = time.monotonic() - started

    assert elapsed < PROMISE
    assert stale == replace(known, stale=True)
    assert case(stale).fetched_at == known.fetched_at
    assert isinstance(unknown, Unavailable) and unknown.diary_number == ARCHIVED
    assert ahjo.requests(ARCHIVED) == 2  # the first attempt timed out, the retry ran out of time


async def test_errors_are_retried_with_backoff_and_pass(ahjo: FakeAhjo, client: AhjoClient) -> None:
    ahjo.fail(503, times=2)

    assert isinstance(await client.lookup(DIARY_NUMBER), Case)
    assert ahjo.requests(DIARY_NUMBER) == 3


async def test_errors_that_persist_end_unavailable_and_ahjo_recovers(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    ahjo.fail(500)

    answer = await client.lookup(DIARY_NUMBER)

    assert isinstance(answer, Unavailable) and answer.diary_number == DIARY_NUMBER
    assert ahjo.requests(DIARY_NUMBER) == 3
    ahjo.normal()
    assert isinstance(await client.lookup(DIARY_NUMBER), Case)


async def test_a_client_error_is_not_retried(clock: ManualClock) -> None:
    with FakeAhjo(api_key="sekret") as ahjo:
        async with AhjoClient(ahjo.base_url, clock=clock) as without_key:
            assert isinstance(await without_key.lookup(DIARY_NUMBER), Unavailable)
        assert ahjo.requests(DIARY_NUMBER) == 1
        async with AhjoClient(ahjo.base_url, clock=clock, api_key="sekret") as with_key:
            assert isinstance(await with_key.lookup(DIARY_NUMBER), Case)


async def test_a_malformed_answer_is_a_failure_not_an_exception(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    ahjo.malformed()
    assert isinstance(await client.lookup(DIARY_NUMBER), Unavailable)
    assert ahjo.requests(DIARY_NUMBER) == 1

    ahjo.normal()
    ahjo.set_case(ARCHIVED, {"cases": "none today"})
    assert isinstance(await client.lookup(ARCHIVED), Unavailable)

    ahjo.restore(ARCHIVED)
    known = case(await client.lookup(ARCHIVED))
    clock.advance(TTL)
    ahjo.malformed()
    assert await client.lookup(ARCHIVED) == replace(known, stale=True)


async def test_ahjo_down_gives_the_last_answer_with_its_time(
    ahjo: FakeAhjo, client: AhjoClient, clock: ManualClock
) -> None:
    known = case(await client.lookup(DIARY_NUMBER))
    clock.advance(timedelta(days=2))
    ahjo.down()

    started = time.monotonic()
    stale = case(await client.lookup(DIARY_NUMBER))
    unknown = await client.lookup(ARCHIVED)

    assert time.monotonic() - started < PROMISE
    assert stale.stale and stale.fetched_at == known.fetched_at != clock.now()
    assert stale.fingerprint == known.fingerprint
    assert isinstance(unknown, Unavailable)
    assert client.counters.stale_served == 1

    ahjo.normal()
    back = case(await client.lookup(DIARY_NUMBER))
    assert not back.stale and back.fetched_at == clock.now()


async def test_an_answer_too_old_is_not_given(ahjo: FakeAhjo, clock: ManualClock) -> None:
    async with AhjoClient(
        ahjo.base_url, clock=clock, max_stale=timedelta(days=1), backoff=0.01
    ) as client:
        await client.lookup(DIARY_NUMBER)
        clock.advance(timedelta(days=2))
        ahjo.fail(500)
        assert isinstance(await client.lookup(DIARY_NUMBER), Unavailable)


async def test_the_breaker_stops_requests_and_closes_after_the_cool_down(
    ahjo: FakeAhjo, clock: ManualClock
) -> None:
    cool_down = timedelta(seconds=30)
    numbers = [f"HEL {case_id[4:]}" for case_id in ahjo.case_ids()[:8]]
    ahjo.fail(500)
    async with AhjoClient(
        ahjo.base_url, clock=clock, failure_threshold=3, cool_down=cool_down, backoff=0.01
    ) as client:
        for number in numbers[:3]:
            assert isinstance(await client.lookup(number), Unavailable)
        assert client.breaker_state == "open"
        sent = ahjo.total_requests
        started = time.monotonic()
        for number in numbers[3:]:
            assert isinstance(await client.lookup(number), Unavailable)
        assert time.monotonic() - started < 0.1
        assert ahjo.total_requests == sent

        clock.advance(cool_down)
        assert client.breaker_state == "half-open"
        ahjo.slow(0.05)
        probed = await asyncio.gather(*(client.lookup(number) for number in numbers[:4]))
        assert all(isinstance(answer, Unavailable) for answer in probed)  # the probe failed
        assert ahjo.total_requests == sent + 1  # one probe let through, not retried
        assert client.breaker_state == "open"

        clock.advance(cool_down)
        ahjo.normal()
        assert isinstance(await client.lookup(numbers[0]), Case)
        assert client.breaker_state == "closed"
        assert isinstance(await client.lookup(numbers[1]), Case)
        assert client.counters.breaker_opened == 2


class Outcomes:
    """An :class:`~knowledge.ahjo.AhjoObserver` that keeps what it hears."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def request_done(self, outcome: str, seconds: float) -> None:
        assert seconds >= 0
        self.heard.append(outcome)


async def test_every_request_is_reported_with_its_outcome_and_the_failures_are_kept(
    ahjo: FakeAhjo, clock: ManualClock
) -> None:
    outcomes = Outcomes()
    async with AhjoClient(
        ahjo.base_url, clock=clock, backoff=0.01, attempts=3, observer=outcomes
    ) as client:
        await client.lookup(DIARY_NUMBER)
        await client.lookup("HEL 2099-123456")
        ahjo.fail(500)
        await client.lookup(ARCHIVED)
        failing = (client.failures_in_a_row, client.last_failure)
        ahjo.malformed()
        await client.lookup(PENDING)
        ahjo.normal()
        clock.advance(timedelta(minutes=1))
        await client.lookup(STATEMENT)
        recovered = (client.failures_in_a_row, client.last_failure)
    assert outcomes.heard == [
        "ok",
        "not_found",
        "server_error",
        "server_error",
        "server_error",
        "unreadable",
        "ok",
    ]
    assert failing == (1, "Ahjo answered 500")
    assert recovered == (0, None)
