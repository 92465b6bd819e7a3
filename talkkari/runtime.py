"""The composition root: one process wires the channels, the dialogue, the sender and HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import uvicorn
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from telegram.error import InvalidToken, TelegramError

from bot.actions import DEFAULT_POLICY, default_actions
from bot.areas import AreaBook, StoredNotices
from bot.cases import CaseWatcher, FollowBook, WatchPolicy
from bot.cases.prefetch import CasePrefetch
from bot.channels import telegram as telegram_channel
from bot.channels.telegram import TelegramChannel
from bot.dialogue import Dialogue
from bot.flooding import FloodLimit
from bot.groups import GroupLinks
from bot.handoff import HandoffEdge, WithPeople
from bot.intake import Intake
from bot.metrics import BotMetrics
from bot.notices import NoticeDispatcher
from bot.ports import Transport
from bot.privacy import PrivacyBook, PrivacyNotice
from bot.sender import Sender, SenderPolicy
from intents import Understanding
from knowledge.ahjo import AhjoClient
from knowledge.areas import area_registry
from knowledge.editions import ArticlePack
from knowledge.lookup import Cases
from knowledge.registry import CaseRegistry
from knowledge.reload import KnowledgeReload
from knowledge.retrieval import KnowledgeBase, LiveKnowledge
from routing import InboxBell, Router, TeamInfo, make_promise
from routing.sla import SlaWatch
from store import Clock, Database, SystemClock, Team, upgrade
from store.retention import RetentionJob
from talkkari.explain import routing_explainer
from talkkari.http import build_http_app
from talkkari.settings import Settings, TelegramMode

__all__ = ["Runtime", "serve"]

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10.0


@dataclass
class Runtime:
    """Everything one process runs, built from the settings and nothing else."""

    settings: Settings
    database: Database
    clock: Clock
    metrics: BotMetrics
    registry: CollectorRegistry
    dialogue: Dialogue
    intake: Intake
    sender: Sender
    cases: Cases
    ahjo: AhjoClient | None
    watcher: CaseWatcher
    notices: NoticeDispatcher
    router: Router
    sla: SlaWatch
    retention: RetentionJob
    bell: InboxBell
    telegram: TelegramChannel | None
    http: FastAPI
    knowledge: LiveKnowledge
    """The service articles answered from; swap them with ``knowledge.replace``."""
    knowledge_reload: KnowledgeReload
    """Lays the versions officials saved over the pack in ``knowledge``, and keeps it so."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        extra_transports: Mapping[str, Transport] | None = None,
        channels: set[str] | None = None,
        understanding: Understanding | None = None,
    ) -> Runtime:
        clock = clock or SystemClock()
        database = Database(settings.database_url)
        registry = CollectorRegistry()
        metrics = BotMetrics.create(registry)
        understanding = understanding or Understanding.load_or_train(settings.nlu_cache_dir)
        ahjo = (
            AhjoClient(
                str(settings.ahjo_url).rstrip("/"),
                clock=clock,
                api_key=settings.ahjo_api_key.get_secret_value() if settings.ahjo_api_key else None,
                deadline=settings.ahjo_deadline,
            )
            if settings.ahjo_url
            else None
        )
        cases = Cases(CaseRegistry(database), ahjo, clock=clock)
        watch_interval = timedelta(seconds=settings.case_watch_interval)
        timezone = ZoneInfo(settings.timezone)
        router = Router(database, timezone=timezone)
        # A bad pack stops the start with one line naming the file (ArticleError, see cli).
        pack = ArticlePack.read(settings.kb_directory)
        knowledge = LiveKnowledge(KnowledgeBase(pack.articles.values()))
        knowledge_reload = KnowledgeReload(database, pack, knowledge)
        bell = InboxBell()
        privacy = PrivacyNotice(
            url=str(settings.privacy_notice_url) if settings.privacy_notice_url else None,
            retention_months=settings.retention_months,
        )
        dialogue = Dialogue(
            actions=default_actions(
                cases,
                router=router,
                clock=clock,
                timezone=timezone,
                notices=StoredNotices(database, area_registry(), clock=clock),
                privacy=privacy,
                knowledge=knowledge,
            ),
            policy=DEFAULT_POLICY,
            clock=clock,
            metrics=metrics,
            understand=understanding.parse,
            edges=[
                FollowBook(check_interval=watch_interval),
                HandoffEdge(),
                AreaBook(),
                PrivacyBook(),
            ],
            preparers=[CasePrefetch(cases)],
            people=WithPeople(router, timezone=timezone),
            groups=GroupLinks(area_registry()),
        )
        outbox_doorbell = asyncio.Event()
        transports: dict[str, Transport] = dict(extra_transports or {})
        intake = Intake(
            database,
            dialogue,
            channels=set(channels or transports)
            | ({telegram_channel.CHANNEL} if settings.telegram_token else set()),
            clock=clock,
            metrics=metrics,
            on_answer=outbox_doorbell.set,
            flood=FloodLimit(settings.flood_messages_per_minute, settings.flood_pace_seconds),
        )
        telegram = None
        if settings.telegram_token is not None:
            webhook = settings.telegram_mode is TelegramMode.WEBHOOK
            telegram = TelegramChannel(
                token=settings.telegram_token.get_secret_value(),
                base_url=settings.telegram_base_url,
                record=intake.record_many,
                poll_timeout=settings.telegram_poll_timeout,
                spacing=telegram_channel.Spacing(
                    private=settings.telegram_chat_spacing, group=settings.telegram_group_spacing
                ),
                webhook_url=str(settings.webhook_url) if webhook else None,
                webhook_secret=settings.webhook_secret.get_secret_value()
                if webhook and settings.webhook_secret
                else None,
            )
            transports[telegram_channel.CHANNEL] = telegram.transport
        sender = Sender(
            database,
            transports,
            clock=clock,
            metrics=metrics,
            policy=SenderPolicy(
                rate=settings.send_rate, lease_seconds=settings.outbox_lease_seconds
            ),
            doorbell=outbox_doorbell,
        )
        watcher = CaseWatcher(
            database,
            cases,
            clock=clock,
            policy=WatchPolicy(interval=watch_interval),
            on_notice=outbox_doorbell.set,
        )
        areas = area_registry()
        notices = NoticeDispatcher(
            database, clock=clock, registry=areas, on_queued=outbox_doorbell.set
        )

        def due_for(team: Team, now: datetime) -> datetime | None:
            info = router.team(team.id) or TeamInfo.from_row(team, timezone=timezone)
            return make_promise(info, now).due_at

        sla = SlaWatch(database, clock=clock, due_for=due_for, on_change=bell.ring)
        retention = RetentionJob(database, clock=clock, months=settings.retention_months)
        http = build_http_app(
            database=database,
            registry=registry,
            telegram=telegram,
            telegram_mode=settings.telegram_mode.value if telegram else "off",
            clock=clock,
            secret_key=settings.secret_key.get_secret_value(),
            on_routing_changed=router.refresh,
            explain=routing_explainer(understanding.parse, router),
            bell=bell,
            timezone=timezone,
            areas=areas,
            notice_languages=settings.required_notice_languages,
            articles=knowledge_reload.pack,
            on_articles_changed=knowledge_reload.refresh,
        )
        return cls(
            settings=settings,
            database=database,
            clock=clock,
            metrics=metrics,
            registry=registry,
            dialogue=dialogue,
            intake=intake,
            sender=sender,
            cases=cases,
            ahjo=ahjo,
            watcher=watcher,
            notices=notices,
            router=router,
            sla=sla,
            retention=retention,
            bell=bell,
            telegram=telegram,
            http=http,
            knowledge=knowledge,
            knowledge_reload=knowledge_reload,
        )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the runtime decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    runtime: Runtime,
    *,
    on_ready: Callable[[], None] | None = None,
    stop: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run HTTP, the Telegram channel, the dialogue and the sender until SIGTERM or SIGINT.

    On the signal: stop taking updates, let HTTP finish its requests, finish the sends in
    flight, and return.
    """
    settings = runtime.settings
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT) if handle_signals else ()
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    await upgrade(runtime.database)
    await runtime.router.refresh()  # before the first message, so it can be routed
    await runtime.knowledge_reload.refresh()  # officials' saved articles, before it too
    if runtime.telegram is None:
        log.warning(
            "No TALKKARI_TELEGRAM_TOKEN: the Telegram channel is off, everything else runs "
            "(talk to the bot with `talkkari chat`)."
        )
    server = _Server(
        uvicorn.Config(
            runtime.http,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            # Open event streams would otherwise hold a graceful stop until their clients leave.
            timeout_graceful_shutdown=int(SHUTDOWN_GRACE_SECONDS),
        )
    )
    workers = [
        asyncio.create_task(runtime.intake.run(stop), name="intake"),
        asyncio.create_task(runtime.sender.run(stop), name="sender"),
        asyncio.create_task(runtime.watcher.run(stop), name="case watcher"),
        asyncio.create_task(runtime.notices.run(stop), name="notice dispatcher"),
        asyncio.create_task(runtime.router.run(stop), name="router"),
        asyncio.create_task(runtime.sla.run(stop), name="sla watch"),
        asyncio.create_task(runtime.knowledge_reload.run(stop), name="knowledge reload"),
        asyncio.create_task(runtime.retention.run(stop), name="retention"),
    ]
    http_task = asyncio.create_task(server.serve(), name="http")
    telegram_task = (
        asyncio.create_task(_run_telegram(runtime.telegram), name="telegram")
        if runtime.telegram
        else None
    )
    while not server.started and not http_task.done():  # noqa: ASYNC110 - uvicorn offers a flag only
        await asyncio.sleep(0.01)
    if http_task.done():
        stop.set()
        await asyncio.gather(*workers, return_exceptions=True)
        http_task.result()  # raises why the server could not start
    log.info("listening on http://%s:%s", settings.host, settings.port)
    if on_ready:
        on_ready()
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({stopping, http_task, *workers}, return_when=asyncio.FIRST_COMPLETED)
    # Workers end by themselves only when stopped; ending before that means they died.
    died = [] if stop.is_set() else [task for task in (http_task, *workers) if task.done()]
    if died:
        # A worker never ends by itself: stop the whole process so that it is restarted.
        log.error("%s stopped unexpectedly; stopping the process", died[0].get_name())
        stop.set()
    stopping.cancel()
    log.info("stopping: finishing what is in flight")
    if telegram_task:
        telegram_task.cancel()
        await asyncio.gather(telegram_task, return_exceptions=True)
    server.should_exit = True
    await http_task
    _, pending = await asyncio.wait(workers, timeout=SHUTDOWN_GRACE_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    if runtime.telegram:
        with contextlib.suppress(Exception):
            await runtime.telegram.stop()
    if runtime.ahjo:
        await runtime.ahjo.aclose()
    await runtime.database.dispose()
    for signum in signals:
        loop.remove_signal_handler(signum)
    log.info("stopped")
    if died:
        raise RuntimeError(f"{died[0].get_name()} stopped unexpectedly")


async def _run_telegram(channel: TelegramChannel) -> None:
    """Meet the Bot API (retrying while it cannot be reached), then poll unless on a webhook."""
    pause = 1.0
    while True:
        try:
            await channel.start()
            break
        except InvalidToken:
            log.error("telegram: the token was rejected; the Telegram channel is off")
            return
        except TelegramError as exc:
            log.warning("telegram: cannot reach the Bot API (%s); retrying in %.0f s", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 60.0)
    if not channel.is_webhook:
        await channel.poll()
