"""Errors of the admin API, all answered as ``application/problem+json`` (RFC 9457).

The tree of our own errors (each carries its HTTP status)::

    ApiError
    ├── Unauthorized      401  no valid bearer token (adds ``WWW-Authenticate: Bearer``)
    ├── Forbidden         403  the caller's role may not do this
    ├── NotFound          404  no such object, or one the caller may not know exists
    ├── Conflict          409  the object's state or another object refuses the change
    ├── Invalid           422  well-formed, but the data refuses it (an unknown fallback team)
    ├── TooManyAttempts   429  throttled (adds ``Retry-After``)
    └── Unavailable       503  a part of the service this route needs is not configured

Errors of other packages are translated here, at the edge: :data:`FOREIGN_ERRORS` maps the
names of ``routing.errors`` classes to statuses, so routing raises its own errors and never
knows about HTTP. Framework errors (``HTTPException``, request validation) and anything
unexpected (500) answer in the same shape.

Every problem speaks the caller's language (:mod:`admin_api.language`: ``Accept-Language``,
Finnish by default) and says so in ``Content-Language``: its ``title`` by status, its
``detail`` from the :class:`~admin_api.texts.Text` the error carries, whose key is the
problem's ``code``. Request validation keeps pydantic's per-field ``errors`` and translates
only the summary.

Routes declare the problems they may answer with :func:`problem_responses`, so the OpenAPI
document (and schemathesis) knows every status and its ``application/problem+json`` schema.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from admin_api.language import negotiate
from admin_api.texts import CATALOGUE, Language, Text, render, title

__all__ = [
    "FOREIGN_ERRORS",
    "PROBLEM_JSON",
    "ApiError",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "Problem",
    "TooManyAttempts",
    "Unauthorized",
    "Unavailable",
    "ValidationProblem",
    "install_problem_handlers",
    "problem_response",
    "problem_responses",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

FOREIGN_ERRORS: dict[str, dict[str, int]] = {
    "routing.errors": {
        "HandoffError": 400,
        "NotFound": 404,
        "Conflict": 409,
        "InvalidState": 409,
        "InvalidTarget": 422,
    },
}
"""Module → class name → status. A module or class that does not exist (yet) is skipped;
an error answers with the status of its nearest mapped class. Its ``code`` and ``params``
(a key of :data:`~admin_api.texts.CATALOGUE`) are the detail."""


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: `body`/`query`/`path`, then the field.")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, in the language of the request's ``Accept-Language``
    (``fi``, ``sv`` or ``en``; Finnish by default), which ``Content-Language`` names."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str | None = Field(
        None,
        description="What the detail says, as a stable key (`team_not_found`), so that a "
        "client may word it itself; absent when there is no detail.",
    )
    params: dict[str, str | int] = Field(
        default_factory=dict, description="The values the detail names, by the key's fields."
    )


class ValidationProblem(Problem):
    """A 422: the request's data is refused; ``errors`` says where and why."""

    errors: list[FieldError] = []


class ApiError(Exception):
    """An error the API answers with ``status`` and a problem document whose detail is
    ``text``, rendered in the caller's language.

    ``text`` is shown to the caller: it must not tell anything the caller may not know.
    ``detail`` (and ``str(error)``) is its English rendering, for logs and the command line.
    """

    status: int = 500

    def __init__(self, text: Text | None = None, *, headers: Mapping[str, str] | None = None):
        self.text = text
        self.detail = render(text, "en") if text is not None else None
        super().__init__(self.detail or HTTPStatus(self.status).phrase)
        self.headers = dict(headers or {})

    def extra(self, language: Language) -> dict[str, Any]:
        """Members beyond type/title/status/detail/code/params, in ``language``."""
        return {}


class Unauthorized(ApiError):
    status = 401

    def __init__(self, text: Text | None = None) -> None:
        super().__init__(text or Text("token_required"), headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Invalid(ApiError):
    """Well-formed data that refers to something that does not fit (422, like validation)."""

    status = 422

    def __init__(self, text: Text, *, loc: Sequence[str | int] = ("body",)) -> None:
        super().__init__(text)
        self.loc = list(loc)

    def extra(self, language: Language) -> dict[str, Any]:
        assert self.text is not None
        message = render(self.text, language)
        return {"errors": [{"loc": self.loc, "msg": message, "type": "value_error"}]}


class TooManyAttempts(ApiError):
    status = 429

    def __init__(self, text: Text, *, retry_after: int) -> None:
        super().__init__(text, headers={"Retry-After": str(max(1, retry_after))})


class Unavailable(ApiError):
    status = 503


def problem_response(
    status: int,
    text: Text | None = None,
    *,
    language: Language,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The ``application/problem+json`` response for ``status``, saying ``text``, in
    ``language``."""
    body = Problem(
        title=title(status, language),
        status=status,
        detail=render(text, language) if text is not None else None,
        code=text.key if text is not None else None,
        params=dict(text.params) if text is not None else {},
    ).model_dump()
    body.update(extra or {})
    return JSONResponse(
        body,
        status_code=status,
        headers={**(headers or {}), "Content-Language": language, "Vary": "Accept-Language"},
        media_type=PROBLEM_JSON,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route or router: these statuses answer with a problem document."""
    return {
        status: {
            "model": ValidationProblem if status == 422 else Problem,
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as a problem document, and say so in its OpenAPI."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for error_class, status in _foreign_errors():
        app.add_exception_handler(error_class, _foreign_error(status))
    app.add_exception_handler(Exception, _unexpected)
    _problem_media_type_in_openapi(app)


def _language(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"))


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    language = _language(request)
    return problem_response(
        exc.status, exc.text, language=language, headers=exc.headers, extra=exc.extra(language)
    )


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's and FastAPI's own refusals: no route (404), not its method (405), a body
    that cannot be read (400); their English details are replaced by ours."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    text: Text | None = None
    if exc.status_code == 404:
        text = Text("path_not_found")
    elif exc.status_code == 405:
        headers["Allow"] = ", ".join(_methods_of(request)) or headers.get("Allow", "")
        text = Text("method_not_allowed", method=request.method)
    elif exc.status_code == 400:
        text = Text("request_unreadable")
    return problem_response(exc.status_code, text, language=_language(request), headers=headers)


def _methods_of(request: Request) -> list[str]:
    """Every method the path answers to, by the OpenAPI document (Starlette names only the
    first matching route's)."""
    methods: set[str] = set()
    for path, operations in request.app.openapi().get("paths", {}).items():
        if re.fullmatch(re.sub(r"\\{[^/]+\\}", "[^/]+", re.escape(path)), request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # pydantic's messages stay as they are: they name the field, which is what a client
    # needs; the summary is ours.
    errors = [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            msg=str(error.get("msg", "")),
            type=str(error.get("type", "")),
        ).model_dump()
        for error in exc.errors()
    ]
    return problem_response(
        422, Text("request_invalid"), language=_language(request), extra={"errors": errors}
    )


def _foreign_error(status: int) -> Callable[[Request, Exception], Any]:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        code = getattr(exc, "code", None)
        params: Mapping[str, str | int] = getattr(exc, "params", {})
        text = Text(code, **params) if isinstance(code, str) and code in CATALOGUE else None
        return problem_response(status, text, language=_language(request))

    return handle


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the exception and re-raises it after sending this.
    return problem_response(500, Text("internal_error"), language=_language(request))


def _foreign_errors() -> list[tuple[type[Exception], int]]:
    found: list[tuple[type[Exception], int]] = []
    for module_name, classes in FOREIGN_ERRORS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        for class_name, status in classes.items():
            error_class = getattr(module, class_name, None)
            if isinstance(error_class, type) and issubclass(error_class, Exception):
                found.append((error_class, status))
    return found


def _problem_media_type_in_openapi(app: FastAPI) -> None:
    """FastAPI documents every response as ``application/json``; errors are problem+json."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[:1] in "45" and "application/json" in content:
                            content[PROBLEM_JSON] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
