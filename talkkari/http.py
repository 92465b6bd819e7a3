"""The one HTTP server: the admin API, the Telegram webhook, ``/healthz`` and ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import tzinfo

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select
from starlette.responses import Response

import admin_api
from admin_api.context import Explain, SessionPolicy
from bot.channels.telegram import TelegramChannel
from knowledge.editions import ArticlePack
from knowledge.notices import AreaLookup
from routing import HELSINKI, InboxBell
from store import Clock, Database, InboundUpdate
from talkkari.health import Health
from talkkari.metrics import OperationsMetrics

__all__ = ["build_http_app"]

log = logging.getLogger(__name__)


def build_http_app(
    *,
    database: Database,
    registry: CollectorRegistry,
    telegram: TelegramChannel | None,
    telegram_mode: str,
    clock: Clock,
    secret_key: str,
    session_policy: SessionPolicy | None = None,
    on_routing_changed: Callable[[], Awaitable[None]] | None = None,
    explain: Explain | None = None,
    bell: InboxBell | None = None,
    timezone: tzinfo = HELSINKI,
    areas: AreaLookup | None = None,
    notice_languages: tuple[str, ...] = ("fi", "sv"),
    articles: ArticlePack | None = None,
    on_articles_changed: Callable[[], Awaitable[None]] | None = None,
    health: Health | None = None,
    operations: OperationsMetrics | None = None,
) -> FastAPI:
    """``health`` answers ``/healthz`` (by default: the database and ``telegram`` only, the
    rest off); ``operations`` are the gauges ``/metrics`` reads when scraped."""
    health = health or Health(database=database, clock=clock, telegram=telegram)
    operations = operations or OperationsMetrics(registry)
    app = admin_api.create_app(
        admin_api.AdminContext(
            database=database,
            clock=clock,
            secret_key=secret_key,
            session_policy=session_policy or SessionPolicy(),
            on_routing_changed=on_routing_changed,
            explain=explain,
            bell=bell,
            timezone=timezone,
            areas=areas,
            notice_languages=notice_languages,
            articles=articles,
            on_articles_changed=on_articles_changed,
        )
    )
    updates_pending = Gauge(
        "talkkari_updates_pending",
        "Stored updates the dialogue has not handled yet.",
        registry=registry,
    )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        status_code, body = await health.check()
        return JSONResponse(body, status_code=status_code)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        async with database.sessions() as session:
            await operations.scrape(session, clock.now())
            updates_pending.set(
                await session.scalar(select(func.count()).where(InboundUpdate.handled_at.is_(None)))
                or 0
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    if telegram is not None and telegram_mode == "webhook":
        app.add_route("/telegram/webhook", telegram.webhook, methods=["POST"])
    return app
