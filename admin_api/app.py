"""The officials' side: the FastAPI application that the one process serves.

``create_app(context)`` builds the admin API under :data:`API_PREFIX`; the composition root
(``talkkari.http``) adds the process-level routes (``/healthz``, ``/metrics``, the Telegram
webhook) beside it. Without a context the routes exist (``/openapi.json`` is complete) but
answer 503. A feature adds its ``APIRouter`` to :data:`ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from admin_api import (
    area_channels,
    articles,
    audit,
    auth,
    cases,
    conversations,
    events,
    notices,
    officials,
    rules,
    sessions,
    teams,
)
from admin_api.context import AdminContext
from admin_api.deps import API_PREFIX
from admin_api.errors import install_problem_handlers

__all__ = ["API_PREFIX", "ROUTERS", "create_app"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    sessions.router,
    teams.router,
    officials.router,
    rules.router,
    cases.router,
    audit.router,
    conversations.router,
    events.router,
    notices.router,
    area_channels.router,
    articles.router,
)


def create_app(context: AdminContext | None = None) -> FastAPI:
    """The admin API working with ``context``."""
    app = FastAPI(
        title="Kaupunkitalkkari",
        summary="The city's caretaker bot: the officials' and communications staff's API.",
        version="0.1.0",
    )
    app.state.admin_context = context
    install_problem_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
