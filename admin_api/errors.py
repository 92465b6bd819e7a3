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
an error answers with the status of its nearest mapped class. ``str(error)`` is the detail."""


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: `body`/`query`/`path`, then the field.")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class ValidationProblem(Problem):
    """A 422: the request's data is refused; ``errors`` says where and why."""

    errors: list[FieldError] = []


class ApiError(Exception):
    """An error the API answers with ``status`` and a problem document.

    ``detail`` is shown to the caller: it must not tell anything the caller may not know.
    """

    status: int = 500

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None):
        super().__init__(detail or HTTPStatus(self.status).phrase)
        self.detail = detail
        self.headers = dict(headers or {})

    def extra(self) -> dict[str, Any]:
        """Members beyond type/title/status/detail."""
        return {}


class Unauthorized(ApiError):
    status = 401

    def __init__(self, detail: str = "A valid bearer token is required.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class Invalid(ApiError):
    """Well-formed data that refers to something that does not fit (422, like validation)."""

    status = 422

    def __init__(self, detail: str, *, loc: Sequence[str | int] = ("body",)) -> None:
        super().__init__(detail)
        self.loc = list(loc)

    def extra(self) -> dict[str, Any]:
        return {"errors": [{"loc": self.loc, "msg": self.detail, "type": "value_error"}]}


class TooManyAttempts(ApiError):
    status = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class Unavailable(ApiError):
    status = 503


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The ``application/problem+json`` response for ``status``."""
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail).model_dump()
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
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


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(exc.status, exc.detail, headers=exc.headers, extra=exc.extra())


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_methods_of(request)) or headers.get("Allow", "")
    return problem_response(exc.status_code, detail, headers=headers)


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
    errors = [
        FieldError(
            loc=[part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
            msg=str(error.get("msg", "")),
            type=str(error.get("type", "")),
        ).model_dump()
        for error in exc.errors()
    ]
    return problem_response(422, "The request's data is not valid.", extra={"errors": errors})


def _foreign_error(status: int) -> Callable[[Request, Exception], Any]:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(status, str(exc) or None)

    return handle


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs the exception and re-raises it after sending this.
    return problem_response(500, "Something went wrong on our side.")


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
