"""Cases from Ahjo, Helsinki's decision system: ``GET {base}/cases/{id}?apireqlang=fi|sv`` turned
into our :class:`~knowledge.cases.Case`, and answers kept coming when Ahjo does not give them.

How one lookup goes::

    lookup(number, language)
     ├─ fresh in the cache (TTL; a 404 only briefly) ──────────────────────────► that answer
     ├─ the same number and language already asked ──► wait for that request (single flight)
     ├─ breaker open (failures in a row, cool-down not over) ──► last answer (stale) | Unavailable
     └─ fetch, at most `deadline` seconds in all, within a bound on concurrent requests;
        timeouts, connection errors and 5xx are retried with backoff and jitter, 4xx never
          ├─ 200 ──────► Case | NotPublic (cached)
          ├─ 404 ──────► NotFound (cached briefly)
          └─ failure (deadline, 5xx, other 4xx, a body that is no case) ──► stale | Unavailable

Ahjo has no English: ``en`` asks for Finnish. A Swedish answer without a title is replaced by the
Finnish one. The client never raises for anything Ahjo does, and logs case ids and reasons only.
An :class:`AhjoObserver` is told the outcome and duration of every request (the process turns
them into metrics; this module knows nothing of those).
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import random
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Final, Protocol, Self

import httpx

from knowledge.ahjo_format import case_from_ahjo
from knowledge.cases import Case, Lookup, NotFound, NotPublic, Unavailable, case_id
from store import Clock

__all__ = [
    "API_KEY_HEADER",
    "REQUEST_OUTCOMES",
    "AhjoClient",
    "AhjoCounters",
    "AhjoObserver",
    "case_from_ahjo",
]

API_KEY_HEADER: Final = "api-key"
"""The header the API key travels in, as helsinki-paatokset's Ahjo proxy client sends it."""

_log = logging.getLogger(__name__)

_Answer = Case | NotFound | NotPublic
_Key = tuple[str, str]  # Ahjo's case id, apireqlang


REQUEST_OUTCOMES: Final = (
    "ok",
    "not_found",
    "server_error",
    "client_error",
    "unreadable",
    "timeout",
    "connection_error",
    "abandoned",
)
"""What one request to Ahjo can end in: a case (or a case that is not public), 404, 5xx,
another 4xx, a body that is no case, no answer in time, no connection, or given up by us (the
lookup's deadline passed or the process is stopping)."""


class AhjoObserver(Protocol):
    """Hears of every HTTP request the client makes (retries included)."""

    def request_done(self, outcome: str, seconds: float) -> None:
        """A request ended in ``outcome`` (one of :data:`REQUEST_OUTCOMES`) after ``seconds``."""
        ...


class _AhjoFailed(Exception):
    """Ahjo gave no usable answer; the message says why (no resident text in it)."""


# ---------------------------------------------------------------------- resilience parts


@dataclass(slots=True)
class AhjoCounters:
    """What the client has done since it was made (plain numbers, for logs and metrics)."""

    requests: int = 0
    """HTTP requests sent, retries included."""
    fresh_hits: int = 0
    """Answered from the cache within its TTL, without a request."""
    shared: int = 0
    """Lookups that waited for the same lookup already in flight."""
    failures: int = 0
    """Fetches that ended without an answer (after their retries)."""
    stale_served: int = 0
    """Answers given from the cache, marked stale, because Ahjo did not answer."""
    unavailable: int = 0
    """Lookups answered :class:`Unavailable`."""
    short_circuited: int = 0
    """Lookups answered without a request because the breaker was open."""
    breaker_opened: int = 0
    queued_out: int = 0
    """Fetches that waited for a free slot until too little of the deadline was left for one
    attempt (not counted against Ahjo by the breaker)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    answer: _Answer
    stored_at: datetime
    fresh_until: datetime


class _Admission(enum.Enum):
    GO = "go"
    PROBE = "probe"
    REFUSED = "refused"


class _Breaker:
    """Closed: requests go. After ``threshold`` failed fetches in a row it opens: no requests for
    ``cool_down``. Then half-open: one probe goes; its success closes it, its failure opens it
    again for another cool-down."""

    def __init__(self, threshold: int, cool_down: timedelta) -> None:
        self._threshold = threshold
        self._cool_down = cool_down
        self._failures = 0
        self._opened_at: datetime | None = None
        self._probing = False

    @property
    def failures(self) -> int:
        """Failed fetches since the last success."""
        return self._failures

    def state(self, now: datetime) -> str:
        if self._opened_at is None:
            return "closed"
        if self._probing or now - self._opened_at >= self._cool_down:
            return "half-open"
        return "open"

    def admit(self, now: datetime) -> _Admission:
        state = self.state(now)
        if state == "closed":
            return _Admission.GO
        if state == "half-open" and not self._probing:
            self._probing = True
            return _Admission.PROBE
        return _Admission.REFUSED

    def succeeded(self) -> None:
        """Ahjo answered: closed again, whoever asked."""
        self._failures, self._opened_at, self._probing = 0, None, False

    def failed(self, now: datetime, admission: _Admission) -> bool:
        """Count a failed fetch; True when it opens the breaker."""
        self._failures += 1
        if admission is _Admission.PROBE:
            self._probing = False
        elif self._opened_at is not None or self._failures < self._threshold:
            return False
        self._opened_at = now
        return True

    def abandoned(self, admission: _Admission) -> None:
        """A fetch ended without an outcome (cancelled): let another probe go."""
        if admission is _Admission.PROBE:
            self._probing = False


# ---------------------------------------------------------------------- the client


class AhjoClient:
    """:class:`~knowledge.cases.CaseSource` over Ahjo's REST API; see the module docstring.

    ``deadline`` bounds a whole lookup in seconds, retries and waiting for a free slot included;
    ``attempt_timeout`` bounds one request. Cache times (``ttl``, ``not_found_ttl``,
    ``max_stale``) and the breaker's ``cool_down`` are measured with ``clock``. Use as an async
    context manager, or call :meth:`aclose`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        clock: Clock,
        api_key: str | None = None,
        deadline: float = 3.0,
        attempt_timeout: float = 1.5,
        attempts: int = 3,
        backoff: float = 0.1,
        ttl: timedelta = timedelta(minutes=5),
        not_found_ttl: timedelta = timedelta(minutes=1),
        max_stale: timedelta = timedelta(days=7),
        failure_threshold: int = 5,
        cool_down: timedelta = timedelta(seconds=30),
        max_concurrency: int = 16,
        cache_size: int = 50_000,
        transport: httpx.AsyncBaseTransport | None = None,
        observer: AhjoObserver | None = None,
    ) -> None:
        self._clock = clock
        self._observer = observer
        self._last_failure: str | None = None
        self._deadline = deadline
        self._attempt_timeout = attempt_timeout
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._ttl = ttl
        self._not_found_ttl = not_found_ttl
        self._max_stale = max_stale
        self._cache_size = cache_size
        self._cache: OrderedDict[_Key, _Entry] = OrderedDict()
        self._flights: dict[_Key, asyncio.Future[_Answer | _AhjoFailed]] = {}
        self._breaker = _Breaker(failure_threshold, cool_down)
        self._slots = asyncio.Semaphore(max_concurrency)
        self._counters = AhjoCounters()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={API_KEY_HEADER: api_key} if api_key else None,
            timeout=httpx.Timeout(attempt_timeout),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            transport=transport,
        )

    @property
    def counters(self) -> AhjoCounters:
        """A copy of the counters now."""
        return replace(self._counters)

    @property
    def breaker_state(self) -> str:
        """``closed``, ``open`` or ``half-open``."""
        return self._breaker.state(self._clock.now())

    @property
    def failures_in_a_row(self) -> int:
        """Fetches that ended without an answer since Ahjo last answered."""
        return self._breaker.failures

    @property
    def last_failure(self) -> str | None:
        """Why the latest of those failed (no resident text in it); None once Ahjo answers."""
        return self._last_failure

    async def lookup(self, diary_number: str, *, language: str = "fi") -> Lookup:
        try:
            key = (case_id(diary_number), "sv" if language == "sv" else "fi")
        except ValueError:
            return NotFound(diary_number)
        now = self._clock.now()
        entry = self._cache.get(key)
        if entry is not None and now < entry.fresh_until:
            self._counters.fresh_hits += 1
            return entry.answer
        flight = self._flights.get(key)
        if flight is not None:
            self._counters.shared += 1
        else:
            admission = self._breaker.admit(now)
            if admission is _Admission.REFUSED:
                self._counters.short_circuited += 1
                return self._fallback(key, diary_number, "the breaker is open")
            flight = asyncio.create_task(self._fetch(key, diary_number, admission))
            self._flights[key] = flight
            flight.add_done_callback(functools.partial(self._landed, key))
        outcome = await asyncio.shield(flight)
        if isinstance(outcome, _AhjoFailed):
            return self._fallback(key, diary_number, str(outcome))
        return outcome

    async def aclose(self) -> None:
        flights = list(self._flights.values())
        for flight in flights:
            flight.cancel()
        await asyncio.gather(*flights, return_exceptions=True)
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _landed(self, key: _Key, flight: asyncio.Future[_Answer | _AhjoFailed]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]

    def _fallback(self, key: _Key, diary_number: str, reason: str) -> Lookup:
        """The last answer when it is not too old (a case marked stale), else Unavailable."""
        entry = self._cache.get(key)
        if entry is not None and self._clock.now() - entry.stored_at <= self._max_stale:
            if isinstance(entry.answer, Case):
                self._counters.stale_served += 1
                _log.debug("Ahjo: %s answered from the cache (%s)", key[0], reason)
                return replace(entry.answer, stale=True)
            if isinstance(entry.answer, NotPublic):
                return entry.answer
        self._counters.unavailable += 1
        return Unavailable(diary_number, reason)

    async def _fetch(
        self, key: _Key, diary_number: str, admission: _Admission
    ) -> _Answer | _AhjoFailed:
        """One shared fetch: its outcome cached and counted by the breaker. Never raises but
        for cancellation."""
        ahjo_id, language = key
        attempts = 1 if admission is _Admission.PROBE else self._attempts
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._deadline
        asked_at = give_up_at
        try:
            async with asyncio.timeout_at(give_up_at), self._slots:
                asked_at = loop.time()
                answer = await self._get(ahjo_id, language, diary_number, attempts)
            if language == "sv" and isinstance(answer, Case) and not answer.title:
                answer = await self._in_finnish(answer, ahjo_id, diary_number, give_up_at)
        except TimeoutError:
            if give_up_at - asked_at < self._attempt_timeout:
                # Our own queue left Ahjo too little time: no fault of Ahjo's, the breaker stays.
                self._breaker.abandoned(admission)
                self._counters.queued_out += 1
                _log.debug("Ahjo: %s not asked in time: too many lookups at once", ahjo_id)
                return _AhjoFailed("too many lookups at once")
            late = _AhjoFailed(f"no answer within {self._deadline:g} s")
            return self._failed(key, late, admission)
        except _AhjoFailed as failure:
            return self._failed(key, failure, admission)
        except asyncio.CancelledError:
            self._breaker.abandoned(admission)
            raise
        except Exception as exc:  # a bug of ours must not reach the resident either
            _log.exception("Ahjo: looking up %s failed unexpectedly", ahjo_id)
            broken = _AhjoFailed(f"unexpected {type(exc).__name__}")
            return self._failed(key, broken, admission)
        self._breaker.succeeded()
        self._last_failure = None
        self._remember(key, answer)
        return answer

    async def _in_finnish(
        self, swedish: Case, ahjo_id: str, diary_number: str, give_up_at: float
    ) -> _Answer:
        """The Finnish answer in place of a Swedish one without a title, if Ahjo gives it in
        time; else the Swedish one."""
        try:
            async with asyncio.timeout_at(give_up_at), self._slots:
                finnish = await self._get(ahjo_id, "fi", diary_number, 1)
        except (TimeoutError, _AhjoFailed) as exc:
            _log.debug("Ahjo: no Finnish title for %s (%s)", ahjo_id, exc)
            return swedish
        self._remember((ahjo_id, "fi"), finnish)
        if isinstance(finnish, NotPublic) or (isinstance(finnish, Case) and finnish.title):
            return finnish
        return swedish

    def _failed(self, key: _Key, failure: _AhjoFailed, admission: _Admission) -> _AhjoFailed:
        self._counters.failures += 1
        self._last_failure = str(failure)
        first = self._breaker.failures == 0
        if self._breaker.failed(self._clock.now(), admission):
            self._counters.breaker_opened += 1
            _log.warning("Ahjo: breaker open after repeated failures (last: %s)", failure)
        # One warning per run of failures: an outage must not flood the log.
        level = logging.WARNING if first else logging.DEBUG
        _log.log(level, "Ahjo: no answer for %s: %s", key[0], failure)
        return failure

    def _remember(self, key: _Key, answer: _Answer) -> None:
        now = self._clock.now()
        ttl = self._not_found_ttl if isinstance(answer, NotFound) else self._ttl
        self._cache[key] = _Entry(answer, stored_at=now, fresh_until=now + ttl)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _get(self, ahjo_id: str, language: str, diary_number: str, attempts: int) -> _Answer:
        """Ask Ahjo, retrying what may pass; raises _AhjoFailed."""
        failure = _AhjoFailed("no attempt made")
        for attempt in range(attempts):
            if attempt:
                pause = self._backoff * 2 ** (attempt - 1)
                await asyncio.sleep(pause / 2 + random.uniform(0, pause / 2))
            self._counters.requests += 1
            started = time.perf_counter()
            try:
                response = await self._http.get(f"cases/{ahjo_id}", params={"apireqlang": language})
            except httpx.TransportError as exc:  # timeouts, refused and reset connections
                timed_out = isinstance(exc, httpx.TimeoutException)
                self._observe("timeout" if timed_out else "connection_error", started)
                failure = _AhjoFailed(f"{type(exc).__name__} from Ahjo")
                _log.debug("Ahjo: %s attempt %d: %s", ahjo_id, attempt + 1, failure)
                continue
            except httpx.HTTPError as exc:
                self._observe("connection_error", started)
                raise _AhjoFailed(f"{type(exc).__name__} from Ahjo") from exc
            except asyncio.CancelledError:
                self._observe("abandoned", started)
                raise
            status = response.status_code
            if status == httpx.codes.NOT_FOUND:
                self._observe("not_found", started)
                return NotFound(diary_number)
            if status >= httpx.codes.INTERNAL_SERVER_ERROR:
                self._observe("server_error", started)
                failure = _AhjoFailed(f"Ahjo answered {status}")
                _log.debug("Ahjo: %s attempt %d: %s", ahjo_id, attempt + 1, failure)
                continue
            if status != httpx.codes.OK:
                self._observe("client_error", started)
                raise _AhjoFailed(f"Ahjo answered {status}")
            try:
                answer = case_from_ahjo(
                    response.json(), diary_number=diary_number, fetched_at=self._clock.now()
                )
            except ValueError as exc:  # not JSON, or JSON that is no case
                self._observe("unreadable", started)
                raise _AhjoFailed("Ahjo's answer is not a case") from exc
            self._observe("ok", started)
            return answer
        raise failure

    def _observe(self, outcome: str, started: float) -> None:
        if self._observer is not None:
            self._observer.request_done(outcome, time.perf_counter() - started)
