"""`FakeAhjo`: the HTTP server, its failure modes, and the cases it serves."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.ahjo.casebook import (
    DEFAULT_SECURITY_REASON,
    CaseBook,
    JSONDict,
    later_version,
    non_public_version,
)
from tests.fakes.serving import Served, ServerThread

API_PATH: Final = "/ahjorest/v1"
API_KEY_HEADER: Final = "api-key"
LANGUAGES: Final = frozenset({"fi", "sv"})
MALFORMED_BODY: Final = b'{"CaseIDLabel": "HEL 2025-001216", "Title": "Valtuustoaloite, Haltia'


@dataclass(frozen=True, slots=True)
class _Failure:
    status: int
    malformed: bool = False  # 200 with `MALFORMED_BODY`


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": {"code": status, "message": message}}, status_code=status)


def ahjo_id(case_id: str) -> str:
    """``HEL 2025-001216`` or ``HEL-2025-001216`` → ``HEL-2025-001216``."""
    return case_id.strip().replace(" ", "-")


class FakeAhjo(Served):
    """Fake Ahjo REST API; see the `tests.fakes.ahjo` package docstring.

    Contract:

    * ``GET {base_url}/cases/{id}?apireqlang=fi|sv`` answers the case (``apireqlang`` defaults to
      ``fi``; any other language answers 400). An unknown id answers 404 with a JSON body
      ``{"error": {"code": 404, "message": …}}`` (the real API's error body is not in the
      reference data; clients should not rely on it). Any other path answers 404.
    * With ``api_key`` set, a request without header ``api-key: <key>`` answers 401.
    * Every request that reaches the server is counted, failed ones included: `requests`,
      `total_requests`. Requests refused while `down` never reach it and are not counted.
    * Order: count, `slow` delay, `fail`/`malformed`, API key, language, the case.
    * Failure modes are switched at runtime from any thread and stay until `normal` (or, with
      ``times``, for that many requests). Case changes (`set_case`, `advance`, `not_found`,
      `make_non_public`) stay until `restore` or `reset`.
    """

    def __init__(self, *, api_key: str | None = None, port: int = 0) -> None:
        self.api_key: Final = api_key
        self._lock = threading.Lock()
        self._book = CaseBook()
        self._init_modes()
        self._total = 0
        self._counts: Counter[str] = Counter()
        self._in_flight = 0
        self._peak = 0
        # The server loop's: held (`slow`) requests wait on `_release`, set by `normal`/`stop`.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._stopping = False
        self._down = False
        app = Starlette(
            routes=[
                Route(API_PATH + "/cases/{case_id}", self._case, methods=["GET"]),
                Route("/{path:path}", self._no_route, methods=["GET", "POST"]),
            ]
        )
        self._serving = ServerThread(
            app, name="FakeAhjo", port=port, on_start=self._on_start, on_stop=self._on_stop
        )

    def _init_modes(self) -> None:
        self._delay = 0.0
        self._failure: _Failure | None = None
        self._failures_left: int | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        return self._serving.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/ahjorest/v1``, the client's base URL; needs `start()`."""
        if not self.port:
            raise RuntimeError("FakeAhjo has no port yet: call start() first")
        return f"http://127.0.0.1:{self.port}{API_PATH}"

    @property
    def running(self) -> bool:
        return self._serving.running

    def start(self) -> Self:
        """Start serving; returns once connections are accepted. Idempotent."""
        with self._lock:
            self._down = False
        self._serving.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; held (`slow`) requests answer 503 at once."""
        self._serving.stop()
        self._loop = None

    def _on_start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop, self._release, self._stopping = loop, asyncio.Event(), False

    def _on_stop(self) -> None:
        self._stopping = True
        self._release_held()

    def _release_held(self) -> None:
        """Let every held request answer now (server loop only)."""
        if self._release is not None:
            self._release.set()
            self._release = asyncio.Event()

    # ------------------------------------------------------------------ failure modes

    def slow(self, seconds: float) -> None:
        """Hold every request ``seconds`` before answering (as it would answer otherwise)."""
        with self._lock:
            self._delay = seconds

    def fail(self, status: int = 500, *, times: int | None = None) -> None:
        """Answer ``status`` with a JSON error body: every request, or the next ``times``."""
        self._set_failure(_Failure(status), times)

    def malformed(self, *, times: int | None = None) -> None:
        """Answer 200 ``application/json`` with a cut-off, unparsable body."""
        self._set_failure(_Failure(200, malformed=True), times)

    def _set_failure(self, failure: _Failure, times: int | None) -> None:
        with self._lock:
            self._failure, self._failures_left = failure, times

    def down(self) -> None:
        """Stop listening, keeping the port: connections are refused (and kept-alive ones closed)
        until `normal` or `start`. Blocks until the port is closed."""
        with self._lock:
            self._down = self._serving.running
        self.stop()

    def normal(self) -> None:
        """End `slow` (requests held now answer at once), `fail`, `malformed` and `down`; case
        changes stay."""
        with self._lock:
            self._init_modes()
            was_down, self._down = self._down, False
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._release_held)
        if was_down:
            self._serving.start()

    def reset(self) -> None:
        """`normal`, every case as in the reference data, no synthesised cases, counts zero."""
        self.normal()
        with self._lock:
            self._book.reset()
            self._total = 0
            self._counts.clear()
            self._peak = 0

    # ------------------------------------------------------------------ cases

    def case(self, case_id: str, *, language: str | None = None) -> JSONDict | None:
        """A copy of what is served for ``case_id`` (``None``: the default version)."""
        with self._lock:
            return self._book.payload(ahjo_id(case_id), language)

    def set_case(self, case_id: str, payload: JSONDict, *, language: str | None = None) -> None:
        """Serve ``payload`` (either shape) for ``case_id``, in ``language`` only if given."""
        with self._lock:
            self._book.set(ahjo_id(case_id), payload, language)

    def not_found(self, case_id: str) -> None:
        """Answer 404 for ``case_id`` from now on."""
        with self._lock:
            self._book.remove(ahjo_id(case_id))

    def restore(self, case_id: str) -> None:
        """Serve the reference version of ``case_id`` again (undoes every change to it)."""
        with self._lock:
            self._book.restore(ahjo_id(case_id))

    def advance(
        self, case_id: str, *, status: str | None = None, issued: date | None = None
    ) -> JSONDict:
        """Serve a later version of the case, made from the one served now: a new handling
        (``WorkSequenceNumber`` one above the highest, ``Päättynyt``), a new decision record
        (a new ``NativeId``, issued ``issued``, default today), and status ``status`` (default
        ``Vireillä`` → ``Päätetty``). Returns the new version. Raises KeyError for an unknown
        id."""
        key = ahjo_id(case_id)
        day = issued or datetime.now(UTC).date()
        with self._lock:
            return self._book.change(
                key,
                lambda payload, count: later_version(
                    payload, key, version=count, status=status, issued=day
                ),
            )

    def make_non_public(
        self, case_id: str, *, reasons: tuple[str, ...] = (DEFAULT_SECURITY_REASON,)
    ) -> None:
        """Mark the case ``Salassa pidettävä`` with ``SecurityReasons`` (its other fields stay,
        so a client revealing any of them is caught)."""
        with self._lock:
            self._book.change(
                ahjo_id(case_id), lambda payload, count: non_public_version(payload, list(reasons))
            )

    def synthesise(self, count: int) -> list[str]:
        """Serve ``count`` more cases, **made up**: clones of the 395 real cases of
        ``cases_latest.json`` (in turn) under new numbers ``HEL-2090-000001``… (a year no real
        case has). Their content is real, their ids are not. Returns the new ids."""
        with self._lock:
            return self._book.synthesise(count)

    def case_ids(self) -> list[str]:
        """Every id served in the form ``HEL-yyyy-nnnnnn`` (what a diary number asks for),
        synthesised ones included, sorted."""
        with self._lock:
            return self._book.case_ids()

    # ------------------------------------------------------------------ counts

    def requests(self, case_id: str) -> int:
        """Requests that reached the server for ``case_id`` (either spelling)."""
        with self._lock:
            return self._counts[ahjo_id(case_id)]

    @property
    def total_requests(self) -> int:
        with self._lock:
            return self._total

    @property
    def peak_concurrency(self) -> int:
        """The most requests the server has held at one time (since `reset`)."""
        with self._lock:
            return self._peak

    # ------------------------------------------------------------------ HTTP

    async def _no_route(self, request: Request) -> Response:
        return _error(404, "Not Found")

    async def _case(self, request: Request) -> Response:
        case_id: str = request.path_params["case_id"]
        with self._lock:
            self._total += 1
            self._counts[case_id] += 1
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
            delay = self._delay
            failure = self._take_failure()
        try:
            return await self._answer(request, case_id, delay, failure)
        finally:
            with self._lock:
                self._in_flight -= 1

    async def _answer(
        self, request: Request, case_id: str, delay: float, failure: _Failure | None
    ) -> Response:
        if delay > 0 and not await self._held(delay):
            return _error(503, "Service Unavailable")
        if failure is not None:
            if failure.malformed:
                return Response(MALFORMED_BODY, media_type="application/json")
            return _error(failure.status, "Internal Server Error")
        if self.api_key is not None and request.headers.get(API_KEY_HEADER) != self.api_key:
            return _error(401, "Access denied due to missing or invalid API key")
        language = request.query_params.get("apireqlang", "fi")
        if language not in LANGUAGES:
            return _error(400, f"Unsupported apireqlang: {language}")
        with self._lock:
            body = self._book.body(case_id, language)
        if body is None:
            return _error(404, f"Case {case_id} not found")
        return Response(body, media_type="application/json")

    def _take_failure(self) -> _Failure | None:
        failure = self._failure
        if failure is not None and self._failures_left is not None:
            self._failures_left -= 1
            if self._failures_left <= 0:
                self._failure, self._failures_left = None, None
        return failure

    async def _held(self, seconds: float) -> bool:
        """Wait ``seconds`` or until released; False when the server is stopping."""
        release = self._release
        if release is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await release.wait()
        return not self._stopping
