"""A fake Ahjo REST API (Helsinki's decision system) for tests and benchmarks.

`FakeAhjo` serves ``GET /ahjorest/v1/cases/{id}?apireqlang=fi|sv`` over real HTTP (Starlette +
uvicorn) on 127.0.0.1, from a thread of its own, with the real responses kept in
``tests/fixtures/ahjo/`` (see `tests.fakes.ahjo.casebook` for what is real and what the fake
makes up)::

    with FakeAhjo() as ahjo:
        client = AhjoClient(ahjo.base_url, clock=clock)
        ahjo.fail(500)                  # or slow(5), malformed(), down(), not_found(id)…
        ahjo.normal()
        ahjo.advance("HEL-2025-001216")  # a later version of the case
        assert ahjo.requests("HEL-2025-001216") == 1

All methods are thread-safe and may be called from any thread, also from inside a running event
loop (`down` and `normal` block for the few milliseconds a stop or start takes).

Run it by hand with ``python -m tests.fakes.ahjo --port 8082``.
"""

from tests.fakes.ahjo.casebook import FIXTURES, SYNTHETIC_YEAR, case_of
from tests.fakes.ahjo.server import API_KEY_HEADER, API_PATH, FakeAhjo, ahjo_id

__all__ = [
    "API_KEY_HEADER",
    "API_PATH",
    "FIXTURES",
    "SYNTHETIC_YEAR",
    "FakeAhjo",
    "ahjo_id",
    "case_of",
]
