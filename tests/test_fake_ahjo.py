"""What the fake Ahjo does that the client's tests do not show: over plain HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.ahjo import FIXTURES, FakeAhjo, case_of


@pytest.fixture(scope="module")
def served() -> Iterator[FakeAhjo]:
    with FakeAhjo() as fake:
        yield fake


@pytest.fixture
def ahjo(served: FakeAhjo) -> Iterator[FakeAhjo]:
    served.reset()
    yield served
    served.reset()


@pytest.fixture
def http(ahjo: FakeAhjo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ahjo.base_url, timeout=5) as client:
        yield client


def test_the_reference_cases_are_served_as_they_are(ahjo: FakeAhjo, http: httpx.Client) -> None:
    archived = http.get("/cases/HEL-2017-000241", params={"apireqlang": "fi"})
    assert archived.content == (FIXTURES / "case_HEL-2017-000241_archived.json").read_bytes()
    single = http.get("/cases/HEL-2025-001216", params={"apireqlang": "sv"})
    assert single.content == (FIXTURES / "case_HEL-2025-001216.json").read_bytes()
    assert single.headers["content-type"] == "application/json"

    latest = json.loads((FIXTURES / "cases_latest.json").read_bytes())["cases"]
    for case in latest[:: len(latest) // 10]:
        assert http.get(f"/cases/{case['CaseID']}").json() == case
    statement = http.get("/cases/HEL-2021-010124").json()  # the main id of "Lausunto 2" and "4"
    assert statement["CaseIDLabel"] == "HEL 2021-010124 Lausunto 2"
    assert len(ahjo.case_ids()) == 395  # 373 + 2 files + 20 statement main ids


def test_what_is_not_served_answers_as_an_api_would(http: httpx.Client) -> None:
    missing = http.get("/cases/HEL-2025-999999")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": 404, "message": "Case HEL-2025-999999 not found"}}
    assert http.get("/cases/HEL-2025-001216", params={"apireqlang": "en"}).status_code == 400
    assert http.get("/decisions").status_code == 404


def test_a_later_version_of_a_synthesised_case(ahjo: FakeAhjo, http: httpx.Client) -> None:
    (made,) = ahjo.synthesise(1)
    first = http.get(f"/cases/{made}").json()
    later = ahjo.advance(made)

    assert http.get(f"/cases/{made}").json() == later
    assert later["CaseID"] == first["CaseID"] == made
    assert [h["WorkSequenceNumber"] for h in later["Handlings"]][-1] == max(
        h["WorkSequenceNumber"] for h in first["Handlings"]
    ) + 1
    assert later["Records"][-1]["NativeId"] not in {r["NativeId"] for r in first["Records"]}
    again = ahjo.advance(made)
    assert again["Records"][-1]["NativeId"] != later["Records"][-1]["NativeId"]


def test_a_wrapped_case_stays_wrapped_when_changed(ahjo: FakeAhjo, http: httpx.Client) -> None:
    ahjo.make_non_public("HEL-2017-000241")

    case = case_of(http.get("/cases/HEL-2017-000241").json())
    assert (case["PublicityClass"], bool(case["SecurityReasons"])) == ("Salassa pidettävä", True)
    assert "cases" in http.get("/cases/HEL-2017-000241").json()


def test_held_requests_are_let_go_by_normal(ahjo: FakeAhjo, http: httpx.Client) -> None:
    ahjo.slow(30)
    threading.Timer(0.1, ahjo.normal).start()

    started = time.monotonic()
    assert http.get("/cases/HEL-2025-001216").status_code == 200
    assert time.monotonic() - started < 2


def test_down_refuses_connections_and_comes_back_on_the_same_port(
    ahjo: FakeAhjo, http: httpx.Client
) -> None:
    port = ahjo.port
    ahjo.down()
    with pytest.raises(httpx.ConnectError):
        http.get("/cases/HEL-2025-001216")
    ahjo.normal()
    assert ahjo.port == port
    assert http.get("/cases/HEL-2025-001216").status_code == 200
    assert ahjo.requests("HEL 2025-001216") == 1


def test_stopping_answers_held_requests_at_once() -> None:
    with FakeAhjo() as ahjo, httpx.Client(base_url=ahjo.base_url, timeout=5) as http:
        ahjo.slow(30)
        threading.Timer(0.1, ahjo.stop).start()
        started = time.monotonic()
        assert http.get("/cases/HEL-2025-001216").status_code == 503
        assert time.monotonic() - started < 2
